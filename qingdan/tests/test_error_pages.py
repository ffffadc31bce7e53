"""The refusal pages: inside the normal layout (menu, breadcrumb to the workbench, the reason, a way back) for a
signed-in user; bare, showing nothing of the platform, for anyone signed out."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import path

from qingdan.views import permission_denied

pytestmark = pytest.mark.django_db

DENIED = "/users/"  # the user administrators' page: a 403 for everyone else


def test_a_signed_in_user_gets_the_403_page_with_the_menu_and_a_way_back(client_for, reporter):
    response = client_for(reporter).get(DENIED, HTTP_REFERER="http://testserver/lists/items/")
    page = response.content.decode()
    assert response.status_code == 403
    assert 'id="qd-nav"' in page and 'href="/lists/items/"' in page  # the menu
    assert '<li class="breadcrumb-item"><a href="/">工作台</a></li>' in page  # the breadcrumb
    assert "无权访问" in page and 'data-testid="refusal"' in page  # the reason
    assert 'href="/lists/items/" data-testid="go-back"' in page and "返回工作台" in page


def test_the_way_back_never_leads_to_another_host_or_to_the_refused_page(client_for, reporter):
    client = client_for(reporter)
    for referer in ("https://evil.example/", f"http://testserver{DENIED}"):
        page = client.get(DENIED, HTTP_REFERER=referer).content.decode()
        assert 'data-testid="go-back"' not in page and "返回工作台" in page


def test_an_anonymous_refusal_stays_bare():
    request = RequestFactory().get(DENIED)
    request.user = AnonymousUser()
    page = permission_denied(request, PermissionDenied()).content.decode()
    assert 'id="qd-nav"' not in page and "无权访问" in page


def test_a_signed_in_user_gets_the_404_page_in_the_layout_and_an_anonymous_one_bare(client_for, client, reporter):
    response = client_for(reporter).get("/lists/items/999999/")
    assert response.status_code == 404 and 'id="qd-nav"' in response.content.decode()
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and 'id="qd-nav"' not in response.content.decode()


def _broken_view(request):
    raise RuntimeError("the disk is full")


urlpatterns = [path("broken/", _broken_view)]


@pytest.mark.urls(__name__)
def test_a_server_error_is_a_chinese_page_with_a_way_back_not_djangos_english_one():
    response = Client(raise_request_exception=False).get("/broken/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in page and "请几分钟后再试" in page and 'href="/"' in page
    assert "Server Error (500)" not in page and "the disk is full" not in page  # nor the internals


def test_the_server_error_page_reads_nothing_from_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):  # the database may be what failed
        assert "服务器出错" in render_to_string("500.html")

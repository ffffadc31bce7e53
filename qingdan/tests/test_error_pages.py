"""The refusal pages: inside the normal layout (menu, breadcrumb to the workbench, the reason, a way back) for a
signed-in user; bare, showing nothing of the platform, for anyone signed out."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

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

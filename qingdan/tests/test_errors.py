"""One refusal type and one conflict type for every area, answered once by the API and once by the pages."""

import ast
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory
from django.utils import translation

from qingdan.errors import Conflict, Refused
from qingdan.middleware import RefusalMiddleware
from qingdan.tests.test_clock import ROOT, product_modules


def test_no_area_defines_its_own_refusal_or_conflict():
    defined = [
        f"{module}:{node.lineno}"
        for module in product_modules()
        if module != Path("qingdan/errors.py")
        for node in ast.walk(ast.parse((ROOT / module).read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and node.name in {"Refused", "Conflict"}
    ]
    assert defined == []


def _post(path="/lists/items/7/verify/", referer="http://testserver/lists/items/7/"):
    request = RequestFactory().post(path, HTTP_REFERER=referer)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize("error", [Refused("该事项已销号，不能再申请。"), Conflict()])
def test_a_refusal_a_form_leaves_to_the_platform_goes_back_with_its_reason(error):
    request = _post()
    response = RefusalMiddleware(lambda r: None).process_exception(request, error)
    assert (response.status_code, response["Location"]) == (302, "http://testserver/lists/items/7/")
    assert [str(m) for m in get_messages(request)] == [str(error.message)]


def test_a_refusal_never_sends_the_user_to_another_host():
    request = _post(referer="https://evil.example/phish")
    response = RefusalMiddleware(lambda r: None).process_exception(request, Refused("不允许"))
    assert response["Location"] == "/lists/items/7/verify/"


def test_the_api_and_other_errors_are_left_alone():
    middleware = RefusalMiddleware(lambda r: None)
    assert middleware.process_exception(_post("/api/v1/items/7/verify"), Refused("x")) is None
    assert middleware.process_exception(_post(), ValueError("a bug")) is None
    assert middleware.process_exception(RequestFactory().get("/lists/items/7/"), Refused("x")) is None


def test_a_conflict_without_words_says_nothing_was_saved_in_the_users_language():
    with translation.override("zh-hans"):
        assert str(Conflict().message) == "该记录已被他人修改，本次未保存，请重新读取后再试。"
    with translation.override("en"):
        assert str(Conflict().message).startswith("This record was changed by someone else")

"""Text that breaks pages, as an attacker or a paste from Word sends it: control characters, a lone surrogate and
over-long text are refused at every door of the close-out area, naming the field and changing nothing; text that
was stored before the door checked it never breaks a page, an export or an official document."""

import io
import json
from datetime import timedelta

import pytest
from django.test import Client
from openpyxl import load_workbook

from checklists import workflow
from checklists.models import Checklist, Document, DocumentKind, Item, ItemStatus
from documents.official import plain_text
from orgs import services as org_services
from qingdan import clock

pytestmark = pytest.mark.django_db


def _api(user):
    raw = org_services.create_api_token(user=user, name="test", actor=user)[1]

    def call(method, url, body):
        return getattr(Client(), method)(
            f"/api/v1{url}",
            data=body if isinstance(body, bytes) else json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )

    return call


def _new_list(**changes):
    deadline = (clock.today() + timedelta(days=30)).isoformat()
    body = {
        "responsible_unit": "A-D1",
        "title": "技术工人队伍建设责任清单",
        "items": [{"content": "改善居住条件", "deadline": deadline}],
    }
    body.update(changes)
    return body


def _verify_form(item, **changes):
    return {
        "decision": "fail",
        "opinion": "佐证材料不全。",
        "findings": "未见入住名单",
        "fixes": "补充入住人员名单",
        "new_deadline": (clock.today() + timedelta(days=20)).isoformat(),
        "version": Item.objects.get(pk=item.pk).version,
        **changes,
    }


# --- forms -------------------------------------------------------------------------------------------------------


def test_a_bell_character_in_an_opinion_is_shown_beside_the_field_and_nothing_changes(
    client_for, reporter, reviewer, item
):
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成。")
    page = client_for(reviewer).post(f"/lists/items/{item.pk}/verify/", _verify_form(item, findings="未见\x07名单"))
    text = page.content.decode()
    # The reviewer sees the reason beside the field, and what they typed in the other fields is still there.
    assert page.status_code == 200 and "含有不可见的控制字符（U+0007，第 3 个字符），请删除后重试。" in text
    assert "补充入住人员名单" in text
    assert Item.objects.get(pk=item.pk).status == ItemStatus.APPLIED
    assert not Document.objects.filter(item=item, kind=DocumentKind.RECTIFICATION).exists()


def test_word_soft_line_breaks_and_windows_line_ends_are_kept_as_line_breaks(client_for, reporter, reviewer, item):
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成。")
    response = client_for(reviewer).post(
        f"/lists/items/{item.pk}/verify/", _verify_form(item, findings="  一、未见名单\x0b二、未见照片\r\n三、未签字  ")
    )
    assert response.status_code == 302
    letter = Document.objects.get(item=item, kind=DocumentKind.RECTIFICATION)
    assert "一、未见名单\n二、未见照片\n三、未签字" in json.dumps(letter.body, ensure_ascii=False).replace("\\n", "\n")


def test_a_nul_in_a_search_box_gets_a_plain_page_naming_the_field(client_for, office, item):
    response = client_for(office).get("/lists/items/", {"q": "人才\x00"})
    assert response.status_code == 400
    assert "搜索或筛选条件含有不可见的控制字符（U+0000，第 3 个字符）" in response.content.decode()


# --- the API -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "said"),
    [
        ({"title": "清单\x00"}, "title", "U+0000，第 3 个字符"),
        ({"title": "清单\x1b[31m"}, "title", "U+001B"),
        ({"title": "清单\ud800"}, "title", "残缺字符"),
        ({"items": [{"content": "改善\x07", "deadline": "2099-01-01"}]}, "items › 0 › content", "U+0007"),
    ],
)
def test_the_api_refuses_broken_text_with_422_naming_the_field(office, dept_a, changes, field, said):
    response = _api(office)("post", "/lists", _new_list(**changes))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_text" and f"“{field}”" in body["message"] and said in body["message"]
    assert not Checklist.objects.exists()


def test_an_over_long_title_is_refused_by_the_api_not_stored_or_a_500(office, dept_a):
    response = _api(office)("post", "/lists", _new_list(title="长" * 1_048_576))
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    assert not Checklist.objects.exists()


def test_a_control_character_in_a_query_parameter_is_refused_by_the_api(office):
    response = _api(office)("get", "/items?unit=A%00", b"")
    assert response.status_code == 422 and response.json()["code"] == "invalid_text"
    assert "“unit”" in response.json()["message"]


def test_text_sent_to_the_api_is_trimmed_and_soft_breaks_become_line_feeds(office, dept_a):
    response = _api(office)(
        "post",
        "/lists",
        _new_list(title="  技术工人清单  ", items=[{"content": "一、改善\x0b二、提升", "deadline": "2099-01-01"}]),
    )
    assert response.status_code == 201, response.content
    checklist = Checklist.objects.get()
    assert checklist.title == "技术工人清单" and checklist.items.get().content == "一、改善\n二、提升"


def test_a_body_that_is_not_json_gets_the_api_error_shape(office):
    response = _api(office)("post", "/lists", b"{not json")
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "message": "请求正文不是有效的 JSON。"}


def test_a_body_nested_too_deeply_to_check_is_refused_not_a_500(office):
    response = _api(office)("post", "/lists", ("[" * 65 + "]" * 65).encode())
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "message": "请求正文嵌套过深。"}


def test_a_json_body_over_the_memory_limit_is_refused_in_the_api_shape(office, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = _api(office)("post", "/lists", _new_list(title="长" * 2000))
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_a_signed_in_post_without_the_csrf_token_gets_the_api_error_shape(office, dept_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    response = client.post("/api/v1/lists", json.dumps(_new_list()), content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert not Checklist.objects.exists()


# --- text stored before the door checked it ----------------------------------------------------------------------


def test_stored_control_characters_break_no_page_export_or_document(client_for, office, reporter, reviewer, item):
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成。")
    workflow.verify(
        item=item,
        actor=reviewer,
        passed=False,
        opinion="不全",
        findings="未见名单",
        fixes="补充名单",
        new_deadline=clock.today() + timedelta(days=20),
        version=Item.objects.get(pk=item.pk).version,
    )
    dirty = "改善\x07技术\x0b人才\x1b居住条件"
    Item.objects.filter(pk=item.pk).update(content=dirty)
    letter = Document.objects.get(item=item, kind=DocumentKind.RECTIFICATION)
    Document.objects.filter(pk=letter.pk).update(body={**letter.body, "findings": dirty})
    client = client_for(office)
    assert client.get(f"/lists/items/{item.pk}/").status_code == 200
    export = client.get("/lists/items/export/")
    assert export.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True) for c in row]
    assert "改善技术\n人才居住条件" in cells
    document = client.get(f"/lists/documents/{letter.pk}/")
    assert document.status_code == 200 and "改善技术" in plain_text(document.content)
    assert client.get(f"/lists/documents/{letter.pk}/print/").status_code == 200

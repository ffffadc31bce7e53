"""The close-out area through the API: issue a list, walk an item through apply → fail →
re-apply → pass, a stale version (409), forbidden moves (422), urging, extension, the deep
review's 80% rule, the figures; another county gets 404 everywhere."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from checklists.models import Checklist, Extension, Item, ItemStatus
from evidence import services as library
from orgs import services as org_services
from orgs.models import Role
from orgs.tests.factories import UserFactory
from qingdan import clock
from surveys import services as survey_services

pytestmark = pytest.mark.django_db
TODAY = clock.today


def later(days=30):
    return (TODAY() + timedelta(days=days)).isoformat()


def api(user):
    raw = org_services.create_api_token(user=user, name="test", actor=user)[1]
    return lambda method, url, body=None: getattr(Client(), method)(
        f"/api/v1{url}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


NEW_LIST = {
    "responsible_unit": "A-D1",
    "co_units": ["A-D2"],
    "title": "技术工人队伍建设责任清单",
    "doc_number": "滨产改办〔2026〕3号",
    "category": "产业工人队伍建设",
    "import_key": "API-1",
    "items": [
        {
            "content": "改善技术人才居住条件",
            "standard": "人才公寓改造完成并入住",
            "deadline": later(),
            "person_in_charge": "张三",
        },
        {"content": "开展职工技能竞赛", "deadline": later(10), "deep_review_required": True},
    ],
}


@pytest.fixture
def created(office, dept_a, co_reporter):
    response = api(office)("post", "/lists", NEW_LIST)
    assert response.status_code == 201, response.content
    return response.json()


def test_office_creates_a_list_and_the_same_key_returns_it_again(office, created):
    assert created["responsible_unit"] == "A-D1" and created["co_units"] == ["A-D2"]
    assert created["category"] == "产业工人队伍建设"
    assert [(i["content"], i["status"], i["version"]) for i in created["items"]] == [
        ("改善技术人才居住条件", "issued", 0),
        ("开展职工技能竞赛", "issued", 0),
    ]
    again = api(office)("post", "/lists", NEW_LIST)
    assert again.status_code == 200 and again.json()["id"] == created["id"]
    assert Checklist.objects.count() == 1 and Item.objects.count() == 2


def test_a_bad_list_is_refused_with_the_reason(office, dept_a):
    call = api(office)
    past = call("post", "/lists", {**NEW_LIST, "co_units": [], "items": [{"content": "x", "deadline": "2020-01-01"}]})
    assert past.status_code == 422 and past.json()["code"] == "refused" and "早于下达日期" in past.json()["message"]
    empty = call("post", "/lists", {**NEW_LIST, "co_units": [], "items": []})
    assert empty.status_code == 422 and "至少需要一个事项" in empty.json()["message"]
    outside = call("post", "/lists", {**NEW_LIST, "responsible_unit": "B-D1"})
    assert outside.status_code == 422 and outside.json()["code"] == "unknown_unit"
    assert not Checklist.objects.exists()


def test_a_unit_past_the_load_line_needs_confirm_load(office, dept_a, co_reporter, rule):
    rule("closeout.unit_load_warning", 1)
    call = api(office)
    warned = call("post", "/lists", NEW_LIST)
    assert warned.status_code == 422 and warned.json()["code"] == "load_warning"
    assert "超过1项的提示线" in warned.json()["message"]
    assert call("post", "/lists", {**NEW_LIST, "confirm_load": True}).status_code == 201


def test_reporters_and_leaders_do_not_issue(reporter, leader, dept_a):
    assert api(reporter)("post", "/lists", NEW_LIST).json()["code"] == "forbidden"
    assert api(leader)("post", "/lists", NEW_LIST).status_code == 403


def test_walkthrough_apply_fail_reapply_pass_with_a_stale_version_and_figures(created, reporter, reviewer, leader):
    item_id = created["items"][0]["id"]
    unit, review = api(reporter), api(reviewer)
    listed = unit("get", "/items?unit=A-D1&status=issued")
    assert listed.json()["count"] == 2
    applied = unit("post", f"/items/{item_id}/apply", {"report": "人才公寓已改造，28名技术人才入住。", "version": 0})
    assert applied.status_code == 200 and (applied.json()["status"], applied.json()["version"]) == ("applied", 1)

    stale = review("post", f"/items/{item_id}/verify", {"passed": True, "opinion": "通过", "version": 0})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert "已被他人处理或修改" in stale.json()["message"]
    assert Item.objects.get(pk=item_id).status == ItemStatus.APPLIED

    failed = review(
        "post",
        f"/items/{item_id}/verify",
        {
            "passed": False,
            "opinion": "佐证材料不全。",
            "findings": "未见入住名单",
            "fixes": "补充入住人员名单",
            "new_deadline": later(20),
            "version": 1,
        },
    )
    assert failed.status_code == 200 and (failed.json()["status"], failed.json()["rectifications"]) == ("rectifying", 1)
    unit("post", f"/items/{item_id}/apply", {"report": "已补充名单。", "version": 2})
    passed = review("post", f"/items/{item_id}/verify", {"passed": True, "opinion": "二次验收通过。", "version": 3})
    assert passed.json()["status"] == "closed"

    detail = unit("get", f"/items/{item_id}").json()
    assert detail["version"] == 4 and detail["issuing_unit"] == "A"
    assert [e["kind"] for e in detail["timeline"]] == ["issued", "applied", "failed", "applied", "closed"]
    assert "改〔" in detail["timeline"][2]["document"]
    assert {d["kind"] for d in detail["documents"]} == {"rectification", "confirmation"}

    figures = api(leader)("get", "/figures?group=unit").json()
    assert figures["total"]["issued"] == 2 and figures["total"]["closed"] == 1
    assert figures["total"]["close_rate"] == 0.5 and figures["total"]["first_pass_rate"] == 0.0
    assert figures["rows"][0]["key"] == "A-D1" and figures["rows"][0]["rectifications"] == 1
    by_category = api(leader)("get", "/figures?group=category").json()
    assert by_category["rows"][0]["key"] == "产业工人队伍建设"
    assert api(leader)("get", "/figures?group=planet").status_code == 422
    assert api(reporter)("get", "/figures").status_code == 403


@pytest.mark.parametrize(
    ("who", "action", "body", "message"),
    [
        ("reviewer", "verify", {"passed": True, "opinion": "通过", "version": 0}, "现在不能"),
        ("reviewer", "apply", {"report": "已完成", "version": 0}, "不允许"),
        ("co_reporter", "apply", {"report": "已完成", "version": 0}, "不允许"),
        ("reporter", "verify", {"passed": True, "opinion": "通过", "version": 0}, "不允许"),
        ("reporter", "apply", {"report": " ", "version": 0}, "完成情况"),
        ("reporter", "urge", None, "不允许"),
        ("office", "urge", None, "超过完成时限"),
        ("reporter", "evaluation", {"conclusion": "pass", "opinion": "好", "version": 0}, "不允许"),
    ],
)
def test_forbidden_moves_are_422_and_change_nothing(request, created, who, action, body, message):
    item_id = created["items"][0]["id"]
    response = api(request.getfixturevalue(who))("post", f"/items/{item_id}/{action}", body)
    assert response.status_code == 422 and response.json()["code"] == "refused", response.content
    assert message in response.json()["message"], response.json()["message"]
    item = Item.objects.get(pk=item_id)
    assert (item.status, item.version) == (ItemStatus.ISSUED, 0)


def test_applying_for_a_closed_item_is_refused(created, reporter, reviewer):
    item_id = created["items"][0]["id"]
    api(reporter)("post", f"/items/{item_id}/apply", {"report": "已完成", "version": 0})
    api(reviewer)("post", f"/items/{item_id}/verify", {"passed": True, "opinion": "通过", "version": 1})
    again = api(reporter)("post", f"/items/{item_id}/apply", {"report": "再次申请", "version": 2})
    assert again.status_code == 422 and "现在不能申请销号" in again.json()["message"]


def test_apply_with_library_evidence_and_not_another_units(created, reporter, co_reporter):
    from django.core.files.uploadedfile import SimpleUploadedFile

    own = library.keep(uploaded=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"), actor=reporter)
    other = library.keep(uploaded=SimpleUploadedFile("b.pdf", b"%PDF-1.4 y"), actor=co_reporter)
    item_id = created["items"][0]["id"]
    refused = api(reporter)(
        "post", f"/items/{item_id}/apply", {"report": "已完成", "evidence": [other.pk], "version": 0}
    )
    assert refused.status_code == 422
    done = api(reporter)("post", f"/items/{item_id}/apply", {"report": "已完成", "evidence": [own.pk], "version": 0})
    assert done.status_code == 200
    assert [e["name"] for e in api(reporter)("get", f"/items/{item_id}").json()["evidence"]] == ["a.pdf"]


def test_urging_an_overdue_item_once_a_day_and_the_overdue_filter(created, office, reporter):
    item_id = created["items"][0]["id"]
    Item.objects.filter(pk=item_id).update(deadline=TODAY() - timedelta(days=2))
    call = api(office)
    first = call("post", f"/items/{item_id}/urge")
    assert first.status_code == 200 and first.json()["urged"] and first.json()["urgings"] == 1
    assert "催〔" in first.json()["document"]
    second = call("post", f"/items/{item_id}/urge").json()
    assert (second["urged"], second["document"], second["urgings"]) == (False, None, 1)
    overdue = api(reporter)("get", "/items?overdue=true").json()
    assert [i["id"] for i in overdue["items"]] == [item_id]
    assert api(reporter)("get", "/items?overdue=false").json()["count"] == 1


def test_extension_requested_and_approved(created, reporter, office):
    item_id = created["items"][0]["id"]
    asked = api(reporter)(
        "post", f"/items/{item_id}/extensions", {"new_deadline": later(60), "reason": "雨季施工延误", "version": 0}
    )
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    extension_id = asked.json()["id"]
    assert (
        api(reporter)("post", f"/items/{item_id}/extensions/{extension_id}/decision", {"approve": True}).status_code
        == 422
    )
    decided = api(office)(
        "post", f"/items/{item_id}/extensions/{extension_id}/decision", {"approve": True, "note": "同意"}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    detail = api(reporter)("get", f"/items/{item_id}").json()
    assert detail["deadline"] == later(60) and detail["original_deadline"] == later()
    again = api(office)("post", f"/items/{item_id}/extensions/{extension_id}/decision", {"approve": False})
    assert again.status_code == 422 and "该延期申请已经处理" in again.json()["message"]


@pytest.mark.parametrize(("satisfied", "status"), [(79, "rectifying"), (80, "closed")])
def test_deep_review_through_the_api_closes_only_at_80_percent(
    created, reporter, reviewer, evaluator, rule, satisfied, status
):
    rule("closeout.poll_tokens", 100)
    item_id = created["items"][1]["id"]
    api(reporter)("post", f"/items/{item_id}/apply", {"report": "举办技能竞赛2场。", "version": 0})
    sent = api(reviewer)(
        "post",
        f"/items/{item_id}/verify",
        {"passed": True, "opinion": "请深度验收", "evaluator": "evaluator", "version": 1},
    )
    assert sent.json()["status"] == "deep_review"
    item = Item.objects.get(pk=item_id)
    poll = item.satisfaction_poll
    question = poll.questionnaire.questions.get(code="S1")
    for i, token in enumerate(poll.tokens.order_by("pk")):
        level = "satisfied" if i < satisfied else "basic"
        survey_services.submit_poll_response(poll=poll, raw={question.pk: [level]}, token=token.token)
    recorded = api(evaluator)(
        "post",
        f"/items/{item_id}/evaluation",
        {
            "conclusion": "pass",
            "opinion": "材料齐全。",
            "report_notes": "听取汇报",
            "version": 2,
            "new_deadline": later(15),
        },
    )
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["status"] == status and recorded.json()["satisfaction"] == pytest.approx(satisfied / 100)


def test_another_county_gets_404_everywhere(created, outsider, office):
    item_id = created["items"][0]["id"]
    call = api(outsider)
    extension = Extension.objects.create(
        item_id=item_id, new_deadline=TODAY() + timedelta(days=90), reason="x", requested_by=office
    )
    assert call("get", "/items").json()["count"] == 0
    assert call("get", f"/items/{item_id}").status_code == 404
    for action, body in [
        ("apply", {"report": "x", "version": 0}),
        ("verify", {"passed": True, "opinion": "x", "version": 0}),
        ("urge", None),
        ("extensions", {"new_deadline": later(60), "reason": "x", "version": 0}),
        (f"extensions/{extension.pk}/decision", {"approve": True}),
        ("evaluation", {"conclusion": "pass", "opinion": "x", "version": 0}),
    ]:
        response = call("post", f"/items/{item_id}/{action}", body)
        assert response.status_code == 404 and response.json()["code"] == "not_found", action
    assert call("get", "/figures").json()["total"]["issued"] == 0
    assert Item.objects.get(pk=item_id).version == 0


def test_a_co_unit_reads_the_items_it_helps_with(created, county_a):
    stranger = UserFactory(username="stranger", org_unit=county_a.children.get(code="A-D2"), roles=[Role.REPORTER])
    # A co-unit sees the list's items (visible_items), but cannot apply for them.
    assert api(stranger)("get", "/items").json()["count"] == 2


def test_the_openapi_schema_describes_the_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/lists", "/api/v1/items", "/api/v1/items/{item_id}/verify", "/api/v1/figures"} <= set(paths)


@pytest.mark.parametrize("query", ["?offset=100000000000000000000", "?unit=²", "?category=99999999999999999999999"])
def test_odd_numbers_in_the_address_are_not_a_server_error(office, query):
    from django.test import Client

    from orgs import services as org_services

    raw = org_services.create_api_token(user=office, name="t", actor=office)[1]
    response = Client().get(f"/api/v1/items{query}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code in (200, 422)


def test_an_over_long_title_is_refused_not_a_server_error(office, dept_a):
    import json

    from django.test import Client

    from orgs import services as org_services

    raw = org_services.create_api_token(user=office, name="t", actor=office)[1]
    body = {
        "title": "长" * 201,
        "responsible_unit": dept_a.code,
        "items": [{"content": "事项", "deadline": "2099-01-01"}],
    }
    response = Client().post(
        "/api/v1/lists", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 422

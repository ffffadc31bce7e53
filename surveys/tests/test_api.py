import json
from datetime import timedelta

import pytest
from django.test import Client

from orgs import services as org_services
from orgs.models import OrgKind, Role
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan import clock
from surveys import services
from surveys.models import PollMode, ResponseStatus, Target

pytestmark = pytest.mark.django_db


def api(user):
    raw = org_services.create_api_token(user=user, name="test", actor=user)[1]
    return lambda method, url, body=None: getattr(Client(), method)(
        f"/api/v1{url}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


NEW = {
    "title": "职工之家建设调查",
    "questions": [
        {
            "section": "阵地服务",
            "code": "Q1",
            "text": "是否建成职工之家",
            "kind": "single",
            "options": [{"label": "是", "score": 100}, {"label": "否", "score": 0}],
        },
        {
            "section": "阵地服务",
            "code": "Q2",
            "text": "未建成的原因",
            "kind": "short_text",
            "show_if": {"code": "Q1", "option": "否"},
        },
        {
            "section": "资金使用",
            "code": "Q3",
            "text": "年度经费（万元）",
            "kind": "number",
            "min_value": 0,
            "max_value": 100,
        },
        {"section": "作用发挥", "code": "Q4", "text": "职工认可度", "kind": "rating", "scale_max": 4},
    ],
}


@pytest.fixture
def towns(county_a):
    return [OrgUnitFactory(code=f"A-T{i}", name=f"第{i}镇工会", kind=OrgKind.TOWN, parent=county_a) for i in range(3)]


def test_office_creates_distributes_and_reads_completeness_and_statistics(office, towns):
    call = api(office)
    created = call("post", "/surveys/questionnaires", NEW)
    assert created.status_code == 201
    questionnaire = created.json()
    assert [q["code"] for q in questionnaire["questions"]] == ["Q1", "Q2", "Q3", "Q4"]
    today = clock.today().isoformat()
    later = (clock.today() + timedelta(days=7)).isoformat()
    sent = call(
        "post",
        f"/surveys/questionnaires/{questionnaire['id']}/distributions",
        {"title": "2026年调查", "kind": "town", "root_code": "A", "opens_on": today, "closes_on": later},
    )
    assert sent.status_code == 201 and sent.json()["targets"] == 3

    target = Target.objects.get(org_unit=towns[0])
    reporter = UserFactory(org_unit=towns[0], roles=[Role.REPORTER])
    answered = api(reporter)(
        "post",
        f"/surveys/tasks/{target.pk}/response",
        {"answers": {"Q1": "o2", "Q2": "场地不足", "Q3": 12, "Q4": 3}, "submit": True, "version": 0},
    )
    assert answered.status_code == 200 and answered.json()["status"] == ResponseStatus.SUBMITTED

    report = call("get", f"/surveys/distributions/{sent.json()['id']}/completeness").json()
    assert report["total"] == {"expected": 3, "submitted": 1, "on_time": 1, "late": 0, "rate": pytest.approx(1 / 3)}
    figures = call("get", f"/surveys/questionnaires/{questionnaire['id']}/statistics").json()
    assert figures["responses"] == 1
    assert figures["dimensions"] == {"阵地服务": 0.0, "作用发挥": pytest.approx(200 / 3)}
    assert figures["units"] == {"A-T0": {"阵地服务": 0.0, "作用发挥": pytest.approx(200 / 3)}}
    assert [(o["value"], o["label"], o["count"]) for o in figures["questions"][3]["options"]] == [
        ("1", "1 分", 0),
        ("2", "2 分", 0),
        ("3", "3 分", 1),
        ("4", "4 分", 0),
    ]
    assert figures["questions"][2] == {"code": "Q3", "answered": 1, "mean": 12.0, "options": []}


def test_a_questionnaire_with_a_bad_question_is_not_created(office):
    bad = {
        "title": "坏问卷",
        "questions": [
            {"section": "甲", "code": "Q1", "text": "单选", "kind": "single", "options": [{"label": "只有一个"}]}
        ],
    }
    response = api(office)("post", "/surveys/questionnaires", bad)
    assert response.status_code == 422 and response.json()["message"] == "选择题至少需要两个选项。"
    assert api(office)("get", "/surveys/questionnaires").json() == []


def test_reporter_submission_errors_name_the_question_and_store_nothing(office, reporter, dept_a):
    questionnaire = services.create_questionnaire(title="调查", owner_unit=office.org_unit, actor=office)
    services.add_question(
        questionnaire=questionnaire,
        section_title="甲",
        code="Q1",
        text="经费",
        kind="number",
        min_value=0,
        max_value=100,
        actor=office,
    )
    today = clock.today()
    distribution = services.distribute(
        questionnaire=questionnaire, title="t", units=[dept_a], opens_on=today, closes_on=today, actor=office
    )
    target = distribution.targets.get()
    call = api(reporter)
    response = call(
        "post", f"/surveys/tasks/{target.pk}/response", {"answers": {"Q1": 500}, "submit": True, "version": 0}
    )
    assert response.status_code == 422 and "第 Q1 题“经费”" in response.json()["message"]
    response = call("post", f"/surveys/tasks/{target.pk}/response", {"answers": {"Q9": 1}, "version": 0})
    assert response.status_code == 422 and response.json()["code"] == "unknown_question"
    call("post", f"/surveys/tasks/{target.pk}/response", {"answers": {"Q1": 5}, "version": 0})  # a draft: version 1
    stale = call("post", f"/surveys/tasks/{target.pk}/response", {"answers": {"Q1": 6}, "submit": True, "version": 0})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    target.refresh_from_db()
    assert target.status == ResponseStatus.DRAFT and target.response.answers.get().number == 5


def test_other_county_and_wrong_roles_are_refused(office, outsider, reporter, towns):
    questionnaire = api(office)("post", "/surveys/questionnaires", NEW).json()
    assert api(outsider)("get", f"/surveys/questionnaires/{questionnaire['id']}").status_code == 404
    assert api(reporter)("get", "/surveys/questionnaires").status_code == 403


def test_a_worker_answers_a_poll_with_a_token_once(office, dept_a):
    questionnaire = services.create_questionnaire(
        title="满意度测评", owner_unit=office.org_unit, actor=office, kind="worker"
    )
    services.add_question(
        questionnaire=questionnaire,
        section_title="满意度",
        code="S1",
        text="总体满意度",
        kind="satisfaction",
        actor=office,
    )
    poll = services.create_poll(
        questionnaire=questionnaire,
        title="测评",
        subject_unit=dept_a,
        actor=office,
        closes_at=clock.now() + timedelta(days=3),
        mode=PollMode.TOKENS,
        token_count=1,
    )
    token = poll.tokens.get().token
    body = json.dumps({"token": token, "answers": {"S1": "satisfied"}})
    first = Client().post(f"/api/v1/surveys/polls/{poll.slug}/responses", body, content_type="application/json")
    again = Client().post(f"/api/v1/surveys/polls/{poll.slug}/responses", body, content_type="application/json")
    assert first.status_code == 201 and again.status_code == 409
    assert again.json()["message"] == "该链接已使用过或无效。"
    assert poll.responses.count() == 1

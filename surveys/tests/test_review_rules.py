"""Rules found in review: scoping of figures used by a higher office, number limits, float
scores, returns with a new date, versions, freezing, and the services' own guards."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from orgs.models import Role
from orgs.tests.factories import UserFactory
from qingdan import clock
from qingdan.errors import Refused
from surveys import services, stats
from surveys.imports import import_questions, questionnaire_xlsx
from surveys.models import Finding, PollMode, ResponseStatus
from surveys.tests.helpers import xlsx
from surveys.validation import AnswersInvalid

pytestmark = pytest.mark.django_db


def _send(questionnaire, actor, units, days=10):
    today = clock.today()
    return services.distribute(
        questionnaire=questionnaire,
        title="调查",
        units=units,
        opens_on=today,
        closes_on=today + timedelta(days=days),
        actor=actor,
    )


def _submit(target, raw, submit=True):
    reporter = UserFactory(org_unit=target.org_unit, roles=[Role.REPORTER])
    return services.save_unit_response(target=target, raw=raw, actor=reporter, submit=submit, version=target.version)


def test_figures_of_a_city_distribution_stay_out_of_a_county_office(
    client_for, office, city, dept_a, dept_b, questionnaire
):
    city_office = UserFactory(username="city-office", org_unit=city, roles=[Role.OFFICE])
    distribution = _send(questionnaire, city_office, [dept_a, dept_b])
    q1 = questionnaire.questions.get(code="Q1")
    q3 = questionnaire.questions.get(code="Q3")
    q4 = questionnaire.questions.get(code="Q4")
    secret = {q1.pk: ["o2"], questionnaire.questions.get(code="Q2").pk: ["临河县的秘密"], q3.pk: ["1"], q4.pk: ["9"]}
    _submit(distribution.targets.get(org_unit=dept_b), secret)
    services.add_finding(questionnaire=questionnaire, note="临河县的问题", actor=city_office, suggested_unit=dept_b)
    client = client_for(office)
    page = client.get(f"/surveys/q/{questionnaire.pk}/stats/").content.decode()
    assert "临河县的秘密" not in page and 'data-testid="response-count">0<' in page
    export = client.get(f"/surveys/q/{questionnaire.pk}/stats/responses/").content
    assert "临河".encode() not in export
    assert "临河县的问题" not in client.get(f"/surveys/q/{questionnaire.pk}/findings/").content.decode()
    # The city office sees its own distribution's answer.
    assert "临河县的秘密" in client_for(city_office).get(f"/surveys/q/{questionnaire.pk}/stats/").content.decode()


def test_services_refuse_units_outside_the_actors_organisation(office, questionnaire, dept_b):
    with pytest.raises(Refused, match="临河县交通运输局不在您的管辖范围内"):
        _send(questionnaire, office, [dept_b])
    with pytest.raises(Refused, match="不在您的管辖范围内"):
        services.create_poll(
            questionnaire=questionnaire,
            title="测评",
            subject_unit=dept_b,
            actor=office,
            closes_at=clock.now() + timedelta(days=1),
            mode=PollMode.TOKENS,
            token_count=1,
        )
    with pytest.raises(Refused, match="不在您的管辖范围内"):
        services.add_finding(questionnaire=questionnaire, note="问题", actor=office, suggested_unit=dept_b)
    assert not Finding.objects.exists() and not questionnaire.distributions.exists()


@pytest.mark.parametrize("value", ["1e20", "123456789012345", "0.001", "NaN"])
def test_numbers_that_cannot_be_stored_are_refused_by_name(questionnaire, value):
    from surveys.validation import clean_answers, load

    q4 = questionnaire.questions.get(code="Q4")
    q4.max_value = None
    q4.save()
    with pytest.raises(AnswersInvalid) as refused:
        clean_answers(load(questionnaire), {q4.pk: [value]}, complete=False)
    assert "第 Q4 题“全年经费（万元）”" in refused.value.errors["Q4"]


@pytest.mark.parametrize(
    ("typed", "said"), [("a\x00b", "U+0000，第 2 个字符"), ("ab\x07", "U+0007，第 3 个字符"), ("a\ud800", "残缺字符")]
)
def test_a_control_character_or_a_broken_one_is_refused(questionnaire, typed, said):
    from surveys.validation import clean_answers, load

    q2 = questionnaire.questions.get(code="Q2")
    q1 = questionnaire.questions.get(code="Q1")
    with pytest.raises(AnswersInvalid) as refused:
        clean_answers(load(questionnaire), {q1.pk: ["o2"], q2.pk: [typed]}, complete=False)
    assert said in refused.value.errors["Q2"]


@pytest.mark.parametrize(("points", "rating", "score"), [(4, 2, 100 / 3), (10, 4, 100 / 3), (7, 5, 400 / 6)])
def test_rating_scores_are_exact_on_every_scale(office, dept_a, points, rating, score):
    questionnaire = services.create_questionnaire(title="量表", owner_unit=office.org_unit, actor=office)
    q = services.add_question(
        questionnaire=questionnaire,
        section_title="甲",
        code="R1",
        text="评分",
        kind="rating",
        scale_max=points,
        actor=office,
    )
    distribution = _send(questionnaire, office, [dept_a])
    _submit(distribution.targets.get(), {q.pk: [str(rating)]})
    scores = stats.dimension_scores(stats.final_responses(questionnaire))
    assert scores[q.section_id] == pytest.approx(score)


def test_a_response_returned_after_closing_can_be_resubmitted_late(office, dept_a, questionnaire):
    distribution = _send(questionnaire, office, [dept_a], days=0)
    q = {x.code: x.pk for x in questionnaire.questions.all()}
    raw = {q["Q1"]: ["o1"], q["Q3"]: ["4"], q["Q4"]: ["10"]}
    target = _submit(distribution.targets.get(), raw)
    type(distribution).objects.filter(pk=distribution.pk).update(
        opens_on=clock.today() - timedelta(days=9), closes_on=clock.today() - timedelta(days=2)
    )
    target = services.return_response(target=target, reason="Q4 经费口径有误", actor=office)
    assert target.due_on == clock.today() + timedelta(days=7)
    target = _submit(target, raw)
    assert target.status == ResponseStatus.SUBMITTED and not target.on_time
    distribution.refresh_from_db()
    total, _regions = stats.completeness(distribution)
    assert (total.submitted, total.on_time, total.late) == (1, 0, 1)


def test_nothing_is_stored_after_the_deadline_even_as_a_draft(office, dept_a, questionnaire):
    distribution = _send(questionnaire, office, [dept_a], days=0)
    type(distribution).objects.filter(pk=distribution.pk).update(
        opens_on=clock.today() - timedelta(days=9), closes_on=clock.today() - timedelta(days=1)
    )
    target = distribution.targets.get()
    with pytest.raises(Refused, match="截止"):
        _submit(target, {}, submit=False)
    assert not hasattr(type(target).objects.get(pk=target.pk), "response") or not target.response


def test_a_questionnaire_freezes_when_sent_out_and_copies_number_on(office, dept_a, questionnaire):
    assert not questionnaire.is_frozen
    _send(questionnaire, office, [dept_a])
    assert questionnaire.is_frozen
    with pytest.raises(Refused, match="已下发或已有答卷"):
        services.add_question(
            questionnaire=questionnaire, section_title="甲", code="Q9", text="新题", kind="number", actor=office
        )
    first = services.copy_questionnaire(questionnaire=questionnaire, actor=office)
    second = services.copy_questionnaire(questionnaire=questionnaire, actor=office)
    third = services.copy_questionnaire(questionnaire=first, actor=office)
    assert (first.version, second.version, third.version) == (2, 3, 4)


def test_a_condition_on_a_satisfaction_answer_survives_export_and_import(office):
    source = services.create_questionnaire(title="测评", owner_unit=office.org_unit, actor=office, kind="worker")
    services.add_question(
        questionnaire=source, section_title="满意度", code="S1", text="总体评价", kind="satisfaction", actor=office
    )
    services.add_question(
        questionnaire=source,
        section_title="满意度",
        code="S2",
        text="不满意的原因",
        kind="short_text",
        show_if=("S1", "不满意"),
        actor=office,
    )
    target = services.create_questionnaire(title="测评 2", owner_unit=office.org_unit, actor=office, kind="worker")
    from django.core.files.uploadedfile import SimpleUploadedFile

    exported = SimpleUploadedFile("q.xlsx", questionnaire_xlsx(source))
    assert import_questions(questionnaire=target, uploaded=exported, actor=office) == []
    assert target.questions.get(code="S2").show_if_option.label == "不满意"


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["甲", "Q1", "经费", "数字", "是", "", "NaN", "", "", "", ""], "最小值"),
        (["甲", "Q1", "经费", "数字", "是", "", "", "1e15", "", "", ""], "最大值"),
        (["甲", "Q1", "选择", "单选题", "是", "是|=5|否", "", "", "", "", ""], "选项"),
        (["甲", "Q1", "选择", "单选题", "是", "是|" + "长" * 201, "", "", "", "", ""], "选项"),
        (["甲", "Q1", "经费", "数字", "是", "", "", "", "", "说" * 301, ""], "说明"),
    ],
)
def test_import_refuses_values_the_database_cannot_hold(office, row, column):
    questionnaire = services.create_questionnaire(title="调查", owner_unit=office.org_unit, actor=office)
    errors = import_questions(questionnaire=questionnaire, uploaded=xlsx([row]), actor=office)
    assert [(e.row, e.column) for e in errors][:1] == [(2, column)]
    assert not questionnaire.questions.exists()


def test_api_refuses_question_fields_the_database_cannot_hold(office):
    from orgs import services as org_services

    raw = org_services.create_api_token(user=office, name="t", actor=office)[1]
    for question in (
        {"section": "甲", "code": "Q" * 21, "text": "题", "kind": "number"},
        {
            "section": "甲",
            "code": "Q1",
            "text": "题",
            "kind": "single",
            "options": [{"label": "是", "score": 1000}, {"label": "否"}],
        },
        {"section": "甲", "code": "Q1", "text": "题", "kind": "number", "min_value": 5, "max_value": 1},
    ):
        response = Client().post(
            "/api/v1/surveys/questionnaires",
            json.dumps({"title": "t", "questions": [question]}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert response.status_code == 422, question


def test_open_link_polls_cannot_be_answered_through_the_api_or_without_the_page_cookie(office, dept_a):
    questionnaire = services.create_questionnaire(title="测评", owner_unit=office.org_unit, actor=office, kind="worker")
    s1 = services.add_question(
        questionnaire=questionnaire,
        section_title="意见",
        code="S1",
        text="最希望的活动",
        kind="single",
        options=[("文体活动", None), ("技能培训", None)],
        actor=office,
    )
    poll = services.create_poll(
        questionnaire=questionnaire,
        title="测评",
        subject_unit=dept_a,
        actor=office,
        closes_at=clock.now() + timedelta(days=1),
        mode=PollMode.OPEN,
        cap=100,
    )
    api = Client().post(
        f"/api/v1/surveys/polls/{poll.slug}/responses",
        json.dumps({"answers": {"S1": "o1"}}),
        content_type="application/json",
    )
    assert api.status_code == 409
    page = Client().post(f"/p/{poll.slug}/", {f"q{s1.pk}": "o1"}).content.decode()
    assert "请在本页面重新提交您的答案。" in page
    assert poll.responses.count() == 0


def test_an_answer_marked_as_a_finding_names_its_unit(client_for, office, dept_a, questionnaire):
    distribution = _send(questionnaire, office, [dept_a])
    q = {x.code: x.pk for x in questionnaire.questions.all()}
    target = _submit(distribution.targets.get(), {q["Q1"]: ["o2"], q["Q2"]: ["无编制"], q["Q3"]: ["2"], q["Q4"]: ["1"]})
    client = client_for(office)
    page = client.get(f"/surveys/distributions/{distribution.pk}/responses/{target.pk}/").content.decode()
    assert "标记为问题" in page
    response_id = target.response.pk
    client.post(
        f"/surveys/q/{questionnaire.pk}/findings/",
        {"question": q["Q1"], "response": response_id, "distribution": distribution.pk, "note": "未配备专职干部"},
    )
    finding = Finding.objects.get()
    assert finding.response_id == response_id and finding.owner_unit == office.org_unit
    assert "县交通运输局" in client.get(f"/surveys/q/{questionnaire.pk}/findings/").content.decode()


def test_decimal_bounds_are_kept(office):
    questionnaire = services.create_questionnaire(title="调查", owner_unit=office.org_unit, actor=office)
    q = services.add_question(
        questionnaire=questionnaire,
        section_title="甲",
        code="Q1",
        text="经费",
        kind="number",
        min_value=Decimal("0.5"),
        max_value=Decimal("99.5"),
        actor=office,
    )
    assert (q.min_value, q.max_value) == (Decimal("0.5"), Decimal("99.5"))


def test_a_response_sent_back_gets_the_days_its_distribution_was_sent_with(office, dept_a, questionnaire):
    from orgs.rules import set_rule

    set_rule(unit=office.org_unit, key="surveys.resubmit_days", value=3, actor=office)
    distribution = _send(questionnaire, office, [dept_a], days=10)
    assert distribution.rules == {"resubmit_days": 3}
    set_rule(unit=office.org_unit, key="surveys.resubmit_days", value=20, actor=office)  # later: for later sends
    q = {x.code: x.pk for x in questionnaire.questions.all()}
    target = _submit(distribution.targets.get(), {q["Q1"]: ["o1"], q["Q3"]: ["4"], q["Q4"]: ["10"]})
    target = services.return_response(target=target, reason="Q4 经费口径有误", actor=office)
    assert target.due_on == distribution.closes_on + timedelta(days=3)

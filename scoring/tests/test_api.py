"""Assessment through the API: rubrics with their tree and shares, rounds, results with the drill-down
to the records, and the actions (compute, steps, self-assessment, review, adjustment, publication);
a refusal is 422 with the reason, a stale version 409, another county 404 everywhere."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from checklists import services as checklist_services
from checklists import workflow as closeout
from evidence import services as library
from orgs import services as org_services
from qingdan import clock
from scoring import workflow
from scoring.models import Result, Score, ScoreChange
from scoring.tests.conftest import PERIOD, build_rubric, simple_rubric_spec

pytestmark = pytest.mark.django_db


def api(user):
    raw = org_services.create_api_token(user=user, name="test", actor=user)[1]
    return lambda method, url, body=None: getattr(Client(), method)(
        f"/api/v1/scoring{url}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


def zh(msgid, **params):
    """The message as a Chinese user reads it (the API answers in the site's language)."""
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return text % params if params else text


def refused(response, msgid, **params):
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "refused"
    assert body["message"] == zh(msgid, **params)
    return body


def not_found(response):
    assert response.status_code == 404, response.content
    assert response.json() == {"code": "not_found", "message": zh("Not found, or outside your organisation.")}


def score_of(round, unit, name):
    return Score.objects.get(round=round, unit=unit, criterion__name=name)


@pytest.fixture
def closeout_data(office, reporter, reviewer, dept_a):
    """County A's department holds 2 items of the period: one closed, one open (close-out 1 ÷ 2)."""
    today = clock.today()
    checklist = checklist_services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="职工服务阵地建设清单",
        items=[
            {"content": "建成职工之家", "deadline": today + timedelta(days=20)},
            {"content": "开展技能竞赛", "deadline": today + timedelta(days=20)},
        ],
    )
    first = checklist.items.get(position=1)
    first = closeout.apply_for_closeout(item=first, actor=reporter, report="已建成。")
    closeout.verify(item=first, actor=reviewer, passed=True, opinion="验收通过。")
    return checklist


@pytest.fixture
def round_now(city_office, simple_rubric, county_a, county_b, closeout_data):
    """The simple rubric over both counties for a period holding today."""
    today = clock.today()
    return workflow.create_round(
        actor=city_office,
        rubric=simple_rubric,
        name="年度考核",
        period_start=today - timedelta(days=100),
        period_end=today + timedelta(days=100),
        units=[county_a, county_b],
    )


@pytest.fixture
def county_round(office, dept_a, dept_b):
    """A round county A runs over its own department: county B's people must never see it."""
    rubric = build_rubric(office, simple_rubric_spec(), name="部门考核办法")
    return workflow.create_round(
        actor=office, rubric=rubric, name="部门考核", period_start=PERIOD[0], period_end=PERIOD[1], units=[dept_a]
    )


# --- rubrics ---------------------------------------------------------------------------------


def test_rubrics_list_and_detail_with_tree_shares_and_problems(city_office, office, simple_rubric):
    listed = api(office)("get", "/rubrics")  # county A is assessed by the city's rubric, so reads it
    assert listed.status_code == 200
    assert [(r["name"], r["owner_unit"], r["full_marks"], r["frozen"]) for r in listed.json()] == [
        ("年度考核办法", "C1", "100.00", False)
    ]
    detail = api(city_office)("get", f"/rubrics/{simple_rubric.pk}").json()
    assert (detail["computed_points"], detail["manual_points"]) == ("40.00", "60.00")
    assert (detail["computed_share"], detail["manual_share"]) == (40.0, 60.0)
    assert detail["problems"] == []
    assert [(s["name"], s["max_points"]) for s in detail["sections"]] == [("党的建设", "60.00"), ("业务工作", "40.00")]
    ratio = detail["sections"][1]["criteria"][0]
    assert ratio["kind"] == "ratio" and ratio["computed"] is True and ratio["metric"] == "close_out_rate"
    assert ratio["metric_label"] == zh("Close-out rate")
    assert detail["sections"][0]["criteria"][0]["computed"] is False


def test_a_rubric_still_being_built_says_what_is_wrong(city_office):
    rubric = build_rubric(
        city_office,
        [{"name": "党的建设", "points": 30, "criteria": [{"name": "学习", "kind": "manual", "max_points": 20}]}],
    )
    detail = api(city_office)("get", f"/rubrics/{rubric.pk}").json()
    assert detail["problems"] == [
        zh("The sections add up to %(sum)s points, not the full marks of %(full)s.", sum="30.00", full="100.00"),
        zh(
            "“%(name)s” has %(points)s points but its parts add up to %(sum)s.",
            name="党的建设",
            points="30.00",
            sum="20.00",
        ),
    ]


def test_nested_sections_come_back_as_a_tree(city_office):
    rubric = build_rubric(
        city_office,
        [
            (
                "业务工作",
                100,
                [],
                [
                    ("基础工作", 40, [{"name": "年度要点", "kind": "manual", "max_points": 40}]),
                    ("重点工作", 60, [{"name": "销号", "kind": "ratio", "max_points": 60, "metric": "close_out_rate"}]),
                ],
            )
        ],
    )
    top = api(city_office)("get", f"/rubrics/{rubric.pk}").json()["sections"]
    assert [(c["name"], c["max_points"]) for c in top[0]["children"]] == [("基础工作", "40.00"), ("重点工作", "60.00")]
    assert top[0]["children"][1]["criteria"][0]["name"] == "销号"


def test_another_countys_rubric_is_not_found(outsider, county_round):
    not_found(api(outsider)("get", f"/rubrics/{county_round.rubric_id}"))
    assert api(outsider)("get", "/rubrics").json() == []


# --- rounds ----------------------------------------------------------------------------------


def test_rounds_list_and_detail(
    city_office, office, outsider, simple_round, county_round, django_assert_max_num_queries
):
    city = api(city_office)
    with django_assert_max_num_queries(4):  # the token, its user, the rounds
        assert city("get", "/rounds").status_code == 200
    # the city sees what runs in its subtree, county A its own round and the one assessing it
    assert sorted(r["name"] for r in api(city_office)("get", "/rounds").json()) == ["2026年度考核", "部门考核"]
    assert sorted(r["name"] for r in api(office)("get", "/rounds").json()) == ["2026年度考核", "部门考核"]
    assert [r["name"] for r in api(outsider)("get", "/rounds").json()] == ["2026年度考核"]
    detail = api(office)("get", f"/rounds/{simple_round.pk}").json()
    assert (detail["status"], detail["units"], detail["version"], detail["owner_unit"]) == ("draft", 2, 0, "C1")
    assert detail["steps"] == ["open_self_assessment"]
    assert detail["funds"]["method"] == "none"
    not_found(api(outsider)("get", f"/rounds/{county_round.pk}"))
    not_found(api(outsider)("get", "/rounds/999999"))


def test_outsider_gets_404_on_every_route_of_another_countys_round(outsider, office, county_round, dept_a):
    workflow.open_self_assessment(round=county_round, actor=office)
    score = Score.objects.filter(round=county_round).first()
    call = api(outsider)
    not_found(call("get", f"/rounds/{county_round.pk}/results"))
    not_found(call("get", f"/rounds/{county_round.pk}/results/{dept_a.code}"))
    not_found(call("get", f"/scores/{score.pk}"))
    not_found(call("post", f"/rounds/{county_round.pk}/compute", {}))
    not_found(call("post", f"/rounds/{county_round.pk}/steps/start_review", {}))
    not_found(call("post", f"/rounds/{county_round.pk}/self-assessment/submit"))
    not_found(call("post", f"/scores/{score.pk}/self", {"points": "1", "reason": "x", "version": 0}))
    not_found(call("post", f"/scores/{score.pk}/review", {"points": "1", "reason": "x", "version": 0}))
    not_found(call("post", f"/scores/{score.pk}/adjust", {"points": "1", "reason": "x", "version": 0}))
    assert not ScoreChange.objects.exists()


def test_before_publication_a_county_sees_only_its_own_result(round_now, outsider, office, county_a, county_b):
    workflow.compute(round=round_now, actor=round_now.created_by)
    own = api(outsider)("get", f"/rounds/{round_now.pk}/results").json()
    assert [r["unit"] for r in own] == ["B"]
    not_found(api(outsider)("get", f"/rounds/{round_now.pk}/results/A"))
    other_score = score_of(round_now, county_a, "清单销号率")
    not_found(api(outsider)("get", f"/scores/{other_score.pk}"))
    assert api(outsider)("get", f"/rounds/{round_now.pk}/results/B").status_code == 200


def test_no_token_no_answer(simple_round):
    response = Client().get("/api/v1/scoring/rounds")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


# --- compute and the drill-down --------------------------------------------------------------


def test_compute_fills_the_computed_criteria_and_a_second_compute_changes_nothing(
    round_now, city_office, county_a, county_b, closeout_data, django_assert_max_num_queries
):
    call = api(city_office)
    first = call("post", f"/rounds/{round_now.pk}/compute", {})
    assert first.status_code == 200 and first.json()["changed"] == 4  # 2 units × 2 criteria, all new
    assert first.json()["round"]["computed_at"] is not None
    assert call("post", f"/rounds/{round_now.pk}/compute", {}).json()["changed"] == 0

    with django_assert_max_num_queries(8):
        results = call("get", f"/rounds/{round_now.pk}/results").json()
    assert [(r["rank"], r["unit"], r["total"], r["grade"]) for r in results] == [
        (1, "A", "20.00", "fail"),  # 40 × 1 ÷ 2
        (2, "B", "0.00", "fail"),
    ]
    assert results[0]["sections"] == [
        {"section": results[0]["sections"][0]["section"], "name": "党的建设", "points": "0.00"},
        {"section": results[0]["sections"][1]["section"], "name": "业务工作", "points": "20.00"},
    ]

    unit = call("get", f"/rounds/{round_now.pk}/results/A").json()
    assert (unit["unit_name"], unit["total"]) == ("滨海县总工会", "20.00")
    manual, ratio = unit["scores"]
    assert (manual["criterion_name"], manual["points"], manual["source"]) == ("理论学习", "0.00", "none")
    assert manual["how"] == [zh("Not scored yet: 0 points")]
    assert (ratio["metric"], ratio["numerator"], ratio["denominator"], ratio["rate"]) == ("close_out_rate", 1, 2, 0.5)
    assert ratio["points"] == "20.00" and ratio["computed"] == "20.00"
    assert ratio["source"] == "computed" and "50.0%" in ratio["how"][0] and "20.00" in ratio["how"][0]
    assert ratio["records_total"] == 2
    assert [(r["counted"], "建成职工之家" in r["text"]) for r in ratio["records"]] == [(True, True), (False, False)]
    assert all(r["url"].startswith("/items/") or "/items/" in r["url"] for r in ratio["records"])
    assert call("get", f"/scores/{ratio['id']}").json() == ratio


def test_compute_is_for_the_office_running_the_round(round_now, office, reporter, outsider):
    msgid = "Only the office running the round can compute it."
    refused(api(reporter)("post", f"/rounds/{round_now.pk}/compute", {}), msgid)
    refused(api(office)("post", f"/rounds/{round_now.pk}/compute", {}), msgid)  # an assessed county
    refused(api(outsider)("post", f"/rounds/{round_now.pk}/compute", {}), msgid)
    assert not Score.objects.exists()


# --- the steps and the scores ----------------------------------------------------------------


def _manual(round, unit):
    return score_of(round, unit, "理论学习")


def test_a_round_from_draft_to_published_through_the_api(
    round_now, city_office, city_reviewer, office, reporter, outsider, county_a
):
    city, own = api(city_office), api(office)
    stale = city("post", f"/rounds/{round_now.pk}/steps/open_self_assessment", {"version": 5})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert stale.json()["message"] == zh("The round changed since you read it; read it again and retry.")
    refused(
        city("post", f"/rounds/{round_now.pk}/steps/publish", {"version": 0}),
        "The round is “%(status)s”; this step is not possible now.",
        status=zh("Draft"),
    )
    refused(
        api(reporter)("post", f"/rounds/{round_now.pk}/steps/open_self_assessment", {}),
        "Only the office running the round can do this.",
    )
    opened = city("post", f"/rounds/{round_now.pk}/steps/open_self_assessment", {"version": 0})
    assert opened.status_code == 200 and opened.json()["status"] == "self_assessment"
    assert opened.json()["steps"] == ["start_review"]

    # county A scores its one criterion judged by hand; its department's reporter may not
    manual = _manual(round_now, county_a)
    refused(
        api(reporter)("post", f"/scores/{manual.pk}/self", {"points": "50", "reason": "x", "version": 0}),
        "Only the assessed unit enters its self-assessment.",
    )
    refused(
        own("post", f"/scores/{manual.pk}/self", {"points": "61", "reason": "全年学习12次", "version": 0}),
        "“%(name)s” takes 0 to %(max)s points; %(points)s is outside.",
        name="理论学习",
        max="60.00",
        points="61.00",
    )
    refused(
        own("post", f"/scores/{manual.pk}/self", {"points": "50", "reason": " ", "version": 0}),
        "Give the reason for the points of “%(name)s”.",
        name="理论学习",
    )
    ratio = score_of(round_now, county_a, "清单销号率")
    refused(
        own("post", f"/scores/{ratio.pk}/self", {"points": "40", "reason": "全部完成", "version": 0}),
        "“%(name)s” is computed from the records; nothing to enter.",
        name="清单销号率",
    )
    done = own("post", f"/scores/{manual.pk}/self", {"points": "55", "reason": "全年学习12次", "version": 0})
    assert done.status_code == 200
    body = done.json()
    assert (body["self_points"], body["points"], body["version"]) == ("55.00", "55.00", 1)
    assert [(h["stage"], h["before"], h["after"], h["reason"]) for h in body["history"]] == [
        ("self", None, "55.00", "全年学习12次")
    ]
    again = own("post", f"/scores/{manual.pk}/self", {"points": "50", "reason": "更正", "version": 0})
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert again.json()["message"] == zh("The score changed since you read it; read it again and retry.")
    assert _manual(round_now, county_a).self_points == Decimal("55.00")

    submitted = own("post", f"/rounds/{round_now.pk}/self-assessment/submit")
    assert submitted.status_code == 200 and submitted.json()["self_submitted_at"] is not None
    # the department's reporter has no result of its own in this round
    not_found(api(reporter)("post", f"/rounds/{round_now.pk}/self-assessment/submit"))

    # review by the city's reviewer, not by the assessed county
    refused(
        own("post", f"/scores/{manual.pk}/review", {"points": "40", "reason": "自评偏高", "version": 1}),
        "Only the round's reviewers review scores.",
    )
    reviewed = api(city_reviewer)(
        "post", f"/scores/{manual.pk}/review", {"points": "48", "reason": "学习记录缺2次", "version": 1}
    )
    assert reviewed.status_code == 200
    assert (reviewed.json()["reviewed"], reviewed.json()["points"]) == ("48.00", "48.00")
    assert reviewed.json()["source"] == "review" and "48" in reviewed.json()["how"][-1]

    assert city("post", f"/rounds/{round_now.pk}/steps/start_review", {"version": 1}).status_code == 200

    # adjustment by the city office with a reason
    refused(
        api(city_reviewer)("post", f"/scores/{manual.pk}/adjust", {"points": "45", "reason": "x", "version": 2}),
        "Only the office running the round adjusts scores.",
    )
    refused(
        city("post", f"/scores/{manual.pk}/adjust", {"points": "45", "reason": "", "version": 2}),
        "An adjustment needs its reason.",
    )
    stale = city("post", f"/scores/{manual.pk}/adjust", {"points": "45", "reason": "复核", "version": 1})
    assert stale.status_code == 409
    adjusted = city("post", f"/scores/{manual.pk}/adjust", {"points": "45", "reason": "复核台账", "version": 2})
    assert adjusted.status_code == 200 and adjusted.json()["points"] == "45.00"

    published = city("post", f"/rounds/{round_now.pk}/steps/publish", {"version": 2})
    assert published.status_code == 200
    assert published.json()["status"] == "published" and published.json()["bulletin_number"]

    # after publication every county reads every row
    rows = api(outsider)("get", f"/rounds/{round_now.pk}/results").json()
    assert [(r["rank"], r["unit"], r["total"]) for r in rows] == [(1, "A", "65.00"), (2, "B", "0.00")]

    # a change after publication needs a reason, and is recorded as one
    refused(
        city("post", f"/scores/{manual.pk}/adjust", {"points": "50", "reason": "", "version": 3}),
        "The results are published: give the reason for this change.",
    )
    refused(
        city("post", f"/rounds/{round_now.pk}/compute", {}),
        "The results are published: give the reason for this change.",
    )
    amended = city("post", f"/scores/{manual.pk}/adjust", {"points": "50", "reason": "申诉成立", "version": 3})
    assert amended.status_code == 200
    assert [h["stage"] for h in amended.json()["history"]] == ["self", "review", "adjust", "amend"]
    assert Result.objects.get(round=round_now, unit=county_a).total == Decimal("70.00")
    assert city("post", f"/rounds/{round_now.pk}/compute", {"reason": "数据更正"}).json()["changed"] == 0


def test_self_assessment_takes_only_the_units_own_evidence(round_now, city_office, office, outsider, county_a):
    workflow.open_self_assessment(round=round_now, actor=city_office)
    manual = _manual(round_now, county_a)
    theirs = library.keep(uploaded=SimpleUploadedFile("b.pdf", b"%PDF-1.4 b"), actor=outsider)
    ours = library.keep(uploaded=SimpleUploadedFile("a.pdf", b"%PDF-1.4 a"), actor=office)
    call = api(office)
    body = {"points": "10", "reason": "学习记录", "evidence": [theirs.pk], "version": 0}
    refused(call("post", f"/scores/{manual.pk}/self", body), "Only your own unit's evidence can be attached.")
    assert _manual(round_now, county_a).version == 0
    done = call("post", f"/scores/{manual.pk}/self", {**body, "evidence": [ours.pk]})
    assert done.status_code == 200 and done.json()["evidence"] == [ours.pk]


def test_after_publication_another_county_reads_the_points_but_not_the_records(
    round_now, city_office, office, outsider, county_a
):
    workflow.open_self_assessment(round=round_now, actor=city_office)
    manual = _manual(round_now, county_a)
    ledger = library.keep(uploaded=SimpleUploadedFile("a.pdf", b"%PDF-1.4 a"), actor=office)
    workflow.self_assess(score=manual, actor=office, points="50", reason="学习记录", evidence=[ledger])
    workflow.start_review(round=round_now, actor=city_office)
    workflow.publish(round=round_now, actor=city_office)
    ratio = score_of(round_now, county_a, "清单销号率")

    theirs = api(outsider)("get", f"/scores/{ratio.pk}").json()  # county B reading county A
    assert (theirs["points"], theirs["numerator"], theirs["denominator"]) == ("20.00", 1, 2)
    assert theirs["how"] and "50.0%" in theirs["how"][0]
    assert theirs["records_shown"] is False
    assert theirs["records_note"] == zh(
        "The records are shown only to the office running the assessment and to the assessed unit."
    )
    assert (theirs["records"], theirs["records_total"]) == ([], 0)
    assert theirs["records_changed"] is None
    result = api(outsider)("get", f"/rounds/{round_now.pk}/results/A").json()
    assert all(not s["records"] and not s["evidence"] and not s["records_shown"] for s in result["scores"])
    assert api(outsider)("get", f"/scores/{manual.pk}").json()["evidence"] == []

    ours = api(office)("get", f"/scores/{ratio.pk}").json()  # county A's own staff, and the city running it
    assert ours["records_shown"] is True and ours["records_note"] == "" and ours["records_total"] == 2
    assert "建成职工之家" in ours["records"][0]["text"] and ours["records_changed"] is None
    assert api(office)("get", f"/scores/{manual.pk}").json()["evidence"] == [ledger.pk]
    assert api(city_office)("get", f"/scores/{ratio.pk}").json()["records_total"] == 2
    assert api(outsider)("get", f"/rounds/{round_now.pk}/results/B").json()["scores"][1]["records_shown"] is True


def test_a_record_changed_after_publication_is_flagged(round_now, city_office, office, reporter, county_a):
    workflow.open_self_assessment(round=round_now, actor=city_office)
    workflow.start_review(round=round_now, actor=city_office)
    workflow.publish(round=round_now, actor=city_office)
    ratio = score_of(round_now, county_a, "清单销号率")
    assert api(office)("get", f"/scores/{ratio.pk}").json()["records_changed"] is None
    checklist_services.issue_checklist(  # a list issued to county A after publication, within the period
        actor=city_office,
        responsible_unit=county_a,
        title="补充清单",
        items=[{"content": "补充事项", "deadline": clock.today() + timedelta(days=20)}],
    )
    body = api(office)("get", f"/scores/{ratio.pk}").json()
    assert body["points"] == "20.00" and body["records_total"] == 3
    message = zh("The records changed since the points were computed: %(then)s then, %(now)s now.", then="2", now="3")
    assert body["records_changed"] == {"then": 2, "now": 3, "counted_only": False, "message": message}
    unit = api(office)("get", f"/rounds/{round_now.pk}/results/A").json()
    assert unit["scores"][1]["records_changed"] == body["records_changed"]


def test_a_veto_is_decided_by_review_and_bars_excellent(city_office, city_reviewer, county_a, county_b):
    rubric = build_rubric(
        city_office,
        [
            ("党的建设", 100, [{"name": "学习", "kind": "manual", "max_points": 100, "reason_required": False}]),
            ("否决", 0, [{"name": "重大安全事故", "kind": "veto"}]),
        ],
    )
    round = workflow.create_round(
        actor=city_office, rubric=rubric, name="否决", period_start=PERIOD[0], period_end=PERIOD[1], units=[county_a]
    )
    workflow.open_self_assessment(round=round, actor=city_office)
    workflow.start_review(round=round, actor=city_office)
    manual = score_of(round, county_a, "学习")
    veto = score_of(round, county_a, "重大安全事故")
    call = api(city_reviewer)
    assert call("post", f"/scores/{manual.pk}/review", {"points": "95", "version": 0}).status_code == 200
    assert call("get", f"/rounds/{round.pk}/results").json()[0]["grade"] == "excellent"
    refused(
        call("post", f"/scores/{veto.pk}/review", {"vetoed": True, "version": 0}),
        "Give the reason for the points of “%(name)s”.",
        name="重大安全事故",
    )
    decided = call("post", f"/scores/{veto.pk}/review", {"vetoed": True, "reason": "发生安全事故", "version": 0})
    assert decided.json()["vetoed"] is True
    assert decided.json()["source"] == "review" and decided.json()["history"][0]["reason"] == "发生安全事故"
    row = call("get", f"/rounds/{round.pk}/results").json()[0]
    assert (row["total"], row["grade"], row["vetoed"]) == ("95.00", "good", True)


def test_the_openapi_schema_describes_the_scoring_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/scoring/rubrics/{rubric_id}",
        "/api/v1/scoring/rounds/{round_id}/results/{unit}",
        "/api/v1/scoring/rounds/{round_id}/steps/{step}",
        "/api/v1/scoring/scores/{score_id}/adjust",
    } <= set(paths)

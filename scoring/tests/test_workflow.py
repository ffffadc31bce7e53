"""The round's workflow: every step and every refusal (wrong status, wrong role, bad points, no reason),
changes after publication, recomputing that changes nothing on the same records, and stale versions."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from audit.models import AuditEvent
from checklists import services as checklist_services
from checklists import workflow as closeout
from orgs.models import Notification, Role
from orgs.tests.factories import UserFactory
from qingdan import clock, metrics
from qingdan.errors import Conflict, Refused
from scoring import events, workflow
from scoring.models import EventKind, Level, RecordedEvent, Result, RoundStatus, Score, ScoreChange, Stage
from scoring.tests.conftest import build_rubric

pytestmark = pytest.mark.django_db
D = Decimal


def zh(msgid, **params):
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return text % params if params else text


def refused(msgid, **params):
    return pytest.raises(Refused, match="^" + re.escape(zh(msgid, **params)) + "$")


SPEC = [
    (
        "党的建设",
        60,
        [
            {"name": "理论学习", "kind": "manual", "max_points": 50},
            {"name": "信息报送", "kind": "manual", "max_points": 10, "reason_required": False},
        ],
    ),
    ("业务工作", 40, [{"name": "清单销号率", "kind": "ratio", "max_points": 40, "metric": "close_out_rate"}]),
    (
        "扣分项目",
        0,
        [
            {"name": "被催办", "kind": "per_occurrence", "metric": "urgings_received", "points_each": -2},
            {"name": "整改", "kind": "per_occurrence", "metric": "rectifications", "points_each": -1, "cap": 5},
            {"name": "重大事故", "kind": "veto"},
        ],
    ),
]


@pytest.fixture
def period():
    today = clock.today()
    return today - timedelta(days=100), today + timedelta(days=100)


@pytest.fixture
def round(city_office, county_a, county_b, period):
    rubric = build_rubric(city_office, SPEC)
    return workflow.create_round(
        actor=city_office,
        rubric=rubric,
        name="年度考核",
        period_start=period[0],
        period_end=period[1],
        units=[county_a, county_b],
    )


@pytest.fixture
def opened(round, city_office):
    return workflow.open_self_assessment(round=round, actor=city_office)


def score(round, unit, name):
    return Score.objects.get(round=round, unit=unit, criterion__name=name)


def total(round, unit):
    return Result.objects.get(round=round, unit=unit).total


# --- creating a round -------------------------------------------------------------------------


def test_only_office_staff_start_a_round_over_units_below_them(
    city_office, city_reviewer, office, county_a, county_b, dept_a, period
):
    rubric = build_rubric(city_office, SPEC)

    def make(actor, units, start=period[0], end=period[1]):
        return workflow.create_round(
            actor=actor, rubric=rubric, name="考核", period_start=start, period_end=end, units=units
        )

    with refused("Only office staff start assessment rounds."):
        make(city_reviewer, [county_a])
    with refused("The period must end on or after its first day."):
        make(city_office, [county_a], start=period[1], end=period[0])
    with refused("Choose the units to assess."):
        make(city_office, [])
    with refused("Only units below your own can be assessed: %(names)s", names="示范市总工会"):
        make(city_office, [county_a, city_office.org_unit])
    with refused("Only units below your own can be assessed: %(names)s", names="临河县总工会"):
        make(office, [dept_a, county_b])
    other = build_rubric(office, SPEC, name="县考核办法")
    outsider = UserFactory(username="b-office", org_unit=county_b, roles=[Role.OFFICE])
    with refused("This rubric belongs to another organisation."):
        workflow.create_round(
            actor=outsider, rubric=other, name="考核", period_start=period[0], period_end=period[1], units=[]
        )
    assert not rubric.rounds.exists()
    made = make(city_office, [county_a, county_b])
    assert made.status == RoundStatus.DRAFT and made.results.count() == 2
    # a county office may run a round of the city's rubric over its own departments
    assert make(office, [dept_a]).owner_unit == county_a
    # a unit picked twice (two ways of choosing units overlap) is assessed once
    assert make(city_office, [county_a, county_a, county_b]).results.count() == 2


def test_opening_self_assessment_is_one_step_with_its_computation(round, city_office, monkeypatch):
    """When computing fails, the round stays a draft: no unit is asked for a self-assessment of nothing."""

    def broken(units, start, end):
        raise RuntimeError("the close-out figures are unavailable")

    monkeypatch.setattr(metrics.get("close_out_rate"), "compute", broken)
    with pytest.raises(RuntimeError):
        workflow.open_self_assessment(round=round, actor=city_office)
    round.refresh_from_db()
    assert round.status == RoundStatus.DRAFT and not Score.objects.filter(round=round).exists()


# --- the steps --------------------------------------------------------------------------------


def test_publishing_tells_the_people_of_every_unit_in_two_queries(
    round, city_office, office, outsider, leader, django_capture_on_commit_callbacks, django_assert_num_queries
):
    round = workflow.open_self_assessment(round=round, actor=city_office)
    round = workflow.start_review(round=round, actor=city_office)
    with django_capture_on_commit_callbacks() as callbacks:
        workflow.publish(round=round, actor=city_office)
    with django_assert_num_queries(2):  # the people of all the units, then one insert
        for callback in callbacks:
            callback()
    told = set(Notification.objects.filter(text__contains="结果已发布").values_list("user__username", flat=True))
    assert told == {office.username, outsider.username, leader.username}


def test_every_step_in_order_and_each_refused_out_of_order(
    round, city_office, city_reviewer, office, county_a, django_capture_on_commit_callbacks
):
    wrong = "The round is “%(status)s”; this step is not possible now."
    with refused(wrong, status=zh("Draft")):
        workflow.start_review(round=round, actor=city_office)
    with refused(wrong, status=zh("Draft")):
        workflow.publish(round=round, actor=city_office)
    for actor in (city_reviewer, office):
        with refused("Only the office running the round can do this."):
            workflow.open_self_assessment(round=round, actor=actor)

    with django_capture_on_commit_callbacks(execute=True):
        round = workflow.open_self_assessment(round=round, actor=city_office, version=0)
    assert (round.status, round.version) == (RoundStatus.SELF_ASSESSMENT, 1)
    assert Score.objects.filter(round=round).count() == 12  # 2 units × 6 criteria, computed ones filled in
    assert Notification.objects.filter(user=office).count() == 1  # county A's office is asked
    with refused(wrong, status=zh("Self-assessment")):
        workflow.open_self_assessment(round=round, actor=city_office)
    with refused(wrong, status=zh("Self-assessment")):
        workflow.publish(round=round, actor=city_office)

    round = workflow.start_review(round=round, actor=city_office, version=1)
    assert round.status == RoundStatus.REVIEW
    with refused(wrong, status=zh("Review")):
        workflow.start_review(round=round, actor=city_office)

    round = workflow.publish(round=round, actor=city_office, version=2)
    assert round.status == RoundStatus.PUBLISHED and round.published_at and round.bulletin_number
    with refused(wrong, status=zh("Published")):
        workflow.publish(round=round, actor=city_office)
    actions = list(
        AuditEvent.objects.filter(action__startswith="scoring.").order_by("id").values_list("action", flat=True)
    )
    assert actions[-3:] == ["scoring.open_self_assessment", "scoring.start_review", "scoring.publish"]


def test_a_stale_round_version_is_a_conflict(round, city_office):
    with pytest.raises(Conflict):
        workflow.open_self_assessment(round=round, actor=city_office, version=3)
    round.refresh_from_db()
    assert round.status == RoundStatus.DRAFT and round.version == 0


# --- self-assessment --------------------------------------------------------------------------


def test_self_assessment_is_refused_outside_its_step_and_to_others(round, city_office, office, reporter, county_a):
    manual = score_after_compute = None
    workflow.compute(round=round, actor=city_office)
    manual = score(round, county_a, "理论学习")
    with refused("Self-assessment is not open in this round."):
        workflow.self_assess(score=manual, actor=office, points=40, reason="学习")
    workflow.open_self_assessment(round=round, actor=city_office)
    for actor in (reporter, city_office):  # a department's reporter, the office above
        with refused("Only the assessed unit enters its self-assessment."):
            workflow.self_assess(score=manual, actor=actor, points=40, reason="学习")
    score_after_compute = score(round, county_a, "清单销号率")
    with refused("“%(name)s” is computed from the records; nothing to enter.", name="清单销号率"):
        workflow.self_assess(score=score_after_compute, actor=office, points=40, reason="x")
    with refused("“%(name)s” is computed from the records; nothing to enter.", name="重大事故"):
        workflow.self_assess(score=score(round, county_a, "重大事故"), actor=office, points=0, reason="x")
    assert not ScoreChange.objects.exists()


def test_manual_points_over_the_maximum_below_zero_or_without_a_reason_are_refused(opened, office, county_a):
    manual = score(opened, county_a, "理论学习")
    outside = "“%(name)s” takes 0 to %(max)s points; %(points)s is outside."
    with refused(outside, name="理论学习", max="50.00", points="50.50"):
        workflow.self_assess(score=manual, actor=office, points="50.5", reason="学习")
    with refused(outside, name="理论学习", max="50.00", points="-1.00"):
        workflow.self_assess(score=manual, actor=office, points=-1, reason="学习")
    with refused("Give the reason for the points of “%(name)s”.", name="理论学习"):
        workflow.self_assess(score=manual, actor=office, points=40, reason="  ")
    with refused("%(label)s must be a number.", label=zh("Points")):
        workflow.self_assess(score=manual, actor=office, points="四十", reason="学习")
    manual.refresh_from_db()
    assert (manual.self_points, manual.version, manual.points) == (None, 0, 0)
    # a criterion with no reason required takes points alone
    info = workflow.self_assess(score=score(opened, county_a, "信息报送"), actor=office, points=8, reason="")
    assert (info.self_points, info.points, total(opened, county_a)) == (8, 8, 8)


def test_self_assessment_and_its_submission(opened, office, county_a):
    result = Result.objects.get(round=opened, unit=county_a)
    with refused("Still to score: %(names)s", names="理论学习、信息报送"):
        workflow.submit_self_assessment(result=result, actor=office)
    manual = workflow.self_assess(
        score=score(opened, county_a, "理论学习"), actor=office, points=45, reason="全年学习12次", version=0
    )
    assert (manual.version, manual.points, manual.self_reason) == (1, 45, "全年学习12次")
    with pytest.raises(Conflict):
        workflow.self_assess(score=manual, actor=office, points=50, reason="更正", version=0)
    workflow.self_assess(score=manual, actor=office, points=50, reason="更正", version=1)
    change = ScoreChange.objects.filter(score=manual).last()
    assert (change.stage, change.before, change.after, change.reason) == (Stage.SELF, 45, 50, "更正")
    workflow.self_assess(score=score(opened, county_a, "信息报送"), actor=office, points=10, reason="")
    result = workflow.submit_self_assessment(result=result, actor=office)
    assert result.self_submitted_at is not None
    assert total(opened, county_a) == 60


# --- review -----------------------------------------------------------------------------------


def test_review_by_the_rounds_reviewers_during_self_assessment_and_review(
    round, city_office, city_reviewer, office, county_a
):
    workflow.compute(round=round, actor=city_office)
    manual = score(round, county_a, "理论学习")
    with refused("Scores are reviewed during self-assessment and review, not now."):
        workflow.review(score=manual, actor=city_reviewer, points=40, reason="x")
    workflow.open_self_assessment(round=round, actor=city_office)
    workflow.self_assess(score=manual, actor=office, points=50, reason="自评满分")
    with refused("Only the round's reviewers review scores."):
        workflow.review(score=manual, actor=office, points=40, reason="x")
    with refused(
        "“%(name)s” takes 0 to %(max)s points; %(points)s is outside.", name="理论学习", max="50.00", points="51.00"
    ):
        workflow.review(score=manual, actor=city_reviewer, points=51, reason="x")
    with refused("Give the reason for the points of “%(name)s”.", name="理论学习"):
        workflow.review(score=manual, actor=city_reviewer, points=40, reason="")
    with refused("“%(name)s” is computed from the records; adjust it with a reason instead.", name="清单销号率"):
        workflow.review(score=score(round, county_a, "清单销号率"), actor=city_reviewer, points=40, reason="x")
    with pytest.raises(Conflict):
        workflow.review(score=manual, actor=city_reviewer, points=40, reason="台账缺失", version=0)
    reviewed = workflow.review(score=manual, actor=city_reviewer, points=40, reason="台账缺失", version=1)
    assert (reviewed.reviewed, reviewed.points, total(round, county_a)) == (40, 40, 40)
    # the reviewed points count even when the unit changes its own afterwards
    workflow.self_assess(score=reviewed, actor=office, points=48, reason="补充材料")
    assert score(round, county_a, "理论学习").points == 40
    workflow.start_review(round=round, actor=city_office)
    again = workflow.review(
        score=score(round, county_a, "理论学习"), actor=city_office, points=45, reason="补充材料属实"
    )
    assert again.points == 45
    with refused("Self-assessment is not open in this round."):
        workflow.self_assess(score=again, actor=office, points=50, reason="再补充")
    assert [c.stage for c in ScoreChange.objects.filter(score=again)] == [
        Stage.SELF,
        Stage.REVIEW,
        Stage.SELF,
        Stage.REVIEW,
    ]


def test_a_veto_without_a_metric_is_decided_in_review(opened, city_reviewer, county_a):
    veto = score(opened, county_a, "重大事故")
    with refused("Give the reason for the points of “%(name)s”.", name="重大事故"):
        workflow.review(score=veto, actor=city_reviewer, vetoed=True, reason="")
    workflow.review(score=veto, actor=city_reviewer, vetoed=True, reason="发生重大安全事故")
    assert Result.objects.get(round=opened, unit=county_a).vetoed is True


# --- adjustment and publication ---------------------------------------------------------------


def test_adjustments_need_the_office_a_reason_and_points_in_range(round, city_office, city_reviewer, county_a):
    workflow.compute(round=round, actor=city_office)
    ratio = score(round, county_a, "清单销号率")
    with refused("Open the round before adjusting its scores."):
        workflow.adjust(score=ratio, actor=city_office, points=30, reason="x")
    workflow.open_self_assessment(round=round, actor=city_office)
    with refused("Only the office running the round adjusts scores."):
        workflow.adjust(score=ratio, actor=city_reviewer, points=30, reason="x")
    with refused("An adjustment needs its reason."):
        workflow.adjust(score=ratio, actor=city_office, points=30, reason=" ")
    outside = "“%(name)s” takes %(low)s to %(max)s points; %(points)s is outside."
    with refused(outside, name="清单销号率", low="0", max="40.00", points="41.00"):
        workflow.adjust(score=ratio, actor=city_office, points=41, reason="x")
    with refused(outside, name="整改", low="-5.00", max="0.00", points="-6.00"):
        workflow.adjust(score=score(round, county_a, "整改"), actor=city_office, points=-6, reason="x")
    with refused("A veto has no points; review it instead."):
        workflow.adjust(score=score(round, county_a, "重大事故"), actor=city_office, points=0, reason="x")
    # a deduction with no cap may go as low as needed
    urged = workflow.adjust(score=score(round, county_a, "被催办"), actor=city_office, points=-30, reason="补录催办")
    assert urged.points == -30 and total(round, county_a) == -30
    with pytest.raises(Conflict):
        workflow.adjust(score=ratio, actor=city_office, points=30, reason="x", version=5)
    adjusted = workflow.adjust(score=ratio, actor=city_office, points=30, reason="数据延迟报送，按实际核定", version=0)
    assert (adjusted.adjusted, adjusted.points, adjusted.version) == (30, 30, 1)
    change = ScoreChange.objects.get(score=adjusted)
    assert (change.stage, change.before, change.after, change.actor) == (Stage.ADJUST, 0, 30, city_office)


def test_after_publication_a_change_needs_a_reason_and_is_recorded(opened, city_office, county_a, county_b):
    workflow.start_review(round=opened, actor=city_office)
    round = workflow.publish(round=opened, actor=city_office)
    manual = score(round, county_a, "理论学习")
    published = "The results are published: give the reason for this change."
    with refused(published):
        workflow.adjust(score=manual, actor=city_office, points=40, reason="")
    with refused(published):
        workflow.compute(round=round, actor=city_office)
    with refused(published):
        workflow.set_funds(round=round, actor=city_office, method="per_grade", per_grade={"fail": 100})
    assert not ScoreChange.objects.exists() and total(round, county_a) == 0
    workflow.adjust(score=manual, actor=city_office, points=40, reason="申诉复核后更正")
    change = ScoreChange.objects.get(score=manual)
    assert (change.stage, change.before, change.after, change.reason) == (
        Stage.AFTER_PUBLICATION,
        0,
        40,
        "申诉复核后更正",
    )
    result = Result.objects.get(round=round, unit=county_a)
    assert (result.total, result.rank) == (40, 1)
    assert Result.objects.get(round=round, unit=county_b).rank == 2
    assert AuditEvent.objects.filter(action="scoring.score_amend").count() == 1
    assert workflow.compute(round=round, actor=city_office, reason="复核") == 0
    funded = workflow.set_funds(
        round=round, actor=city_office, method="per_grade", per_grade={"fail": 100}, reason="经费方案调整"
    )
    assert funded.fund_method == "per_grade" and result.__class__.objects.get(pk=result.pk).fund_amount == 100


# --- computing --------------------------------------------------------------------------------


def test_recompute_is_idempotent_and_follows_new_records(
    round, city_office, office, reporter, reviewer, dept_a, county_a
):
    assert workflow.compute(round=round, actor=city_office) == 12
    assert workflow.compute(round=round, actor=city_office) == 0
    today = clock.today()
    checklist = checklist_services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="清单",
        items=[
            {"content": "事项一", "deadline": today + timedelta(days=5)},
            {"content": "事项二", "deadline": today + timedelta(days=5)},
        ],
    )
    assert workflow.compute(round=round, actor=city_office) == 1  # county A's close-out: 0 ÷ 2 (was no records)
    ratio = score(round, county_a, "清单销号率")
    assert (ratio.numerator, ratio.denominator, ratio.computed) == (0, 2, 0)
    item = closeout.apply_for_closeout(item=checklist.items.first(), actor=reporter, report="完成")
    closeout.verify(item=item, actor=reviewer, passed=True, opinion="通过")
    assert workflow.compute(round=round, actor=city_office) == 1
    assert score(round, county_a, "清单销号率").computed == 20
    assert workflow.compute(round=round, actor=city_office) == 0
    assert Score.objects.filter(round=round).count() == 12
    # a reporter or the assessed county cannot compute
    with refused("Only the office running the round can compute it."):
        workflow.compute(round=round, actor=reporter)
    with refused("Only the office running the round can compute it."):
        workflow.compute(round=round, actor=office)


def test_hand_entered_scores_survive_a_recompute(opened, city_office, office, county_a):
    workflow.self_assess(score=score(opened, county_a, "理论学习"), actor=office, points=45, reason="学习")
    assert workflow.compute(round=opened, actor=city_office) == 0
    assert score(opened, county_a, "理论学习").points == 45 and total(opened, county_a) == 45


# --- recorded events --------------------------------------------------------------------------


def test_events_are_recorded_by_office_staff_for_units_below_and_withdrawn_with_a_reason(
    round, city_office, reporter, outsider, county_a, county_b
):
    today = clock.today()

    def event(actor, unit, **kwargs):
        return events.record_event(
            actor=actor,
            unit=unit,
            kind=kwargs.get("kind", EventKind.COMMENDATION),
            level=kwargs.get("level", Level.PROVINCE),
            happened_on=kwargs.get("happened_on", today),
            title=kwargs.get("title", "省总工会主席批示肯定"),
        )

    with refused("Only office staff record events."):
        event(reporter, county_a)
    with refused("Events are recorded for the units below your own."):
        event(outsider, county_a)
    # An assessed county never records its own praise or clears its own incidents.
    county_office = UserFactory(username="county_office", org_unit=county_a, roles=[Role.OFFICE])
    with refused("Events are recorded for the units below your own."):
        event(county_office, county_a)
    with refused("Choose the kind and level of the event."):
        event(city_office, county_a, kind="rumour")
    with refused("Give the event a title."):
        event(city_office, county_a, title=" ")
    with refused("The date of the event must be a day that has passed."):
        event(city_office, county_a, happened_on=today + timedelta(days=1))
    assert not RecordedEvent.objects.exists()
    praise = event(city_office, county_a)
    with refused("Only the office that recorded the event, or one above it, withdraws it."):
        events.withdraw_event(event=praise, actor=outsider, reason="x")
    with refused("Only the office that recorded the event, or one above it, withdraws it."):
        events.withdraw_event(event=praise, actor=county_office, reason="不是我们的问题")
    with refused("Give the reason for withdrawing the event."):
        events.withdraw_event(event=praise, actor=city_office, reason="")
    events.withdraw_event(event=praise, actor=city_office, reason="录入重复")
    with refused("This event has already been withdrawn."):
        events.withdraw_event(event=praise, actor=city_office, reason="录入重复")
    praise.refresh_from_db()
    assert praise.withdrawn_at is not None and praise.withdrawn_reason == "录入重复"


# --- funds --------------------------------------------------------------------------------------


def test_a_pool_that_cannot_be_split_waits_while_scoring_and_refuses_publication(
    opened, city_office, office, county_a, county_b
):
    workflow.set_funds(round=opened, actor=city_office, method="pool", pool=100_000, base=10_000, floor=40)
    result = Result.objects.get(round=opened, unit=county_a)
    assert result.fund_amount is None and "40" in result.fund_note  # nobody at the floor yet: no amounts
    workflow.self_assess(score=score(opened, county_a, "理论学习"), actor=office, points=30, reason="学习")
    workflow.start_review(round=opened, actor=city_office)
    with refused(
        "No unit scores at least the floor of %(floor)s, so ¥%(rest)s of the pool cannot be split.",
        floor=D("40.00"),
        rest="80,000.00",
    ):
        workflow.publish(round=opened, actor=city_office)
    opened.refresh_from_db()
    assert opened.status == RoundStatus.REVIEW and opened.published_at is None
    workflow.adjust(score=score(opened, county_a, "理论学习"), actor=city_office, points=50, reason="复核")
    assert Result.objects.get(round=opened, unit=county_a).fund_amount == 90_000
    assert Result.objects.get(round=opened, unit=county_b).fund_amount == 10_000
    assert workflow.publish(round=opened, actor=city_office).status == RoundStatus.PUBLISHED


def test_a_score_entered_for_one_unit_moves_its_total_and_everyones_rank(opened, city_office, county_a, county_b):
    """Settling after one entry reads that unit's scores again; the others' totals stand and all ranks follow."""
    workflow.adjust(score=score(opened, county_b, "理论学习"), actor=city_office, points=20, reason="实地核查")
    assert (total(opened, county_a), total(opened, county_b)) == (0, 20)
    ranks = dict(Result.objects.filter(round=opened).values_list("unit__code", "rank"))
    assert ranks == {"B": 1, "A": 2}
    workflow.adjust(score=score(opened, county_a, "理论学习"), actor=city_office, points=35, reason="实地核查")
    assert (total(opened, county_a), total(opened, county_b)) == (35, 20)
    ranks = dict(Result.objects.filter(round=opened).values_list("unit__code", "rank"))
    assert ranks == {"A": 1, "B": 2}

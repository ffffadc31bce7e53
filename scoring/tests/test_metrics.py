"""Every metric of the registry against records counted by hand: each unit's value covers its subtree,
the period includes its first and last day and nothing else, the records behind a value are the ones
counted, and metrics of areas not built yet are named but never available."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from checklists import services as checklist_services
from checklists import workflow as closeout
from checklists.models import EventKind as ItemEventKind
from checklists.models import ItemEvent
from orgs.models import OrgUnit, Role
from orgs.queries import subtree_rollup, within, within_all
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan import clock, metrics
from qingdan.metrics import Value
from scoring import events
from scoring.models import EventKind, Level
from surveys import services as survey_services
from surveys.models import ResponseStatus, Target
from surveys.tests.conftest import questionnaire  # noqa: F401 - a unit questionnaire of county A

pytestmark = pytest.mark.django_db


def value(key, units, start, end):
    return metrics.get(key)(units, start, end)


def at_local(day, hour, minute):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def period():
    today = clock.today()
    return today - timedelta(days=60), today


@pytest.fixture
def closeout_year(period, city, county_a, county_b, dept_a, dept_b, office, reporter, reviewer, outsider, city_office):
    """Close-out records of both counties, counted by hand in the tests below (see each item's note)."""
    start, today = period
    soon, long_ago = today + timedelta(days=5), start + timedelta(days=10)

    def issue(actor, unit, issued_on, deadlines, title):
        items = [{"content": f"{title}{n}", "deadline": d} for n, d in enumerate(deadlines, 1)]
        checklist = checklist_services.issue_checklist(
            actor=actor, responsible_unit=unit, title=title, issued_on=issued_on, items=items
        )
        return list(checklist.items.order_by("position"))

    def close(item, applicant=reporter, verifier=reviewer):
        item = closeout.apply_for_closeout(item=item, actor=applicant, report="完成")
        return closeout.verify(item=item, actor=verifier, passed=True, opinion="通过")

    # county A's department, a list issued on the first day of the period
    i1, i2, i3, i4 = issue(office, dept_a, start, [soon, soon, long_ago, long_ago], "首日清单")
    close(i1)  # closed by its deadline at the first verification
    i2 = closeout.apply_for_closeout(item=i2, actor=reporter, report="完成")
    i2 = closeout.verify(
        item=i2,
        actor=reviewer,
        passed=False,
        opinion="不全",
        findings="缺台账",
        fixes="补台账",
        new_deadline=today + timedelta(days=10),
    )
    close(i2)  # one rectification, closed by the new deadline
    closeout.urge(item=i3, actor=office)  # overdue, urged twice, still open
    closeout.urge(item=i3, actor=office, today=today + timedelta(days=7))
    closeout.urge(item=i4, actor=office)  # overdue, urged once, then closed late
    close(i4)
    issue(office, dept_a, today, [soon], "末日清单")  # issued on the last day: open
    # a list issued the day before the period: its items never count in the rates, but an urging in the period does
    i6, i7 = issue(office, dept_a, start - timedelta(days=1), [soon, start + timedelta(days=5)], "期前清单")
    close(i6)
    closeout.urge(item=i7, actor=office)
    # county A itself, from the city
    issue(city_office, county_a, start + timedelta(days=1), [soon], "市级清单")
    # county B's department
    b_reporter = UserFactory(username="b-reporter", org_unit=dept_b, roles=[Role.REPORTER])
    b_reviewer = UserFactory(username="b-reviewer", org_unit=county_b, roles=[Role.REVIEWER])
    i9, _i10 = issue(outsider, dept_b, start + timedelta(days=2), [soon, soon], "临河清单")
    close(i9, b_reporter, b_reviewer)
    return {"i3": i3}


# Hand counts over the period (items of lists issued in it; urgings and rectifications dated in it):
#   dept A:   items 5 (i1–i5), closed 3 (i1 i2 i4), on time 2 (i1 i2), first pass 2 of 3 (i1 i4),
#             urgings 4 (i3 ×2, i4, i7), rectifications 1 (i2)
#   county A: its department plus its own open item: items 6, the rest the same
#   county B: items 2, closed 1, on time 1, first pass 1 of 1, no urgings, no rectifications
#   city:     items 8, closed 4, on time 3, first pass 3 of 4, urgings 4, rectifications 1
EXPECTED = {
    "close_out_rate": {"A-D1": (3, 5), "A": (3, 6), "B": (1, 2), "C1": (4, 8)},
    "on_time_rate": {"A-D1": (2, 5), "A": (2, 6), "B": (1, 2), "C1": (3, 8)},
    "first_pass_rate": {"A-D1": (2, 3), "A": (2, 3), "B": (1, 1), "C1": (3, 4)},
    "urgings_received": {"A-D1": (4, 4), "A": (4, 4), "B": (0, 0), "C1": (4, 4)},
    "rectifications": {"A-D1": (1, 1), "A": (1, 1), "B": (0, 0), "C1": (1, 1)},
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_close_out_metrics_against_hand_counts(key, closeout_year, period, city, county_a, county_b, dept_a):
    units = {"A-D1": dept_a, "A": county_a, "B": county_b, "C1": city}
    got = value(key, list(units.values()), *period)
    assert {code: (got[u.pk].numerator, got[u.pk].denominator) for code, u in units.items()} == EXPECTED[key]


def test_a_unit_with_no_records_has_no_rate(closeout_year, period, city):
    empty = OrgUnitFactory(code="E", name="新设县总工会", parent=city)
    got = value("close_out_rate", [empty], *period)[empty.pk]
    assert got == Value(0, 0) and got.rate is None
    assert value("urgings_received", [empty], *period)[empty.pk].count == 0


def test_the_records_behind_the_close_out_values(closeout_year, period, dept_a):
    entry = metrics.get("close_out_rate")
    page = entry.records_of(dept_a, *period)
    assert page.total == 5 and len(page.rows) == 5
    assert sum(r.counted for r in page.rows) == 3
    assert all(r.url.startswith("/lists/items/") for r in page.rows)
    first_pass = metrics.get("first_pass_rate").records_of(dept_a, *period)
    assert (first_pass.total, sum(r.counted for r in first_pass.rows)) == (3, 2)
    urgings = metrics.get("urgings_received").records_of(dept_a, *period)
    numbers = sorted(ItemEvent.objects.filter(kind=ItemEventKind.URGED).values_list("document__number", flat=True))
    assert urgings.total == 4 and sorted(r.text.split(" · ")[0] for r in urgings.rows) == numbers
    rectified = metrics.get("rectifications").records_of(dept_a, *period)
    assert rectified.total == 1 and "整改" in rectified.rows[0].text


def test_events_count_on_the_first_and_last_day_of_the_period_and_not_beyond(closeout_year, period, county_a):
    start, end = period
    event = ItemEvent.objects.filter(kind=ItemEventKind.URGED, item=closeout_year["i3"]).first()

    def urgings():
        return value("urgings_received", [county_a], start, end)[county_a.pk].count

    for moment, counted in (
        (at_local(start - timedelta(days=1), 23, 59), 3),
        (at_local(start, 0, 1), 4),
        (at_local(end, 23, 59), 4),
        (at_local(end + timedelta(days=1), 0, 1), 3),
    ):
        ItemEvent.objects.filter(pk=event.pk).update(at=moment)
        assert urgings() == counted, moment


def test_lists_count_by_the_day_they_were_issued(closeout_year, period, dept_a):
    start, end = period
    assert value("close_out_rate", [dept_a], start, end)[dept_a.pk].denominator == 5
    # a period starting a day earlier takes in the list issued the day before (2 items, 1 closed)
    wider = value("close_out_rate", [dept_a], start - timedelta(days=1), end)[dept_a.pk]
    assert (wider.numerator, wider.denominator) == (4, 7)
    # a period ending the day before leaves out the list issued on the last day
    assert value("close_out_rate", [dept_a], start, end - timedelta(days=1))[dept_a.pk].denominator == 4


# --- recorded events --------------------------------------------------------------------------


def test_recorded_event_metrics_against_hand_counts(period, city, city_office, county_a, county_b, dept_a):
    start, end = period

    def event(unit, kind, level, day=end, title="事件"):
        return events.record_event(actor=city_office, unit=unit, kind=kind, level=level, happened_on=day, title=title)

    event(county_a, EventKind.COMMENDATION, Level.PROVINCE, day=start)  # provincial, on the first day
    event(dept_a, EventKind.MEDIA, Level.NATIONAL)  # national media, at the department: rolls up
    event(county_a, EventKind.COMMENDATION, Level.CITY)  # city level only
    event(county_a, EventKind.COMMENDATION, Level.COUNTY)  # county level: neither
    event(county_a, EventKind.COMMENDATION, Level.PROVINCE, day=start - timedelta(days=1))  # before the period
    wrong = event(county_a, EventKind.MEDIA, Level.PROVINCE)
    events.withdraw_event(event=wrong, actor=city_office, reason="重复录入")  # withdrawn: never counts
    event(county_a, EventKind.TRAINING, Level.PROVINCE)
    event(county_a, EventKind.TRAINING, Level.CITY)
    event(dept_a, EventKind.INCIDENT, Level.COUNTY)
    event(county_b, EventKind.COMMENDATION, Level.PROVINCE)
    expected = {
        "praise_provincial": {"A-D1": 1, "A": 2, "B": 1, "C1": 3},
        "praise_city": {"A-D1": 1, "A": 3, "B": 1, "C1": 4},
        "training_attended": {"A-D1": 0, "A": 2, "B": 0, "C1": 2},
        "incidents": {"A-D1": 1, "A": 1, "B": 0, "C1": 1},
    }
    units = {"A-D1": dept_a, "A": county_a, "B": county_b, "C1": city}
    for key, counts in expected.items():
        got = value(key, list(units.values()), start, end)
        assert {code: got[u.pk].count for code, u in units.items()} == counts, key
    page = metrics.get("praise_provincial").records_of(county_a, start, end)
    assert page.total == 2 and [r.day for r in page.rows] == [start, end]
    assert all(r.url.startswith("/assessment/events/") for r in page.rows)


# --- surveys ----------------------------------------------------------------------------------


def test_survey_completeness_against_hand_counts(questionnaire, office, period, county_a, dept_a, county_b):  # noqa: F811
    start, end = period
    dept_2 = OrgUnitFactory(code="A-D2", name="县人社局", parent=county_a)
    inside = survey_services.distribute(
        questionnaire=questionnaire,
        title="年中调查",
        units=[county_a, dept_a, dept_2],
        opens_on=start,
        closes_on=end,
        actor=office,
    )
    before = survey_services.distribute(
        questionnaire=questionnaire,
        title="去年调查",
        units=[dept_a, dept_2],
        opens_on=start - timedelta(days=30),
        closes_on=start - timedelta(days=1),
        actor=office,
    )
    Target.objects.filter(distribution=inside, org_unit=dept_a).update(status=ResponseStatus.SUBMITTED)
    Target.objects.filter(distribution=inside, org_unit=dept_2).update(status=ResponseStatus.DRAFT)
    Target.objects.filter(distribution=before).update(status=ResponseStatus.SUBMITTED)
    got = value("survey_completeness", [county_a, dept_a, dept_2, county_b], start, end)
    assert (got[county_a.pk].numerator, got[county_a.pk].denominator) == (1, 3)
    assert (got[dept_a.pk].numerator, got[dept_a.pk].denominator) == (1, 1)
    assert (got[dept_2.pk].numerator, got[dept_2.pk].denominator) == (0, 1)  # a draft is not submitted
    assert got[county_b.pk].rate is None
    page = metrics.get("survey_completeness").records_of(county_a, start, end)
    assert page.total == 3 and sum(r.counted for r in page.rows) == 1


def test_satisfaction_rate_against_hand_counts(
    office, outsider, period, county_a, county_b, dept_a, dept_b, frozen_clock
):
    start, end = period
    closes = at_local(end, 23, 59)
    frozen_clock.move_to(at_local(end, 9, 0))  # answered on the period's last morning, before the polls close

    def poll(actor, unit, levels):
        form = closeout.satisfaction_questionnaire(actor.org_unit, actor)
        made = survey_services.create_poll(
            questionnaire=form,
            title="满意度测评",
            subject_unit=unit,
            closes_at=closes,
            actor=actor,
            token_count=len(levels),
        )
        question = form.questions.get(code="S1")
        for token, level in zip(made.tokens.order_by("pk"), levels, strict=True):
            survey_services.submit_poll_response(poll=made, raw={question.pk: [level]}, token=token.token)
        return made

    poll(office, dept_a, ["very_satisfied", "satisfied", "basic"])  # 2 satisfied of 3
    poll(office, county_a, ["unsatisfied"])  # 0 of 1
    poll(outsider, dept_b, ["satisfied", "satisfied"])  # 2 of 2
    got = value("satisfaction_rate", [dept_a, county_a, county_b], start, end)
    assert (got[dept_a.pk].numerator, got[dept_a.pk].denominator) == (2, 3)
    assert (got[county_a.pk].numerator, got[county_a.pk].denominator) == (2, 4)
    assert (got[county_b.pk].numerator, got[county_b.pk].denominator) == (2, 2)
    # a period ending the day before the polls close leaves them out
    assert value("satisfaction_rate", [county_a], start, end - timedelta(days=1))[county_a.pk].denominator == 0
    page = metrics.get("satisfaction_rate").records_of(county_a, start, end)
    assert page.total == 2


# --- the registry -----------------------------------------------------------------------------


def test_the_registry_names_every_metric_of_the_built_areas():
    available = metrics.available()
    assert set(available) >= {
        "close_out_rate",
        "on_time_rate",
        "first_pass_rate",
        "urgings_received",
        "rectifications",
        "survey_completeness",
        "satisfaction_rate",
        "praise_provincial",
        "praise_city",
        "training_attended",
        "incidents",
    }
    for key, entry in available.items():
        assert entry.key == key and entry.label and entry.doc and entry.records_of is not None, key
        assert entry.kind in (metrics.RATE, metrics.COUNT, metrics.DATE), key
    assert available["close_out_rate"].area == "checklists" and available["incidents"].area == "scoring"


def test_planned_metrics_are_named_but_never_available():
    planned = {key: (label, kind, area) for key, label, kind, area in metrics.planned()}
    assert set(planned) <= {"demand_resolution_rate"}  # the areas still to come (cases may have built it)
    hardship = metrics.available()
    assert (hardship["hardship_all_exited_on"].kind, hardship["hardship_all_exited_on"].area) == (
        metrics.DATE,
        "assistance",
    )
    assert (hardship["hardship_exit_rate"].kind, hardship["hardship_exit_rate"].area) == (metrics.RATE, "assistance")
    for key in planned:
        assert metrics.get(key) is None


def test_subtree_rollup_and_the_smallest_subtree_holding_all(city, county_a, county_b, dept_a):
    rows = [(dept_a.path, 2, 3), (county_a.path, 1, 1), (county_b.path, 0, 4), ("/elsewhere/", 9, 9)]
    got = subtree_rollup([city, county_a, dept_a, county_b], rows)
    assert got[city.pk] == Value(3, 8) and got[county_a.pk] == Value(3, 4)
    assert got[dept_a.pk] == Value(2, 3) and got[county_b.pk] == Value(0, 4)
    units = OrgUnit.objects.all()
    assert set(units.filter(within_all([dept_a, county_b]))) == set(units.filter(within(city)))
    assert list(units.filter(within_all([dept_a]))) == [dept_a] and units.filter(within_all([])).count() == 4


def test_a_rectification_deadline_does_not_make_a_late_item_on_time(period, dept_a, office, reporter, reviewer):
    """Sent back after its deadline had passed and closed by the rectification's date: late all the same."""
    start, today = period
    checklist = checklist_services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="整改清单",
        issued_on=start,
        items=[
            {"content": "逾期后整改", "deadline": today - timedelta(days=3)},
            {"content": "按期整改", "deadline": today + timedelta(days=5)},
        ],
    )
    for item in checklist.items.order_by("position"):
        item = closeout.apply_for_closeout(item=item, actor=reporter, report="完成")
        item = closeout.verify(
            item=item,
            actor=reviewer,
            passed=False,
            opinion="不全",
            findings="缺台账",
            fixes="补台账",
            new_deadline=today + timedelta(days=10),
        )
        item = closeout.apply_for_closeout(item=item, actor=reporter, report="已补台账")
        closeout.verify(item=item, actor=reviewer, passed=True, opinion="通过")
    got = value("on_time_rate", [dept_a], *period)[dept_a.pk]
    assert (got.numerator, got.denominator) == (1, 2)

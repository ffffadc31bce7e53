"""The compute of a round, which reads and writes scores as rows for speed (bench/scoring_bench.py), gives the
scores, totals, ranks, grades and fund amounts of the plain way kept here only: a ``Score`` object per unit and
criterion, ``engine.computed_points`` and ``engine.score_points`` on each, the sections summed per unit.

The metrics' values are set by the test (each metric's compute is replaced), so that one round meets every
kind of criterion with every case of value: no records, a rate of 0 and of 1, tiers' edges, counts beyond a cap,
a day before and after the condition's date, a veto triggered and not. What the office sees on the results page
is what is checked: every score, total, rank, grade and fund amount."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from orgs.models import OrgKind
from orgs.tests.factories import OrgUnitFactory
from qingdan import metrics
from qingdan.metrics import Value
from scoring import engine, funds, workflow
from scoring.models import FundMethod, Kind, Result, Score
from scoring.rubrics import all_criteria, tree
from scoring.tests.conftest import PERIOD, build_rubric

pytestmark = pytest.mark.django_db
D = Decimal
BY = date(2026, 6, 30)  # the conditions' date

SPEC = [
    {
        "name": "基础工作",
        "points": 40,
        "criteria": [
            {"name": "理论学习", "kind": "manual", "max_points": 10},
            {"name": "制度建立", "kind": "condition", "max_points": 5, "condition_by": BY},
            {"name": "销号率", "kind": "ratio", "max_points": 10, "metric": "close_out_rate"},
            {
                "name": "按时率",
                "kind": "tiered",
                "max_points": 10,
                "metric": "on_time_rate",
                "tiers": [{"from": 90, "points": 10}, {"from": 60, "points": 6}, {"from": 30, "points": 2}],
            },
            {
                "name": "困难户清零",
                "kind": "condition",
                "max_points": 5,
                "condition_by": BY,
                "metric": "hardship_all_exited_on",
            },
        ],
    },
    {
        "name": "业务工作",
        "points": 50,
        "criteria": [{"name": "满意度", "kind": "ratio", "max_points": 20, "metric": "satisfaction_rate"}],
        "children": [
            {
                "name": "数据核查",
                "points": 30,
                "criteria": [
                    {
                        "name": "填报完整",
                        "kind": "tiered",
                        "max_points": 30,
                        "metric": "survey_completeness",
                        "tiers": [{"from": "99.5", "points": 30}, {"from": 80, "points": 20}],
                    }
                ],
            }
        ],
    },
    {
        "name": "加分项目",
        "points": 10,
        "criteria": [
            {"name": "表扬", "kind": "per_occurrence", "metric": "praise_city", "points_each": "2.5", "cap": 10},
        ],
    },
    {
        "name": "扣分项目",
        "points": 0,
        "floor": -12,
        "criteria": [
            {"name": "被催办", "kind": "per_occurrence", "metric": "urgings_received", "points_each": -2},
            {"name": "整改", "kind": "per_occurrence", "metric": "rectifications", "points_each": "-1.5", "cap": 3},
            {"name": "重大事故", "kind": "veto", "metric": "incidents"},
            {"name": "安全生产", "kind": "veto"},
        ],
    },
]
RATES = ["close_out_rate", "on_time_rate", "satisfaction_rate", "survey_completeness"]
COUNTS = ["praise_city", "urgings_received", "rectifications", "incidents"]
EDGES = [(0, 0), (0, 7), (7, 7), (9, 10), (6, 10), (3, 10), (199, 200), (1, 3), (4, 5), (2, 3)]


def values_for(units, seed=7):
    """``{metric: {unit_id: Value}}``: every case of value, some units left out (no records)."""
    rng = random.Random(seed)  # noqa: S311 - test data
    found = {}
    for key in RATES:
        found[key] = {u.pk: Value(*rng.choice(EDGES)) for u in units if rng.random() < 0.9}
    for key in COUNTS:
        found[key] = {u.pk: Value(rng.choice([0, 0, 1, 2, 3, 5, 9]), 0) for u in units if rng.random() < 0.8}
    days = [None, BY - timedelta(days=40), BY, BY + timedelta(days=1)]
    found["hardship_all_exited_on"] = {u.pk: Value(2, 2, rng.choice(days)) for u in units if rng.random() < 0.9}
    return found


@pytest.fixture
def given(monkeypatch):
    """The metrics' values as the test sets them: ``given[key][unit_id] = Value(...)``."""
    values = {}
    for key in [*RATES, *COUNTS, "hardship_all_exited_on"]:
        monkeypatch.setattr(metrics.get(key), "compute", lambda units, start, end, key=key: dict(values[key]))
    return values


@pytest.fixture
def units(city):
    return [OrgUnitFactory(name=f"第{n}县总工会", kind=OrgKind.COUNTY, parent=city) for n in range(14)]


@pytest.fixture
def round(city_office, units, given):
    given.update(values_for(units))
    rubric = build_rubric(city_office, SPEC)
    return workflow.create_round(
        actor=city_office, rubric=rubric, name="考核", period_start=PERIOD[0], period_end=PERIOD[1], units=units
    )


def scores_of(round):
    """Every score as the results page reads it."""
    return {
        (s.unit_id, s.criterion_id): (s.numerator, s.denominator, s.day, s.computed, s.vetoed, s.points)
        for s in Score.objects.filter(round=round)
    }


def results_of(round):
    fields = ("section_points", "total", "vetoed", "grade", "rank", "fund_amount", "fund_note")
    return {r.unit_id: tuple(getattr(r, f) for f in fields) for r in Result.objects.filter(round=round)}


def slow_path(round):
    """The scores and results as the plain way gives them from the metrics and what people entered."""
    round.refresh_from_db()  # the funds as set
    criteria, nodes = all_criteria(round.rubric), tree(round.rubric)
    results = list(Result.objects.filter(round=round).select_related("unit").order_by("unit__path"))
    units = [r.unit for r in results]
    values = {
        key: metrics.get(key)(units, round.period_start, round.period_end)
        for key in {c.metric for c in criteria}
        if key
    }
    stored = {(s.unit_id, s.criterion_id): s for s in Score.objects.filter(round=round)}
    scores, points = {}, {}
    for unit in units:
        for criterion in criteria:
            score = stored.get((unit.pk, criterion.pk)) or Score(unit=unit, criterion=criterion)
            if criterion.metric:
                value = values[criterion.metric].get(unit.pk)
                score.numerator = value.numerator if value else None
                score.denominator = value.denominator if value else None
                score.day = value.day if value else None
                score.computed, vetoed = engine.computed_points(criterion, value)
                if criterion.kind == Kind.VETO:
                    score.vetoed = vetoed
            score.points, vetoed = engine.score_points(criterion, score)
            points[(unit.pk, criterion.pk)] = (score.points, vetoed)
            key = (unit.pk, criterion.pk)
            scores[key] = (score.numerator, score.denominator, score.day, score.computed, score.vetoed, score.points)
    for result in results:
        sections, result.total = engine.section_totals(nodes, lambda c, u=result.unit_id: points[(u, c.pk)][0])
        result.section_points = {str(k): str(v) for k, v in sections.items()}
        result.vetoed = any(points[(result.unit_id, c.pk)][1] for c in criteria)
        result.grade = engine.grade(round.rubric, result.total, result.vetoed)
    ranks = engine.ranks({r.unit_id: r.total for r in results})
    try:
        allocation = funds.allocate(round, [*results])
    except funds.FundError as error:
        allocation = {r.unit_id: (None, error.message[:300]) for r in results}
    expected = {}
    for r in results:
        amount, note = allocation[r.unit_id]
        expected[r.unit_id] = (r.section_points, r.total, r.vetoed, r.grade, ranks[r.unit_id], amount, note)
    return scores, expected


def enter_by_hand(round, city_office, units):
    """Self-assessed, reviewed and adjusted scores, and a veto decided in review, on a few units."""
    from orgs.models import Role
    from orgs.tests.factories import UserFactory

    def score(unit, name):
        return Score.objects.get(round=round, unit=unit, criterion__name=name)

    reviewer = UserFactory(username="rows_reviewer", org_unit=city_office.org_unit, roles=[Role.REVIEWER])
    for n, unit in enumerate(units[:4]):
        own = UserFactory(username=f"rows_office{n}", org_unit=unit, roles=[Role.OFFICE])
        workflow.self_assess(score=score(unit, "理论学习"), actor=own, points=6 + n, reason="学习")
        met_on = BY - timedelta(days=1) if n % 2 else BY + timedelta(days=3)
        workflow.self_assess(score=score(unit, "制度建立"), actor=own, met_on=met_on, reason="制度")
    workflow.review(score=score(units[1], "理论学习"), actor=reviewer, points="8.5", reason="复核")
    workflow.review(score=score(units[2], "安全生产"), actor=reviewer, vetoed=True, reason="发生事故")
    workflow.adjust(score=score(units[3], "销号率"), actor=city_office, points="7.25", reason="更正")
    workflow.adjust(score=score(units[5], "被催办"), actor=city_office, points=-1, reason="更正")


def test_a_first_compute_gives_the_plain_ways_scores_totals_ranks_grades_and_funds(round, city_office, units, given):
    first = units[0].pk
    given["close_out_rate"][first] = Value(9, 10)  # 10 × 0.9 = 9.00
    given["on_time_rate"][first] = given["survey_completeness"][first] = Value(199, 200)  # 99.5 %: top tiers
    given["satisfaction_rate"][first] = Value(2, 3)  # 20 × 2 ÷ 3 = 13.33
    given["hardship_all_exited_on"][first] = Value(3, 3, BY)  # on the day: met, 5
    given["praise_city"][first] = Value(5, 0)  # 5 × 2.5 = 12.5, capped at 10
    given["urgings_received"][first] = Value(9, 0)  # −18
    given["rectifications"][first] = Value(5, 0)  # −7.5, capped at −3; the section stops at −12
    given["incidents"].pop(first, None)

    assert workflow.compute(round=round, actor=city_office) == len(units) * len(all_criteria(round.rubric))
    scores, results = slow_path(round)
    assert scores_of(round) == scores
    assert results_of(round) == results
    points = {
        s.criterion.name: s.points for s in Score.objects.filter(round=round, unit=first).select_related("criterion")
    }
    assert points == {
        "理论学习": 0, "制度建立": 0, "销号率": D("9.00"), "按时率": 10, "困难户清零": 5, "满意度": D("13.33"),
        "填报完整": 30, "表扬": 10, "被催办": -18, "整改": -3, "重大事故": 0, "安全生产": 0,
    }  # fmt: skip
    result = Result.objects.get(round=round, unit=first)
    sections = {s.name: result.section_points[str(s.pk)] for s in round.rubric.sections.all()}
    assert sections == {
        "基础工作": "24.00",
        "业务工作": "43.33",
        "数据核查": "30.00",
        "加分项目": "10.00",
        "扣分项目": "-12.00",
    }
    assert (result.total, result.grade, result.vetoed) == (D("65.33"), "pass", False)
    assert len({row[4] for row in results.values()}) > 3  # the units do not all tie


def test_after_hand_entries_and_with_a_fund_pool_a_recompute_still_agrees(round, city_office, units):
    workflow.open_self_assessment(round=round, actor=city_office)
    enter_by_hand(round, city_office, units)
    workflow.set_funds(round=round, actor=city_office, method=FundMethod.POOL, pool=100_000, base=2_000, floor=10)
    assert workflow.compute(round=round, actor=city_office) == 0
    scores, results = slow_path(round)
    assert scores_of(round) == scores
    assert results_of(round) == results
    assert sum(r[5] for r in results.values()) == 100_000
    vetoed = Result.objects.get(round=round, unit=units[2])
    assert vetoed.vetoed and vetoed.grade != "excellent"
    adjusted = Score.objects.get(round=round, unit=units[3], criterion__name="销号率")
    assert adjusted.points == D("7.25")  # an adjustment outlives the metric


def test_a_recompute_after_a_changed_record_changes_exactly_the_affected_scores(round, city_office, units, given):
    workflow.compute(round=round, actor=city_office)
    before_scores, before_results = scores_of(round), results_of(round)
    criterion = {c.name: c for c in all_criteria(round.rubric)}
    # one unit's items: its close-out and on-time rates move; another's incidents: its veto triggers
    given["close_out_rate"][units[6].pk] = Value(1, 4)
    given["on_time_rate"][units[6].pk] = Value(1, 4)
    given["incidents"][units[7].pk] = Value(1, 0)
    expected_changes = {(units[6].pk, criterion["销号率"].pk), (units[6].pk, criterion["按时率"].pk)}
    if before_scores[(units[7].pk, criterion["重大事故"].pk)][:2] != (1, 0):
        expected_changes.add((units[7].pk, criterion["重大事故"].pk))

    assert workflow.compute(round=round, actor=city_office) == len(expected_changes)
    after_scores = scores_of(round)
    changed = {key for key, row in after_scores.items() if row != before_scores[key]}
    assert changed == expected_changes
    assert after_scores[(units[6].pk, criterion["销号率"].pk)][:2] == (1, 4)
    assert after_scores[(units[7].pk, criterion["重大事故"].pk)][4] is True
    scores, results = slow_path(round)
    assert after_scores == scores
    assert results_of(round) == results
    moved = {unit for unit, row in results.items() if row[:4] != before_results[unit][:4]}
    assert moved <= {units[6].pk, units[7].pk}  # totals and grades of the others stand (their ranks may move)
    assert workflow.compute(round=round, actor=city_office) == 0


def test_progress_is_told_as_the_compute_advances_and_ends_at_the_total(round, city_office, units):
    calls = []
    workflow.compute(round=round, actor=city_office, progress=lambda done, total: calls.append((done, total)))
    metrics_used = len({c.metric for c in all_criteria(round.rubric) if c.metric})
    total = metrics_used + len(units)
    assert calls[-1] == (total, total)  # the bar is full when the compute returns
    assert all(t == total for _d, t in calls)
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)  # never goes back
    assert len(calls) >= metrics_used + 1  # once a metric, then at the end

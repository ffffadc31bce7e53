from decimal import Decimal

import pytest
from django.core.management import call_command

from checklists.models import EventKind as ItemEventKind
from checklists.models import ItemEvent
from orgs.models import OrgKind, OrgUnit
from qingdan import metrics
from qingdan.demo_calendar import assessed_half
from scoring import demo, rubrics, workflow
from scoring.models import Grade, Kind, RecordedEvent, Round, RoundStatus, Rubric, Score, ScoreChange

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Rubric.objects.count(),
        Round.objects.count(),
        Score.objects.count(),
        ScoreChange.objects.count(),
        RecordedEvent.objects.count(),
        ItemEvent.objects.filter(kind=ItemEventKind.URGED).count(),
    )


def test_demo_publishes_the_half_year_and_opens_the_year(capsys):
    call_command("load_demo")
    half = assessed_half()
    assert f"{demo.half_year_name(half)} published" in capsys.readouterr().out
    towns = list(OrgUnit.objects.filter(parent__name="滨海县总工会", kind=OrgKind.TOWN))
    assert len(towns) == 13

    rubric = Rubric.objects.get(name=demo.RUBRIC)
    assert rubric.full_marks == 200 and rubrics.problems(rubric) == []
    computed, manual = rubrics.shares(rubric)
    assert computed + manual == 200 and manual * 100 / 200 <= 40

    period = (half.start, half.end)
    half = Round.objects.get(name=demo.half_year_name(half))
    assert (
        (half.period_start, half.period_end) == period and half.status == RoundStatus.PUBLISHED and half.bulletin_number
    )
    results = list(half.results.all())
    assert len(results) == 13
    assert sum(r.fund_amount for r in results) == Decimal(demo.POOL)
    assert all(r.fund_amount == demo.BASE for r in results if r.total < demo.FLOOR)
    assert {r.grade for r in results} == set(Grade)
    vetoed = [r for r in results if r.vetoed]
    # 八巨镇 scores in the band of 优秀, but a one-vote veto keeps it at 良好.
    assert len(vetoed) == 1 and vetoed[0].total >= rubric.excellent_from and vetoed[0].grade == Grade.GOOD

    # Every criterion judged by hand was self-assessed and reviewed, by each town.
    asked = workflow.criteria_for_self_assessment(half)
    manual_scores = Score.objects.filter(round=half, criterion__in=asked)
    assert manual_scores.count() == 13 * len(asked)
    assert not manual_scores.filter(self_reason="").exists() and not manual_scores.filter(review_reason="").exists()

    # The towns' figures come from their records, in the half-year.
    units_values = {key: metrics.get(key)(towns, *period) for key in metrics.available()}
    for key in ("close_out_rate", "on_time_rate", "first_pass_rate", "survey_completeness", "satisfaction_rate"):
        assert any(value.numerator for value in units_values[key].values()), key

    # Each deduction is 2 points per urging, and the urgings are there to see.
    deductions = Score.objects.filter(round=half, criterion__metric="urgings_received", points__lt=0)
    assert deductions.count() >= 3
    for score in deductions.select_related("unit", "criterion"):
        page = metrics.get("urgings_received").records_of(score.unit, *period)
        assert page.total == score.numerator and score.points == -2 * score.numerator
        assert all(period[0] <= row.day <= period[1] for row in page.rows)
    praise = Score.objects.get(round=half, criterion__metric="praise_provincial", unit__name="东坎街道工会")
    assert praise.numerator == 3 and praise.points == 5  # capped

    year = Round.objects.get(name=demo.full_year_name(assessed_half()))
    assert year.status == RoundStatus.SELF_ASSESSMENT
    assert year.results.filter(self_submitted_at__isnull=False).count() == 1
    assert Score.objects.filter(round=year, criterion__kind=Kind.MANUAL, self_points__isnull=False).exists()

    before = _counts()
    call_command("load_demo")
    assert _counts() == before

"""Fund allocation (经费补助挂钩): a fixed amount per grade, or a pool split by score above a floor with a base
amount, in whole yuan that add up to the pool exactly. The expected amounts are worked out by hand here."""

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from qingdan.errors import Refused
from scoring import funds, workflow
from scoring.models import FundMethod, Result, RoundStatus

D = Decimal


def zh(msgid, **params):
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return text % params if params else text


def units(*rows):
    """``("A", 90)`` or ``("A", 90, "good")`` → results as ``allocate`` reads them."""
    return [
        SimpleNamespace(
            unit_id=n, unit=SimpleNamespace(code=row[0]), total=D(str(row[1])), grade=row[2] if len(row) > 2 else "pass"
        )
        for n, row in enumerate(rows, start=1)
    ]


def pool(amount, base=0, floor=0):
    return SimpleNamespace(
        fund_method=FundMethod.POOL, fund_pool=D(amount), fund_base=D(base), fund_floor=D(floor), fund_per_grade={}
    )


def amounts(round, results):
    allocation = funds.allocate(round, results)
    return {r.unit.code: allocation[r.unit_id][0] for r in results}


# --- per grade --------------------------------------------------------------------------------


def test_a_fixed_amount_per_grade():
    round = SimpleNamespace(
        fund_method=FundMethod.PER_GRADE,
        fund_per_grade={"excellent": "50000", "good": "30000", "pass": "10000.50"},
    )
    results = units(("A", 95, "excellent"), ("B", 85, "good"), ("C", 70, "pass"), ("D", 20, "fail"))
    allocation = funds.allocate(round, results)
    assert {r.unit.code: allocation[r.unit_id][0] for r in results} == {
        "A": D("50000.00"),
        "B": D("30000.00"),
        "C": D("10000.50"),
        "D": D("0.00"),  # a grade left out of the table gets nothing
    }
    assert "50,000.00" in allocation[1][1]


def test_no_fund_method_gives_no_amounts():
    round = SimpleNamespace(fund_method=FundMethod.NONE)
    assert funds.allocate(round, units(("A", 90))) == {1: (None, "")}


# --- the pool ---------------------------------------------------------------------------------


def test_a_pool_split_by_score_above_the_floor_with_a_base():
    # rest = 1,000 − 3 × 100 = 700 over A 90 + B 80 = 170:
    # A 370.588…, B 329.411… → 370 + 329 = 699, the 1 yuan left goes to A's larger fraction; C below the floor.
    got = amounts(pool(1000, base=100, floor=60), units(("A", 90), ("B", 80), ("C", 50)))
    assert got == {"A": D(471), "B": D(429), "C": D(100)}
    assert sum(got.values()) == 1000


def test_equal_scores_and_equal_fractions_go_by_unit_code():
    # 10 ÷ 3 = 3.333… each: 3 + 3 + 3 = 9, the last yuan to the first code
    assert amounts(pool(10), units(("C", 1), ("A", 1), ("B", 1))) == {"C": D(3), "A": D(4), "B": D(3)}


def test_equal_fractions_go_to_the_higher_score_before_the_code():
    # rest 2 over 1 + 3: A 0.5, B 1.5 → 0 + 1, the last yuan to B (higher score) although A's code comes first
    assert amounts(pool(2), units(("A", 1), ("B", 3))) == {"A": D(0), "B": D(2)}


def test_one_yuan_remainders_over_many_equal_units():
    # 100 ÷ 7 = 14.285…: 7 × 14 = 98, 2 yuan left for the first two codes
    got = amounts(pool(100), units(*[(code, 88) for code in "GFEDCBA"]))
    assert got == {"A": D(15), "B": D(15), "C": D(14), "D": D(14), "E": D(14), "F": D(14), "G": D(14)}
    assert sum(got.values()) == 100


def test_awkward_scores_add_up_to_the_pool_to_the_yuan():
    totals = [187.35, 163.2, 163.2, 150.01, 142.67, 133.33, 121.5, 119.99, 99.98, 88.08, 187.35, 0]
    results = units(*[(f"Z{n:02d}", t) for n, t in enumerate(totals, start=1)])
    got = amounts(pool(1_040_000, base=20_000, floor=120), results)
    assert sum(got.values()) == D(1_040_000)
    rest, weight = D(1_040_000 - 12 * 20_000), sum(D(str(t)) for t in totals if t >= 120)
    extras = 0
    for r in results:
        share = got[r.unit.code] - 20_000
        if r.total < 120:
            assert share == 0
        else:  # the exact share rounded down, or one yuan more
            extra = share - int(rest * r.total / weight)
            assert extra in (0, 1)
            extras += extra
    assert extras == rest - sum(int(rest * D(str(t)) / weight) for t in totals if t >= 120)
    # equal totals get amounts at most one yuan apart
    assert abs(got["Z01"] - got["Z11"]) <= 1 and abs(got["Z02"] - got["Z03"]) <= 1
    assert {got[c] for c in ("Z08", "Z09", "Z10", "Z12")} == {D(20_000)}


def test_a_pool_paying_exactly_the_bases_needs_nobody_at_the_floor():
    assert amounts(pool(300, base=100, floor=90), units(("A", 50), ("B", 40), ("C", 0))) == {
        "A": D(100),
        "B": D(100),
        "C": D(100),
    }


def test_a_unit_with_no_points_does_not_share_even_with_a_floor_of_zero():
    assert amounts(pool(100), units(("A", 30), ("B", 0))) == {"A": D(100), "B": D(0)}


def test_a_pool_that_cannot_be_split_is_refused():
    with pytest.raises(funds.FundError) as error:
        funds.allocate(pool(1000, base=100, floor=95), units(("A", 90), ("B", 80)))
    assert error.value.message == zh(
        "No unit scores at least the floor of %(floor)s, so ¥%(rest)s of the pool cannot be split.",
        floor=D(95),
        rest="800.00",
    )
    with pytest.raises(funds.FundError) as error:
        funds.clean_pool(pool=1000, base=400, floor=0, units=3)
    assert error.value.message == zh(
        "The pool of ¥%(pool)s cannot pay the base of ¥%(base)s to %(n)s units (¥%(need)s).",
        pool="1,000.00",
        base="400.00",
        n=3,
        need="1,200.00",
    )
    for bad, msgid in (
        ({"pool": "1000.50"}, "The pool and the base amount are split in whole yuan: give them without fen."),
        ({"pool": 0}, "The pool must be more than 0 yuan."),
    ):
        with pytest.raises(funds.FundError) as error:
            funds.clean_pool(**{"pool": 1000, "base": 0, "floor": 0, "units": 2, **bad})
        assert error.value.message == zh(msgid)
    with pytest.raises(funds.FundError) as error:
        funds.clean_pool(pool=-5, base=0, floor=0, units=2)
    assert error.value.message == zh("%(label)s must be an amount in yuan from 0.", label=zh("The pool"))
    with pytest.raises(funds.FundError):
        funds.clean_pool(pool="lots", base=0, floor=0, units=2)
    with pytest.raises(funds.FundError):
        funds.clean_per_grade({"excellent": "-1"})


# --- through a round --------------------------------------------------------------------------


@pytest.mark.django_db
def test_funds_of_a_round_per_grade_and_pool_and_refusals(simple_round, city_office, office, county_a, county_b):
    round = workflow.open_self_assessment(round=simple_round, actor=city_office)
    manual = round.scores.get(unit=county_a, criterion__name="理论学习")
    workflow.self_assess(score=manual, actor=office, points=55, reason="学习12次")
    with pytest.raises(Refused, match=re.escape(zh("Only the office running the round sets its funds."))):
        workflow.set_funds(round=round, actor=office, method=FundMethod.PER_GRADE, per_grade={"fail": 1})
    with pytest.raises(Refused, match=re.escape(zh("Unknown fund allocation."))):
        workflow.set_funds(round=round, actor=city_office, method="lottery")
    with pytest.raises(Refused, match=re.escape(zh("The pool must be more than 0 yuan."))):
        workflow.set_funds(round=round, actor=city_office, method=FundMethod.POOL, pool=0)
    round.refresh_from_db()
    assert (round.fund_method, round.version) == (FundMethod.NONE, 1)

    workflow.set_funds(
        round=round,
        actor=city_office,
        method=FundMethod.PER_GRADE,
        per_grade={"excellent": 50_000, "good": 30_000, "pass": 10_000, "fail": 2_000},
    )
    by_unit = {r.unit_id: r for r in Result.objects.filter(round=round)}
    assert (by_unit[county_a.pk].grade, by_unit[county_a.pk].fund_amount) == ("fail", D(2000))  # 55 < 60

    workflow.set_funds(round=round, actor=city_office, method=FundMethod.POOL, pool=100_001, base=20_000, floor=50)
    by_unit = {r.unit_id: r for r in Result.objects.filter(round=round)}
    # rest 60,001 all to county A (55 ≥ 50); county B (0) gets the base only
    assert by_unit[county_a.pk].fund_amount == D(80_001) and by_unit[county_b.pk].fund_amount == D(20_000)
    assert "60,001.00" in by_unit[county_a.pk].fund_note
    workflow.start_review(round=round, actor=city_office)
    assert workflow.publish(round=round, actor=city_office).status == RoundStatus.PUBLISHED


@pytest.mark.parametrize("floor", ["abc", "NaN", "-1", "10000000"])
def test_a_score_floor_that_is_not_a_number_of_points_is_refused(floor):
    with pytest.raises(funds.FundError) as error:
        funds.clean_pool(pool=1000, base=0, floor=floor, units=3)
    assert error.value.message == zh("The score floor must be a number of points from 0 to 999,999.")

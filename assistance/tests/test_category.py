"""The category at every boundary: per-capita monthly income = (income − expenses) ÷ 12 ÷ size against the local
standard (1.0×), the relative line (2× by default, 1.5× where a federation sets it) and the 80% accident rule."""

from decimal import Decimal

import pytest
from django.utils import translation

from assistance.category import compute
from assistance.models import Category

STANDARD = Decimal("800.00")  # yuan per person and month


def category(per_capita, *, size=3, costs=0, file_rules=None, income=None):
    """The category of a household whose per-capita monthly income is exactly ``per_capita`` (no expenses)."""
    income = Decimal(per_capita) * 12 * size if income is None else income
    return compute(
        annual_income=income,
        rigid_expenses=0,
        accident_costs=costs,
        size=size,
        standard=STANDARD,
        file_rules=file_rules or {},
    )


@pytest.mark.parametrize(
    ("per_capita", "expected"),
    [
        ("799.99", Category.DEEP),  # just below 1.0×
        ("800.00", Category.RELATIVE),  # at the standard: no longer deep
        ("1599.99", Category.RELATIVE),  # just below 2×
        ("1600.00", Category.NONE),  # at 2×: not eligible
    ],
)
def test_the_category_at_the_standard_and_at_twice_it(per_capita, expected):
    assert category(per_capita).category == expected


def test_a_federation_using_one_and_a_half_times_draws_the_line_lower():
    rules = {"relative_percent": 150}
    assert category("1199.99", file_rules=rules).category == Category.RELATIVE
    assert category("1200.00", file_rules=rules).category == Category.NONE


def test_costs_above_eighty_percent_of_the_income_make_accidental_hardship_whatever_the_income():
    income = Decimal("120000.00")  # 3 people, ¥3,333.33 a month each: far above every line
    assert category(None, income=income, costs=Decimal("96000.00")).category == Category.NONE  # exactly 80%
    assert category(None, income=income, costs=Decimal("96000.01")).category == Category.ACCIDENT


def test_rigid_expenses_come_off_the_income_before_it_is_shared():
    result = compute(
        annual_income=Decimal("60000"),
        rigid_expenses=Decimal("36000"),
        accident_costs=0,
        size=4,
        standard=STANDARD,
        file_rules={},
    )
    assert result.per_capita == Decimal("500.00")  # (60,000 − 36,000) ÷ 12 ÷ 4
    assert result.category == Category.DEEP


def test_every_line_of_the_calculation_is_shown_with_the_result():
    with translation.override("en"):
        lines = dict(category("1000.00").lines)
    assert lines["Per-capita monthly income = (income − expenses) ÷ 12 ÷ size"] == "¥1,000.00"
    assert lines["Relative hardship line (200% of the standard)"] == "¥1,600.00"
    assert lines["Result"] == "below the relative hardship line: relative hardship"

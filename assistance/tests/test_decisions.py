"""A decision freezes the calculation: a later change of the standard rewrites none of it."""

import datetime
from decimal import Decimal

import pytest

from assistance import decisions
from assistance.models import Category, Decision
from assistance.tests.factories import make_household
from orgs.tests.factories import OrgUnitFactory
from qingdan.actors import SYSTEM
from qingdan.errors import Refused

DAY = datetime.date(2026, 9, 16)


def test_the_deepest_unit_with_a_standard_for_the_year_wins(county_a):
    town = OrgUnitFactory(name="东坎街道工会", kind="town", parent=county_a)
    decisions.set_standard(unit=county_a, year=2026, monthly=Decimal("800"), actor=SYSTEM)
    assert decisions.standard_for(town, 2026).monthly == Decimal("800")
    decisions.set_standard(unit=town, year=2026, monthly=Decimal("850"), actor=SYSTEM)
    assert decisions.standard_for(town, 2026).monthly == Decimal("850")
    assert decisions.standard_for(town, 2027) is None


def test_a_decision_keeps_its_standard_after_the_standard_changes(county_a):
    decisions.set_standard(unit=county_a, year=2026, monthly=Decimal("800"), actor=SYSTEM)
    household = make_household(county_a, size=2, annual_income=Decimal("18000.00"))  # ¥750 a head and month
    first = decisions.decide(household=household, kind=Decision.Kind.APPLICATION, actor=SYSTEM, today=DAY)
    assert first.category == Category.DEEP
    decisions.set_standard(unit=county_a, year=2026, monthly=Decimal("700"), actor=SYSTEM)
    second = decisions.decide(household=household, kind=Decision.Kind.RECHECK, actor=SYSTEM, today=DAY)
    first.refresh_from_db()
    assert (first.standard, first.category) == (Decimal("800.00"), Category.DEEP)
    assert (second.standard, second.category) == (Decimal("700.00"), Category.RELATIVE)
    household.refresh_from_db()
    assert household.category == Category.RELATIVE


def test_no_standard_for_the_year_is_refused_with_what_to_do(county_a):
    household = make_household(county_a)
    with pytest.raises(Refused, match="2026"):
        decisions.decide(household=household, kind=Decision.Kind.APPLICATION, actor=SYSTEM, today=DAY)
    assert not Decision.objects.exists()


def test_only_the_units_own_office_sets_its_standard(county_a, office, reporter):
    assert decisions.set_standard(unit=county_a, year=2026, monthly=Decimal("800"), actor=office)
    with pytest.raises(Refused):
        decisions.set_standard(unit=county_a, year=2026, monthly=Decimal("900"), actor=reporter)
    with pytest.raises(Refused):
        decisions.set_standard(unit=county_a, year=2026, monthly=Decimal("-1"), actor=office)

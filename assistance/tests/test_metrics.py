"""The archive's metrics for assessment: the exit rate (椒江: 396 of 400), the day all families were out of hardship
(张家口: +15 when by 30 June), aid given in yuan and reviews overdue, each rolled up over the subtree and with its
masked drill-down."""

import datetime
from decimal import Decimal

import pytest

from assistance.models import Aid, AidKind, FileStatus
from assistance.tests.factories import make_household
from orgs.models import OrgKind
from orgs.tests.factories import OrgUnitFactory
from qingdan import metrics

D = datetime.date
YEAR = (D(2026, 1, 1), D(2026, 12, 31))


@pytest.fixture
def town_a(county_a):
    return OrgUnitFactory(code="A-T1", name="东坎街道工会", kind=OrgKind.TOWN, parent=county_a)


def value(key, units, start=YEAR[0], end=YEAR[1]):
    return metrics.get(key)(units, start, end)


def test_the_hardship_metrics_are_available_and_no_longer_planned():
    available = metrics.available()
    assert available["hardship_exit_rate"].kind == metrics.RATE
    assert available["hardship_all_exited_on"].kind == metrics.DATE
    assert available["hardship_aid_amount"].kind == metrics.COUNT
    assert available["hardship_reviews_overdue"].kind == metrics.COUNT
    planned = {key for key, *_rest in metrics.planned()}
    assert not planned & {"hardship_exit_rate", "hardship_all_exited_on"}


def test_jiaojiang_396_of_400_exited_is_99_percent(county_a, town_a, city):
    for n in range(1, 401):
        exited = n <= 396
        make_household(
            town_a if n % 2 else county_a, n, size=1, live=False,
            status=FileStatus.EXITED if exited else FileStatus.ARCHIVED,
            archived_on=D(2021, 3, 1), exited_on=D(2021 + n % 5, 6, 1) if exited else None,
        )  # fmt: skip
    got = value("hardship_exit_rate", [county_a, city], D(2021, 1, 1), D(2026, 12, 31))
    assert (got[county_a.pk].numerator, got[county_a.pk].denominator) == (396, 400)
    assert f"{got[county_a.pk].rate * 100:.1f}%" == "99.0%"
    assert (got[city.pk].numerator, got[city.pk].denominator) == (396, 400)
    # Over 2026 only: the exits dated in 2026 over them and the four still archived.
    this_year = value("hardship_exit_rate", [county_a])[county_a.pk]
    exited_2026 = sum(1 for n in range(1, 397) if 2021 + n % 5 == 2026)
    assert (this_year.numerator, this_year.denominator) == (exited_2026, exited_2026 + 4)


def test_the_rate_counts_the_subtree_only(county_a, county_b, town_a):
    make_household(town_a, 1, status=FileStatus.EXITED, exited_on=D(2026, 5, 1))
    make_household(county_b, 2, status=FileStatus.ARCHIVED)
    got = value("hardship_exit_rate", [county_a, county_b, town_a])
    assert (got[county_a.pk].numerator, got[county_a.pk].denominator) == (1, 1)
    assert (got[town_a.pk].numerator, got[town_a.pk].denominator) == (1, 1)
    assert (got[county_b.pk].numerator, got[county_b.pk].denominator) == (0, 1)


def test_all_exited_on_is_the_last_exit_once_none_remain(county_a, county_b, town_a):
    make_household(county_a, 1, status=FileStatus.EXITED, exited_on=D(2026, 3, 1))
    make_household(town_a, 2, status=FileStatus.EXITED, exited_on=D(2026, 6, 20))
    make_household(county_b, 3, status=FileStatus.EXITED, exited_on=D(2026, 2, 1))
    make_household(county_b, 4, status=FileStatus.PERMANENT)
    got = value("hardship_all_exited_on", [county_a, county_b, town_a])
    assert got[county_a.pk].day == D(2026, 6, 20)  # by 30 June: 张家口's +15
    assert got[town_a.pk].day == D(2026, 6, 20)
    assert got[county_b.pk].day is None  # a family under permanent support remains
    page = metrics.get("hardship_all_exited_on").records_of(county_b, *YEAR)
    assert page.total == 2 and [r.counted for r in page.rows] == [True, False]  # the exit counted, the family kept not


def test_all_exited_on_is_none_for_a_unit_that_never_had_a_family(county_a):
    assert value("hardship_all_exited_on", [county_a])[county_a.pk].day is None


def test_a_family_still_archived_keeps_the_day_from_coming(county_a):
    make_household(county_a, 1, status=FileStatus.EXITED, exited_on=D(2026, 3, 1))
    make_household(county_a, 2, status=FileStatus.ARCHIVED)
    assert value("hardship_all_exited_on", [county_a])[county_a.pk].day is None


def test_aid_given_is_counted_in_yuan_in_the_period(county_a, county_b, town_a):
    household = make_household(town_a, 1)
    other = make_household(county_b, 2)
    for h, amount, on in ((household, "1000.50", D(2026, 1, 20)), (household, "99.49", D(2026, 8, 1)),
                          (household, "500", D(2025, 12, 31)), (other, "700", D(2026, 2, 1))):  # fmt: skip
        Aid.objects.create(household=h, org_unit=county_a, kind=AidKind.HOLIDAY, amount=Decimal(amount), given_on=on,
                           source="工会", delivered_by="张三")  # fmt: skip
    got = value("hardship_aid_amount", [county_a, town_a, county_b])
    assert got[county_a.pk].count == 1100  # ¥1,099.99 to the nearest yuan
    assert got[town_a.pk].count == 1100 and got[county_b.pk].count == 700
    page = metrics.get("hardship_aid_amount").records_of(county_a, *YEAR)
    assert page.total == 2 and "王*明" in page.rows[0].text and "¥1,000.50" in page.rows[0].text


def test_reviews_overdue_counts_the_files_past_the_interval(county_a, town_a):
    make_household(town_a, 1, archived_on=D(2025, 1, 1))  # archived over a year ago, never reviewed
    make_household(town_a, 2, archived_on=D(2025, 1, 1), reviewed_on=D(2026, 1, 1))
    make_household(county_a, 3, status=FileStatus.PERMANENT, archived_on=D(2024, 1, 1), reviewed_on=D(2025, 6, 1))
    make_household(county_a, 4, status=FileStatus.EXITED, archived_on=D(2020, 1, 1), exited_on=D(2021, 1, 1))
    got = value("hardship_reviews_overdue", [county_a, town_a])
    assert got[county_a.pk].count == 2 and got[town_a.pk].count == 1
    page = metrics.get("hardship_reviews_overdue").records_of(county_a, *YEAR)
    assert page.total == 2


def test_the_drill_down_masks_the_heads_names(county_a):
    household = make_household(county_a, 7, status=FileStatus.EXITED, exited_on=D(2026, 3, 1), head_name="王建国")
    page = metrics.get("hardship_exit_rate").records_of(county_a, *YEAR)
    assert page.total == 1
    row = page.rows[0]
    assert "王*国" in row.text and "王建国" not in row.text and row.counted
    assert row.url == f"/assistance/households/{household.pk}/"

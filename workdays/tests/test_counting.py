"""Working days on China's calendar as every area counts them: the national calendar shipped from the pinned
library, a unit's own days for its subtree, and a year nobody entered counted Monday to Friday with a warning.
Every date is written out: nothing here reads today."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

import workdays
from orgs.tests.factories import OrgUnitFactory
from workdays import services
from workdays.models import CalendarDay, CalendarYear, DayKind

pytestmark = pytest.mark.django_db
HOLIDAY, WORKDAY = DayKind.HOLIDAY, DayKind.WORKDAY


def test_national_day_2026_is_off_from_1_to_7_october_and_its_two_weekend_days_are_worked():
    assert [workdays.is_workday(date(2026, 10, d)) for d in range(1, 8)] == [False] * 7
    assert workdays.is_workday(date(2026, 10, 8)) and workdays.is_workday(date(2026, 10, 9))
    # The make-up working days the State Council set for 国庆: Sunday 20 September and Saturday 10 October.
    assert workdays.is_workday(date(2026, 9, 20)) and workdays.is_workday(date(2026, 10, 10))
    assert not workdays.is_workday(date(2026, 10, 11))  # the Sunday after is a plain Sunday
    # 30 September (Wed) → 8, 9, 10 (Sat, worked) and 12 October.
    assert workdays.between(date(2026, 9, 30), date(2026, 10, 12)) == 4
    assert workdays.add(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert workdays.uncovered_years(date(2026, 9, 30), date(2026, 10, 12)) == []


def test_spring_festival_2026_is_off_from_15_to_23_february_with_saturdays_14_and_28_worked():
    assert not any(workdays.is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert workdays.is_workday(date(2026, 2, 14)) and workdays.is_workday(date(2026, 2, 28))
    # A demand received on Friday 13 February: Saturday 14 (worked), then Tuesday 24 and Wednesday 25.
    assert workdays.add(date(2026, 2, 13), 3) == date(2026, 2, 25)
    assert workdays.between(date(2026, 2, 13), date(2026, 2, 28)) == 6  # 14, 24, 25, 26, 27, 28


def test_a_reply_due_within_3_working_days_of_a_friday():
    assert workdays.add(date(2026, 9, 11), 3) == date(2026, 9, 16)  # a plain week: Mon, Tue, Wed
    # Friday 18 September: Sunday 20 is a make-up working day, so the reply is due on Tuesday 22, not Wednesday.
    assert workdays.add(date(2026, 9, 18), 3) == date(2026, 9, 22)
    # A datetime of receipt counts by its date in China time (16:30 UTC on the 17th is the 18th in Beijing).
    received = datetime(2026, 9, 17, 16, 30, tzinfo=ZoneInfo("UTC"))
    assert workdays.add(received, 3) == date(2026, 9, 22)
    assert workdays.add(date(2026, 9, 22), -3) == date(2026, 9, 18) and workdays.add(date(2026, 9, 18), 0) == date(
        2026, 9, 18
    )


def test_fifteen_working_days_across_national_day():
    # Accepted on Monday 28 September: 29, 30 Sep, then 8, 9, 10 (Sat), 12–16, 19–23 October.
    due = workdays.deadline(date(2026, 9, 28), 15)
    assert due.due == date(2026, 10, 23) and due.uncovered == [] and due.warning == ""
    assert workdays.between(date(2026, 9, 28), date(2026, 10, 23)) == 15
    assert workdays.between(date(2026, 10, 23), date(2026, 9, 28)) == -15
    # Monday to Friday alone would have said 19 October.
    assert date(2026, 10, 19) < due.due


def test_a_units_own_day_overrides_the_national_one_and_the_units_below_follow_it(
    city_office, office, county_a, county_b, dept_a
):
    town = OrgUnitFactory(code="A-T1", name="东坎街道工会", parent=dept_a)
    # The county gives 8 October off (say, a local arrangement); the city makes 9 October a day off for everyone.
    services.set_day(unit=county_a, day=date(2026, 10, 8), kind=HOLIDAY, name="县里补休", actor=office)
    services.set_day(unit=county_b.parent, day=date(2026, 10, 9), kind=HOLIDAY, name="", actor=city_office)
    for unit in (county_a, dept_a, town):
        assert not workdays.is_workday(date(2026, 10, 8), unit=unit)
    assert workdays.is_workday(date(2026, 10, 8), unit=county_b) and workdays.is_workday(date(2026, 10, 8))
    assert not workdays.is_workday(date(2026, 10, 9), unit=county_b) and workdays.is_workday(date(2026, 10, 9))
    # The county keeps 9 October a working day: the deepest unit on the line wins, for its own subtree.
    services.set_day(unit=county_a, day=date(2026, 10, 9), kind=WORKDAY, name="", actor=office)
    assert workdays.is_workday(date(2026, 10, 9), unit=town) and not workdays.is_workday(
        date(2026, 10, 9), unit=county_b
    )
    assert workdays.add(date(2026, 9, 30), 3, unit=town) == date(2026, 10, 12)  # 9, 10 (Sat), 12
    assert workdays.add(date(2026, 9, 30), 3, unit=county_b) == date(2026, 10, 12)  # 8, 10 (Sat), 12
    assert workdays.add(date(2026, 9, 30), 3) == date(2026, 10, 10)
    # Taking the county's day back: the town follows the city again.
    services.remove_day(row=CalendarDay.objects.get(unit=county_a, day=date(2026, 10, 9)), actor=office)
    assert not workdays.is_workday(date(2026, 10, 9), unit=town)


def test_a_year_nobody_entered_is_counted_monday_to_friday_with_a_warning(office, county_a, dept_a, county_b):
    # 2031: no notice of the State Council yet. Friday 26 September → Mon 29, Tue 30, Wed 1 October.
    assert workdays.is_workday(date(2031, 10, 1), unit=dept_a)
    assert not workdays.is_workday(date(2031, 10, 4), unit=dept_a)  # a Saturday
    due = workdays.deadline(date(2031, 9, 26), 3, unit=dept_a)
    assert due.due == date(2031, 10, 1) and due.uncovered == [2031]
    assert due.warning == "2031 年的节假日安排尚未录入，期限按周一至周五计算。"
    assert workdays.uncovered_years(date(2026, 12, 20), date(2031, 1, 5), unit=dept_a)[-1] == 2031
    assert workdays.warning(date(2026, 9, 1), date(2026, 9, 30)) == ""
    # The county enters 2031's National Day and marks the year entered: its subtree counts it, the other county
    # still gets the warning.
    for day in range(1, 8):
        services.set_day(unit=county_a, day=date(2031, 10, day), kind=HOLIDAY, name="国庆节", actor=office)
    services.mark_year(unit=county_a, year=2031, entered=True, actor=office)
    assert workdays.deadline(date(2031, 9, 26), 3, unit=dept_a) == workdays.counting.Deadline(
        date(2031, 10, 8)
    )  # 29, 30 Sep, 8 Oct
    assert workdays.uncovered_years(date(2031, 1, 1), date(2031, 12, 31), unit=county_b) == [2031]
    assert CalendarDay.objects.get(unit=county_a, day=date(2031, 10, 1)).festival == "national_day"


def test_the_national_calendar_is_the_pinned_librarys_and_copying_it_again_changes_nothing():
    import chinese_calendar

    from workdays.national import sync

    assert chinese_calendar.is_workday(date(2026, 10, 10)) and workdays.is_workday(date(2026, 10, 10))
    rows = CalendarDay.objects.filter(unit__isnull=True)
    assert rows.count() == len(chinese_calendar.constants.holidays) + len(chinese_calendar.constants.workdays)
    assert set(CalendarYear.objects.filter(unit__isnull=True).values_list("year", flat=True)) >= {2004, 2025, 2026}
    assert sync(day_model=CalendarDay, year_model=CalendarYear)[:3] == (0, 0, 0)
    # A national row edited behind the library's back is put back.
    CalendarDay.objects.filter(unit__isnull=True, day=date(2026, 10, 10)).update(kind=HOLIDAY)
    assert sync(day_model=CalendarDay, year_model=CalendarYear)[:3] == (0, 1, 0)
    assert workdays.is_workday(date(2026, 10, 10))


def test_a_thousand_deadlines_read_each_year_once(office, county_a, county_b, django_assert_num_queries):
    units = [OrgUnitFactory(parent=county_a if n % 2 else county_b) for n in range(20)]
    services.set_day(unit=county_a, day=date(2026, 10, 9), kind=HOLIDAY, name="", actor=office)
    demands = [(units[n % 20], date(2026, 9, 1 + n % 30), 15 if n % 3 else 3) for n in range(1000)]
    # Which units hold days in which years, the years entered, 2026 national, 2026 of the county.
    with django_assert_num_queries(4), workdays.cached():
        due = [workdays.deadline(received, n, unit=unit) for unit, received, n in demands]
    assert len(due) == 1000 and not any(d.warning for d in due)
    assert due[1].due == workdays.add(date(2026, 9, 2), 15, unit=units[1])  # the same answer uncached
    # Into a year nobody entered: one more query, for the national days of 2027 (the county has none there).
    with django_assert_num_queries(5), workdays.cached():
        late = [workdays.deadline(date(2026, 12, 20), 15, unit=unit) for unit in units * 50]
    assert {d.uncovered[0] for d in late if d.uncovered} <= {2027}


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_the_national_calendar_back():
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert workdays.is_workday(date(2026, 10, 10)) and not workdays.is_workday(date(2026, 10, 1))
    assert workdays.uncovered_years(date(2026, 1, 1), date(2026, 12, 31)) == []

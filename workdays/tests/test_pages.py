"""The page 工作日历: office staff read and correct their unit's calendar, leaders read it, nobody else touches it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from audit.models import AuditEvent
from workdays import services
from workdays.models import CalendarDay, CalendarYear, DayKind

pytestmark = pytest.mark.django_db
PAGE = "/workdays/"


def test_the_office_reads_a_year_by_month_with_the_festivals_and_the_make_up_days(client_for, office):
    page = client_for(office).get(PAGE, {"year": 2026}).content.decode()
    assert "2026 年工作日历" in page and "2026年10月" in page and "2026年2月" in page
    for name in ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"):
        assert name in page
    assert 'data-testid="day-2026-10-10"' in page and "调休上班" in page and "周六" in page
    assert "国家日历（随平台提供）" in page and "国家日历" in page
    assert 'data-testid="working-days">' in page and 'name="day"' in page  # the office's form


def test_the_office_enters_a_day_and_removes_it_each_change_audited(client_for, office, dept_a):
    client = client_for(office)
    saved = client.post(PAGE, {"day": "2026-10-08", "kind": "holiday", "name": "县里补休"}, follow=True)
    body = saved.content.decode()
    assert "日期已保存" in body and "县里补休" in body and "本单位" in body
    row = CalendarDay.objects.get(unit=office.org_unit, day=date(2026, 10, 8))
    assert row.kind == DayKind.HOLIDAY and row.changed_by == office
    # The same date again with the other kind replaces it; a festival typed by name is known as that festival.
    client.post(PAGE, {"day": "2026-10-08", "kind": "workday", "name": "国庆"})
    row.refresh_from_db()
    assert (row.kind, row.festival, row.name) == (DayKind.WORKDAY, "national_day", "")
    removed = client.post(f"{PAGE}days/{row.pk}/remove/", follow=True).content.decode()
    assert "已删除该日期" in removed and not CalendarDay.objects.filter(pk=row.pk).exists()
    events = AuditEvent.objects.filter(action__startswith="workdays.").order_by("id")
    assert [(e.action, (e.before or {}).get("kind"), (e.after or {}).get("kind")) for e in events] == [
        ("workdays.day_set", None, "holiday"),
        ("workdays.day_set", "holiday", "workday"),
        ("workdays.day_removed", "workday", None),
    ]
    # The unit below sees the county's page of itself read-only.
    assert 'name="day"' not in client.get(PAGE, {"unit": dept_a.pk}).content.decode()


def test_a_bad_date_or_kind_is_shown_in_the_form_and_saves_nothing(client_for, office):
    client = client_for(office)
    for data in (
        {"day": "", "kind": "holiday"},
        {"day": "2026-13-01", "kind": "holiday"},
        {"day": "2026-10-08", "kind": "x"},
    ):
        response = client.post(PAGE, data)
        assert response.status_code == 200 and "text-danger" in response.content.decode()
    refused = client.post(PAGE, {"day": "1999-10-01", "kind": "holiday"}, follow=True).content.decode()
    assert "日期须在 2000 年至 2099 年之间" in refused
    assert not CalendarDay.objects.filter(unit__isnull=False).exists()


def test_another_county_neither_sees_nor_changes_the_first_countys_days(client_for, office, outsider, county_a):
    row = services.set_day(unit=county_a, day=date(2026, 10, 8), kind=DayKind.HOLIDAY, name="县里补休", actor=office)
    client = client_for(outsider)
    assert client.get(PAGE, {"unit": county_a.pk}).status_code == 404
    assert "县里补休" not in client.get(PAGE, {"year": 2026}).content.decode()
    assert client.post(f"{PAGE}days/{row.pk}/remove/").status_code == 404
    assert CalendarDay.objects.filter(pk=row.pk).exists()
    # What the outsider enters is for its own county only.
    client.post(PAGE, {"day": "2026-10-09", "kind": "holiday", "name": ""})
    assert list(CalendarDay.objects.filter(unit__isnull=False).values_list("unit__name", "day")) == [
        ("滨海县总工会", date(2026, 10, 8)),
        ("临河县总工会", date(2026, 10, 9)),
    ]


def test_a_reporter_is_refused_and_a_leader_only_reads(client_for, office, reporter, leader, county_a):
    row = services.set_day(unit=county_a, day=date(2026, 10, 8), kind=DayKind.HOLIDAY, name="", actor=office)
    reporter_client = client_for(reporter)
    assert reporter_client.get(PAGE).status_code == 403
    assert reporter_client.post(PAGE, {"day": "2026-10-09", "kind": "holiday"}).status_code == 403
    leader_client = client_for(leader)
    page = leader_client.get(PAGE, {"year": 2026}).content.decode()
    assert "2026-10-08" in page and 'name="day"' not in page and "/remove/" not in page
    assert leader_client.post(PAGE, {"day": "2026-10-09", "kind": "holiday"}).status_code == 403
    assert leader_client.post(f"{PAGE}days/{row.pk}/remove/").status_code == 403
    assert list(CalendarDay.objects.filter(unit__isnull=False)) == [row]
    nav = client_for(office).get("/").content.decode()
    assert "工作日历" in nav and "工作日历" not in reporter_client.get("/").content.decode()


def test_a_day_of_the_city_or_of_the_nation_is_not_removed_by_the_county(client_for, city_office, office, city):
    city_row = services.set_day(unit=city, day=date(2026, 10, 9), kind=DayKind.HOLIDAY, name="", actor=city_office)
    client = client_for(office)
    assert client.post(f"{PAGE}days/{city_row.pk}/remove/").status_code == 403
    national = CalendarDay.objects.get(unit__isnull=True, day=date(2026, 10, 10))
    refused = client.post(f"{PAGE}days/{national.pk}/remove/", follow=True).content.decode()
    assert "国家日历的日期不能删除" in refused
    assert CalendarDay.objects.filter(pk__in=[city_row.pk, national.pk]).count() == 2


def test_a_year_not_entered_warns_until_the_office_enters_it_and_marks_it(client_for, office, dept_a):
    client = client_for(office)
    page = client.get(PAGE, {"year": 2031}).content.decode()
    assert "2031 年的节假日安排尚未录入，期限按周一至周五计算。" in page and "周一至周五均按工作日计算" in page
    refused = client.post(f"{PAGE}years/", {"year": 2031, "entered": "1"}, follow=True).content.decode()
    assert "尚未录入 2031 年的任何日期" in refused and not CalendarYear.objects.filter(year=2031).exists()
    client.post(PAGE, {"day": "2031-10-01", "kind": "holiday", "name": "国庆节"})
    assert 'data-testid="mark-year"' in client.get(PAGE, {"year": 2031}).content.decode()
    marked = client.post(f"{PAGE}years/", {"year": 2031, "entered": "1"}, follow=True).content.decode()
    assert "已确认 2031 年安排录入完毕" in marked and "滨海县总工会录入" in marked and "尚未录入" not in marked
    assert "尚未录入" not in client.get(PAGE, {"year": 2031, "unit": dept_a.pk}).content.decode()
    assert AuditEvent.objects.filter(action="workdays.year_entered", object_id="2031").count() == 1
    client.post(f"{PAGE}years/", {"year": 2031, "entered": "0"})
    assert "2031 年的节假日安排尚未录入" in client.get(PAGE, {"year": 2031}).content.decode()


def test_the_banner_for_next_year_shows_from_1_december(client_for, office, frozen_clock):
    # The last year the shipped calendar knows: its next year is the one the State Council publishes late.
    last = CalendarYear.objects.filter(unit__isnull=True).order_by("-year").first().year
    china = ZoneInfo("Asia/Shanghai")
    client = client_for(office)
    frozen_clock.move_to(datetime(last, 11, 30, 23, 0, tzinfo=china))
    assert 'data-testid="next-year-missing"' not in client.get(PAGE).content.decode()
    frozen_clock.move_to(datetime(last, 12, 1, 8, 0, tzinfo=china))
    client = client_for(office)  # a new session: the old one was idle for hours
    page = client.get(PAGE).content.decode()
    assert 'data-testid="next-year-missing"' in page and f"{last + 1} 年的节假日安排尚未录入" in page
    client.post(PAGE, {"day": f"{last + 1}-01-01", "kind": "holiday", "name": "元旦"})
    client.post(f"{PAGE}years/", {"year": last + 1, "entered": "1"})
    assert 'data-testid="next-year-missing"' not in client.get(PAGE).content.decode()


def test_the_page_reads_the_calendar_in_a_fixed_number_of_queries(
    client_for, office, county_a, dept_a, django_assert_max_num_queries
):
    for day in range(1, 32):
        services.set_day(unit=county_a, day=date(2026, 12, day), kind=DayKind.HOLIDAY, name="测试", actor=office)
    client = client_for(office)
    # The session, the user, the roles, the unit; which units hold days in which years, the years entered, the
    # year's days; the units named; the units below with days of their own. Not one more for 31 days.
    with django_assert_max_num_queries(10):
        assert client.get(PAGE, {"year": 2026}).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(PAGE, {"year": 2026, "unit": dept_a.pk}).status_code == 200

"""A year from a file (manage.py load_workdays): every row checked first, all or nothing, again changes nothing."""

from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command

import workdays
from audit.models import AuditEvent
from qingdan.spreadsheets import write_workbook
from workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db
HEADER = ["日期", "类型", "名称"]
# 2031 is a year the shipped calendar does not know.
GOOD = [
    [datetime(2031, 1, 1), "休息日", "元旦"],  # noqa: DTZ001 — a date as Excel keeps it, with no zone
    ["2031/10/1", "休", "国庆节"],
    ["2031年10月2日", "放假", "国庆"],
    ["2031-10-03", "休息日", "National Day"],
    ["2031-09-28", "调休上班", "国庆节"],  # a Sunday
    ["２０３１-１０-１１", "班", ""],  # typed full-width, a Saturday
]


def _file(tmp_path, rows, name="2031.xlsx"):
    path = tmp_path / name
    path.write_bytes(write_workbook("2031", HEADER, rows))
    return str(path)


def test_a_year_loads_from_a_file_and_loading_it_again_changes_nothing(tmp_path, office, dept_a, capsys):
    path = _file(tmp_path, GOOD)
    call_command("load_workdays", path, "--as", office.username)
    assert "2031 年工作日历已载入：6 天（新增 6，修改 0，删除 0）" in capsys.readouterr().out
    rows = CalendarDay.objects.filter(unit=office.org_unit).order_by("day")
    assert [(r.day, r.kind, r.festival) for r in rows][:3] == [
        (date(2031, 1, 1), "holiday", "new_years_day"),
        (date(2031, 9, 28), "workday", "national_day"),
        (date(2031, 10, 1), "holiday", "national_day"),
    ]
    assert CalendarYear.objects.filter(unit=office.org_unit, year=2031).exists()
    # Friday 26 September: Sunday 28 is worked, then 29, 30 September.
    assert workdays.deadline(date(2031, 9, 26), 3, unit=dept_a) == workdays.counting.Deadline(date(2031, 9, 30))
    call_command("load_workdays", path, "--as", office.username)
    assert "（新增 0，修改 0，删除 0）" in capsys.readouterr().out
    assert rows.count() == 6
    # A corrected file replaces the year: a row dropped is removed.
    call_command("load_workdays", _file(tmp_path, GOOD[:-1], "fixed.xlsx"), "--as", office.username)
    assert "（新增 0，修改 0，删除 1）" in capsys.readouterr().out
    assert [e.after["removed"] for e in AuditEvent.objects.filter(action="workdays.year_loaded").order_by("id")] == [
        0,
        0,
        1,
    ]


def test_a_file_with_a_bad_row_writes_nothing_and_names_row_column_and_reason(tmp_path, office, capsys):
    bad = [
        *GOOD,
        ["2031-02-30", "休息日", "春节"],
        ["2031-10-01", "休息日", "国庆节"],
        ["2032-01-01", "休息日", "元旦"],
        ["2031-05-01", "补假", "劳动节"],
    ]
    with pytest.raises(CommandError, match="4 个问题，未导入任何内容"):
        call_command("load_workdays", _file(tmp_path, bad), "--as", office.username)
    errors = capsys.readouterr().err
    assert "第 8 行 · 日期 · “2031-02-30”不是日期" in errors
    assert "第 9 行 · 日期 · 该日期已在第 3 行出现" in errors
    assert "第 10 行 · 日期 · 所有日期须在 2031 年内" in errors
    assert "第 11 行 · 类型 · 类型“补假”无法识别，请填写休息日或调休上班" in errors
    assert not CalendarDay.objects.filter(unit__isnull=False).exists()
    assert not CalendarYear.objects.filter(year=2031).exists()


def test_only_an_office_clerk_loads_a_year_and_the_year_asked_for_must_be_the_files(tmp_path, office, reporter):
    path = _file(tmp_path, GOOD)
    with pytest.raises(CommandError, match="not an active office clerk"):
        call_command("load_workdays", path, "--as", reporter.username)
    with pytest.raises(CommandError, match="6 个问题"):
        call_command("load_workdays", path, "--as", office.username, "--year", "2030")
    headless = tmp_path / "headless.xlsx"
    headless.write_bytes(write_workbook("2031", ["日期", "名称"], [["2031-01-01", "元旦"]]))
    with pytest.raises(CommandError, match="找不到表头：缺少“类型”列"):
        call_command("load_workdays", str(headless), "--as", office.username)
    assert not CalendarDay.objects.filter(unit__isnull=False).exists()

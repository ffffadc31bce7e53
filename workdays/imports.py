"""A year of the calendar from an .xlsx file (columns 日期, 类型, 名称): every row is checked first, and nothing
is written unless the whole file is valid; loading the same file again changes nothing."""

import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from qingdan.spreadsheets import RowError, read_rows
from qingdan.text import nfkc
from workdays.models import CalendarDay, DayKind
from workdays.services import check_day, load_year

COLUMNS = (
    ("day", gettext_noop("Date")),
    ("kind", gettext_noop("Kind of day")),
    ("name", gettext_noop("Name")),
)
# Besides the kinds' labels in both languages: the words the notices and a clerk's sheet use.
KIND_WORDS = {
    "休": DayKind.HOLIDAY,
    "放假": DayKind.HOLIDAY,
    "休息": DayKind.HOLIDAY,
    "班": DayKind.WORKDAY,
    "上班": DayKind.WORKDAY,
    "补班": DayKind.WORKDAY,
    "调休上班": DayKind.WORKDAY,
}
DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?$")


def column_titles():
    """Column key → accepted titles (Chinese first, then English)."""
    titles = {}
    for key, label in COLUMNS:
        with override("zh-hans"):
            titles[key] = (_(label), label)
    return titles


def kind_lookup():
    lookup = dict(KIND_WORDS)
    for kind in DayKind:
        lookup[kind.value] = kind
        for language in ("zh-hans", "en"):
            with override(language):
                lookup[str(kind.label)] = kind
    return {word.casefold(): kind.value for word, kind in lookup.items()}


def parse_date(text):
    """A date as typed or as Excel stores it (2027-01-01, 2027/1/1, 2027年1月1日), else None."""
    found = DATE.match(nfkc(text))
    if not found:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


@dataclass
class Plan:
    year: int | None = None
    days: list = field(default_factory=list)  # (date, kind, name)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def check_rows(rows, *, year=None):
    """Check every row; the file holds one year (``year`` when given, else that of its first date)."""
    titles = {key: names[0] for key, names in column_titles().items()}
    kinds, plan, first_row = kind_lookup(), Plan(year=year), {}
    if not rows:
        plan.errors.append(RowError(1, titles["day"], _("The file holds no dates.")))
        return plan
    for number, cells in rows:
        errors = []
        day, kind, name = parse_date(cells["day"]), kinds.get(cells["kind"].casefold()), cells["name"]
        if day is None:
            errors.append(
                RowError(
                    number, titles["day"], _("“%(text)s” is not a date such as 2027-01-01.") % {"text": cells["day"]}
                )
            )
        else:
            plan.year = plan.year or day.year
            if day.year != plan.year:
                errors.append(
                    RowError(number, titles["day"], _("Every date must lie in %(year)d.") % {"year": plan.year})
                )
            elif day in first_row:
                errors.append(
                    RowError(
                        number, titles["day"], _("The date already appears in row %(row)d.") % {"row": first_row[day]}
                    )
                )
            else:
                first_row[day] = number
        if kind is None:
            errors.append(
                RowError(
                    number,
                    titles["kind"],
                    _("Unknown kind “%(kind)s”; use %(holiday)s or %(workday)s.")
                    % {"kind": cells["kind"], "holiday": DayKind.HOLIDAY.label, "workday": DayKind.WORKDAY.label},
                )
            )
        if len(name) > CalendarDay.NAME_MAX:
            errors.append(
                RowError(
                    number,
                    titles["name"],
                    _("The name of the day is longer than %(n)d characters.") % {"n": CalendarDay.NAME_MAX},
                )
            )
        elif day is not None and kind is not None and not errors and (reason := check_day(day, kind, name)):
            errors.append(RowError(number, titles["day"], reason))
        if errors:
            plan.errors.extend(errors)
        else:
            plan.days.append((day, kind, name))
    return plan


def read_and_check(uploaded, *, year=None):
    rows = read_rows(
        uploaded,
        headers={key: names for key, names in column_titles().items() if key != "name"},
        optional={"name": column_titles()["name"]},
        max_bytes=settings.QINGDAN_MAX_IMPORT_BYTES,
    )
    return check_rows(rows, year=year)


def apply_file(uploaded, *, actor, year=None, request=None):
    """Check the file and, only when every row is valid, make it the actor's unit's days of its year. Returns the
    plan and ``(added, changed, removed)`` (None when nothing was written)."""
    plan = read_and_check(uploaded, year=year)
    if not plan.ok:
        return plan, None
    return plan, load_year(unit=actor.org_unit, year=plan.year, days=plan.days, actor=actor, request=request)

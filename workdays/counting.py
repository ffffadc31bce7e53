"""Counting working days on China's calendar, for a unit: what ``workdays.is_workday``, ``add``, ``between`` and
``uncovered_years`` answer, and the object behind them (``Calendar``).

A day is a working day when it is Monday to Friday, unless the calendar in force for the unit says otherwise:
the deepest unit on the unit's line (itself, then the units above it) with a row for that day wins, else the
national row, else the weekday decides. A year that no one on the line entered, and the software does not
know, is counted Monday to Friday: nothing fails, and ``uncovered_years`` / ``warning`` tell the page to say so.

Queries: a calendar loads what it needs a year at a time, once, into a store of rows shared by every unit: two
queries for which units hold rows in which years and which years are entered, then one per year and per
new set of units holding rows in it. Inside a request (``workdays.middleware``) or a ``cached()`` block every calendar shares one
store, so a page that counts the deadlines of a thousand demands of a county reads each year once.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.db.models.functions import ExtractYear
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workdays.models import CalendarDay, CalendarYear, DayKind

_ambient: ContextVar["Store | None"] = ContextVar("workdays_store", default=None)


class Store:
    """The rows read so far: which units hold rows, the entered years, and the rows of each year by unit."""

    def __init__(self):
        self.holders = None  # {year: ids of the units that hold rows of their own in it}
        self.entered = None  # {unit_id or None: {year, …}}
        self.rows = {}  # year → {unit_id or None: {date: CalendarDay}}
        self.merged = {}  # (unit_id or None, year) → {date: CalendarDay}: the row in force for each day

    def index(self):
        if self.holders is None:
            holders = {}
            units_years = (
                CalendarDay.objects.filter(unit__isnull=False)
                .annotate(year=ExtractYear("day"))
                .values_list("unit_id", "year")
                .order_by()
                .distinct()
            )
            for unit_id, year in units_years:
                holders.setdefault(year, set()).add(unit_id)
            entered = {}
            for unit_id, year in CalendarYear.objects.values_list("unit_id", "year"):
                entered.setdefault(unit_id, set()).add(year)
            self.holders, self.entered = holders, entered

    def line(self, unit, year):
        """The ids on ``unit``'s line that hold rows in ``year``, from the root down, after None (national)."""
        self.index()
        held = self.holders.get(year, ())
        return [None] + ([pk for pk in unit.line_ids if pk in held] if unit is not None else [])

    def in_force(self, unit, year):
        """``{date: CalendarDay}`` of ``year`` as in force for ``unit``."""
        key = (unit.pk if unit is not None else None, year)
        if key not in self.merged:
            line = self.line(unit, year)
            held = self.rows.setdefault(year, {})
            missing = [pk for pk in line if pk not in held]
            if missing:
                wanted = Q(unit_id__in=[pk for pk in missing if pk is not None])
                if None in missing:
                    wanted |= Q(unit__isnull=True)
                for pk in missing:
                    held[pk] = {}
                rows = CalendarDay.objects.filter(wanted, day__gte=date(year, 1, 1), day__lte=date(year, 12, 31))
                for row in rows.only("id", "unit_id", "day", "kind", "festival", "name"):
                    held[row.unit_id][row.day] = row
            merged = {}
            for pk in line:  # the national rows first, then each unit below overrides
                merged.update(held[pk])
            self.merged[key] = merged
        return self.merged[key]

    def entered_by(self, unit, year):
        """Who entered ``year`` for ``unit``: ``(national, [unit ids on the line that marked it])``."""
        self.index()
        ids = unit.line_ids if unit is not None else []
        return year in self.entered.get(None, ()), [pk for pk in ids if year in self.entered.get(pk, ())]


@contextmanager
def cached():
    """Share one store among every calendar inside the block (a request, a scan, a command); a change made
    through ``workdays.services`` inside it is seen at once."""
    if _ambient.get() is not None:
        yield
        return
    token = _ambient.set(Store())
    try:
        yield
    finally:
        _ambient.reset(token)


def forget():
    """Drop what the current block has read (after a change)."""
    if _ambient.get() is not None:
        _ambient.set(Store())


def _as_date(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def format_years(years):
    joiner = "、" if (translation.get_language() or "").startswith("zh") else ", "
    return joiner.join(str(year) for year in years)


def warning_for(years):
    """The sentence a page shows when ``years`` are counted Monday to Friday; "" when there are none."""
    if not years:
        return ""
    return _(
        "The holiday arrangement of %(years)s has not been entered yet; deadlines are counted Monday to Friday."
    ) % {"years": format_years(years)}


@dataclass(frozen=True)
class Deadline:
    """A date ``n`` working days after a start, and the years on the way that were counted Monday to Friday."""

    due: date
    uncovered: list = field(default_factory=list)

    @property
    def warning(self):
        return warning_for(self.uncovered)


class Calendar:
    """The working days of one unit (``None``: the national calendar alone)."""

    def __init__(self, unit=None, *, store=None):
        self.unit = unit
        self.store = store or _ambient.get() or Store()

    def row(self, day):
        """The ``CalendarDay`` in force for ``day`` (``row.unit_id`` says whose: None is national), or None."""
        day = _as_date(day)
        return self.store.in_force(self.unit, day.year).get(day)

    def is_workday(self, day):
        day = _as_date(day)
        row = self.row(day)
        if row is not None:
            return row.kind == DayKind.WORKDAY
        return day.weekday() < 5

    def add(self, start, n):
        """The date ``n`` working days after ``start`` (``start`` itself not counted; ``n`` < 0 counts back,
        ``n`` = 0 is ``start``)."""
        day, left, step = _as_date(start), abs(n), (1 if n >= 0 else -1)
        while left:
            day += timedelta(days=step)
            if self.is_workday(day):
                left -= 1
        return day

    def between(self, start, end):
        """The working days after ``start`` up to and including ``end``, so that ``between(s, add(s, n)) == n``;
        negative when ``end`` is before ``start``."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.between(end, start)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count

    def deadline(self, start, n):
        """``add(start, n)`` with the years it crossed that no one entered."""
        due = self.add(start, n)
        return Deadline(due=due, uncovered=self.uncovered_years(start, due))

    def covers(self, year):
        national, units = self.store.entered_by(self.unit, year)
        return national or bool(units)

    def uncovered_years(self, start, end):
        """The years from ``start`` to ``end`` (either order) whose arrangement is not entered for the unit."""
        first, last = sorted((_as_date(start).year, _as_date(end).year))
        return [year for year in range(first, last + 1) if not self.covers(year)]

    def warning(self, start, end):
        return warning_for(self.uncovered_years(start, end))

    def year_rows(self, year):
        """The rows in force in ``year``, by date: what the page lists."""
        return [row for _day, row in sorted(self.store.in_force(self.unit, year).items())]

    def entered_by(self, year):
        return self.store.entered_by(self.unit, year)

"""The demo's calendar: the demo writes its history relative to the day it is loaded, so that a newcomer in
any month sees a coherent year (lists issued over the past months, each event on its own day, a few items
just overdue, the last assessed half-year published and the year's round open).

Each step of that history runs inside ``clock.at(moment)``, so services, field defaults and document
numbers all carry the step's own moment.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from qingdan import clock

# An assessment takes weeks after its period ends: a half-year is assessed once this many days have passed.
ASSESSMENT_DAYS = 30


def moment(day, hour=9, minute=0):
    """``day`` at ``hour``:``minute`` in the federation's time zone, but never later than the moment the demo is
    loaded (the machine's clock, not an enclosing ``clock.at``): a step written for this afternoon, loaded this
    morning, happens now rather than in the future."""
    return min(timezone.make_aware(datetime.combine(day, time(hour, minute))), clock.outside_now())


def add_months(day, months):
    """The same day of the month ``months`` later (earlier when negative), kept within the month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def workday(day):
    """``day``, or the Monday after it when it falls on a weekend."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def days_between(first, last, count, rng):
    """``count`` distinct days from ``first`` to ``last`` (inclusive), in order; fewer when the span is shorter."""
    span = (last - first).days + 1
    if span <= 0:
        return []
    return [first + timedelta(days=n) for n in sorted(rng.sample(range(span), min(count, span)))]


@dataclass(frozen=True)
class Half:
    """A half-year: ``number`` 1 (January–June) or 2 (July–December) of ``year``."""

    year: int
    number: int

    @property
    def start(self):
        return date(self.year, 1 if self.number == 1 else 7, 1)

    @property
    def end(self):
        return date(self.year, 6, 30) if self.number == 1 else date(self.year, 12, 31)

    @property
    def name(self):
        return f"{self.year}年{'上' if self.number == 1 else '下'}半年"

    def day(self, month, day):
        """The ``day`` of the half's ``month``-th month (1–6; 7 and on run into the half after it)."""
        return add_months(date(self.start.year, self.start.month, day), month - 1)


def assessed_half(today=None):
    """The last half-year whose assessment is over by ``today``: it ended at least ``ASSESSMENT_DAYS`` ago."""
    today = today or clock.today()
    half = Half(today.year, 2)
    while half.end + timedelta(days=ASSESSMENT_DAYS) > today:
        half = Half(half.year, 1) if half.number == 2 else Half(half.year - 1, 2)
    return half

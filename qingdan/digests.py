"""The registry of digest lines: what each area offers the weekly digest (``overview.digest``).

An area declares in its ``digest.py`` one function that, for a user and a week, says what changed in the user's
subtree that week and what is overdue now, each as lines naming the record, its unit and the days of delay::

    @digest_source("checklists", _("Responsibility lists"), position=10)
    def closeout(user, start, end, today) -> Offer: ...

The area scopes every line itself with its own read paths (``visible_items``, ``visible_demands`` ...) and leaves
out the user's own actions; the digest reads only this module and never the areas' tables. Changed lines are
counted per kind in full, but only the first ``PER_QUERY`` of each query are kept as lines, so a province's week
does not load every row.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

PER_QUERY = 200  # lines an area keeps of one query; the counts say how many there are in all


@dataclass(frozen=True)
class Line:
    text: str
    url: str = ""
    unit: str = ""
    delay: int = 0  # days past the deadline (overdue lines); 0 for what changed
    day: date | None = None  # when it changed, or the deadline that was missed


@dataclass
class Offer:
    """What one area offers for one user and week."""

    changed: list[Line] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # changed records per kind (a label), all of them
    overdue: list[Line] = field(default_factory=list)
    overdue_total: int = 0  # overdue records in all, of which ``overdue`` holds at most PER_QUERY per query

    def add_changed(self, label, rows, line):
        """Count ``rows`` (a query) under ``label`` and keep the first of them as lines made by ``line(row)``."""
        total = rows.count()
        if total:
            self.counts[str(label)] = self.counts.get(str(label), 0) + total
            self.changed.extend(line(row) for row in rows[:PER_QUERY])

    def add_overdue(self, rows, line):
        """Count ``rows`` (a query ordered most overdue first) and keep the first of them as lines."""
        total = rows.count()
        if total:
            self.overdue_total += total
            self.overdue.extend(line(row) for row in rows[:PER_QUERY])


@dataclass
class Source:
    area: str
    label: str
    position: int
    offer: object


_REGISTRY: dict[str, Source] = {}


def digest_source(area, label, *, position=100):
    """Register the decorated ``(user, start, end, today) -> Offer`` as ``area``'s part of the digest."""

    def register(func):
        _REGISTRY[area] = Source(area=area, label=label, position=position, offer=func)
        return func

    return register


_discovered = False


def sources():
    """Every installed area's source, in the order the digest shows them."""
    global _discovered
    if not _discovered:
        autodiscover_modules("digest")
        _discovered = True
    found = [source for source in _REGISTRY.values() if apps.is_installed(source.area)]
    return sorted(found, key=lambda source: (source.position, source.area))


def week_bounds(start, end):
    """The aware moments ``[from, to)`` of the days ``start`` .. ``end`` in the federation's time zone."""
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
    )


def local_day(moment):
    return timezone.localdate(moment) if moment else None


def labelled(label, record):
    """A changed line's text: its kind, then the record (``已销号事项：开展技能竞赛``)."""
    return _("%(kind)s: %(record)s") % {"kind": label, "record": record}

"""The registry of metrics: named figures each area computes from its own records.

An area (``checklists``, ``surveys``, later ``cases`` and ``assistance``) declares its metrics in
its ``metrics.py`` with ``@metric``; ``scoring`` and dashboards read them through ``available()``
and never reach into the area's tables themselves. A metric is computed for many units at once,
each over its whole subtree, for a period, and names the records behind every value so a score
can be traced back to them.

    @metric("close_out_rate", _("Close-out rate"), kind=RATE, doc=_("Closed ÷ issued ..."))
    def close_out_rate(units, start, end) -> dict[unit_id, Value]: ...

    @close_out_rate.records
    def _(unit, start, end) -> RecordPage: ...
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

RECORDS_SHOWN = 200  # rows a drill-down lists; the total says how many more there are

RATE = "rate"  # numerator ÷ denominator, 0..1
COUNT = "count"  # events counted in the period
DATE = "date"  # the day a condition came to hold, or none


@dataclass(frozen=True)
class Value:
    """A metric's value for one unit: a rate keeps its numerator and denominator, a count its
    number, a date-kind metric the day its condition held."""

    numerator: int = 0
    denominator: int = 0
    day: date | None = None

    @property
    def rate(self):
        return Decimal(self.numerator) / Decimal(self.denominator) if self.denominator else None

    @property
    def count(self):
        return self.numerator


@dataclass(frozen=True)
class Record:
    """One record behind a value, as the drill-down lists it."""

    day: date | None
    text: str
    url: str = ""
    counted: bool = True  # in the numerator (or the count) rather than only in the denominator


@dataclass
class RecordPage:
    rows: list[Record] = field(default_factory=list)
    total: int = 0  # all the records, of which ``rows`` shows the first ``RECORDS_SHOWN``


@dataclass
class Metric:
    key: str
    label: str
    kind: str
    area: str
    doc: str
    compute: object
    records_of: object = None

    def records(self, func):
        self.records_of = func
        return func

    def __call__(self, units, start, end):
        return self.compute(units, start, end)


_REGISTRY: dict[str, Metric] = {}

# Metrics whose area is not built yet: shown so a rubric's author knows they are coming, never choosable.
PLANNED = {
    "demand_resolution_rate": (_("Demand resolution rate"), RATE, "cases"),
    "hardship_exit_rate": (_("Hardship exit rate"), RATE, "assistance"),
    "hardship_all_exited_on": (_("Day all hardship families of the unit were out of hardship"), DATE, "assistance"),
}


def metric(key, label, *, kind, doc):
    """Register the decorated function ``(units, start, end) -> {unit_id: Value}`` as a metric."""

    def register(func):
        area = func.__module__.split(".")[0]
        entry = Metric(key=key, label=label, kind=kind, area=area, doc=doc, compute=func)
        _REGISTRY[key] = entry
        return entry

    return register


_discovered = False


def _discover():
    global _discovered
    if not _discovered:
        autodiscover_modules("metrics")
        _discovered = True


def available():
    """Every metric an installed area provides, by key."""
    _discover()
    return {key: entry for key, entry in _REGISTRY.items() if apps.is_installed(entry.area)}


def get(key):
    """The metric ``key``, or None when no installed area provides it."""
    return available().get(key)


def planned():
    """Metrics named for areas not built yet: ``[(key, label, kind, area)]``."""
    ready = available()
    return [(key, label, kind, area) for key, (label, kind, area) in PLANNED.items() if key not in ready]

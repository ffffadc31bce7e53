"""Figures of the demands and disputes area over what a user reads (``cases.scope.visible_*``) in a period.

Demands accepted, resolved, replied (on time), rated (satisfied); disputes accepted, agreements, amounts agreed and
paid, workers involved, red disputes unresolved, and their spread by colour, level, type and outcome; letters issued
and answered by kind — in total and by group: the units directly below the user's unit (each rolled up over its
subtree, plus what is registered at the user's unit itself), the enterprise, or the month (every month of the
period, an empty one as 0).

Every figure names the list filters (``cases.scope.filter_*``) that select the records behind it: a figure's link
shows exactly the rows it counts (``Measure.params`` added to the group's and the period's). A fixed number of
queries whatever the number of units: one aggregate per kind of record and grouping, units rolled up in Python.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from cases import scope
from cases.models import (
    Demand,
    DemandResult,
    Dispute,
    DisputeKind,
    Enterprise,
    Letter,
    LetterStatus,
    Outcome,
)
from cases.models.disputes import COLOURS, LEVELS
from cases.models.letters import LETTER_ORDER
from orgs.models import OrgUnit
from orgs.queries import holds_every_unit
from orgs.services import PATH_DIGITS
from qingdan import clock

GROUPS = {
    "unit": _("Unit below"),
    "enterprise": _("Enterprise"),
    "month": _("Month"),
}
DEFAULT_GROUP = "unit"
FIRST_YEAR = 2000
MONTHS_MAX = 120  # a period of ten years at most: the month chart stays readable


# --- the period -----------------------------------------------------------------------------------------------


def _next_month(day):
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    start: date  # the first day
    end: date  # the first day after it

    @property
    def first(self):
        return f"{self.start:%Y-%m}"

    @property
    def last(self):
        last = date(self.end.year - (self.end.month == 1), (self.end.month - 2) % 12 + 1, 1)
        return f"{last:%Y-%m}"

    @property
    def params(self):
        return {"from": self.first, "to": self.last}

    @property
    def year(self):
        """The calendar year the period is, or None."""
        whole = self.start.month == 1 and self.end == date(self.start.year + 1, 1, 1)
        return self.start.year if whole else None

    def months(self):
        month, months = self.start, []
        while month < self.end:
            months.append(month)
            month = _next_month(month)
        return months

    def __str__(self):
        return str(self.year) if self.year else f"{self.first} ~ {self.last}"


def period_of(params, today=None):
    """The period a query string asks for: ``from``/``to`` (YYYY-MM, both included) when both are valid, else
    ``year``, else this year. A reversed range is put the right way round; one longer than ten years is cut."""
    today = today or clock.today()
    since, until = scope.months_of(params)
    if since and until:
        if until <= since:  # ``to`` before ``from``: the months between them, both included
            since, until = date(until.year - (until.month == 1), (until.month - 2) % 12 + 1, 1), _next_month(since)
        period = Period(since, until)
        months = period.months()
        if len(months) > MONTHS_MAX:
            period = Period(since, months[MONTHS_MAX])
        return period
    year = params.get("year", "")
    year = int(year) if str(year).isdigit() and FIRST_YEAR <= int(year) <= today.year + 1 else today.year
    return Period(date(year, 1, 1), date(year + 1, 1, 1))


def years(today=None):
    today = today or clock.today()
    return list(range(today.year, FIRST_YEAR - 1, -1))[:12]


# --- what is measured -----------------------------------------------------------------------------------------

COUNT, MONEY, RATE = "count", "money", "rate"


@dataclass(frozen=True)
class Measure:
    name: str
    title: str
    kind: str = COUNT
    params: dict = field(default_factory=dict)  # the list filters selecting its records, beside the group's
    condition: Q | None = None  # the records counted (counts) or summed (money); None: all
    summed: str = ""  # the field a money figure adds up
    ratio: tuple = ()  # a rate: (numerator, denominator) measure names; it links to the numerator's records


ACCEPTED = Q(status__in=scope.ACCEPTED)
RESOLVED = Q(result=DemandResult.RESOLVED)
AGREEMENT = Q(outcome=Outcome.AGREEMENT)
RED_OPEN = Q(colour="red", status__in=scope.OPEN_DISPUTE)

DEMAND_MEASURES = (
    Measure("accepted", _("Demands accepted"), params={"accepted": "1"}, condition=ACCEPTED),
    Measure("resolved", _("Resolved"), params={"result": DemandResult.RESOLVED}, condition=RESOLVED),
    Measure("resolution_rate", _("Resolution rate"), RATE, ratio=("resolved", "accepted")),
    Measure("replied", _("Replied"), params={"replied": "1"}, condition=Q(replied_at__isnull=False)),
    Measure("on_time", _("Replied on time"), params={"on_time": "1"}, condition=Q(replied_on_time=True)),
    Measure("on_time_rate", _("On-time reply rate"), RATE, ratio=("on_time", "replied")),
    Measure("rated", _("Rated"), params={"rated": "any"}, condition=~Q(rating="")),
    Measure("satisfied", _("Satisfied"), params={"rated": "1"}, condition=Q(rating__in=scope.SATISFIED)),
    Measure("satisfaction", _("Satisfaction"), RATE, ratio=("satisfied", "rated")),
)
DISPUTE_MEASURES = (
    Measure("accepted", _("Disputes accepted")),
    Measure("agreements", _("Agreements"), params={"outcome": Outcome.AGREEMENT}, condition=AGREEMENT),
    Measure(
        "agreed",
        _("Amount agreed"),
        MONEY,
        params={"outcome": Outcome.AGREEMENT},
        condition=AGREEMENT,
        summed="amount_agreed",
    ),  # fmt: skip
    Measure(
        "paid",
        _("Amount paid"),
        MONEY,
        params={"outcome": Outcome.AGREEMENT},
        condition=AGREEMENT,
        summed="amount_paid",
    ),  # fmt: skip
    Measure("workers", _("Workers involved"), summed="workers"),
    Measure("red_open", _("Red, unresolved"), params={"colour": "red", "open": "1"}, condition=RED_OPEN),
)
LETTER_MEASURES = tuple(
    measure
    for kind in LETTER_ORDER
    for measure in (
        Measure(f"issued_{kind}", kind.label, params={"kind": kind.value}, condition=Q(kind=kind)),
        Measure(
            f"answered_{kind}", _("answered"), params={"kind": kind.value, "status": LetterStatus.ANSWERED},
            condition=Q(kind=kind, status=LetterStatus.ANSWERED),
        ),  # fmt: skip
    )
) + (
    Measure("issued", _("Letters issued")),
    Measure("answered", _("Letters answered"), params={"status": LetterStatus.ANSWERED},
            condition=Q(status=LetterStatus.ANSWERED)),
)  # fmt: skip

# The three kinds of record: (visible, filter, day field, unit field, measures, list page).
KINDS = {
    "demands": (scope.visible_demands, scope.filter_demands, "received_on", "org_unit", DEMAND_MEASURES),
    "disputes": (scope.visible_disputes, scope.filter_disputes, "received_on", "org_unit", DISPUTE_MEASURES),
    "letters": (scope.visible_letters, scope.filter_letters, "issued_on", "issuing_unit", LETTER_MEASURES),
}
KINDS_MODELS = {"demands": Demand, "disputes": Dispute, "letters": Letter}
LIST_PAGES = {"demands": "cases:demands", "disputes": "cases:disputes", "letters": "cases:letters"}

# The disputes' spread (total only): (field, title, the choices in their order).
SPREADS = (
    ("colour", _("Warning colour"), COLOURS),
    ("level", _("Mediation level"), LEVELS),
    ("kind", _("Type"), list(DisputeKind)),
    ("outcome", _("Outcome"), list(Outcome)),
)


def _aggregates(measures):
    result = {}
    for m in measures:
        if m.kind == RATE:
            continue
        if m.summed:
            result[m.name] = Sum(m.summed, filter=m.condition) if m.condition is not None else Sum(m.summed)
        else:
            result[m.name] = Count("id", filter=m.condition) if m.condition is not None else Count("id")
    return result


@dataclass
class Row:
    """One group's figures (or the total): ``values[kind][measure]`` and the list filters selecting the group."""

    key: object
    label: str
    params: dict
    values: dict = field(default_factory=dict)

    def value(self, kind, name):
        measure = MEASURES[kind][name]
        if measure.kind == RATE:
            numerator, denominator = (self.values[kind].get(n) or 0 for n in measure.ratio)
            return Decimal(numerator) / Decimal(denominator) if denominator else None
        raw = self.values[kind].get(name) or 0
        return Decimal(raw).quantize(Decimal("0.01")) if measure.kind == MONEY else int(raw)

    def filters(self, kind, name):
        """The list filters selecting the records behind a figure (a rate's: its numerator's)."""
        measure = MEASURES[kind][name]
        if measure.kind == RATE:
            measure = MEASURES[kind][measure.ratio[0]]
        return {**self.params, **measure.params}

    def empty(self):
        return not any(self.values[kind].get(m.name) for kind, measures in MEASURE_LISTS for m in measures)


MEASURE_LISTS = tuple((kind, spec[4]) for kind, spec in KINDS.items())
MEASURES = {kind: {m.name: m for m in measures} for kind, measures in MEASURE_LISTS}


def _zero(kind):
    return {m.name: 0 for m in MEASURES[kind].values() if m.kind != RATE}


def _add(target, values):
    for name, value in values.items():
        target[name] = (target.get(name) or 0) + (value or 0)


@dataclass
class Figures:
    period: Period
    group: str
    total: Row
    rows: list
    spreads: list  # [(field, title, [(choice, count)])]
    unit: OrgUnit | None


def _records(user, kind, period, everything=False):
    """The records of ``kind`` the user reads in the period. ``everything``: the user's unit is the only root, so
    they read every record, and a filter on the path (which at a province's scale costs more than the count) is
    left out."""
    visible, _filter, day, _unit_field, _measures = KINDS[kind]
    records = KINDS_MODELS[kind].objects.all() if everything else visible(user)
    return records.filter(**{f"{day}__gte": period.start, f"{day}__lt": period.end})


def compute(user, unit, params=None, today=None, group=None):
    """The figures of what ``user`` reads (``unit`` their root unit, None: nothing) in the period ``params`` ask
    for, grouped by ``group``."""
    params = params or {}
    period = period_of(params, today)
    group = group if group in GROUPS else DEFAULT_GROUP
    total = Row(key=None, label=str(_("Total")), params=period.params)
    if unit is None:
        total.values = {kind: _zero(kind) for kind in KINDS}
        return Figures(period, group, total, [], [], None)
    everything = holds_every_unit(unit)
    rows = {"unit": _by_unit, "enterprise": _by_enterprise, "month": _by_month}[group](user, unit, period, everything)
    for kind in KINDS:
        if group == "unit" and kind != "demands":
            # A dispute or letter is read by the subtree it is registered in, and each lies in exactly one group
            # of the units below (or the unit itself): the total is their sum, with no other pass over the rows.
            total.values[kind] = _zero(kind)
            for row in rows:
                _add(total.values[kind], row.values[kind])
            continue
        total.values[kind] = _total_of(user, kind, period, everything)
    spreads = _spreads(user, period, everything)
    return Figures(period, group, total, rows, spreads, unit)


def _total_of(user, kind, period, everything):
    measures = KINDS[kind][4]
    return {**_zero(kind), **_records(user, kind, period, everything).aggregate(**_aggregates(measures))}


def totals(user, unit, kinds, params=None, today=None):
    """The total row of ``compute`` for ``kinds`` alone (the overview's cards), one aggregate per kind and no group:
    by unit, ``compute`` adds a dispute's or letter's total up from the groups, in each of which a record lies
    exactly once, so the aggregate over the same records is the same number."""
    period = period_of(params or {}, today)
    total = Row(key=None, label=str(_("Total")), params=period.params)
    everything = unit is not None and holds_every_unit(unit)
    total.values = {
        kind: _total_of(user, kind, period, everything) if unit is not None else _zero(kind) for kind in kinds
    }
    return total


def _spreads(user, period, everything=False):
    names = [name for name, _title, _choices in SPREADS]
    counts = {name: {} for name in names}
    for row in _records(user, "disputes", period, everything).values(*names).annotate(n=Count("id")).order_by():
        for name in names:
            counts[name][row[name]] = counts[name].get(row[name], 0) + row["n"]
    return [
        (name, title, [(choice, counts[name].get(choice.value, 0)) for choice in choices])
        for name, title, choices in SPREADS
    ]


def _by_unit(user, unit, period, everything=False):
    """The units directly below ``unit``, each over its subtree, and ``unit`` itself for what is registered at it;
    records registered outside the subtree (a demand another unit sent here to handle) are in the total only."""
    children = list(OrgUnit.objects.filter(parent=unit).order_by("path").only("name", "code", "path"))
    rows = {child.path: Row(child.pk, child.name, {**period.params, "unit": str(child.pk)}) for child in children}
    own = Row(unit.pk, str(_("%(unit)s (registered directly)") % {"unit": unit.name}),
              {**period.params, "unit": str(unit.pk), "own": "1"})  # fmt: skip
    width = len(unit.path) + PATH_DIGITS + 1
    for row in (own, *rows.values()):
        row.values = {kind: _zero(kind) for kind in KINDS}
    for kind, (_v, _f, _d, unit_field, measures) in KINDS.items():
        grouped = (
            _records(user, kind, period, everything)
            .values(unit_field)
            .annotate(path=Min(f"{unit_field}__path"), **_aggregates(measures))
            .order_by()
        )
        for values in grouped:
            path = values.pop("path")
            values.pop(unit_field)
            if path == unit.path:
                _add(own.values[kind], values)
            elif path.startswith(unit.path) and path[:width] in rows:
                _add(rows[path[:width]].values[kind], values)
    # The busiest units first (as the chart reads best), then in the tree's order.
    result = sorted(rows.values(), key=lambda r: -_activity(r))
    return [own, *result] if not own.empty() else result


def _activity(row):
    return row.values["demands"]["accepted"] + row.values["disputes"]["accepted"] + row.values["letters"]["issued"]


def _by_enterprise(user, unit, period, everything=False):
    """Every enterprise with a record in the period: most demands and disputes first."""
    found = {}
    for kind, (_v, _f, _d, _u, measures) in KINDS.items():
        grouped = (
            _records(user, kind, period, everything).values("enterprise").annotate(**_aggregates(measures)).order_by()
        )
        for values in grouped:
            key = values.pop("enterprise")
            row = found.get(key)
            if row is None:
                row = found[key] = Row(key, "", {**period.params, "enterprise": str(key)})
                row.values = {k: _zero(k) for k in KINDS}
            _add(row.values[kind], values)
    names = dict(Enterprise.objects.filter(pk__in=list(found)).values_list("pk", "name")) if found else {}
    for key, row in found.items():
        row.label = names.get(key, "")
    return sorted(
        found.values(),
        key=lambda r: (-(r.values["demands"]["accepted"] + r.values["disputes"]["accepted"]), r.label, r.key),
    )


def _by_month(user, unit, period, everything=False):
    rows = {month: Row(month, f"{month:%Y-%m}", {"month": f"{month:%Y-%m}"}) for month in period.months()}
    for row in rows.values():
        row.values = {kind: _zero(kind) for kind in KINDS}
    for kind, (_v, _f, day, _u, measures) in KINDS.items():
        grouped = (
            _records(user, kind, period, everything)
            .annotate(month=TruncMonth(day))
            .values("month")
            .annotate(**_aggregates(measures))
            .order_by()
        )
        for values in grouped:
            month = values.pop("month")
            if hasattr(month, "date"):
                month = month.date()
            if month in rows:
                _add(rows[month].values[kind], values)
    return list(rows.values())


def chart_data(figures, rows):
    """What the charts draw: the groups' figures (every unit, every month; an enterprise page's rows)."""

    def series(kind, name):
        values = [row.value(kind, name) for row in rows]
        if MEASURES[kind][name].kind == RATE:
            return [None if v is None else round(float(v) * 100, 1) for v in values]
        return [float(v) if MEASURES[kind][name].kind == MONEY else v for v in values]

    return {
        "line": figures.group == "month",
        "names": [row.label for row in rows],
        "demands": {n: series("demands", n) for n in ("accepted", "resolved", "resolution_rate")},
        "disputes": {n: series("disputes", n) for n in ("accepted", "agreements", "paid")},
        "letters": {n: series("letters", n) for n in ("issued", "answered")},
        "spreads": {
            name: {
                "names": [str(choice.label) for choice, _n in counts],
                "keys": [choice.value for choice, _n in counts],
                "values": [n for _choice, n in counts],
            }
            for name, _title, counts in figures.spreads
        },  # fmt: skip
        "kinds": {
            "names": [str(kind.label) for kind in LETTER_ORDER],
            "issued": [figures.total.value("letters", f"issued_{kind}") for kind in LETTER_ORDER],
            "answered": [figures.total.value("letters", f"answered_{kind}") for kind in LETTER_ORDER],
        },
    }


def wan(amount):
    """Yuan as 万元 with two decimals: 1040000 → ``104.00万元``."""
    return f"{Decimal(amount or 0) / 10000:,.2f}万元"


# For bench/cases_bench.py and the tests: the figures as plain numbers.
def as_numbers(figures):
    def numbers(row):
        return {
            kind: {name: row.value(kind, name) for name, m in MEASURES[kind].items() if m.kind != RATE}
            for kind in KINDS
        }

    return {"total": numbers(figures.total), "rows": {str(row.key): numbers(row) for row in figures.rows}}

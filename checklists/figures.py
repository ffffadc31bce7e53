"""Figures of the close-out area over the items a unit's subtree is responsible for.

issued, applied (items that ever applied), closed, close-out rate (closed ÷ issued), first-pass
rate (closed with no rectification ÷ closed), overdue now, urgings sent, rectifications, mean
satisfaction (over the items that have a value) — in total and grouped by responsible unit,
category, issuing office or month of issue. Every figure names the item-list filters that
select the items behind it (``FIGURE_FILTERS``; ``filter_items`` applies them).

All but "overdue now" are added up from the rows ``checklists.tally`` keeps; "overdue now" depends
on today and is counted from the items, through the (status, deadline) index.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connections
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from checklists import rules
from checklists.models import Category, Item, ItemStatus, ItemTally, UnitLoad
from checklists.queries import is_id as _is_id
from checklists.tally import RATE_SCALE, TALLY_COUNTS
from checklists.workflow import URGEABLE
from orgs import rules as org_rules
from orgs.models import OrgUnit
from orgs.queries import holds_every_unit, subtree_rollup, within, within_all
from qingdan import clock
from qingdan.pages import PAGE_SIZE

GROUPS = {
    "unit": _("Responsible unit"),
    "category": _("Category"),
    "office": _("Issuing office"),
    "month": _("Month of issue"),
}
DEFAULT_GROUP = "unit"

# The item-list filters behind each figure (GET parameters of "checklists:items"), added to the group's.
FIGURE_FILTERS = {
    "issued": {},
    "applied": {"applied": "1"},
    "closed": {"closed": "1"},
    "close_rate": {"closed": "1"},
    "first_pass": {"first_pass": "1"},
    "first_pass_rate": {"first_pass": "1"},
    "overdue": {"overdue": "1"},
    "urgings": {"urged": "1"},
    "rectifications": {"rectified": "1"},
    "satisfaction": {"rated": "1"},
}


def overdue_q(today):
    """Overdue now: past the deadline with no application pending (the items that get urged)."""
    return Q(status__in=URGEABLE, deadline__lt=today)


MEASURES = ("issued", "applied", "closed", "first_pass", "overdue", "urgings", "rectifications", "satisfaction")
SUMMED = MEASURES[:-1]


@dataclass
class Figures:
    issued: int = 0
    applied: int = 0
    closed: int = 0
    first_pass: int = 0
    overdue: int = 0
    urgings: int = 0
    rectifications: int = 0
    satisfaction: float | None = None
    key: object = None  # the group's value: a unit or category id, a month's first day
    label: str = ""
    code: str = ""  # a unit's code, a month as 2026-09: how the API names the group
    params: dict = field(default_factory=dict)  # the item-list filters selecting the group

    @property
    def close_rate(self):
        return self.closed / self.issued if self.issued else None

    @property
    def first_pass_rate(self):
        return self.first_pass / self.closed if self.closed else None

    def filters(self, figure):
        return {**self.params, **FIGURE_FILTERS[figure]}


def _group_figures(row, **extra):
    rated = row["rated"]
    return Figures(
        **{name: row[name] or 0 for name in SUMMED},
        satisfaction=row["satisfaction_sum"] / RATE_SCALE / rated if rated else None,
        **extra,
    )


# The kept column and the item expression of each grouping.
_KEYS = {
    "unit": ("responsible_unit", F("responsible_unit")),
    "category": ("category_key", Coalesce("checklist__category", 0)),
    "office": ("issuing_unit", F("checklist__issuing_unit")),
    "month": ("month", TruncMonth("checklist__issued_on")),
}
_GROUP_UNIT = ("unit", "office")  # groups labelled by a unit's name and code
_SUMS = (*SUMMED, "rated", "satisfaction_sum")


def table(unit, group, today=None):
    """``(total, rows)``: the figures of the items ``unit``'s subtree is responsible for, in total
    and per group (every item falls in exactly one group). ``unit`` None: nothing.

    Categories and months come as a list. Units and offices come as ``UnitGroups``, the units behind
    first and read a slice at a time: a province has 53,652 responsible units, a page shows 50."""
    today = today or clock.today()
    if unit is None:
        return Figures(), []
    column, expression = _KEYS[group]
    scope = Q() if holds_every_unit(unit) else within(unit, "responsible_unit")
    kept = (
        ItemTally.objects.filter(scope)
        .values(group_key=F(column))
        .annotate(**{name: Sum(name) for name in TALLY_COUNTS})
        .order_by()
    )
    overdue = Item.objects.filter(overdue_q(today), scope)
    # The items behind the total and every group but a unit's: those of the subtree (not the lists it
    # helps on as a co-unit, which the item list shows too).
    subtree = {"unit": str(unit.pk), "below": "1"}
    if group in _GROUP_UNIT:
        rows = UnitGroups(kept, overdue, group, subtree)
        return rows.total, rows
    rows = list(kept)
    late = _per_group(overdue, expression)
    for row in rows:
        row["overdue"] = late.get(row["group_key"], 0)
    total = _group_figures({name: sum(row[name] or 0 for row in rows) for name in _SUMS}, params=subtree)
    return total, _labelled(rows, group, subtree)


def total(unit, today=None):
    """``table(unit, group)``'s total without its groups (the overview's cards): the kept rows summed and the items
    overdue now counted, in two queries."""
    today = today or clock.today()
    if unit is None:
        return Figures()
    scope = Q() if holds_every_unit(unit) else within(unit, "responsible_unit")
    sums = ItemTally.objects.filter(scope).aggregate(**{name: Sum(name) for name in TALLY_COUNTS})
    sums = {name: int(sums[name] or 0) for name in TALLY_COUNTS}  # PostgreSQL may sum as numeric
    overdue = Item.objects.filter(overdue_q(today), scope).count()
    return _group_figures({**sums, "overdue": overdue}, params={"unit": str(unit.pk), "below": "1"})


def close_out_by_subtree(units):
    """``{unit id: Value(closed, issued)}`` of each unit's subtree, from the kept rows ``table`` adds up: the
    overview's ranking of the units below reads what 统计 shows for each, from a county's 2,000 kept rows
    instead of its 20,000 items."""
    rows = (
        ItemTally.objects.filter(within_all(units, "responsible_unit"))
        .values("responsible_unit")
        .annotate(path=Min("responsible_unit__path"), n=Sum("closed"), d=Sum("issued"))
        .values_list("path", "n", "d")
        .order_by()
    )
    return subtree_rollup(units, rows)


def closed_by_month(unit):
    """``{month of issue: items closed}`` of the items ``unit``'s subtree is responsible for: the ``closed`` of
    ``table(unit, "month")``, from the same kept rows."""
    scope = Q() if holds_every_unit(unit) else within(unit, "responsible_unit")
    rows = ItemTally.objects.filter(scope).values_list("month").annotate(n=Sum("closed")).order_by()
    return {month: n or 0 for month, n in rows}


class UnitGroups:
    """The groups of a unit or office grouping, the ones behind first: lowest close-out rate, then most
    items still open, then id (groups that were issued nothing come last). Read a slice at a time
    (``Paginator`` and ``chart_data`` slice it; iterating reads them all). The first slice comes with
    the number of groups and their total, in the same query (``top``).

    A leader reads the table and the chart to see whom to chase: ordered by items issued, the unit at
    12% came 40th of 86 and out of the chart."""

    ORDER = (
        "CASE WHEN g.issued > 0 THEN CAST(g.closed AS FLOAT) / g.issued ELSE 2 END, "
        "g.issued - g.closed DESC, g.group_key"
    )

    def __init__(self, kept, overdue, group, subtree, first=None):
        self.kept, self.overdue, self.group, self.subtree = kept, overdue, group, subtree
        first = first or PAGE_SIZE
        rows, self.groups, sums = top(kept, self.ORDER, 0, first, TALLY_COUNTS)
        self.total = _group_figures({**sums, "overdue": overdue.count()}, params=subtree)
        self._window = (0, first, self._labelled(rows))  # the slice read last: a page holds the chart's groups

    def __len__(self):
        return self.groups

    def count(self):
        return self.groups

    def __iter__(self):
        return iter(self[0 : self.groups])

    def __getitem__(self, index):
        if isinstance(index, int):
            position = index + self.groups if index < 0 else index
            return self[position : position + 1][0]
        start, stop, _step = index.indices(self.groups)
        first, last, rows = self._window
        if not (first <= start and stop <= last):
            first, last, rows = self._window = start, stop, self._labelled(top(self.kept, self.ORDER, start, stop)[0])
        return rows[start - first : stop - first]

    def _labelled(self, rows):
        keys = [row["group_key"] for row in rows]
        _column, expression = _KEYS[self.group]
        # A page asks for its own groups; reading them all (an export) counts every group at once.
        overdue = self.overdue.filter(**{f"{expression.name}__in": keys}) if len(keys) <= PAGE_SIZE else self.overdue
        late = _per_group(overdue, expression) if keys else {}
        units = OrgUnit.objects.only("name", "code").order_by().in_bulk(keys)
        for row in rows:
            unit = units[row["group_key"]]
            row.update(overdue=late.get(row["group_key"], 0), label=unit.name, code=unit.code)
        return _labelled(rows, self.group, self.subtree)


def top(grouped, order, start, stop, sums=()):
    """``(rows, groups, totals)``: rows ``start:stop`` of ``grouped`` (a ``values().annotate()``
    queryset, as dicts) in ``order`` (SQL over its columns as ``g.column``), and, from the same query,
    the number of groups and the ``sums`` columns added up over all of them (window functions, counted
    before the LIMIT). A slice past the last group has no rows to carry them: ``groups`` is then 0."""
    sql, params = grouped.query.sql_with_params()
    windows = ", ".join(["count(*) OVER () AS all_groups", *(f"sum(g.{name}) OVER () AS all_{name}" for name in sums)])
    with connections[grouped.db].cursor() as cursor:
        cursor.execute(
            f"SELECT g.*, {windows} FROM ({sql}) g ORDER BY {order} LIMIT %s OFFSET %s",  # noqa: S608 - Django's SQL, column names
            (*params, max(stop - start, 0), start),
        )
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    windowed = rows[0] if rows else {}
    groups = int(windowed.get("all_groups", 0))
    # PostgreSQL adds up sums as numeric (Decimal)
    totals = {name: int(windowed.get(f"all_{name}") or 0) for name in sums}
    for row in rows:
        for name in ("groups", *sums):
            row.pop(f"all_{name}")
    return rows, groups, totals


def _per_group(items, expression):
    return dict(items.values_list(expression).annotate(n=Count("id")).order_by())


def _labelled(rows, group, subtree):
    result = []
    if group in _GROUP_UNIT:
        for row in rows:
            pk = row["group_key"]
            params = {"unit": str(pk)} if group == "unit" else {**subtree, "office": str(pk)}
            result.append(_group_figures(row, key=pk, label=row["label"], code=row["code"], params=params))
    elif group == "category":
        keys = [row["group_key"] for row in rows]
        catalogue = list(Category.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
        names, order = dict(catalogue), {pk: i for i, (pk, _name) in enumerate(catalogue)}
        for row in rows:
            pk = row["group_key"] or None
            label = names[pk] if pk else str(_("No category"))
            params = {**subtree, **({"category": str(pk)} if pk else {"uncategorised": "1"})}
            result.append(_group_figures(row, key=pk, label=label, code=label, params=params))
        result.sort(key=lambda f: (f.key is None, order.get(f.key, 0)))
    else:
        for row in rows:
            month = row["group_key"]
            text = f"{month:%Y-%m}"
            result.append(_group_figures(row, key=month, label=text, code=text, params={**subtree, "month": text}))
        result.sort(key=lambda f: f.key)
    return result


CHART_UNITS = 20  # the units behind a chart shows first: one screen on a phone
CHART_MOST = 300  # "show all" draws at most so many bars (a province has thousands of units)


def every_month(rows, today=None):
    """The month groups with the months between them that issued nothing, as zero rows, up to this month:
    a trend drawn only through the months with data hides the empty ones."""
    if not rows:
        return []
    found = {row.key: row for row in rows}
    month, last = rows[0].key, max(rows[-1].key, (today or clock.today()).replace(day=1))
    filled = []
    while month <= last:
        text = f"{month:%Y-%m}"
        filled.append(found.get(month) or Figures(key=month, label=text, code=text))
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return filled


def chart_data(rows, group, limit=CHART_UNITS, today=None):
    """What the charts draw: every month of the range, or the first ``limit`` groups in the table's order
    (the units behind first; ``limit`` None: all of them, up to ``CHART_MOST``)."""
    most = min(limit or CHART_MOST, CHART_MOST)
    shown = every_month(list(rows), today) if group == "month" else list(rows[:most])
    return {
        "line": group == "month" and len(shown) > 1,
        "names": [r.label for r in shown],
        "issued": [r.issued for r in shown],
        "closed": [r.closed for r in shown],
        "overdue": [r.overdue for r in shown],
        "rate": [None if r.close_rate is None else round(r.close_rate * 100, 1) for r in shown],
        "groups": len(rows),
    }


def _flag(params, name):
    return params.get(name) in ("1", "true", "on")


def filter_items(items, params, today=None):
    """Apply the item-list filters that only figures link with (``params`` is request.GET or a dict):
    office (an id), month (YYYY-MM of issue) and the flags applied, closed, first_pass, overdue,
    urged, rectified, rated, uncategorised (=1). The unit (with below=1 its subtree) and the category
    are the item list's own filters (``ItemFilterForm``)."""
    today = today or clock.today()
    if (office := params.get("office")) and _is_id(office):
        items = items.filter(checklist__issuing_unit_id=int(office))
    if month := _month(params.get("month")):
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        items = items.filter(checklist__issued_on__gte=month, checklist__issued_on__lt=following)
    flags = {
        "applied": Q(applications__gt=0),
        "closed": Q(status=ItemStatus.CLOSED),
        "first_pass": Q(status=ItemStatus.CLOSED, rectifications=0),
        "overdue": overdue_q(today),
        "urged": Q(urgings__gt=0),
        "rectified": Q(rectifications__gt=0),
        "rated": Q(satisfaction__isnull=False),
        "uncategorised": Q(checklist__category__isnull=True),
    }
    for name, condition in flags.items():
        if _flag(params, name):
            items = items.filter(condition)
    return items


def _month(text):
    """The first day of a YYYY-MM month, or None (the last year has no following month to end at)."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1) if year < date.max.year else None
    except ValueError:
        return None


# --- the load on units (基层减负) -----------------------------------------------------------

# period: (label, months back from the current one to the first counted, to the last counted)
LOAD_PERIODS = {
    "month": (_("This month"), 0, 0),
    "previous": (_("Last month"), 1, 1),
    "quarter": (_("Last three months"), 2, 0),
}
DEFAULT_LOAD_PERIOD = "month"


@dataclass
class Load:
    unit: OrgUnit
    lists: int = 0
    items: int = 0
    urgings: int = 0
    documents: int = 0
    over: bool = False


def _months_back(month, n):
    for _step in range(n):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def load(unit, period=DEFAULT_LOAD_PERIOD, today=None, limit=20):
    """``(rows, units)``: the ``limit`` units of ``unit``'s subtree that received the most items in
    the period (calendar months; ties: most urgings, most documents, then the first made), with the
    lists (as responsible unit or co-unit), items, urging notices and official documents they
    received; and how many units received anything. ``over`` marks a unit past the warning line
    (the rule in force for ``unit``: so many items a month)."""
    if unit is None:
        return [], 0
    _label, first, last = LOAD_PERIODS[period]
    this_month = (today or clock.today()).replace(day=1)
    scope = Q() if holds_every_unit(unit) else within(unit, "unit")
    counts = (
        UnitLoad.objects.filter(
            scope, month__gte=_months_back(this_month, first), month__lte=_months_back(this_month, last)
        )
        .values(unit_key=F("unit"))
        .annotate(lists=Sum("lists"), items=Sum("items"), urgings=Sum("urgings"), documents=Sum("documents"))
        .order_by()
    )
    order = "g.items DESC, g.urgings DESC, g.documents DESC, g.unit_key"
    heaviest, units_counted, _sums = top(counts, order, 0, limit)
    keys = [row.pop("unit_key") for row in heaviest]
    units = OrgUnit.objects.order_by().in_bulk(keys)
    line = org_rules.value(unit, rules.LOAD_WARNING) * (first - last + 1)
    rows = [Load(unit=units[key], over=row["items"] > line, **row) for key, row in zip(keys, heaviest, strict=True)]
    return rows, units_counted

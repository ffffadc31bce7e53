"""Figures of the close-out area, each one aggregate query over the items a user may see.

issued, applied (items that ever applied), closed, close-out rate (closed ÷ issued), first-pass
rate (closed with no rectification ÷ closed), overdue now, urgings sent, rectifications, mean
satisfaction (over the items that have a value) — in total and grouped by responsible unit,
category, issuing office or month of issue. Every figure names the item-list filters that
select the items behind it (``FIGURE_FILTERS`` and ``group_params``; ``filter_items`` applies them).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checklists.models import Category, Checklist, Document, EventKind, ItemEvent, ItemStatus
from checklists.queries import is_id as _is_id
from checklists.queries import responsible_items
from checklists.workflow import URGEABLE
from orgs.models import OrgUnit

GROUPS = {
    "unit": _("Responsible unit"),
    "category": _("Category"),
    "office": _("Issuing office"),
    "month": _("Month of issue"),
}
DEFAULT_GROUP = "unit"
LOAD_PERIODS = (30, 90)

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


def measures(today):
    return {
        "issued": Count("id"),
        "applied": Count("id", filter=Q(applications__gt=0)),
        "closed": Count("id", filter=Q(status=ItemStatus.CLOSED)),
        "first_pass": Count("id", filter=Q(status=ItemStatus.CLOSED, rectifications=0)),
        "overdue": Count("id", filter=overdue_q(today)),
        "urgings": Coalesce(Sum("urgings"), 0),
        "rectifications": Coalesce(Sum("rectifications"), 0),
        "satisfaction": Avg("satisfaction"),
    }


def _group_measures(today):
    """``measures`` with the satisfaction as a sum and a count, so that groups add up to the total."""
    counts = {name: value for name, value in measures(today).items() if name != "satisfaction"}
    return {**counts, "satisfaction_sum": Sum("satisfaction"), "rated": Count("satisfaction")}


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


def _figures(values, **extra):
    return Figures(**{name: values[name] or (0 if name != "satisfaction" else None) for name in MEASURES}, **extra)


def _group_figures(row, **extra):
    rated = row["rated"]
    return Figures(
        **{name: row[name] or 0 for name in SUMMED},
        satisfaction=row["satisfaction_sum"] / rated if rated else None,
        **extra,
    )


def totals(items, today=None):
    today = today or timezone.localdate()
    return _figures(items.aggregate(**measures(today)))


# The unit whose name and code label a group of units or offices, joined to the groups after the
# aggregate (as the hand-written query of bench/closeout_bench.py does): grouping by the name and code
# too made the grouping of a province's 2,000,000 items take half as long again.
_GROUP_UNIT = {"unit": "responsible_unit", "office": "checklist__issuing_unit"}


def _group_rows(items, group, today):
    """One dict per group: ``group_key``, the measures of ``_group_measures`` and, for units and
    offices, the unit's ``label`` and ``code``."""
    key = {
        "unit": F("responsible_unit"),
        "category": F("checklist__category"),
        "office": F("checklist__issuing_unit"),
        "month": TruncMonth("checklist__issued_on"),
    }[group]
    rows = items.values(group_key=key).annotate(**_group_measures(today)).order_by()
    if group not in _GROUP_UNIT:
        return list(rows)
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # items.none()
        return []
    unit = connections[rows.db].ops.quote_name(OrgUnit._meta.db_table)
    with connections[rows.db].cursor() as cursor:
        cursor.execute(
            f"SELECT g.*, u.name AS label, u.code AS code FROM ({sql}) g JOIN {unit} u ON u.id = g.group_key",  # noqa: S608 - Django's own SQL and a table name
            params,
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def table(items, group, today=None):
    """``(total, rows)``: ``grouped`` and the total of its groups, in one aggregate query (every item
    falls in exactly one group, so the groups add up to ``totals``)."""
    today = today or timezone.localdate()
    rows = _group_rows(items, group, today)
    sums = {name: sum(row[name] or 0 for row in rows) for name in (*SUMMED, "rated", "satisfaction_sum")}
    return _group_figures(sums), _labelled(rows, group)


def grouped(items, group, today=None):
    """One ``Figures`` per group value: units and offices by name, categories in catalogue order,
    months in time order."""
    return table(items, group, today)[1]


def _labelled(rows, group):
    result = []
    if group in ("unit", "office"):
        param = "unit" if group == "unit" else "office"
        for row in rows:
            pk = row["group_key"]
            result.append(_group_figures(row, key=pk, label=row["label"], code=row["code"], params={param: str(pk)}))
        result.sort(key=lambda f: (-f.issued, f.code))
    elif group == "category":
        keys = [row["group_key"] for row in rows]
        catalogue = list(Category.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
        names, order = dict(catalogue), {pk: i for i, (pk, _name) in enumerate(catalogue)}
        for row in rows:
            pk = row["group_key"]
            label = names[pk] if pk else str(_("No category"))
            params = {"category": str(pk)} if pk else {"uncategorised": "1"}
            result.append(_group_figures(row, key=pk, label=label, code=label, params=params))
        result.sort(key=lambda f: (f.key is None, order.get(f.key, 0)))
    else:
        for row in rows:
            month = row["group_key"]
            if isinstance(month, datetime):
                month = month.date()
            text = f"{month:%Y-%m}"
            result.append(_group_figures(row, key=month, label=text, code=text, params={"month": text}))
        result.sort(key=lambda f: f.key)
    return result


def chart_data(rows, group, limit=20):
    """What the charts draw: the first ``limit`` groups (all months)."""
    shown = rows if group == "month" else rows[:limit]
    return {
        "line": group == "month" and len(shown) > 1,
        "names": [r.label for r in shown],
        "issued": [r.issued for r in shown],
        "closed": [r.closed for r in shown],
        "overdue": [r.overdue for r in shown],
        "rate": [None if r.close_rate is None else round(r.close_rate * 100, 1) for r in shown],
    }


def _flag(params, name):
    return params.get(name) in ("1", "true", "on")


def filter_items(items, params, today=None):
    """Apply the item-list filters that figures link with (``params`` is request.GET or a dict):
    status, unit, office, category (ids), month (YYYY-MM of issue), and the flags applied, closed,
    first_pass, overdue, urged, rectified, rated, uncategorised (=1)."""
    today = today or timezone.localdate()
    if (status := params.get("status")) in ItemStatus.values:
        items = items.filter(status=status)
    for name, lookup in (("unit", "responsible_unit_id"), ("office", "checklist__issuing_unit_id")):
        value = params.get(name)
        if value and _is_id(value):
            items = items.filter(**{lookup: int(value)})
    if (category := params.get("category")) and _is_id(category):
        items = items.filter(checklist__category_id=int(category))
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
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


# --- the load on units (基层减负) -----------------------------------------------------------


@dataclass
class Load:
    unit: OrgUnit
    lists: int = 0
    items: int = 0
    urgings: int = 0
    documents: int = 0
    over: bool = False


def load(user, days=30, today=None):
    """Per responsible unit, what it received in the last ``days`` days: lists, items, urging
    notices and official documents; the heaviest first. ``over`` marks units past the warning line."""
    today = today or timezone.localdate()
    since_day = today - timedelta(days=days)  # issued after this day, as services.unit_load counts
    since = timezone.make_aware(datetime.combine(since_day + timedelta(days=1), time.min))
    unit = getattr(user, "org_unit", None)
    if not getattr(user, "is_authenticated", False) or not user.is_active or unit is None:
        return []
    items = responsible_items(user)
    counts = {}

    def add(rows, name):
        for unit_id, n in rows:
            counts.setdefault(unit_id, {})[name] = n

    # The lists of visible_checklists, as a union of index-friendly branches (its OR of three paths
    # scans every list); each branch finds the recent lists through an (org unit, issued_on) index.
    recent = Checklist.objects.filter(issued_on__gt=since_day).order_by()
    own = recent.filter(responsible_unit__path__startswith=unit.path).values("pk")
    issued = recent.filter(issuing_unit__path__startswith=unit.path).values("pk")
    helped = recent.filter(co_units__path__startswith=unit.path).values("pk")
    add(
        Checklist.objects.filter(pk__in=own.union(issued, helped))
        .values("responsible_unit")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("responsible_unit", "n"),
        "lists",
    )
    # Through the subtree's recent lists rather than all its items.
    add(
        items.filter(checklist__in=own)
        .values("responsible_unit")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("responsible_unit", "n"),
        "items",
    )
    visible_ids = items.values("pk")
    add(
        ItemEvent.objects.filter(kind=EventKind.URGED, at__gte=since, item__in=visible_ids)
        .values("item__responsible_unit")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("item__responsible_unit", "n"),
        "urgings",
    )
    add(
        Document.objects.filter(created_at__gte=since, item__in=visible_ids)
        .values("item__responsible_unit")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("item__responsible_unit", "n"),
        "documents",
    )
    units = OrgUnit.objects.in_bulk(list(counts))
    limit = settings.QINGDAN_UNIT_LOAD_WARNING * days / 30
    rows = [Load(unit=units[pk], **values) for pk, values in counts.items() if pk in units]
    for row in rows:
        row.over = row.items > limit
    rows.sort(key=lambda r: (-r.items, -r.urgings, -r.documents, r.unit.code))
    return rows

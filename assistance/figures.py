"""Figures of the hardship archive over the households a unit's subtree manages, for a year.

Definitions (the page and the metrics say the same):

- **archived now** (在档): files in the archive today — archived or under permanent support (``status=held``);
- **new in the year** (当年新建档): files archived in the year, whatever became of them since;
- **exited in the year / ever** (脱困): files whose status is "exited hardship", with the exit dated in the year /
  on any day (a family re-archived after a relapse is counted again as archived, not as exited);
- **exit rate** (脱困率) = exited ÷ (archived now + exited), over the year or over every year: the families that
  left hardship among all those who were in it and have not left. 椒江's 400 families of whom 396 exited (4 still
  archived) give 396 ÷ (4 + 396) = 99.0%;
- **deep hardship** (深度困难): archived now in the category "deep hardship"; **permanent support** (兜底);
- **aid** (帮扶): aid given in the year, by kind: households aided, times given and the amount in yuan;
- **reviews overdue** (``scope.review_due``) and **not visited** (paired with a cadre, no visit or phone call
  within the visit rule; ``scope.not_visited``).

Every count names the household-list filters (``assistance.scope.filter_households``) that select exactly the
households it counts (``Figures.filters``): a test checks each against the list for several users.

A table is grouped by the units directly below the user's unit (each rolled up over its subtree, plus a row for
the unit's own files), by county federation, or by year. Query count is fixed: one aggregate over the households
and one over the aid per table, whatever the number of units.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from assistance import rules
from assistance.models import Aid, AidKind, Category, FileStatus
from assistance.scope import HELD_STATUSES, not_visited, review_due, year_range
from orgs import rules as org_rules
from orgs.models import OrgKind, OrgUnit
from orgs.queries import within
from qingdan import clock

GROUPS = {
    "unit": _("Unit"),
    "county": _("County federation"),
    "year": _("Year"),
}
DEFAULT_GROUP = "unit"
YEARS_SHOWN = 6  # the year chooser: this year and the five before

# The household counts of a row, in table order, with the filters (added to the row's) that select them.
COUNTS = ("held", "new", "exited_year", "exited", "deep", "permanent", "aided", "review_due", "not_visited")
RATES = ("exit_rate_year", "exit_rate")


@dataclass
class Figures:
    held: int = 0
    new: int = 0
    exited_year: int = 0
    exited: int = 0
    deep: int = 0
    permanent: int = 0
    aided: int = 0  # households given aid in the year
    review_due: int = 0
    not_visited: int = 0
    aid_times: int = 0
    aid_amount: Decimal = Decimal("0.00")
    year: int = 0
    visit_days: int = rules.VISIT_DAYS.default
    key: object = None
    label: str = ""
    code: str = ""
    params: dict = field(default_factory=dict)  # the household-list filters selecting the row

    @property
    def exit_rate_year(self):
        """Exited in the year ÷ (archived now + exited in the year)."""
        whole = self.held + self.exited_year
        return self.exited_year / whole if whole else None

    @property
    def exit_rate(self):
        """Exited ever ÷ (archived now + exited ever)."""
        whole = self.held + self.exited
        return self.exited / whole if whole else None

    def filters(self, figure):
        """The household-list query parameters selecting the households behind ``figure``."""
        year = str(self.year)
        own = {
            "held": {"status": "held"},
            "new": {"archived_year": year},
            "exited_year": {"status": FileStatus.EXITED.value, "exited_year": year},
            "exit_rate_year": {"status": FileStatus.EXITED.value, "exited_year": year},
            "exited": {"status": FileStatus.EXITED.value},
            "exit_rate": {"status": FileStatus.EXITED.value},
            "deep": {"status": "held", "category": Category.DEEP.value},
            "permanent": {"status": FileStatus.PERMANENT.value},
            "aided": {"aid_year": year},
            "aid_times": {"aid_year": year},
            "aid_amount": {"aid_year": year},
            "review_due": {"review_due": "1"},
            "not_visited": {"not_visited": "1", "visit_days": str(self.visit_days)},
        }[figure]
        return {**self.params, **own}

    def add(self, other):
        for name in (*COUNTS, "aid_times"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.aid_amount += other.aid_amount


def _conditions(year, today):
    """The counts read in one pass over the households (no subquery: those of aid and visits are grouped apart,
    so PostgreSQL joins them instead of probing them row by row)."""
    first, following = year_range(year)
    in_year = {"exited_on__gte": first, "exited_on__lt": following}
    return {
        "held": Q(status__in=HELD_STATUSES),
        "new": Q(archived_on__gte=first, archived_on__lt=following),
        "exited_year": Q(status=FileStatus.EXITED, **in_year),
        "exited": Q(status=FileStatus.EXITED),
        "deep": Q(status__in=HELD_STATUSES, category=Category.DEEP),
        "permanent": Q(status=FileStatus.PERMANENT),
        "review_due": review_due(today),
    }


def _by_unit(households, year, today, visit_days):
    """``{path: Figures}`` of the units that manage households: three grouped queries (households, aid, visits)."""
    rows = (
        households.values(path=F("org_unit__path"))
        .annotate(**{name: Count("id", filter=condition) for name, condition in _conditions(year, today).items()})
        .order_by()
    )
    found = {}
    for row in rows:
        path = row.pop("path")
        found[path] = Figures(**row)
    first, following = year_range(year)
    aid = (
        Aid.objects.filter(household__in=households.values("pk"), given_on__gte=first, given_on__lt=following)
        .values(path=F("household__org_unit__path"))
        .annotate(aided=Count("household", distinct=True), times=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    for row in aid:
        figures = found.setdefault(row["path"], Figures())
        figures.aided, figures.aid_times = row["aided"], row["times"]
        figures.aid_amount = row["amount"] or Decimal("0.00")
    for row in (
        households.filter(not_visited(today, visit_days))
        .values(path=F("org_unit__path"))
        .annotate(n=Count("id"))
        .order_by()
    ):
        found.setdefault(row["path"], Figures()).not_visited = row["n"]
    return found


def visit_days_of(unit):
    return org_rules.value(unit, rules.VISIT_DAYS) if unit is not None else rules.VISIT_DAYS.default


def _stamp(figures, year, visit_days, **extra):
    figures.year, figures.visit_days = year, visit_days
    for name, value in extra.items():
        setattr(figures, name, value)
    return figures


def table(unit, households, group=DEFAULT_GROUP, year=None, today=None):
    """``(total, rows)`` for ``unit`` (the user's unit) over ``households`` (the visible ones): the total and one
    row per group. By unit, every household falls in exactly one row (a unit below, or the unit's own files), so
    the rows add up to the total; by county, files managed above the counties are in the total only."""
    today = today or clock.today()
    year = year or today.year
    visit_days = visit_days_of(unit)
    total = _stamp(Figures(), year, visit_days, label=str(_("Total")))
    if unit is None:
        return total, []
    if group == "year":
        return _years(unit, households, year, today, visit_days, total)
    per_unit = _by_unit(households, year, today, visit_days)
    for figures in per_unit.values():
        total.add(figures)
    if group == "county":
        heads = list(
            OrgUnit.objects.filter(within(unit), kind=OrgKind.COUNTY).only("name", "code", "path").order_by("path")
        )
        if not heads and unit.kind == OrgKind.COUNTY:
            heads = [unit]
        if not heads:
            # Below a county: the unit's own county is the one row.
            heads = [u for u in OrgUnit.objects.filter(pk__in=unit.line_ids, kind=OrgKind.COUNTY)] or [unit]
    else:
        heads = list(OrgUnit.objects.filter(parent=unit).only("name", "code", "path").order_by("code", "path"))
    rows = {
        head.path: _stamp(Figures(), year, visit_days, key=head.pk, label=head.name, code=head.code) for head in heads
    }
    for head in heads:
        rows[head.path].params = {"unit": str(head.pk)}
    own = _stamp(
        Figures(), year, visit_days, key=unit.pk, label=str(_("%(unit)s (own files)") % {"unit": unit.name}),
        code=unit.code, params={"unit": str(unit.pk), "own": "1"},
    )  # fmt: skip
    for path, figures in per_unit.items():
        head = _head(path, rows)
        if head is not None:
            head.add(figures)
        elif group == "unit" and path == unit.path:
            own.add(figures)
    result = list(rows.values())
    if group == "unit" and (own.held or own.exited or own.new or own.aid_times or own.review_due or own.not_visited):
        result.insert(0, own)
    result.sort(key=lambda f: (f is not own, -(f.held + f.exited), f.code))
    return total, result


def household_counts(unit, households, year=None, today=None):
    """The total of ``table`` as far as the households' own counts go (archived, new, exited, deep, permanent,
    reviews overdue; not the aid, the visits or the visit rule), in one aggregate for the overview's cards:
    ``table`` adds the same counts up from its units, where every household is counted once."""
    today = today or clock.today()
    year = year or today.year
    total = Figures(year=year, label=str(_("Total")))
    if unit is None:
        return total
    conditions = _conditions(year, today)
    for name, value in households.aggregate(**{n: Count("id", filter=c) for n, c in conditions.items()}).items():
        setattr(total, name, value)
    return total


def _head(path, rows):
    """The row whose unit's path is a prefix of ``path``, or None (the rows' units do not nest)."""
    cut = 0
    while (cut := path.find("/", cut + 1)) >= 0:
        found = rows.get(path[: cut + 1])
        if found is not None:
            return found
    return None


def _years(unit, households, year, today, visit_days, total):
    """Rows per year: new, exited, aid; the archived-now figures (a state, not an event) only in the total."""
    snapshot = _by_unit(households, year, today, visit_days)
    for figures in snapshot.values():
        total.add(figures)
    per_year = defaultdict(Figures)
    for row in (
        households.filter(archived_on__isnull=False)
        .annotate(y=ExtractYear("archived_on"))
        .values("y")
        .annotate(n=Count("id"))
        .order_by()
    ):
        per_year[row["y"]].new = row["n"]
    for row in (
        households.filter(status=FileStatus.EXITED, exited_on__isnull=False)
        .annotate(y=ExtractYear("exited_on"))
        .values("y")
        .annotate(n=Count("id"))
        .order_by()
    ):
        per_year[row["y"]].exited_year = row["n"]
    for row in (
        Aid.objects.filter(household__in=households.values("pk"))
        .annotate(y=ExtractYear("given_on"))
        .values("y")
        .annotate(times=Count("id"), amount=Sum("amount"), aided=Count("household", distinct=True))
        .order_by()
    ):
        figures = per_year[row["y"]]
        figures.aid_times, figures.aid_amount, figures.aided = row["times"], row["amount"], row["aided"]
    rows = []
    for y in sorted(per_year, reverse=True):
        figures = _stamp(per_year[y], y, visit_days, key=y, label=str(y), code=str(y))
        figures.held = total.held  # the rate of a year is over the families archived today
        rows.append(figures)
    return total, rows


def aid_by_kind(households, year):
    """``[(kind, label, households aided, times, amount)]`` of the aid given in ``year``, every kind listed."""
    first, following = year_range(year)
    found = {
        row["kind"]: row
        for row in Aid.objects.filter(
            household__in=households.values("pk"), given_on__gte=first, given_on__lt=following
        )
        .values("kind")
        .annotate(aided=Count("household", distinct=True), times=Count("id"), amount=Sum("amount"))
        .order_by()
    }
    return [
        (
            kind.value,
            kind.label,
            found.get(kind.value, {}).get("aided", 0),
            found.get(kind.value, {}).get("times", 0),
            found.get(kind.value, {}).get("amount") or Decimal("0.00"),
        )
        for kind in AidKind
    ]


def years(today=None):
    this = (today or clock.today()).year
    return list(range(this, this - YEARS_SHOWN, -1))


def wan(amount):
    """Yuan as 万元 with two decimals, as reports give it: ``104.00万元``."""
    return f"{Decimal(amount or 0) / Decimal(10000):,.2f}万元"


def chart_data(rows, kinds, group):
    """What the charts draw: the rows (at most 200), a unit with no file at all left out (it has no rate and
    would only stretch the chart with empty lines)."""
    shown = [r for r in rows if group == "year" or r.held or r.exited or r.new or r.aid_times][:200]
    return {
        "group": group,
        "names": [r.label for r in shown],
        "held": [r.held for r in shown],
        "exited": [r.exited_year if group == "year" else r.exited for r in shown],
        "new": [r.new for r in shown],
        "rate": [
            None
            if (r.exit_rate_year if group == "year" else r.exit_rate) is None
            else round((r.exit_rate_year if group == "year" else r.exit_rate) * 100, 1)
            for r in shown
        ],  # fmt: skip
        "kinds": [str(label) for _k, label, _a, _t, _m in kinds],
        "amounts": [float(amount) for _k, _l, _a, _t, amount in kinds],
    }


def exit_rate_households(households):
    """``(exited, archived now + exited)`` of ``households`` over every year: the 椒江 figure."""
    counts = households.aggregate(
        exited=Count("id", filter=Q(status=FileStatus.EXITED)),
        held=Count("id", filter=Q(status__in=HELD_STATUSES)),
    )
    return counts["exited"], counts["held"] + counts["exited"]

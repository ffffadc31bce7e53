"""Read paths scoped by the org tree. Every view and API starts here.

A user sees their own unit's subtree and nothing else; looking up an object
outside it raises Http404, never a 403 that would confirm that it exists.

Two scopes start from the user's unit: the org tree and its accounts (``in_tree``: everyone, the system
administrator who imports the tree and the security administrator who keeps the accounts included), and the
federation's work (``root_unit``, ``visible_to``: lists, items, evidence, surveys, assessment), which a person
whose only roles are the separated duties does not read (``sees_business``).
"""

from django.db import connections
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Collate
from django.db.models.query import ValuesListIterable
from django.http import Http404

from orgs.models import SEPARATED_DUTIES, OrgUnit, User
from qingdan.metrics import Value


def _field(field, lookup):
    return f"{field}__{lookup}" if field else lookup


def within(unit, field=""):
    """Rows whose ``field`` (a foreign key to a unit; "" for units themselves) lies in ``unit``'s subtree."""
    return Q(**{_field(field, "path__startswith"): unit.path})


def among_subtree(unit, field):
    """``within(unit, field)`` for a field with an index of its own, found by that index among the subtree's ids
    (``orgs.lookups.Among``): a county's open items in 2.8 ms instead of 5.8, a city's in 21 instead of 41, where
    the join read every open item of the province. A root keeps the join: an array of a province's 300,000 ids
    costs more than reading the table (bench/README.md)."""
    if unit.parent_id is None:
        return within(unit, field)
    return Q(**{f"{field}__among": OrgUnit.objects.filter(within(unit)).values("pk")})


def tree_order(field="path"):
    """Units in the tree's order, by their paths compared byte by byte, for an ``order_by``. On PostgreSQL the
    comparison is made in the "C" collation: then the path's own index is not walked from its first entry, as it was
    for "the nearby units, at most 500" (98 ms for a county far down it, against 4 ms), and the order holds whatever
    the database's collation (one that skips punctuation would not sort by the slashes)."""
    if connections["default"].vendor == "postgresql":
        return Collate(field, "C")
    return F(field)  # SQLite compares text byte by byte


def within_either(unit, model, *fields):
    """Rows of ``model`` whose unit in any of ``fields`` lies in ``unit``'s subtree, as a union of one
    index-friendly branch per field. An OR of path prefixes across two joins reads every row of the table (a
    province's 100,000 demands). Each branch finds its rows by the field's index (``among_subtree``): a county's
    demands in 10 ms instead of 51."""
    first, *others = (model.objects.filter(among_subtree(unit, field)).order_by().values("pk") for field in fields)
    return Q(pk__in=first.union(*others))


def placed_within(unit, field):
    """Rows whose ``field`` holds a copy of a unit's place in the tree (its ``path`` when the row was written)
    within ``unit``'s subtree: the audit trail keeps where an event happened even after a unit moves."""
    return Q(**{f"{field}__startswith": unit.path})


def on_the_line_of(unit, field=""):
    """Rows whose ``field`` is ``unit`` or one of its ancestors."""
    return Q(**{_field(field, "in") if field else "pk__in": unit.line_ids})


def within_all(units, field=""):
    """Rows within the deepest unit whose subtree holds all of ``units``: one prefix filter selects every
    record a set of units needs (then ``subtree_rollup`` sums them per unit)."""
    paths = [unit.path for unit in units]
    prefix = paths[0] if paths else "/"
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
    return Q(**{_field(field, "path__startswith"): prefix or "/"})


def subtree_rollup(units, rows):
    """Sum per-unit rows over each unit's subtree.

    ``rows`` are ``(path, numerator, denominator)`` of the units that hold records; every unit of
    ``units`` whose path is a prefix of a row's path counts it. One pass over the rows, each cut only
    at the lengths of the units' paths (one length when the units are all at one depth), so a province
    of 300,000 units rolls up without a query per unit. A ``values_list`` queryset of counts is read
    as the database returns its rows, without Django's converter for every value: 53,000 rows a
    metric for a round of the province (bench/scoring_bench.py)."""
    wanted = {unit.path: unit.pk for unit in units}
    totals = {unit.pk: [0, 0] for unit in units}
    lengths = sorted({len(path) for path in wanted if len(path) > 1})
    if isinstance(rows, QuerySet):
        rows = _plain_rows(rows)
    for path, numerator, denominator in rows:
        for length in lengths:
            if length > len(path):
                break
            pk = wanted.get(path[:length])
            if pk is not None:
                total = totals[pk]
                total[0] += numerator or 0
                total[1] += denominator or 0
    return {pk: Value(numerator=n, denominator=d) for pk, (n, d) in totals.items()}


def _plain_rows(queryset):
    """The rows of a ``values_list`` queryset as its cursor gives them (or as Django does, when its columns
    come in another order than the one asked for)."""
    query = queryset.query
    columns = [*query.extra_select, *query.values_select, *query.annotation_select]
    if queryset._iterable_class is not ValuesListIterable or list(queryset._fields or ()) != columns:
        return queryset
    sql, params = query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def sees_business(user):
    """Whether ``user`` may read the federation's work. 三权分立: the system administrator, the security
    administrator and the auditor keep the platform, its accounts and its trail, not the county's lists, files,
    surveys and scores, so a person whose only roles are those duties reads none of them; a business role held
    beside a duty opens them as it does for anyone. An account with no role at all (its roles taken away) reads
    nothing either. The one rule behind ``root_unit`` (every business read path), the pages
    (``orgs.middleware.SeparatedDutiesMiddleware``), the API (``qingdan.api``) and the navigation."""
    return bool(user.role_set - SEPARATED_DUTIES)


def tree_unit(user):
    """The unit whose subtree of units and accounts the user sees: their own, or None for anyone signed out,
    inactive or without a unit."""
    unit = getattr(user, "org_unit", None)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return unit


def root_unit(user):
    """The unit whose subtree of business records (lists, items, files, surveys, assessment) the user sees: their
    own, or None for anyone signed out, inactive, without a unit, or holding only separated duties."""
    unit = tree_unit(user)
    if unit is None or not sees_business(user):
        return None
    return unit


def visible_to(user, queryset, unit_field="org_unit"):
    """Restrict ``queryset`` of business records to rows whose ``unit_field`` lies in the user's subtree."""
    unit = root_unit(user)
    if unit is None:
        return queryset.none()
    return queryset.filter(within(unit, unit_field))


def in_tree(user, queryset, unit_field="org_unit"):
    """Restrict ``queryset`` of units, accounts and their requests to rows whose ``unit_field`` lies in the user's
    subtree: the org tree and the user pages, open to the separated duties too."""
    unit = tree_unit(user)
    if unit is None:
        return queryset.none()
    return queryset.filter(within(unit, unit_field))


def visible_units(user):
    return in_tree(user, OrgUnit.objects.all(), unit_field="")


def visible_users(user):
    return in_tree(user, User.objects.select_related("org_unit").prefetch_related("roles"))


def get_visible_or_404(user, queryset, unit_field="org_unit", **lookup):
    """The one object lookup helper for business records: 404 for anything outside the user's subtree."""
    return _get_or_404(visible_to(user, queryset, unit_field), lookup)


def get_in_tree_or_404(user, queryset, unit_field="org_unit", **lookup):
    """The lookup of a unit or an account: 404 for anything outside the user's subtree."""
    return _get_or_404(in_tree(user, queryset, unit_field), lookup)


def get_or_404(queryset, **lookup):
    """The lookup in a queryset already scoped some other way (e.g. by two units): 404 when it is not there."""
    return _get_or_404(queryset, lookup)


def _get_or_404(queryset, lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        missing = Http404()
        missing.model = queryset.model  # what was looked for, for the audit trail's record of the refusal
        raise missing from None


def subtree(unit):
    return OrgUnit.objects.filter(within(unit))


def holds_every_unit(unit):
    """Whether ``unit``'s subtree is the whole tree (it is the only root): a query over it needs no
    filter on the path, which at a province's 300,000 units costs more than the query itself."""
    return unit.parent_id is None and not OrgUnit.objects.filter(parent=None).exclude(pk=unit.pk).exists()


def org_summary(user):
    """The workbench figures of the org area: units seen, and for user administrators the
    accounts and the locked ones."""
    from django.db.models import Count

    from orgs.models import OrgKind, Role

    units = visible_units(user)
    below = units.exclude(pk=user.org_unit_id).values("kind").annotate(n=Count("id")).order_by("kind")
    kind_counts = [{"kind": row["kind"], "label": OrgKind(row["kind"]).label, "n": row["n"]} for row in below]
    # 管辖单位数: the units below the user's, not the unit itself; every unit has a kind, so the kinds add up to it.
    summary = {"unit_count": sum(row["n"] for row in kind_counts)}
    if user.has_role(Role.SYSADMIN, Role.SECADMIN):
        users = visible_users(user)
        summary["user_count"] = users.count()
        summary["locked_users"] = [u for u in users.filter(locked_until__isnull=False) if u.is_locked()]
    summary["kind_counts"] = kind_counts
    return summary

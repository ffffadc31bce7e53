"""Read paths scoped by the org tree. Every view and API starts here.

A user sees their own unit's subtree and nothing else; looking up an object
outside it raises Http404, never a 403 that would confirm that it exists.
"""

from django.http import Http404

from orgs.models import OrgUnit, User


def root_unit(user):
    """The unit whose subtree the user sees: their own, or None for anyone signed out, inactive or
    without a unit."""
    unit = getattr(user, "org_unit", None)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return unit


def visible_to(user, queryset, unit_field="org_unit"):
    """Restrict ``queryset`` to rows whose ``unit_field`` lies in the user's subtree."""
    unit = root_unit(user)
    if unit is None:
        return queryset.none()
    lookup = "path__startswith" if unit_field == "" else f"{unit_field}__path__startswith"
    return queryset.filter(**{lookup: unit.path})


def visible_units(user):
    return visible_to(user, OrgUnit.objects.all(), unit_field="")


def visible_users(user):
    return visible_to(user, User.objects.select_related("org_unit").prefetch_related("roles"))


def get_visible_or_404(user, queryset, unit_field="org_unit", **lookup):
    """The one object lookup helper: 404 for anything outside the user's subtree."""
    try:
        return visible_to(user, queryset, unit_field).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def subtree(unit):
    return OrgUnit.objects.filter(path__startswith=unit.path)


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
    summary = {"unit_count": units.count()}
    if user.has_role(Role.SYSADMIN, Role.SECADMIN):
        users = visible_users(user)
        summary["user_count"] = users.count()
        summary["locked_users"] = [u for u in users.filter(locked_until__isnull=False) if u.is_locked()]
    below = units.exclude(pk=user.org_unit_id).values("kind").annotate(n=Count("id")).order_by("kind")
    summary["kind_counts"] = [
        {"kind": row["kind"], "label": OrgKind(row["kind"]).label, "n": row["n"]} for row in below
    ]
    return summary

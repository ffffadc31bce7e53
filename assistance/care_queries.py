"""Read paths of the care part, each scoped by the caller (a query already restricted to what the user sees, from
``assistance.scope``): aid with its filters and totals per household, unit and year; the flags (families not
visited, expired certificates, reviews overdue, exited families due a follow-up, files not updated in a year).

Aid is totalled per unit by the unit that gave it (``Aid.org_unit``), rolled up over each unit's subtree: what a
union reports as the money it spent."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DateField, Exists, F, Max, OuterRef, Q, Sum
from django.db.models.functions import Cast, ExtractYear

from assistance import rules as archive_rules
from assistance.models import Aid, AidKind, Certificate, Contact, FileStatus, Pairing
from assistance.scope import review_due, stale_filter, visible_households
from orgs import rules as org_rules
from orgs.models import OrgUnit
from orgs.queries import root_unit, visible_to, within
from qingdan import clock
from qingdan.rules import defaults

FOLLOW_UP_WINDOW = 30  # a visit from this many days before the follow-up date counts as the follow-up
CERTIFIED = [FileStatus.ARCHIVED, FileStatus.PERMANENT]
PAIRED = [FileStatus.ARCHIVED, FileStatus.PERMANENT, FileStatus.TEMPORARY, FileStatus.EXITED]


def rule_for(user, rule):
    """A rule's value in force for the user's unit (the flags of a list use one interval for all its rows)."""
    unit = root_unit(user) if user is not None else None
    return org_rules.value(unit, rule) if unit is not None else rule.default


def rules_for(user):
    """``{key: value}`` of every hardship rule in force for the user's unit: one query for a page that needs
    several (the workbench's flags), where ``rule_for`` would ask once per rule."""
    unit = root_unit(user) if user is not None else None
    return org_rules.in_force(unit, archive_rules.PREFIX) if unit is not None else defaults(archive_rules.PREFIX)


def _int(params, name):
    value = str(params.get(name, "") or "")
    return int(value) if value.isdigit() and len(value) < 12 else None


# --- aid ----------------------------------------------------------------------------------------------------------


def visible_aid(user):
    return visible_to(user, Aid.objects.all(), "household__org_unit")


def filter_aid(aids, params):
    """``unit`` (given by a unit within it), ``kind``, ``year`` (given in), ``household`` (an id), ``q`` (file
    number or head's name)."""
    unit_id = _int(params, "unit")
    if unit_id is not None:
        unit = OrgUnit.objects.filter(pk=unit_id).only("path").first()
        aids = aids.filter(within(unit, "org_unit")) if unit else aids.none()
    kind = params.get("kind", "")
    if kind in AidKind.values:
        aids = aids.filter(kind=kind)
    year = _int(params, "year")
    if year is not None and 1900 < year < 3000:
        aids = aids.filter(given_on__gte=date(year, 1, 1), given_on__lt=date(year + 1, 1, 1))
    household = _int(params, "household")
    if household is not None:
        aids = aids.filter(household_id=household)
    text = (params.get("q", "") or "").strip()[:50]
    if text:
        aids = aids.filter(Q(household__number__icontains=text) | Q(household__head_name__icontains=text))
    return aids


def aid_totals(aids):
    """``{"amount", "count", "households"}`` of a query of aid: one query."""
    found = aids.aggregate(amount=Sum("amount"), count=Count("pk"), households=Count("household", distinct=True))
    found["amount"] = found["amount"] or Decimal("0")
    return found


def totals_by_year(aids):
    return list(
        aids.annotate(y=ExtractYear("given_on"))
        .values("y")
        .annotate(amount=Sum("amount"), count=Count("pk"))
        .order_by("-y")
    )


def totals_by_kind(aids):
    labels = dict(AidKind.choices)
    rows = aids.values("kind").annotate(amount=Sum("amount"), count=Count("pk")).order_by("-amount")
    return [{**row, "label": labels.get(row["kind"], row["kind"])} for row in rows]


def totals_by_unit(user, aids):
    """The user's unit and its direct children, each with the aid given within its subtree: two queries."""
    unit = root_unit(user)
    if unit is None:
        return []
    units = [unit, *OrgUnit.objects.filter(parent=unit).order_by("code", "pk")]
    rows = aids.values("org_unit__path").annotate(amount=Sum("amount"), count=Count("pk"))
    totals = {u.pk: [Decimal("0"), 0] for u in units}
    for row in rows:
        path = row["org_unit__path"]
        for u in units:
            if path.startswith(u.path):
                totals[u.pk][0] += row["amount"]
                totals[u.pk][1] += row["count"]
    return [
        {"unit": u, "amount": totals[u.pk][0], "count": totals[u.pk][1]} for u in units if totals[u.pk][1] or u == unit
    ]


def household_totals(household):
    """Aid to one family by year: ``[{"y", "amount", "count"}]`` and the sum."""
    aids = Aid.objects.filter(household=household)
    return totals_by_year(aids), aid_totals(aids)


# --- flags --------------------------------------------------------------------------------------------------------


def _visited_since(day):
    return Exists(Contact.objects.filter(household=OuterRef("household"), kind=Contact.Kind.VISIT, on__gt=day))


def not_visited(pairings, today=None, days=None):
    """Open pairings whose family has had no home visit in ``days`` (paired longer than that)."""
    today = today or clock.today()
    line = today - timedelta(days=days or archive_rules.VISIT_DAYS.default)
    return pairings.filter(until__isnull=True, since__lte=line, household__status__in=PAIRED).exclude(
        _visited_since(line)
    )


def with_last_contact(pairings):
    last_visit = Max("household__contacts__on", filter=Q(household__contacts__kind=Contact.Kind.VISIT))
    last_call = Max("household__contacts__on", filter=Q(household__contacts__kind=Contact.Kind.PHONE))
    return pairings.annotate(last_visit=last_visit, last_call=last_call)


def visible_pairings(user):
    return visible_to(user, Pairing.objects.all(), "household__org_unit")


def my_pairings(user):
    return visible_pairings(user).filter(cadre=user, until__isnull=True, household__status__in=PAIRED)


def _renewed():
    return Exists(
        Certificate.objects.filter(
            household=OuterRef("household"), issued_on__gt=OuterRef("issued_on"), revoked_on__isnull=True
        )
    )


def expired_certificates(certificates, today=None):
    """Certificates past their date, not revoked, not renewed, of families still in hardship."""
    today = today or clock.today()
    return certificates.filter(revoked_on__isnull=True, expires_on__lt=today, household__status__in=CERTIFIED).exclude(
        _renewed()
    )


def visible_certificates(user):
    return visible_to(user, Certificate.objects.all(), "household__org_unit")


def review_overdue(today=None, days=None):
    today = today or clock.today()
    return review_due(today, days or archive_rules.REVIEW_DAYS.default)


def follow_up_on(household, days=None):
    if household.exited_on is None:
        return None
    return household.exited_on + timedelta(days=days or archive_rules.FOLLOW_UP_DAYS.default)


def exited(households, days=None):
    """Exited families with their follow-up date and their last visit and call since the exit."""
    days = days or archive_rules.FOLLOW_UP_DAYS.default
    since_exit = Q(contacts__on__gte=F("exited_on"))
    return households.filter(status=FileStatus.EXITED).annotate(
        follow_up_on=Cast(F("exited_on") + timedelta(days=days), DateField()),
        last_visit=Max("contacts__on", filter=since_exit & Q(contacts__kind=Contact.Kind.VISIT)),
        last_call=Max("contacts__on", filter=since_exit & Q(contacts__kind=Contact.Kind.PHONE)),
    )


def _follow_up_due(today, days):
    """``follow_ups_due`` as a filter of households."""
    window_start = Cast(OuterRef("exited_on") + timedelta(days=days - FOLLOW_UP_WINDOW), DateField())
    visited = Exists(Contact.objects.filter(household=OuterRef("pk"), kind=Contact.Kind.VISIT, on__gte=window_start))
    return Q(status=FileStatus.EXITED, exited_on__lte=today - timedelta(days=days)) & ~visited


def follow_ups_due(households, today=None, days=None):
    """Exited families whose follow-up date has come with no visit from ``FOLLOW_UP_WINDOW`` days before it."""
    today = today or clock.today()
    days = days or archive_rules.FOLLOW_UP_DAYS.default
    return households.filter(_follow_up_due(today, days))


def stale(households, today=None):
    return households.filter(stale_filter(today))


def flag_counts(user, today=None, rules=None):
    """The care flags of the user's subtree, each with the link to its list: three count queries (the rules in
    force, ``rules_for``, may be given by a caller that read them already), and the user's own paired families
    not visited in time (``mine``, the cadre's line of the workbench) from the same query as the subtree's."""
    today = today or clock.today()
    rules = rules or rules_for(user)
    households = visible_households(user)
    pairings = not_visited(visible_pairings(user), today, rules[archive_rules.VISIT_DAYS.key]).aggregate(
        not_visited=Count("household", distinct=True), mine=Count("pk", filter=Q(cadre=user))
    )
    follow_up_days = rules[archive_rules.FOLLOW_UP_DAYS.key]
    # One count of the files for three flags: each is the filter of its own list (``review_overdue``,
    # ``follow_ups_due``, ``stale``), restricted here to the files it flags.
    files = households.aggregate(
        review_due=Count("pk", filter=review_overdue(today, rules[archive_rules.REVIEW_DAYS.key])),
        follow_up=Count("pk", filter=_follow_up_due(today, follow_up_days)),
        stale=Count("pk", filter=stale_filter(today)),
    )
    return {
        **pairings,
        "expired": expired_certificates(visible_certificates(user), today).count(),
        **files,
    }


def relapse_figures(households):
    """Exits and relapses of a query of households (for the figures): ``{"exited", "relapsed", "relapses"}``."""
    return households.aggregate(
        exited=Count("pk", filter=Q(status=FileStatus.EXITED)),
        relapsed=Count("pk", filter=Q(relapses__gt=0)),
        relapses=Sum("relapses"),
    )


def evidence_seen_through(user):
    """The monthly-income evidence of the files the user sees (for ``evidence.access.register``)."""
    return Q(
        pk__in=visible_households(user)
        .filter(monthly_incomes__evidence__isnull=False)
        .values("monthly_incomes__evidence")
    )


def aid_xlsx(aids):
    """The filtered aid as .xlsx: the head's name masked (王*), no ID number, phone or account."""
    from django.utils.translation import gettext as _

    from qingdan.spreadsheets import write_workbook

    header = [_("File number"), _("Head of household"), _("Managed by"), _("Kind"), _("Amount (yuan)"), _("Given on"),
              _("Given by"), _("Source of funds"), _("Delivered by"), _("Note")]  # fmt: skip
    rows = (
        [
            aid.household.number,
            mask_name(aid.household.head_name),
            aid.household.org_unit.name,
            str(aid.get_kind_display()),
            float(aid.amount),
            f"{aid.given_on:%Y-%m-%d}",
            aid.org_unit.name,
            aid.source,
            aid.delivered_by,
            aid.note,
        ]
        for aid in aids.select_related("household__org_unit", "org_unit").order_by("-given_on", "-id").iterator()
    )
    return write_workbook(_("Aid"), header, rows)


def mask_name(name):
    """The first character and a star for each other one: 张* for 张三, 李** for 李小明."""
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""

"""Who reads which household file, and the filters of the household list: the one contract the list, the figures
(whose every number links to a filtered list), the exports and the API share.

A file is read by the subtree of the unit managing it (``org_unit``); a lookup outside is a 404. Filters take the
query string as given and ignore what they do not understand:

``status`` (a FileStatus, or ``live``: every file still held), ``category``, ``cause`` (main cause), ``identity``,
``unit`` (an org unit id: managed within it), ``year`` (applied in), ``exited_year``, ``stale=1`` (not changed for
``STALE_DAYS``), ``review_due=1`` (archived or permanent, last reviewed — or archived — over the review interval
ago), ``no_aid=1`` (archived with no aid yet), ``q`` (file number or head's name).

Added for the figures (``assistance.figures``), each number of which links here:
``status=held`` (in the archive now: archived or permanent support — what "archived now" counts), ``own=1`` (with
``unit``: managed by that very unit, not the units below it), ``archived_year`` (archived in that year, whatever
became of the file since), ``aid_year`` / ``aid_kind`` (given aid in that year / of that kind; both: aid of that
kind in that year), ``not_visited=1`` (held, paired with a cadre now, and no visit or phone call logged in the
last ``visit_days`` days — the rule ``assistance.visit_days``, its default when the parameter is absent).
"""

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q

from assistance import rules
from assistance.models import (
    AIDED_STATUSES,
    LIVE_STATUSES,
    Aid,
    AidKind,
    Category,
    Cause,
    Contact,
    FileStatus,
    Household,
    Identity,
    Pairing,
)
from orgs.models import OrgUnit
from orgs.queries import get_visible_or_404, visible_to, within
from qingdan import clock

STALE_DAYS = 365  # "files not updated in a year" (DOMAIN.md): the national system's own search
# In the archive now: what the figures call "archived now" (temporary-aid files are a library of their own).
HELD_STATUSES = [FileStatus.ARCHIVED, FileStatus.PERMANENT]


def visible_households(user):
    return visible_to(user, Household.objects.all(), "org_unit")


def get_household(user, pk):
    return get_visible_or_404(user, Household.objects.select_related("org_unit", "employer_union"), "org_unit", pk=pk)


def _int(params, name):
    value = str(params.get(name, "") or "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def review_due(today, interval=rules.REVIEW_DAYS.default):
    """Archived and permanent files whose last review (or archiving) is ``interval`` days old or more."""
    line = today - timedelta(days=interval)
    held = Q(status__in=[FileStatus.ARCHIVED, FileStatus.PERMANENT])
    return held & (Q(reviewed_on__lte=line) | Q(reviewed_on__isnull=True, archived_on__lte=line))


def stale_filter(today=None):
    """Live files not updated in ``STALE_DAYS`` days."""
    today = today or clock.today()
    return Q(status__in=LIVE_STATUSES, updated_at__date__lte=today - timedelta(STALE_DAYS))


def filter_households(households, params, today=None):
    today = today or clock.today()
    status = params.get("status", "")
    if status == "live":
        households = households.filter(status__in=LIVE_STATUSES)
    elif status == "held":
        households = households.filter(status__in=HELD_STATUSES)
    elif status in FileStatus.values:
        households = households.filter(status=status)
    for name, field, choices in (
        ("category", "category", Category),
        ("cause", "main_cause", Cause),
        ("identity", "identity", Identity),
    ):
        value = params.get(name, "")
        if value in choices.values:
            households = households.filter(**{field: value})
    unit_id = _int(params, "unit")
    if unit_id is not None:
        unit = OrgUnit.objects.filter(pk=unit_id).only("path").first()
        if unit is None:
            households = households.none()
        elif params.get("own") == "1":
            households = households.filter(org_unit=unit)
        else:
            households = households.filter(within(unit, "org_unit"))
    for name, field in (("year", "applied_on"), ("exited_year", "exited_on"), ("archived_year", "archived_on")):
        year = _int(params, name)
        if year is not None and 1900 < year < 3000:
            households = households.filter(**{f"{field}__gte": date(year, 1, 1), f"{field}__lt": date(year + 1, 1, 1)})
    if params.get("stale") == "1":
        households = households.filter(stale_filter(today))
    if params.get("review_due") == "1":
        households = households.filter(review_due(today))
    if params.get("no_aid") == "1":
        households = households.filter(status__in=AIDED_STATUSES).exclude(
            Exists(Aid.objects.filter(household=OuterRef("pk")))
        )
    aid = aid_q(_year(params, "aid_year"), params.get("aid_kind", ""))
    if aid is not None:
        households = households.filter(aid)
    if params.get("not_visited") == "1":
        households = households.filter(not_visited(today, _int(params, "visit_days")))
    text = (params.get("q", "") or "").strip()[:50]
    if text:
        households = households.filter(Q(number__icontains=text) | Q(head_name__icontains=text))
    return households


def _year(params, name):
    year = _int(params, name)
    return year if year is not None and 1900 < year < 3000 else None


def year_range(year):
    return date(year, 1, 1), date(year + 1, 1, 1)


def aid_q(year=None, kind=""):
    """Households given aid in ``year`` and/or of ``kind`` (None when neither is asked for)."""
    if year is None and kind not in AidKind.values:
        return None
    aid = Aid.objects.filter(household=OuterRef("pk"))
    if year is not None:
        first, following = year_range(year)
        aid = aid.filter(given_on__gte=first, given_on__lt=following)
    if kind in AidKind.values:
        aid = aid.filter(kind=kind)
    return Q(Exists(aid))


def not_visited(today, days=None):
    """Held files paired with a cadre now and with no visit or phone call logged in the last ``days`` days."""
    rule = rules.VISIT_DAYS
    days = days if days is not None and rule.minimum <= days <= rule.maximum else rule.default
    line = today - timedelta(days=days)
    paired = Pairing.objects.filter(household=OuterRef("pk"), until__isnull=True)
    seen = Contact.objects.filter(household=OuterRef("pk"), on__gt=line)
    return Q(status__in=HELD_STATUSES) & Q(Exists(paired)) & ~Q(Exists(seen))

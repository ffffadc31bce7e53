"""Who reads which household file, and the filters of the household list: the one contract the list, the figures
(whose every number links to a filtered list), the exports and the API share.

A file is read by the subtree of the unit managing it (``org_unit``); a lookup outside is a 404. Filters take the
query string as given and ignore what they do not understand:

``status`` (a FileStatus, or ``live``: every file still held), ``category``, ``cause`` (main cause), ``identity``,
``unit`` (an org unit id: managed within it), ``year`` (applied in), ``exited_year``, ``stale=1`` (not changed for
``STALE_DAYS``), ``review_due=1`` (archived or permanent, last reviewed — or archived — over the review interval
ago), ``no_aid=1`` (archived with no aid yet), ``q`` (file number or head's name).
"""

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q

from assistance import rules
from assistance.models import AIDED_STATUSES, LIVE_STATUSES, Aid, Category, Cause, FileStatus, Household, Identity
from orgs.models import OrgUnit
from orgs.queries import get_visible_or_404, visible_to, within
from qingdan import clock

STALE_DAYS = 365  # "files not updated in a year" (DOMAIN.md): the national system's own search


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


def filter_households(households, params, today=None):
    today = today or clock.today()
    status = params.get("status", "")
    if status == "live":
        households = households.filter(status__in=LIVE_STATUSES)
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
        households = households.filter(within(unit, "org_unit")) if unit else households.none()
    for name, field in (("year", "applied_on"), ("exited_year", "exited_on")):
        year = _int(params, name)
        if year is not None and 1900 < year < 3000:
            households = households.filter(**{f"{field}__gte": date(year, 1, 1), f"{field}__lt": date(year + 1, 1, 1)})
    if params.get("stale") == "1":
        households = households.filter(status__in=LIVE_STATUSES, updated_at__date__lte=today - timedelta(STALE_DAYS))
    if params.get("review_due") == "1":
        households = households.filter(review_due(today))
    if params.get("no_aid") == "1":
        households = households.filter(status__in=AIDED_STATUSES).exclude(
            Exists(Aid.objects.filter(household=OuterRef("pk")))
        )
    text = (params.get("q", "") or "").strip()[:50]
    if text:
        households = households.filter(Q(number__icontains=text) | Q(head_name__icontains=text))
    return households

"""Who reads which demand, dispute, meeting and letter, and the filters of their list pages: the one contract the
lists, the figures (whose every number links to a filtered list), the exports and the API share.

A record is read by the subtree of the unit it is registered under (its ``org_unit``, or a letter's
``issuing_unit``); a demand also by the subtree of the unit handling it (a department answering a demand sent
from a town reads that demand, and no other of the town's). A lookup outside is a 404.

Filters take the query string as given (``request.GET``) and ignore what they do not understand, so a stale or
hand-made link shows everything rather than an error:

- demands: ``status``, ``category``, ``source``, ``result``, ``unit`` (an org unit id: registered within it),
  ``enterprise``, ``month`` (``YYYY-MM`` received), ``overdue=1`` (still waiting past the reply deadline),
  ``on_time=1|0`` (replied by / after the deadline), ``rated=1`` (rated very satisfied or satisfied), ``q``;
- disputes: ``status``, ``colour``, ``level``, ``kind``, ``outcome``, ``unit``, ``enterprise``, ``month``,
  ``open=1`` (registered or in mediation), ``q``;
- letters: ``kind``, ``status``, ``unit``, ``enterprise``, ``month``, ``overdue=1`` (unanswered past its due date);
- meetings: ``unit``, ``enterprise``, ``month``, ``q``.

Every list also takes ``from`` and ``to`` (``YYYY-MM``, both months included: the period of the figures page) and,
with ``unit``, ``own=1`` (registered at that unit itself, not below it). Demands also take ``accepted=1`` (accepted:
being handled, replied or closed), ``replied=1`` (a reply was given) and ``rated=any`` (rated at all): the
denominators of the figures' rates.
"""

import re
from datetime import date

from django.db.models import Q

from cases.models import (
    Colour,
    Demand,
    DemandCategory,
    DemandResult,
    DemandSource,
    DemandStatus,
    Dispute,
    DisputeKind,
    DisputeStatus,
    JointMeeting,
    Letter,
    LetterKind,
    LetterStatus,
    Level,
    Outcome,
    Rating,
)
from orgs.models import OrgUnit
from orgs.queries import get_or_404, get_visible_or_404, root_unit, visible_to, within, within_either
from qingdan import clock

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
OPEN_DISPUTE = (DisputeStatus.REGISTERED, DisputeStatus.MEDIATING)
SATISFIED = (Rating.VERY_SATISFIED, Rating.SATISFIED)
ACCEPTED = (DemandStatus.ASSIGNED, DemandStatus.REPLIED, DemandStatus.CLOSED)


# --- who reads what -----------------------------------------------------------------------------------------------


def visible_demands(user):
    unit = root_unit(user)
    if unit is None:
        return Demand.objects.none()
    return Demand.objects.filter(within_either(unit, Demand, "org_unit", "handling_unit"))


def get_demand(user, pk):
    return get_or_404(visible_demands(user).select_related("enterprise", "org_unit", "handling_unit", "meeting"), pk=pk)


def visible_disputes(user):
    return visible_to(user, Dispute.objects.all(), "org_unit")


def get_dispute(user, pk):
    return get_visible_or_404(
        user, Dispute.objects.select_related("enterprise", "org_unit", "project", "subcontract"), "org_unit", pk=pk
    )


def visible_meetings(user):
    return visible_to(user, JointMeeting.objects.all(), "org_unit")


def get_meeting(user, pk):
    return get_visible_or_404(user, JointMeeting.objects.select_related("enterprise", "org_unit"), "org_unit", pk=pk)


def visible_letters(user):
    return visible_to(user, Letter.objects.all(), "issuing_unit")


def get_letter(user, pk):
    return get_visible_or_404(user, Letter.objects.select_related("enterprise", "issuing_unit"), "issuing_unit", pk=pk)


# --- the list filters ---------------------------------------------------------------------------------------------


def _choice(params, name, choices):
    value = params.get(name, "")
    return value if value in choices.values else ""


def _int(params, name):
    value = params.get(name, "")
    return int(value) if str(value).isdigit() and len(str(value)) < 12 else None


def month_of(params):
    """``(first day, first day of the next month)`` of ``month=YYYY-MM``, or None."""
    found = MONTH.match(params.get("month", "") or "")
    if not found:
        return None
    year, month = int(found[1]), int(found[2])
    if not (1 <= month <= 12 and 1900 < year < 3000):
        return None
    return date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)


def months_of(params):
    """``(first day of ``from``, first day after ``to``)`` of ``from=YYYY-MM&to=YYYY-MM``; either end may be None."""
    start = month_of({"month": params.get("from", "")})
    end = month_of({"month": params.get("to", "")})
    return (start[0] if start else None, end[1] if end else None)


def _common(queryset, params, unit_field, day_field, text_fields):
    unit_id = _int(params, "unit")
    if unit_id is not None:
        unit = OrgUnit.objects.filter(pk=unit_id).only("path").first()
        if unit is None:
            queryset = queryset.none()
        elif params.get("own") == "1":
            queryset = queryset.filter(**{unit_field: unit})
        else:
            queryset = queryset.filter(within(unit, unit_field))
    since, until = months_of(params)
    if since:
        queryset = queryset.filter(**{f"{day_field}__gte": since})
    if until:
        queryset = queryset.filter(**{f"{day_field}__lt": until})
    enterprise = _int(params, "enterprise")
    if enterprise is not None:
        queryset = queryset.filter(enterprise_id=enterprise)
    span = month_of(params)
    if span:
        queryset = queryset.filter(**{f"{day_field}__gte": span[0], f"{day_field}__lt": span[1]})
    text = (params.get("q", "") or "").strip()[:100]
    if text:
        matched = Q(pk__in=[])
        for field in text_fields:
            matched |= Q(**{f"{field}__icontains": text})
        queryset = queryset.filter(matched)
    return queryset


def filter_demands(demands, params, today=None):
    today = today or clock.today()
    for name, choices in (
        ("status", DemandStatus),
        ("category", DemandCategory),
        ("source", DemandSource),
        ("result", DemandResult),
    ):
        value = _choice(params, name, choices)
        if value:
            demands = demands.filter(**{name: value})
    if params.get("overdue") == "1":
        demands = demands.filter(status=DemandStatus.ASSIGNED, reply_due__lt=today)
    if params.get("on_time") in ("0", "1"):
        demands = demands.filter(replied_on_time=params["on_time"] == "1")
    if params.get("rated") == "1":
        demands = demands.filter(rating__in=SATISFIED)
    elif params.get("rated") == "any":
        demands = demands.exclude(rating="")
    if params.get("accepted") == "1":
        demands = demands.filter(status__in=ACCEPTED)
    if params.get("replied") == "1":
        demands = demands.filter(replied_at__isnull=False)
    return _common(demands, params, "org_unit", "received_on", ("enterprise__name", "content"))


def filter_disputes(disputes, params):
    for name, choices in (
        ("status", DisputeStatus),
        ("colour", Colour),
        ("level", Level),
        ("kind", DisputeKind),
        ("outcome", Outcome),
    ):
        value = _choice(params, name, choices)
        if value:
            disputes = disputes.filter(**{name: value})
    if params.get("open") == "1":
        disputes = disputes.filter(status__in=OPEN_DISPUTE)
    return _common(disputes, params, "org_unit", "received_on", ("enterprise__name", "summary"))


def filter_letters(letters, params, today=None):
    today = today or clock.today()
    for name, choices in (("kind", LetterKind), ("status", LetterStatus)):
        value = _choice(params, name, choices)
        if value:
            letters = letters.filter(**{name: value})
    if params.get("overdue") == "1":
        letters = letters.filter(status=LetterStatus.DELIVERED, reply_due__lt=today)
    return _common(letters, params, "issuing_unit", "issued_on", ("enterprise__name", "number"))


def filter_meetings(meetings, params):
    return _common(meetings, params, "org_unit", "held_on", ("enterprise__name", "title"))

from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext_lazy

from cases.models import (
    DisputeEventKind,
    DisputeStatus,
    Outcome,
)
from cases.models.demands import NAME_MAX
from cases.models.disputes import AMOUNT_DIGITS
from orgs.models import OrgKind, OrgUnit, Role
from orgs.queries import root_unit, within
from qingdan.actors import SYSTEM
from qingdan.errors import Refused

S = DisputeStatus
OPEN = (S.REGISTERED, S.MEDIATING)
FOLLOW_UP_PURPOSE = "cases.follow_up"
MONTHS_MAX = Decimal("99.9")
AMOUNT_MAX = Decimal(10 ** (AMOUNT_DIGITS - 2)) - Decimal("0.01")
GRID_MAX = NAME_MAX
ACTION_MAX = 300
BODY_MAX = 100

# action: (states it may start from, state it leads to; None: the state stays)
TRANSITIONS = {
    "change_facts": ({S.REGISTERED, S.MEDIATING}, None),
    "parties": ({S.REGISTERED, S.MEDIATING, S.AGREED}, None),
    "start_mediation": ({S.REGISTERED}, S.MEDIATING),
    "session": ({S.MEDIATING}, None),
    "assign_mediator": ({S.MEDIATING}, None),
    "fail_level": ({S.MEDIATING}, None),
    "agree": ({S.REGISTERED, S.MEDIATING}, S.AGREED),
    "refer": ({S.REGISTERED, S.MEDIATING}, S.REFERRED),
    "withdraw": ({S.REGISTERED, S.MEDIATING}, S.WITHDRAWN),
    "pay": ({S.AGREED}, None),
    "issue_follow_up": ({S.AGREED}, None),
    "answer_yes": ({S.AGREED}, S.CLOSED),
    "reopen": ({S.AGREED, S.CLOSED, S.WITHDRAWN}, None),  # back to mediation at its level, or registered
}
ACTION_NAMES = {
    "change_facts": gettext_lazy("have its facts changed"),
    "parties": gettext_lazy("have its parties changed"),
    "start_mediation": gettext_lazy("go to mediation"),
    "session": gettext_lazy("have a mediation session recorded"),
    "assign_mediator": gettext_lazy("have a mediator named"),
    "fail_level": gettext_lazy("be passed up a level"),
    "agree": gettext_lazy("have an agreement recorded"),
    "refer": gettext_lazy("be referred to arbitration or court"),
    "withdraw": gettext_lazy("be withdrawn"),
    "pay": gettext_lazy("have a payment recorded"),
    "issue_follow_up": gettext_lazy("have a follow-up link made"),
    "answer_yes": gettext_lazy("be closed"),
    "reopen": gettext_lazy("be reopened"),
}
# Labels whose bare English word means something else elsewhere in the interface (a poll is "closed" too).
STATUS_LABELS = {
    S.REGISTERED: pgettext_lazy("dispute status", "Registered"),
    S.CLOSED: pgettext_lazy("dispute status", "Closed"),
    S.WITHDRAWN: pgettext_lazy("dispute status", "Withdrawn"),
}
EVENT_LABELS = {
    DisputeEventKind.REGISTERED: pgettext_lazy("dispute event", "Registered"),
    DisputeEventKind.CLOSED: pgettext_lazy("dispute event", "Closed"),
}
OUTCOME_LABELS = {Outcome.WITHDRAWN: pgettext_lazy("dispute outcome", "Withdrawn")}


def status_label(status):
    return STATUS_LABELS.get(status) or S(status).label


def event_label(kind):
    return EVENT_LABELS.get(kind) or DisputeEventKind(kind).label


def outcome_label(outcome):
    return (OUTCOME_LABELS.get(outcome) or Outcome(outcome).label) if outcome else ""


def stored_language():
    """Texts kept in the records (a colour's reason, a notification) are written in the federation's language,
    whoever's request or command writes them."""
    return override(settings.LANGUAGE_CODE)


CHANGED = gettext_lazy("This dispute was changed by someone else since you read it; nothing was saved.")


# --- where a dispute sits in the tree -----------------------------------------------------------------------------


def _line(unit):
    """The units from the root down to ``unit`` (one query)."""
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=unit.line_ids)}
    return [units[pk] for pk in unit.line_ids if pk in units]


def town_of(unit):
    """The town or street union at or above ``unit``, or None."""
    if unit is None:
        return None
    if unit.kind == OrgKind.TOWN:
        return unit
    return next((u for u in reversed(_line(unit)) if u.kind == OrgKind.TOWN), None)


def county_of(unit):
    """The county federation at or above ``unit``, or None."""
    if unit.kind == OrgKind.COUNTY:
        return unit
    return next((u for u in reversed(_line(unit)) if u.kind == OrgKind.COUNTY), None)


# --- who may act --------------------------------------------------------------------------------------------------


def _person_ok(user):
    return user is not None and getattr(user, "is_active", False) and root_unit(user) is not None


def _town_reporter(user):
    return user.has_role(Role.REPORTER) and user.org_unit.kind == OrgKind.TOWN


def handles(user, dispute):
    """Whether ``user`` works on ``dispute``: the office staff of a unit it is registered within (the town union or
    a federation above it), or the reporter of the town union it is registered under. Leaders read only."""
    if user is SYSTEM:
        return True
    if not _person_ok(user):
        return False
    if not dispute.org_unit.is_within(user.org_unit):
        return False
    return user.has_role(Role.OFFICE) or _town_reporter(user)


def handled_filter(user):
    """The disputes ``user`` works on, as a Q: the query twin of ``handles`` (inbox and lists)."""
    if user is SYSTEM:
        return Q()
    if not _person_ok(user) or not (user.has_role(Role.OFFICE) or _town_reporter(user)):
        return Q(pk__in=[])
    return within(user.org_unit, "org_unit")


def can_register(user, unit=None):
    """Whether ``user`` may register a dispute under ``unit`` (any, when None): the office staff of a federation or a
    town union within their subtree, or a town union's reporter for their own town."""
    if user is SYSTEM:
        return True
    if not _person_ok(user):
        return False
    if user.has_role(Role.OFFICE):
        if user.org_unit.kind not in (OrgKind.TOWN, OrgKind.COUNTY, OrgKind.CITY, OrgKind.PROVINCE):
            return False
        return unit is None or (unit.is_within(user.org_unit) and unit.kind in REGISTER_KINDS)
    if _town_reporter(user):
        return unit is None or unit.pk == user.org_unit_id
    return False


REGISTER_KINDS = (OrgKind.TOWN, OrgKind.COUNTY, OrgKind.CITY, OrgKind.PROVINCE)


def grid_town(user):
    """The town a grid leader reports for: a reporter of a town union or of a unit below a town. None otherwise."""
    if user is SYSTEM or not _person_ok(user) or not user.has_role(Role.REPORTER):
        return None
    return town_of(user.org_unit)


def can_report_grid(user):
    return grid_town(user) is not None


def _open_level(dispute):
    found = getattr(dispute, "_open_level_cache", "unset")
    if found == "unset":
        found = dispute.mediations.filter(ended_on__isnull=True).first()
        dispute._open_level_cache = found
    return found


def _in(dispute, action):
    return dispute.status in TRANSITIONS[action][0]


def can_change_facts(user, dispute):
    return handles(user, dispute) and _in(dispute, "change_facts")


def can_manage_parties(user, dispute):
    return handles(user, dispute) and _in(dispute, "parties")


def can_start_mediation(user, dispute):
    return handles(user, dispute) and _in(dispute, "start_mediation")


def can_mediate(user, dispute):
    """Record a session, name the mediator, pass the open level up: a level is open."""
    return handles(user, dispute) and dispute.status == S.MEDIATING and _open_level(dispute) is not None


def can_record_agreement(user, dispute):
    if not handles(user, dispute) or not _in(dispute, "agree"):
        return False
    return dispute.status == S.REGISTERED or _open_level(dispute) is not None


def can_refer(user, dispute):
    return handles(user, dispute) and _in(dispute, "refer")


def can_withdraw(user, dispute):
    return handles(user, dispute) and _in(dispute, "withdraw")


def can_record_payment(user, dispute):
    return (
        handles(user, dispute)
        and _in(dispute, "pay")
        and dispute.amount_agreed is not None
        and (dispute.amount_paid or 0) < dispute.amount_agreed
    )


def can_issue_follow_up(user, dispute):
    return (
        handles(user, dispute)
        and _in(dispute, "issue_follow_up")
        and dispute.follow_ups.filter(answered_at__isnull=True).exists()
    )


def can_reopen(user, dispute):
    return handles(user, dispute) and _in(dispute, "reopen")


def can_see_phone(user, dispute):
    return handles(user, dispute)


def _require(allowed, dispute, action):
    if allowed:
        return
    if dispute.status not in TRANSITIONS[action][0]:
        raise Refused(
            _("This dispute is “%(status)s”; it cannot %(action)s now.")
            % {"status": status_label(dispute.status), "action": ACTION_NAMES[action]}
        )
    raise Refused(_("Your roles or your organisation do not allow this action on this dispute."))

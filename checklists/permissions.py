"""Who may act on an item, and when: one predicate per action, ``can_<action>(user, item)``, made of
``may_<action>`` (who: roles and place in the tree) and the item's state (when).

The workflow asks ``may_`` before anything else and checks the state itself, with a precise reason, the item page asks it for its buttons, the API goes
through the workflow, and the workbench's to-do lists are the same rules written as queries, each beside
its predicate (``checklists/tests/test_permissions.py`` checks that both agree on every demo item).
"""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, Subquery

from checklists import rules
from checklists.models import EventKind, Extension, ExtensionStatus, ItemEvent, ItemStatus
from orgs.models import OrgUnit, Role
from orgs.queries import holds_every_unit, on_the_line_of, within
from qingdan import clock

URGEABLE = frozenset({ItemStatus.ISSUED, ItemStatus.RECTIFYING})  # past the deadline with no application
NOTHING = Q(pk__in=[])


def _has(user, *roles):
    return user is not None and getattr(user, "org_unit_id", None) is not None and user.has_role(*roles)


def _pending(item):
    return item.extensions.filter(status=ExtensionStatus.PENDING).exists()


PENDING = Exists(Extension.objects.filter(item=OuterRef("pk"), status=ExtensionStatus.PENDING))


# --- apply (申请销号): the responsible unit's own reporter, while the item is open and not applied for


def is_unit_reporter(user, item):
    """The responsible unit's own reporter (not a unit above it, not a co-unit)."""
    return _has(user, Role.REPORTER) and user.org_unit_id == item.responsible_unit_id


may_apply = may_extend = is_unit_reporter  # who; ``can_`` adds when


def can_apply(user, item):
    return may_apply(user, item) and item.status in URGEABLE


def applicable(user):
    if not _has(user, Role.REPORTER):
        return NOTHING
    return Q(responsible_unit_id=user.org_unit_id, status__in=URGEABLE)


# --- extend (申请延期): the same reporter, before the deadline, one request at a time


def can_extend(user, item):
    return may_extend(user, item) and item.status in URGEABLE and item.deadline >= clock.today() and not _pending(item)


# --- verify (验收): a reviewer or office clerk on the issuing office's line, outside the unit, not the applicant


def _last_applicant(item):
    applied = item.events.filter(kind=EventKind.APPLIED).order_by("-at", "-id")
    return applied.values_list("actor_id", flat=True).first()


def may_verify(user, item):
    """A reviewer (or office clerk) on the issuing office's line — the office itself, above it or
    within it — but never inside the responsible unit, and never the one who applied."""
    if not _has(user, Role.REVIEWER, Role.OFFICE):
        return False
    office, own = item.checklist.issuing_unit, user.org_unit
    on_office_line = office.is_within(own) or own.is_within(office)
    inside_unit = own.is_within(item.responsible_unit)
    return on_office_line and not inside_unit and _last_applicant(item) != user.pk


def can_verify(user, item):
    return item.status == ItemStatus.APPLIED and may_verify(user, item)


def verifiable(user):
    if not _has(user, Role.REVIEWER, Role.OFFICE):
        return NOTHING
    own = user.org_unit
    # The offices on the line as one list of ids: an OR of the path prefix and the ancestors across the list's
    # join reads every list and unit of a province. The whole tree needs no list (nor a hash of 300,000 ids).
    offices = OrgUnit.objects.filter(within(own) | on_the_line_of(own)).values("pk")
    on_line = Q() if holds_every_unit(own) else Q(checklist__issuing_unit__in=offices)
    waiting = Q(status=ItemStatus.APPLIED) & on_line & ~on_the_line_of(own, "responsible_unit")
    if not ItemEvent.objects.filter(actor=user, kind=EventKind.APPLIED).exists():
        # Nobody who never applied can be an item's last applicant: spare each waiting item its look-up (a
        # province's office counts some 30,000 of them on its workbench).
        return waiting
    last = ItemEvent.objects.filter(item=OuterRef(OuterRef("pk")), kind=EventKind.APPLIED).order_by("-at", "-id")
    return waiting & ~Exists(ItemEvent.objects.filter(pk=Subquery(last.values("pk")[:1]), actor=user))


# --- evaluate (深度验收): the evaluator the item was assigned to, while it is in deep review


def may_evaluate(user, item):
    return _has(user, Role.EVALUATOR) and item.evaluator_id == user.pk


def can_evaluate(user, item):
    return may_evaluate(user, item) and item.status == ItemStatus.DEEP_REVIEW


def evaluable(user):
    if not _has(user, Role.EVALUATOR):
        return NOTHING
    return Q(status=ItemStatus.DEEP_REVIEW, evaluator=user)


# --- evidence (补充佐证): the responsible unit's reporter or a co-unit's, while the item is open


def is_co_unit_reporter(user, item):
    return _has(user, Role.REPORTER) and any(u.pk == user.org_unit_id for u in item.checklist.co_units.all())


def can_add_evidence(user, item):
    return item.is_open and (is_unit_reporter(user, item) or is_co_unit_reporter(user, item))


# --- urge (催办) and decide an extension (审批延期): the issuing office or an office above it


def is_issuing_office(user, item):
    return _has(user, Role.OFFICE) and item.checklist.issuing_unit.is_within(user.org_unit)


may_urge = may_decide_extension = is_issuing_office


def urged_lately(item, today):
    interval = timedelta(days=rules.of(item.checklist, rules.URGE_INTERVAL))
    return item.last_urged_on is not None and item.last_urged_on > today - interval


def not_urged_lately(today):
    """``urged_lately`` negated, as a filter: never urged, or urged at least each list's interval ago."""
    return Q(last_urged_on__isnull=True) | rules.each_list(
        rules.URGE_INTERVAL, lambda days: Q(last_urged_on__lte=today - timedelta(days=days))
    )


def can_urge(user, item):
    today = clock.today()
    return (
        may_urge(user, item)
        and item.status in URGEABLE
        and item.deadline < today
        and not urged_lately(item, today)
        and not _pending(item)
    )


def urgeable(user, today=None):
    if not _has(user, Role.OFFICE):
        return NOTHING
    today = today or clock.today()
    due = Q(status__in=URGEABLE, deadline__lt=today) & not_urged_lately(today) & ~PENDING
    return _issued_within(user.org_unit) & due


def can_decide_extension(user, item):
    return may_decide_extension(user, item) and item.status in URGEABLE and _pending(item)


def decidable(user):
    if not _has(user, Role.OFFICE):
        return NOTHING
    return _issued_within(user.org_unit) & Q(status__in=URGEABLE) & PENDING


def _issued_within(unit):
    """Items whose list was issued within ``unit``'s subtree; every item, without the join to the units, for the
    tree's only root (a province's office: its count of items to urge 126 ms → about 85 ms)."""
    return Q() if holds_every_unit(unit) else within(unit, "checklist__issuing_unit")


# The item page's buttons, in the order it shows them.
ACTIONS = {
    "apply": can_apply,
    "extend": can_extend,
    "verify": can_verify,
    "evaluate": can_evaluate,
    "evidence": can_add_evidence,
    "decide": can_decide_extension,
    "urge": can_urge,
}


def available_actions(user, item):
    """The actions ``user`` may take on ``item`` now."""
    return {name for name, rule in ACTIONS.items() if rule(user, item)}

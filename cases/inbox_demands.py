"""What waits for a user among the worker demands, for the workbench (工作台).

Each task is a filter of the demand list (``?task=…``), so the count on the workbench is the number of rows the
user finds behind its link. A task's filter is the query twin of its predicate in ``cases.demand_flow``
(``can_accept``, ``can_reply``, ``can_urge``, ``can_call_back``), each within what ``scope.visible_demands``
shows."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.models import Demand, DemandStatus
from orgs.models import OrgKind, Role
from orgs.queries import within
from qingdan import clock

S = DemandStatus


class Task:
    OVERDUE = "overdue"
    ACCEPT = "accept"
    REPLY = "reply"
    CALL_BACK = "call_back"

    # (task, label, overdue?), in the order the workbench shows them
    ALL = [
        (OVERDUE, _("Demands overdue for a reply"), True),
        (ACCEPT, _("Worker demands to accept"), False),
        (REPLY, _("Demands to reply to"), False),
        (CALL_BACK, _("Replied demands to call back"), False),
    ]
    LABELS = {task: label for task, label, _overdue in ALL}


def _registering(user):
    """Demands the user registers (``can_register`` as a filter)."""
    unit = user.org_unit
    q = Q(pk__in=[])
    if user.has_role(Role.OFFICE):
        q |= within(unit, "org_unit")
    if user.has_role(Role.REPORTER) and unit.kind == OrgKind.TOWN:
        q |= Q(org_unit=unit)
    return q


def _handling(user):
    """Demands the user's unit handles (``can_reply``'s handling-unit half)."""
    if not user.has_role(Role.OFFICE, Role.REPORTER):
        return Q(pk__in=[])
    return Q(handling_unit=user.org_unit)


def _replying(user):
    q = _handling(user)
    if user.has_role(Role.OFFICE):
        q |= within(user.org_unit, "org_unit")
    return q


def task_filter(user, task, today=None):
    """The demands of ``task`` for ``user`` as a Q; nothing when it is not the user's."""
    today = today or clock.today()
    if getattr(user, "org_unit", None) is None:
        return Q(pk__in=[])
    if task == Task.ACCEPT:
        return _registering(user) & Q(status=S.SUBMITTED)
    if task == Task.REPLY:
        return _handling(user) & Q(status=S.ASSIGNED, reply_due__gte=today)
    if task == Task.OVERDUE:
        return _replying(user) & Q(status=S.ASSIGNED, reply_due__lt=today)
    if task == Task.CALL_BACK:
        return _registering(user) & Q(status=S.REPLIED)
    return Q(pk__in=[])


def items(user):
    """A list of ``{"label", "count", "url", "overdue"}``: one query for the counts."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "org_unit", None) is None:
        return []
    if not user.has_role(Role.OFFICE, Role.REPORTER):
        return []
    today = clock.today()
    filters = {task: task_filter(user, task, today) for task, _label, _overdue in Task.ALL}
    union = Q(pk__in=[])
    for q in filters.values():
        union |= q
    counts = Demand.objects.filter(union).aggregate(**{task: Count("pk", filter=q) for task, q in filters.items()})
    url = reverse("cases:demands")
    return [
        {"label": str(label), "count": counts[task], "url": f"{url}?task={task}", "overdue": overdue}
        for task, label, overdue in Task.ALL
        if counts.get(task)
    ]

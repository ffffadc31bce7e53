"""What waits for a user in the labour disputes, for the workbench (工作台): red warnings first, then missed
deadlines, then the work to do. Each task is a filter of the dispute list (``?task=…``), so the count on the
workbench is the number of rows behind its link; each is the query twin of the flow's predicates
(``dispute_flow.handled_filter`` with the states ``can_*`` ask for)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases import dispute_flow
from cases.models import Colour, Dispute, DisputeStatus, FollowUp, Mediation, PartyAction
from qingdan import clock

S = DisputeStatus


class Task:
    RED = "red"
    LEVEL_OVERDUE = "level_overdue"
    ACTIONS_OVERDUE = "actions_overdue"
    NO_MEDIATOR = "no_mediator"
    TO_MEDIATE = "to_mediate"
    FOLLOW_UPS = "follow_ups"

    # (task, label, overdue?), in the order the workbench shows them
    ALL = [
        (RED, _("Red warnings of labour disputes"), True),
        (LEVEL_OVERDUE, _("Mediation past its deadline"), True),
        (ACTIONS_OVERDUE, _("Dispute parties' actions overdue"), True),
        (NO_MEDIATOR, _("Mediation levels waiting for a mediator"), False),
        (TO_MEDIATE, _("Disputes waiting for mediation"), False),
        (FOLLOW_UPS, _("Follow-ups to send to workers"), False),
    ]
    LABELS = {task: label for task, label, _overdue in ALL}


def task_filter(user, task, today=None):
    """The disputes of ``task`` for ``user`` as a Q (nothing when the user works on no dispute)."""
    return dispute_flow.handled_filter(user) & _state_filter(task, today or clock.today())


def _state_filter(task, today):
    """What a dispute of ``task`` is, wherever it is: ``task_filter`` without the user's part."""
    if task == Task.RED:
        return Q(colour=Colour.RED, status__in=dispute_flow.OPEN)
    if task == Task.LEVEL_OVERDUE:
        late = Mediation.objects.filter(ended_on__isnull=True, due_on__lt=today).values("dispute_id")
        return Q(status=S.MEDIATING, pk__in=late)
    if task == Task.ACTIONS_OVERDUE:
        late = PartyAction.objects.filter(done_on__isnull=True, due_on__lt=today).values("party__dispute_id")
        return Q(status__in=dispute_flow.TRANSITIONS["parties"][0], pk__in=late)
    if task == Task.NO_MEDIATOR:
        nobody = Mediation.objects.filter(ended_on__isnull=True, mediator="").values("dispute_id")
        return Q(status=S.MEDIATING, pk__in=nobody)
    if task == Task.TO_MEDIATE:
        return Q(status=S.REGISTERED)
    if task == Task.FOLLOW_UPS:
        waiting = FollowUp.objects.filter(answered_at__isnull=True, issued_at__isnull=True, due_on__lte=today)
        return Q(status=S.AGREED, pk__in=waiting.values("dispute_id"))
    return Q(pk__in=[])


def items(user):
    """``{"label", "count", "url", "overdue", "first"}`` for each task with something waiting: one query."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "org_unit", None) is None:
        return []
    mine = dispute_flow.handled_filter(user)
    if mine == Q(pk__in=[]):
        return []
    today = clock.today()
    # The user's part is the query's own filter: each count adds only what its task is (``_state_filter``).
    filters = {task: _state_filter(task, today) for task, _label, _overdue in Task.ALL}
    counts = Dispute.objects.filter(mine).aggregate(**{task: Count("pk", filter=q) for task, q in filters.items()})
    url = reverse("cases:disputes")
    found = []
    for task, label, overdue in Task.ALL:
        if counts.get(task):
            found.append(
                {
                    "label": str(label),
                    "count": counts[task],
                    "url": f"{url}?task={task}",
                    "overdue": overdue,
                    "first": task == Task.RED,  # a red case tops the whole workbench
                }
            )
    return found

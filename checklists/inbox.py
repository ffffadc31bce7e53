"""What waits for a user in the close-out area, for the workbench (工作台).

Each task is a filter of the item list (``?task=…``), so the count on the workbench is the
number of rows the user finds behind its link. A task's filter carries its own scope (the
user's unit as responsible unit, as issuing office, or the user as assigned evaluator), each
within what ``queries.visible_items`` shows, so the workbench can count without the wider
visibility query.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from checklists.models import Extension, ExtensionStatus, ItemStatus
from checklists.workflow import URGEABLE
from orgs.models import Role
from orgs.queries import on_the_line_of, within
from qingdan import clock


class Task:
    APPLY = "apply"
    RECTIFY = "rectify"
    OVERDUE = "overdue"
    VERIFY = "verify"
    EVALUATE = "evaluate"
    URGE = "urge"
    EXTENSION = "extension"

    # (task, label, roles it is for, overdue?), in the order the workbench shows them
    ALL = [
        (OVERDUE, _("Overdue items of your unit"), (Role.REPORTER,), True),
        (URGE, _("Overdue items to urge"), (Role.OFFICE,), True),
        (APPLY, _("Items to apply for close-out"), (Role.REPORTER,), False),
        (RECTIFY, _("Items to rectify"), (Role.REPORTER,), False),
        (VERIFY, _("Applications to verify"), (Role.REVIEWER,), False),
        (EVALUATE, _("Deep reviews assigned to you"), (Role.EVALUATOR,), False),
        (EXTENSION, _("Extension requests to decide"), (Role.OFFICE,), False),
    ]
    LABELS = {task: label for task, label, _roles, _overdue in ALL}
    choices = [("", _("All")), *((task, label) for task, label, _roles, _overdue in ALL)]


def _own_unit(user):
    """The reporter's own unit (workflow.is_unit_reporter)."""
    return Q(responsible_unit_id=user.org_unit_id)


def _verifiable(user):
    """Lists of an office on the user's line, for units outside the user's own (workflow.can_verify;
    the rule that the applicant never verifies is left to the item page)."""
    own = user.org_unit
    on_line = within(own, "checklist__issuing_unit") | on_the_line_of(own, "checklist__issuing_unit")
    return on_line & ~on_the_line_of(own, "responsible_unit")


def _office(user):
    return within(user.org_unit, "checklist__issuing_unit")


def task_filter(user, task, today=None):
    """The items of ``task`` for ``user`` as a Q; nothing (``pk__in=[]``) when the task is not the user's."""
    today = today or clock.today()
    roles = next((roles for t, _label, roles, _overdue in Task.ALL if t == task), None)
    if roles is None or getattr(user, "org_unit", None) is None or not user.has_role(*roles):
        return Q(pk__in=[])
    if task == Task.APPLY:
        return _own_unit(user) & Q(status=ItemStatus.ISSUED, deadline__gte=today)
    if task == Task.RECTIFY:
        return _own_unit(user) & Q(status=ItemStatus.RECTIFYING, deadline__gte=today)
    if task == Task.OVERDUE:
        return _own_unit(user) & Q(status__in=URGEABLE, deadline__lt=today)
    if task == Task.VERIFY:
        return _verifiable(user) & Q(status=ItemStatus.APPLIED)
    if task == Task.EVALUATE:
        return Q(status=ItemStatus.DEEP_REVIEW, evaluator=user)
    if task == Task.URGE:
        return _office(user) & Q(status__in=URGEABLE, deadline__lt=today)
    pending = Extension.objects.filter(item=OuterRef("pk"), status=ExtensionStatus.PENDING)
    return _office(user) & Q(Exists(pending))


def user_tasks(user):
    return [task for task, _label, roles, _overdue in Task.ALL if user.has_role(*roles)]


def mine_filter(user, today=None):
    """Everything waiting for the user: the union of their tasks (the list's "waiting for me")."""
    q = Q(pk__in=[])
    for task in user_tasks(user):
        q |= task_filter(user, task, today)
    return q


def items(user):
    """A list of ``{"label", "count", "url", "overdue"}``: one query for the counts, and one more per
    task with a single item, whose link then opens that item."""
    from checklists.models import Item

    if not getattr(user, "is_authenticated", False) or getattr(user, "org_unit", None) is None:
        return []
    tasks = user_tasks(user)
    if not tasks:
        return []
    today = clock.today()
    filters = {task: task_filter(user, task, today) for task in tasks}
    union = Q(pk__in=[])
    for q in filters.values():
        union |= q
    counts = Item.objects.filter(union).aggregate(**{task: Count("pk", filter=q) for task, q in filters.items()})
    url = reverse("checklists:items")
    tasks = []
    for task, label, _roles, overdue in Task.ALL:
        if not counts.get(task):
            continue
        link = f"{url}?task={task}"
        if counts[task] == 1:  # one item waiting: straight to it (a reporter's phone journey stays three screens)
            link = reverse(
                "checklists:item", args=[Item.objects.filter(filters[task]).values_list("pk", flat=True).get()]
            )
        tasks.append({"label": str(label), "count": counts[task], "url": link, "overdue": overdue})
    return tasks

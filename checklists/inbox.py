"""What waits for a user in the close-out area, for the workbench (工作台).

Each task is a filter of the item list (``?task=…``), so the count on the workbench is the
number of rows the user finds behind its link. A task's filter carries its own scope (the
user's unit as responsible unit, as issuing office, or the user as assigned evaluator), each
within what ``queries.visible_items`` shows, so the workbench can count without the wider
visibility query.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

import workdays
from checklists import permissions
from checklists.models import ItemStatus
from checklists.queries import late_filter
from orgs.models import Role
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
        (VERIFY, _("Applications to verify"), (Role.REVIEWER, Role.OFFICE), False),
        (EVALUATE, _("Deep reviews assigned to you"), (Role.EVALUATOR,), False),
        (EXTENSION, _("Extension requests to decide"), (Role.OFFICE,), False),
    ]
    LABELS = {task: label for task, label, _roles, _overdue in ALL}
    choices = [("", _("All")), *((task, label) for task, label, _roles, _overdue in ALL)]


def task_filter(user, task, today=None):
    """The items of ``task`` for ``user`` as a Q: the query twin of the task's predicate in
    ``checklists.permissions`` (an apply task split by state and deadline); nothing when it is not the user's."""
    today = today or clock.today()
    roles = next((roles for t, _label, roles, _overdue in Task.ALL if t == task), None)
    if roles is None or getattr(user, "org_unit", None) is None or not user.has_role(*roles):
        return Q(pk__in=[])
    if task == Task.APPLY:
        return permissions.applicable(user) & Q(status=ItemStatus.ISSUED, deadline__gte=today)
    if task == Task.RECTIFY:
        return permissions.applicable(user) & Q(status=ItemStatus.RECTIFYING, deadline__gte=today)
    if task == Task.OVERDUE:
        return permissions.applicable(user) & Q(deadline__lt=today)
    if task == Task.VERIFY:
        return permissions.verifiable(user)
    if task == Task.EVALUATE:
        return permissions.evaluable(user)
    if task == Task.URGE:
        return permissions.urgeable(user, today)
    return permissions.decidable(user)


def user_tasks(user):
    return [task for task, _label, roles, _overdue in Task.ALL if user.has_role(*roles)]


def mine_filter(user, today=None):
    """Everything waiting for the user: the union of their tasks (the list's "waiting for me")."""
    q = Q(pk__in=[])
    for task in user_tasks(user):
        q |= task_filter(user, task, today)
    return q


def items(user):
    """A list of ``{"label", "count", "url", "overdue"}``: the counts (``workbench``), and one more query per
    task with a single item, whose link then opens that item."""
    return workbench(user)[0]


# The unit's own items by where they stand, in the workbench's order: (key, label, status, overdue?).
SUMMARY = [
    ("todo", _("To do"), ItemStatus.ISSUED, False),
    ("rectifying", _("Being rectified"), ItemStatus.RECTIFYING, False),
    ("applied", _("Awaiting verification"), ItemStatus.APPLIED, None),
    ("deep_review", _("Deep review"), ItemStatus.DEEP_REVIEW, None),
    ("closed", _("Closed out"), ItemStatus.CLOSED, None),
    ("overdue", _("Overdue"), None, True),
]
# The summary's boxes that are a reporter's tasks (the same filters as the to-do lines).
SUMMARY_TASKS = {"todo": Task.APPLY, "rectifying": Task.RECTIFY, "overdue": Task.OVERDUE}


def unit_summary(user):
    """The reporter's unit's own items (as responsible unit) by status, each with the link to the item list
    filtered to exactly those rows: 待办 and 整改中 are the tasks not yet due, 逾期 the overdue task (the
    same filters as the to-do lines), the others the unit and the status. Deep review is shown only when an
    item is in it. [] for anyone who is not a reporter of a unit."""
    return workbench(user)[1]


def workbench(user):
    """``(items, unit_summary)``: the user's task counts and, for a reporter, their unit's own items, the summary's
    待办, 整改中 and 逾期 being the reporter's task counts themselves. The reporter's tasks and figures read the
    unit's own items and come from one query; each other task reaches its items another way (the issuing
    office's subtree, the reviewer's line, the assigned evaluator) and is counted by a query of its own: an OR
    of them across the joins read every item of a province (a county office's workbench, bench/README.md)."""
    from checklists.models import Item

    if not getattr(user, "is_authenticated", False) or getattr(user, "org_unit", None) is None:
        return [], []
    tasks = user_tasks(user)
    summary = user.has_role(Role.REPORTER)
    if not tasks and not summary:
        return [], []
    today = clock.today()
    filters = {task: task_filter(user, task, today) for task in tasks}
    own_unit = [task for task in tasks if task in SUMMARY_TASKS.values()]
    counts = {}
    for group in [own_unit, *([task] for task in tasks if task not in own_unit)]:
        rows, wanted = Q(pk__in=[]), {}
        for task in group:
            rows |= filters[task]
            wanted[task] = Count("pk", filter=filters[task])
        if Task.VERIFY in group:
            # The applications to verify that came in late or wait past their deadline (queries.late_filter).
            wanted["late_verify"] = Count("pk", filter=filters[Task.VERIFY] & late_filter(today))
        if summary and group is own_unit:
            own = Q(responsible_unit_id=user.org_unit_id)
            rows |= own
            for key, _label, status, _overdue in SUMMARY:
                if key not in SUMMARY_TASKS:
                    wanted[key] = Count("pk", filter=own & Q(status=status))
        if wanted:
            counts.update(Item.objects.filter(rows).aggregate(**wanted))
    return _task_lines(counts, filters), _summary_rows(user, counts) if summary else []


def _task_lines(counts, filters):
    from checklists.models import Item

    url = reverse("checklists:items")
    tasks = []
    for task, label, _roles, overdue in Task.ALL:
        if not counts.get(task):
            continue
        link, subject = f"{url}?task={task}", ""
        if counts[task] == 1:  # one item waiting: straight to it (a reporter's phone journey stays three screens)
            pk, content = Item.objects.filter(filters[task]).values_list("pk", "content").get()
            link = reverse("checklists:item", args=[pk])
            subject = Truncator(content).chars(40)  # the line names the item it opens: 已逾期：建设职工书屋
        if task == Task.VERIFY and counts.get("late_verify"):
            label, overdue = _("%(label)s (%(n)d overdue)") % {"label": label, "n": counts["late_verify"]}, True
        tasks.append({"label": str(label), "count": counts[task], "url": link, "overdue": overdue, "subject": subject})
    return tasks


def _summary_rows(user, counts):
    url = reverse("checklists:items")
    rows = []
    for key, label, status, overdue in SUMMARY:
        count = counts[SUMMARY_TASKS.get(key, key)]
        if key == "deep_review" and not count:
            continue
        link = (
            f"{url}?task={SUMMARY_TASKS[key]}"
            if key in SUMMARY_TASKS
            else f"{url}?unit={user.org_unit_id}&status={status}"
        )
        rows.append({"key": key, "label": str(label), "count": count, "url": link, "overdue": overdue})
    return rows


def next_deadline(user):
    """The reporter's unit's open item (to apply for or to rectify) that falls due next, not yet overdue, with
    the working days left to its deadline, or None."""
    from checklists.models import Item

    if not getattr(user, "is_authenticated", False) or getattr(user, "org_unit", None) is None:
        return None
    if not user.has_role(Role.REPORTER):
        return None
    today = clock.today()
    item = (
        Item.objects.filter(permissions.applicable(user), deadline__gte=today)
        .select_related("checklist__issuing_unit")
        .order_by("deadline", "pk")
        .first()
    )
    if item is None:
        return None
    days = workdays.between(today, item.deadline, unit=item.checklist.issuing_unit)
    return {
        "item": item,
        "deadline": item.deadline,
        "days_left": days,
        "url": reverse("checklists:item", args=[item.pk]),
    }

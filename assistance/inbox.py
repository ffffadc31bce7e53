"""What waits for a user in the hardship archive, for the workbench (工作台): applications to check, visits to
record, department checks overdue, 公示 ending, objections to handle. Each task is a filter of the household list
(``?task=…``), the query twin of the workflow's ``can_`` predicates (the managing office)."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assistance.models import DepartmentCheck, FileStatus, Household, Objection, Publicity
from orgs.models import Role
from orgs.queries import root_unit, within
from qingdan import clock

ENDING_DAYS = 2

# (task, label, overdue?)
TASKS = [
    ("checks_overdue", _("Department checks overdue"), True),
    ("first_check", _("Hardship applications to check"), False),
    ("visit", _("Home visits to record"), False),
    ("objections", _("Objections to a public notice to handle"), False),
    ("notice_ending", _("Public notices ending (archive when ended)"), False),
]
LABELS = {task: label for task, label, _overdue in TASKS}


def task_filter(user, task, today=None):
    today = today or clock.today()
    unit = root_unit(user)
    if unit is None or not user.has_role(Role.OFFICE) or task not in LABELS:
        return Q(pk__in=[])
    managed = within(unit, "org_unit")
    if task == "first_check":
        return managed & Q(status=FileStatus.APPLIED)
    if task == "visit":
        return managed & Q(status=FileStatus.FIRST_CHECKED)
    if task == "checks_overdue":
        late = DepartmentCheck.objects.filter(household=OuterRef("pk"), result="", due_on__lt=today)
        return managed & Q(status=FileStatus.CHECKING) & Q(Exists(late))
    if task == "objections":
        open_ = Objection.objects.filter(publicity__household=OuterRef("pk"), handled_note="")
        return managed & Q(status=FileStatus.PUBLICISED) & Q(Exists(open_))
    ending = Publicity.objects.filter(household=OuterRef("pk"), ends_on__lte=today + timedelta(days=ENDING_DAYS))
    return managed & Q(status=FileStatus.PUBLICISED) & Q(Exists(ending))


def items(user):
    if not getattr(user, "is_authenticated", False) or root_unit(user) is None or not user.has_role(Role.OFFICE):
        return []
    today = clock.today()
    filters = {task: task_filter(user, task, today) for task, _label, _o in TASKS}
    counts = Household.objects.aggregate(**{task: Count("pk", filter=q) for task, q in filters.items()})
    url = reverse("assistance:households")
    return [
        {"label": str(label), "count": counts[task], "url": f"{url}?task={task}", "overdue": overdue}
        for task, label, overdue in TASKS
        if counts.get(task)
    ]

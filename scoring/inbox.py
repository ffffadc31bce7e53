"""What waits for a user in the assessment area, for the workbench (工作台).

Each task is a filter of the round list (``?task=…``), so the count on the workbench is the number of
rounds the user finds behind its link; a single round links straight to its page (for a unit, to its
self-assessment form). Every filter stays within what ``queries.visible_rounds`` shows: the assessed
unit's own results, or rounds run by the user's unit or one below it.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgs.models import Role
from scoring import permissions
from scoring.models import Round


class Task:
    SELF = "self"
    REVIEW = "review"
    START_REVIEW = "start_review"
    PUBLISH = "publish"

    # (task, label, roles it is for), in the order the workbench shows them
    ALL = [
        (SELF, _("Self-assessments to fill in"), (Role.OFFICE, Role.REPORTER)),
        (REVIEW, _("Assessments to review"), (Role.REVIEWER, Role.OFFICE)),
        (START_REVIEW, _("Self-assessments all submitted: start the review"), (Role.OFFICE,)),
        (PUBLISH, _("Assessments reviewed and ready to publish"), (Role.OFFICE,)),
    ]
    LABELS = {task: label for task, label, _roles in ALL}


TWINS = {
    Task.SELF: permissions.self_assessable,
    Task.REVIEW: permissions.reviewable,
    Task.START_REVIEW: permissions.ready_for_review,
    Task.PUBLISH: permissions.publishable,
}


def task_filter(user, task):
    """The rounds of ``task`` for ``user`` as a Q: the query twin of its predicate in ``scoring.permissions``."""
    twin = TWINS.get(task)
    return twin(user) if twin is not None and getattr(user, "org_unit", None) is not None else Q(pk__in=[])


def user_tasks(user):
    return [task for task, _label, roles in Task.ALL if user.has_role(*roles)]


def items(user):
    """A list of ``{"label", "count", "url", "overdue"}``: one query for the counts, and one more per task
    with a single round, whose link then opens it."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "org_unit", None) is None:
        return []
    tasks = user_tasks(user)
    if not tasks:
        return []
    filters = {task: task_filter(user, task) for task in tasks}
    union = Q(pk__in=[])
    for q in filters.values():
        union |= q
    # Keys of their own: "self" cannot be a keyword of aggregate().
    counts = Round.objects.filter(union).aggregate(
        **{f"n_{task}": Count("pk", filter=q) for task, q in filters.items()}
    )
    url = reverse("scoring:rounds")
    found = []
    for task, label, _roles in Task.ALL:
        count = counts.get(f"n_{task}")
        if not count:
            continue
        link = f"{url}?task={task}"
        subject = ""
        if count == 1:  # one round: straight to it, named on the line
            pk, subject = Round.objects.filter(filters[task]).values_list("pk", "name").get()
            link = reverse("scoring:self_assessment" if task == Task.SELF else "scoring:round", args=[pk])
        found.append({"label": str(label), "count": count, "url": link, "overdue": False, "subject": subject})
    return found

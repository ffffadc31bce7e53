"""What waits for a user in the surveys area, for the workbench (工作台).

The filters here are also those of the list pages the items link to, so a count on the
workbench is the number of rows the user finds behind it."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from orgs.models import Role
from qingdan import clock
from surveys import queries
from surveys.forms_units import DistributionState, TaskState
from surveys.models import ResponseStatus, Target

WAITING = (ResponseStatus.PENDING, ResponseStatus.DRAFT, ResponseStatus.RETURNED)


def todo(today):
    """Targets a unit can fill in now: not submitted, survey open today."""
    return Q(status__in=WAITING, distribution__opens_on__lte=today, distribution__closes_on__gte=today)


def overdue(today):
    """Targets not submitted by the closing date."""
    return Q(status__in=WAITING, distribution__closes_on__lt=today)


def open_incomplete(distributions, today):
    """Distributions open on ``today`` that still wait for at least one unit."""
    waiting = Target.objects.filter(distribution=OuterRef("pk")).exclude(status=ResponseStatus.SUBMITTED)
    return distributions.filter(opens_on__lte=today, closes_on__gte=today).filter(Exists(waiting))


def items(user):
    """A list of ``{"label", "count", "url", "overdue"}``: one query per role concerned."""
    result = []
    if not getattr(user, "is_authenticated", False):
        return result
    today = clock.today()
    if user.has_role(Role.REPORTER):
        counts = queries.unit_targets(user).aggregate(
            todo=Count("pk", filter=todo(today)), overdue=Count("pk", filter=overdue(today))
        )
        tasks = reverse("surveys:task_list")
        if counts["overdue"]:
            result.append(
                {
                    "label": _("Overdue survey responses"),
                    "count": counts["overdue"],
                    "url": f"{tasks}?state={TaskState.OVERDUE}",
                    "overdue": True,
                }
            )
        if counts["todo"]:
            result.append(
                {
                    "label": _("Survey responses to fill in"),
                    "count": counts["todo"],
                    "url": f"{tasks}?state={TaskState.TODO}",
                    "overdue": False,
                }
            )
    if user.has_role(Role.OFFICE):
        waiting = open_incomplete(queries.visible_distributions(user).order_by(), today).count()
        if waiting:
            result.append(
                {
                    "label": _("Open surveys still missing responses"),
                    "count": waiting,
                    "url": f"{reverse('surveys:distribution_list')}?state={DistributionState.INCOMPLETE}",
                    "overdue": False,
                }
            )
    return result

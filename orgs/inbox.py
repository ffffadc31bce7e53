"""What waits for a user in the org area, for the workbench (工作台): requests to a second person (双人复核)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from orgs import duties
from orgs.models import SEPARATED_DUTIES, DutyRequest, DutyRequestStatus
from qingdan import clock


def items(user):
    if not getattr(user, "is_authenticated", False) or not user.has_role(*SEPARATED_DUTIES):
        return []
    waiting = DutyRequest.objects.filter(
        duties.decidable(user) & Q(status=DutyRequestStatus.PENDING, expires_at__gt=clock.now())
    ).count()
    if not waiting:
        return []
    return [{"label": _("Requests waiting for your confirmation"), "count": waiting, "url": reverse("users:requests")}]

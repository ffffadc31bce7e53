"""What waits for an auditor on the workbench (工作台): the alerts of the past week in their trail."""

from datetime import timedelta

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from audit.models import Result
from audit.queries import visible_events
from orgs.models import Role
from qingdan import clock

ALERT_DAYS = 7


def items(user):
    """``{"label", "count", "url", "overdue"}`` for the alerts of the last ``ALERT_DAYS`` days: one query, for
    auditors only. The link is the audit page filtered to the same rows."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.AUDITOR):
        return []
    since = clock.today() - timedelta(days=ALERT_DAYS - 1)
    count = visible_events(user).filter(result=Result.ALERT, created_at__date__gte=since).count()
    if not count:
        return []
    query = urlencode({"result": Result.ALERT, "start": since.isoformat()})
    return [
        {
            "label": _("Audit alerts in the last %(days)s days") % {"days": ALERT_DAYS},
            "count": count,
            "url": f"{reverse('audit:list')}?{query}",
            "overdue": True,
        }
    ]

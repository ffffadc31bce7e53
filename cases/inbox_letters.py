"""What waits for office staff in the letters and meetings, for the workbench (工作台): letters to deliver, letters
past their reply date to escalate, meeting decisions not yet issued as list items. Each count is the number of rows
behind its link; the filters are the query twins of ``letter_flow.can_deliver`` / ``can_escalate`` and
``meeting_flow.can_make_item``."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from cases import letter_flow, meeting_flow, scope
from cases.models import LetterStatus, MeetingDecision
from orgs.models import Role
from orgs.queries import root_unit, within
from qingdan import clock


def decisions_to_list(user):
    """Decisions of the meetings in the user's subtree not yet issued as items (office staff only)."""
    unit = root_unit(user)
    if unit is None or not user.has_role(Role.OFFICE) or unit.kind not in meeting_flow.REGISTRY_KINDS:
        return MeetingDecision.objects.none()
    return MeetingDecision.objects.filter(within(unit, "meeting__org_unit"), item_id__isnull=True)


def items(user):
    """``[{"label", "count", "url", "overdue"}]``: at most two queries, none for a user without the role."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.OFFICE) or root_unit(user) is None:
        return []
    today = clock.today()
    handled = letter_flow.handled_by(user)
    counts = {"overdue": 0, "waiting": 0}
    if handled is not None:  # ``to_escalate`` and ``to_deliver`` in one query
        counts = (
            scope.visible_letters(user)
            .filter(handled)
            .aggregate(
                overdue=Count("pk", filter=letter_flow.escalatable(today)),
                waiting=Count("pk", filter=letter_flow.deliverable()),
            )
        )
    found = []
    url = reverse("cases:letters")
    overdue = counts["overdue"]
    if overdue:
        found.append(
            {
                "label": _("Supervision letters unanswered past their date: escalate"),
                "count": overdue,
                "url": f"{url}?status={LetterStatus.DELIVERED}&overdue=1",
                "overdue": True,
            }
        )
    waiting = counts["waiting"]
    if waiting:
        found.append(
            {
                "label": _("Supervision letters to deliver"),
                "count": waiting,
                "url": f"{url}?status={LetterStatus.ISSUED}",
                "overdue": False,
            }
        )
    open_decisions = decisions_to_list(user).values("meeting_id").distinct().count()
    if open_decisions:
        found.append(
            {
                "label": _("Joint meetings with decisions not yet issued as list items"),
                "count": open_decisions,
                "url": reverse("cases:meetings") + "?decisions=open",
                "overdue": False,
            }
        )
    return found

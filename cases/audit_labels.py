"""The audit log's words for this area's events (``audit.labels``)."""

from django.utils.translation import pgettext_lazy

from audit import labels
from cases.models.disputes import Level

labels.actions(
    {
        "cases.meeting_recorded": pgettext_lazy("audit", "Joint meeting recorded"),
        "cases.meeting_changed": pgettext_lazy("audit", "Joint meeting changed"),
        "cases.meeting_decision_listed": pgettext_lazy("audit", "Meeting decision listed"),
        "cases.letter_issued": pgettext_lazy("audit", "Letter issued"),
        "cases.letter_delivered": pgettext_lazy("audit", "Letter delivered"),
        "cases.letter_answered": pgettext_lazy("audit", "Letter answered"),
        "cases.letter_lapsed": pgettext_lazy("audit", "Letter lapsed"),
        "cases.letter_escalated": pgettext_lazy("audit", "Letter escalated"),
        "cases.letter_overdue": pgettext_lazy("audit", "Letter overdue"),
        "cases.demand_worker_viewed": pgettext_lazy("audit", "Worker's details viewed"),
        "cases.demand_personal_viewed": pgettext_lazy("audit", "Demand's personal data viewed"),
        "cases.dispute_personal_viewed": pgettext_lazy("audit", "Dispute's personal data viewed"),
        "cases.demand_registered": pgettext_lazy("audit", "Demand registered"),
        "cases.demand_submitted": pgettext_lazy("audit", "Demand submitted"),
        "cases.demand_accepted": pgettext_lazy("audit", "Demand accepted"),
        "cases.demand_declined": pgettext_lazy("audit", "Demand declined"),
        "cases.demand_escalated": pgettext_lazy("audit", "Demand escalated"),
        "cases.demand_replied": pgettext_lazy("audit", "Demand replied to"),
        "cases.demand_closed": pgettext_lazy("audit", "Demand closed"),
        "cases.demand_urged": pgettext_lazy("audit", "Demand urged"),
        "cases.demand_rated": pgettext_lazy("audit", "Demand rated"),
        "cases.demand_reopened": pgettext_lazy("audit", "Demand reopened"),
        "cases.demand_note": pgettext_lazy("audit", "Note added to a demand"),
        "cases.dispute_registered": pgettext_lazy("audit", "Dispute registered"),
        "cases.dispute_changed": pgettext_lazy("audit", "Dispute changed"),
        "cases.dispute_contact_viewed": pgettext_lazy("audit", "Dispute contact viewed"),
        "cases.dispute_agreed": pgettext_lazy("audit", "Agreement reached"),
        "cases.dispute_closed": pgettext_lazy("audit", "Dispute closed"),
        "cases.dispute_escalated": pgettext_lazy("audit", "Dispute escalated"),
        "cases.dispute_level_failed": pgettext_lazy("audit", "Mediation at this level failed"),
        "cases.dispute_mediation_started": pgettext_lazy("audit", "Mediation started"),
        "cases.dispute_mediation_ended": pgettext_lazy("audit", "Mediation ended"),
        "cases.dispute_mediator_named": pgettext_lazy("audit", "Mediator named"),
        "cases.dispute_paid": pgettext_lazy("audit", "Payment recorded"),
        "cases.dispute_party_action": pgettext_lazy("audit", "Party action set"),
        "cases.dispute_party_action_done": pgettext_lazy("audit", "Party action done"),
        "cases.dispute_party_set": pgettext_lazy("audit", "Party set"),
        "cases.dispute_referred": pgettext_lazy("audit", "Dispute referred"),
        "cases.dispute_reopened": pgettext_lazy("audit", "Dispute reopened"),
        "cases.dispute_session": pgettext_lazy("audit", "Mediation session held"),
        "cases.dispute_withdrawn": pgettext_lazy("audit", "Dispute withdrawn"),
        "cases.dispute_follow_up_issued": pgettext_lazy("audit", "Follow-up issued"),
        "cases.dispute_follow_up_opened": pgettext_lazy("audit", "Follow-up opened"),
        "cases.enterprise_created": pgettext_lazy("audit", "Enterprise created"),
        "cases.enterprise_changed": pgettext_lazy("audit", "Enterprise changed"),
        "cases.enterprise_contact_viewed": pgettext_lazy("audit", "Enterprise contact viewed"),
        "cases.project_created": pgettext_lazy("audit", "Project created"),
        "cases.project_changed": pgettext_lazy("audit", "Project changed"),
        "cases.subcontract_added": pgettext_lazy("audit", "Subcontract added"),
        "cases.subcontract_moved": pgettext_lazy("audit", "Subcontract moved"),
        "cases.subcontract_removed": pgettext_lazy("audit", "Subcontract removed"),
        "cases.enterprises_imported": pgettext_lazy("audit", "Enterprises imported"),
        "cases.cases_imported": pgettext_lazy("audit", "Demands and disputes imported"),
    }
)
labels.fields(
    ("cases",),
    {
        "action": pgettext_lazy("audit", "Action"),
        "amount_agreed": pgettext_lazy("audit", "Amount agreed"),
        "amount_paid": pgettext_lazy("audit", "Amount paid"),
        "body": pgettext_lazy("audit", "Body"),
        "code": pgettext_lazy("audit", "Code"),
        "created": pgettext_lazy("audit", "Created"),
        "decision": pgettext_lazy("audit", "Decision"),
        "demands": pgettext_lazy("audit", "Demands"),
        "disputes": pgettext_lazy("audit", "Disputes"),
        "due_on": pgettext_lazy("audit", "Due on"),
        "escalated_from": pgettext_lazy("audit", "Escalated from"),
        "file": pgettext_lazy("audit", "File"),
        "handling_unit": pgettext_lazy("audit", "Handling unit"),
        "held_on": pgettext_lazy("audit", "Held on"),
        "item": pgettext_lazy("audit", "Item"),
        "level": pgettext_lazy("audit", "Level"),
        "mediator": pgettext_lazy("audit", "Mediator"),
        "next": pgettext_lazy("audit", "Next"),
        "number": pgettext_lazy("audit", "Number"),
        "on_time": pgettext_lazy("audit", "On time"),
        "phone": pgettext_lazy("audit", "Phone"),
        "rating": pgettext_lazy("audit", "Rating"),
        "receipt": pgettext_lazy("audit", "Receipt"),
        "reopened": pgettext_lazy("audit", "Reopened"),
        "replaced": pgettext_lazy("audit", "Replaced"),
        "reply_due": pgettext_lazy("audit", "Reply due"),
        "result": pgettext_lazy("audit", "Result"),
        "side": pgettext_lazy("audit", "Side"),
        "skipped_demands": pgettext_lazy("audit", "Demands skipped"),
        "skipped_disputes": pgettext_lazy("audit", "Disputes skipped"),
        "to": pgettext_lazy("audit", "To"),
        "today": pgettext_lazy("audit", "Day"),
        "unchanged": pgettext_lazy("audit", "Unchanged"),
        "unit": pgettext_lazy("audit", "Unit"),
        "updated": pgettext_lazy("audit", "Updated"),
        "urged": pgettext_lazy("audit", "Urgings"),
        "status": pgettext_lazy("audit", "Status"),
        "name": pgettext_lazy("audit", "Name"),
        "decisions": pgettext_lazy("audit", "Decisions"),
        "contractor": pgettext_lazy("audit", "Contractor"),
        "under": pgettext_lazy("audit", "Under contractor"),
        "work": pgettext_lazy("audit", "Work subcontracted"),
    },
)
labels.link(
    {
        "cases.demand": "cases:demand",
        "cases.dispute": "cases:dispute",
        "cases.letter": "cases:letter",
        "cases.jointmeeting": "cases:meeting",
        "cases.enterprise": "cases:enterprise",
        "cases.project": "cases:project",
    }
)


def _level(value):
    """Where a dispute went: a mediation level, or up to the county federation."""
    return pgettext_lazy("audit", "County federation") if value == "county" else labels.choice(Level)(value)


labels.values(("cases",), {"to": _level})

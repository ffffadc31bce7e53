from django.db.models import Q

from audit.models import AuditEvent
from orgs.queries import placed_within


def visible_events(user):
    """Events that happened in the user's subtree (by the unit's place at the time); an auditor
    at the top of the tree also sees events with no unit (failed log-ins of unknown names)."""
    unit = user.org_unit
    if not user.is_active or unit is None:
        return AuditEvent.objects.none()
    scope = placed_within(unit, "org_path")
    if unit.parent_id is None:
        scope |= Q(org_path="")
    return AuditEvent.objects.select_related("org_unit", "actor__org_unit").filter(scope)


def filter_events(events, data):
    if actor := data.get("actor"):
        events = events.filter(Q(actor_username__icontains=actor) | Q(actor__full_name__icontains=actor))
    if action := data.get("action"):
        events = events.filter(action__startswith=action)
    if object_type := data.get("object_type"):
        events = events.filter(object_type=object_type)
    if object_id := data.get("object_id"):
        events = events.filter(object_id=object_id)
    if result := data.get("result"):
        events = events.filter(result=result)
    if start := data.get("start"):
        events = events.filter(created_at__date__gte=start)
    if end := data.get("end"):
        events = events.filter(created_at__date__lte=end)
    return events

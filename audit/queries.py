from django.db.models import Q

from audit.models import AuditEvent
from orgs.queries import visible_to


def visible_events(user):
    """Events of the user's subtree; an auditor at the top of the tree also sees events
    with no unit (failed log-ins with a user name that does not exist)."""
    events = AuditEvent.objects.select_related("org_unit")
    scoped = visible_to(user, events)
    if user.org_unit is not None and user.org_unit.parent_id is None:
        scoped = events.filter(Q(pk__in=scoped.values("pk")) | Q(org_unit__isnull=True))
    return scoped


def filter_events(events, data):
    if actor := data.get("actor"):
        events = events.filter(actor_username__icontains=actor)
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

"""Who may download a file: its own unit, and whoever may see a thing it is attached to. Each area that
attaches files says which of them a user sees through its records (``register``); the library asks them all."""

from django.db.models import Q

from evidence.models import Evidence

_SEEN_THROUGH = []


def register(seen_through):
    """``seen_through(user)``: a Q over ``Evidence`` of the files attached to the area's records that ``user``
    may see. Called by each area when it is ready."""
    _SEEN_THROUGH.append(seen_through)
    return seen_through


def downloadable(user):
    """The files ``user`` may download."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.org_unit_id is None:
        return Evidence.objects.none()
    allowed = Q(owner_unit_id=user.org_unit_id)
    for seen_through in _SEEN_THROUGH:
        allowed |= seen_through(user)
    return Evidence.objects.filter(allowed)

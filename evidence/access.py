"""Who may download a file: its own unit, and whoever may see a thing it is attached to. Each area that
attaches files says which of them a user sees through its records (``register``); the library asks them all."""

from django.db.models import Q

from evidence.models import Evidence
from orgs.queries import root_unit

_SEEN_THROUGH = []


def register(seen_through):
    """``seen_through(user)``: a Q over ``Evidence`` of the files attached to the area's records that ``user``
    may see. Called by each area when it is ready."""
    _SEEN_THROUGH.append(seen_through)
    return seen_through


def downloadable(user):
    """The files ``user`` may download: none for a person who reads no business records (``orgs.queries.root_unit``:
    signed out, inactive, without a unit, or holding only the separated duties)."""
    unit = root_unit(user)
    if unit is None:
        return Evidence.objects.none()
    allowed = Q(owner_unit_id=unit.pk)
    for seen_through in _SEEN_THROUGH:
        allowed |= seen_through(user)
    return Evidence.objects.filter(allowed)

"""Issuing a 督办 from the 驾驶舱: one item for the unit behind, through the close-out area's own
``issue_checklist`` (numbered, audited and notified as every list is), at most once a day per exception."""

from django.utils.translation import gettext as _

import workdays
from checklists.queries import visible_checklists
from checklists.services import issue_checklist
from orgs.models import OrgUnit, Role
from qingdan import clock
from qingdan.errors import Refused

WORKING_DAYS = 5  # the unit's time to answer a 督办: a working week


def key_of(exception, today):
    """The list key of the day's 督办 for ``exception``: the same exception issued again that day finds it."""
    return f"DB{today:%Y%m%d}-{exception.kind}-{exception.unit_id}-{exception.ref}"[:60]


def already_issued(actor, exception, today=None):
    """The list issued today for ``exception`` by the actor's office, or None."""
    key = key_of(exception, today or clock.today())
    return visible_checklists(actor).filter(issuing_unit=actor.org_unit, import_key=key).first()


def issue_supervision(*, actor, exception, card_label):
    """Issue a 督办 item about ``exception`` (a ``qingdan.cards.CardException`` the actor sees) to its unit, due
    in ``WORKING_DAYS`` working days. Refused to anyone but office staff, for the actor's own unit, and a second
    time the same day (``Refused.existing`` then names the list issued first)."""
    if not actor.has_role(Role.OFFICE):
        raise Refused(_("Only office staff issue a supervision item."))
    if exception.unit_id == actor.org_unit_id:
        raise Refused(_("A supervision item goes to a unit below yours, not to your own unit."))
    today = clock.today()
    existing = already_issued(actor, exception, today)
    if existing is not None:
        raise _issued_before(existing)
    unit = OrgUnit.objects.get(pk=exception.unit_id)
    due = workdays.add(today, WORKING_DAYS, unit=actor.org_unit)
    title = _("Supervision: %(what)s of %(unit)s") % {"what": card_label, "unit": unit.name}
    checklist = issue_checklist(
        actor=actor,
        responsible_unit=unit,
        title=title[:200],
        items=[
            {
                "content": _("Supervision: %(text)s") % {"text": exception.text},
                "standard": _("Find out why it is behind, put it right and apply for close-out with the evidence."),
                "deadline": due,
            }
        ],
        import_key=key_of(exception, today),
    )
    if checklist is None:  # the same 督办 sent twice at once: the other request issued it
        raise _issued_before(already_issued(actor, exception, today))
    return checklist


def _issued_before(existing):
    refused = Refused(_("A supervision item about this was already issued today."))
    refused.existing = existing
    return refused

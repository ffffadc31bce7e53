from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from assistance.care.access import INCOME_STATUSES, _in_charge, can_log_contact, can_unpair
from assistance.care.steps import _event, _lock, _not_future, _status_refusal, _text
from assistance.models import (
    Contact,
    EventKind,
    Pairing,
)
from audit.services import record
from orgs.models import Role
from orgs.queries import sees_business
from orgs.services import notify
from qingdan import clock
from qingdan.actors import SYSTEM
from qingdan.errors import Refused

# --- pairing and contacts -----------------------------------------------------------------------------------------


def cadre_problem(cadre, household, actor):
    if cadre is None or not cadre.is_active or cadre.org_unit_id is None or not sees_business(cadre):
        return _("Choose an active colleague as the cadre.")
    if actor is not SYSTEM and not cadre.org_unit.is_within(actor.org_unit):
        return _("%(name)s is outside your organisation.") % {"name": cadre.display_name}
    if not household.org_unit.is_within(cadre.org_unit):
        return _("%(name)s works in %(unit)s and cannot read the file of %(number)s, which %(manager)s manages.") % {
            "name": cadre.display_name,
            "unit": cadre.org_unit.name,
            "number": household.number,
            "manager": household.org_unit.name,
        }
    return None


def pair(*, household, cadre, actor, since=None):
    """Pair ``cadre`` with the family (one cadre may hold many families; a family may have more than one)."""
    today = clock.today()
    since = since or today
    if not _in_charge(actor, household, Role.OFFICE):
        raise Refused(_("Only the office staff of the federation pair cadres with families."))
    problem = cadre_problem(cadre, household, actor)
    if problem:
        raise Refused(problem)
    _not_future(since, _("pairing date"), today)
    with transaction.atomic():
        locked = _lock(household, None)
        if locked.status not in INCOME_STATUSES:
            raise _status_refusal(locked, _("pairing a cadre"))
        if Pairing.objects.filter(household=locked, cadre=cadre, until__isnull=True).exists():
            raise Refused(
                _("%(name)s is already paired with %(number)s.") % {"name": cadre.display_name, "number": locked.number}
            )
        pairing = Pairing.objects.create(household=locked, cadre=cadre, since=since)
        _event(
            locked, EventKind.CHANGED, actor, _("Paired with %(name)s") % {"name": cadre.display_name}, paired=cadre.pk
        )
        record(
            action="assistance.paired",
            actor=actor,
            obj=pairing,
            org_unit=locked.org_unit,
            after={"household": locked.number, "cadre": cadre.username, "since": str(since)},
        )
    url = reverse("assistance:contact_new") + f"?household={household.pk}"
    transaction.on_commit(
        lambda: notify(
            users=[cadre], text=_("You are paired with the family %(number)s.") % {"number": household.number}, url=url
        )
    )
    return pairing


def unpair(*, pairing, actor):
    if not can_unpair(actor, pairing):
        if pairing.until is not None:
            raise Refused(_("This pairing ended on %(day)s.") % {"day": f"{pairing.until:%Y-%m-%d}"})
        raise Refused(_("Only the office staff or the cadre end a pairing."))
    with transaction.atomic():
        locked = Pairing.objects.select_for_update().select_related("household__org_unit", "cadre").get(pk=pairing.pk)
        if locked.until is not None:
            raise Refused(_("This pairing ended on %(day)s.") % {"day": f"{locked.until:%Y-%m-%d}"})
        locked.until = max(clock.today(), locked.since)
        locked.save(update_fields=["until"])
        record(
            action="assistance.unpaired",
            actor=actor,
            obj=locked,
            org_unit=locked.household.org_unit,
            after={"household": locked.household.number, "cadre": locked.cadre.username, "until": str(locked.until)},
        )
    return locked


def log_contact(*, household, actor, kind, on, note):
    """A visit or a phone call to a family, logged by a cadre paired with it."""
    today = clock.today()
    if kind not in Contact.Kind.values:
        raise Refused(_("Choose a home visit or a phone call."))
    _not_future(on, _("date of the contact"), today)
    note = _text(note, _("what was found on the visit"), 5000)
    with transaction.atomic():
        locked = _lock(household, None)
        if not can_log_contact(actor, locked):
            if locked.status not in INCOME_STATUSES:
                raise _status_refusal(locked, _("logging a contact"))
            raise Refused(
                _("%(number)s is not one of your paired families: only its paired cadre logs its visits and calls.")
                % {"number": locked.number}
            )
        contact = Contact.objects.create(household=locked, cadre=actor, kind=kind, on=on, note=note)
        record(
            action="assistance.contact_logged",
            actor=actor,
            obj=contact,
            org_unit=locked.org_unit,
            after={"household": locked.number, "kind": kind, "on": str(on)},
        )
    return contact

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.services import record
from cases.colours import colour_of
from cases.dispute_flow.access import CHANGED, county_of, stored_language, town_of
from cases.models import (
    Dispute,
    DisputeEvent,
)
from orgs.models import Role
from orgs.services import notify, units_people
from qingdan import clock
from qingdan.actors import person
from qingdan.errors import Conflict

# --- small shared steps -------------------------------------------------------------------------------------------


def _lock(dispute, version=None):
    locked = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("org_unit", "enterprise", "project", "subcontract__contractor")
        .get(pk=dispute.pk)
    )
    if version is not None and locked.version != version:
        raise Conflict(CHANGED)
    return locked


def _event(dispute, kind, actor, note="", **data):
    return DisputeEvent.objects.create(
        dispute=dispute, kind=kind, actor=person(actor), at=clock.now(), note=note, data=data
    )


def _save(dispute, actor, action, fields, *, before=None, after=None, request=None):
    dispute.version += 1
    dispute.save(update_fields=[*fields, "version"])
    record(
        action=f"cases.dispute_{action}",
        actor=actor,
        obj=dispute,
        org_unit=dispute.org_unit,
        before=before,
        after=after,
        request=request,
    )


def _url(dispute):
    return reverse("cases:dispute", args=[dispute.pk])


def _notify(users, text, dispute):
    users, url = list(users), _url(dispute)
    if users:
        transaction.on_commit(lambda: notify(users=users, text=text, url=url))


def town_people(dispute):
    """Who works on the dispute at its town: the town union's office staff and reporters (or, for a dispute
    registered at a federation, its office staff)."""
    town = town_of(dispute.org_unit)
    if town is None:
        return units_people([dispute.org_unit.pk], Role.OFFICE)
    return units_people([town.pk], Role.OFFICE, Role.REPORTER)


def county_office(dispute):
    county = county_of(dispute.org_unit)
    return units_people([county.pk], Role.OFFICE) if county is not None else []


def _red_alert(dispute, actor):
    """A red case tells the town union and the county office at once (on commit)."""
    people = {u.pk: u for u in town_people(dispute)}
    people.update({u.pk: u for u in county_office(dispute)})
    people.pop(getattr(actor, "pk", None), None)
    with stored_language():
        text = _("Red warning: %(enterprise)s, %(workers)d workers, ¥%(amount)s in arrears (%(reason)s)") % {
            "enterprise": dispute.enterprise.name,
            "workers": dispute.workers,
            "amount": f"{dispute.amount_claimed:,.2f}",
            "reason": dispute.colour_reason,
        }
    _notify(people.values(), text, dispute)


def _colour(dispute):
    with stored_language():
        return _colour_now(dispute)


def _colour_now(dispute):
    return colour_of(
        months=dispute.months_in_arrears,
        workers=dispute.workers,
        amount=dispute.amount_claimed,
        case_rules=dispute.rules or {},
    )

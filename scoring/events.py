"""Events the office records by hand for per-occurrence criteria: praise, media reports, training attended,
serious incidents. An office records them for the units below it, never for itself; only the side that
recorded an event withdraws it, with a reason, and it stays on record."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record
from orgs.models import Role
from qingdan import clock
from qingdan.errors import Refused
from scoring.models import EventKind, Level, RecordedEvent


def record_event(*, actor, unit, kind, level, happened_on, title, source="", evidence=()):
    """Record praise, a media report, training attended or an incident for per-occurrence criteria."""
    if not actor.has_role(Role.OFFICE):
        raise Refused(_("Only office staff record events."))
    # The office above records what earns or costs points, never the assessed unit itself.
    if not unit.is_within(actor.org_unit) or unit.pk == actor.org_unit_id:
        raise Refused(_("Events are recorded for the units below your own."))
    if kind not in EventKind.values or str(level) not in {str(value) for value in Level.values}:
        raise Refused(_("Choose the kind and level of the event."))
    if not (title or "").strip():
        raise Refused(_("Give the event a title."))
    if not isinstance(happened_on, date) or happened_on > clock.today():
        raise Refused(_("The date of the event must be a day that has passed."))
    with transaction.atomic():
        event = RecordedEvent.objects.create(
            unit=unit,
            kind=kind,
            level=int(level),
            happened_on=happened_on,
            title=title.strip(),
            source=(source or "").strip(),
            recorded_by=actor,
        )
        event.evidence.add(*evidence)
        record(
            action="scoring.event_recorded",
            actor=actor,
            obj=event,
            org_unit=unit,
            after={"kind": kind, "level": level, "title": title, "on": happened_on},
        )
    return event


def withdraw_event(*, event, actor, reason):
    """Take back an event recorded in error; it stays on record, with the reason, and stops counting."""
    if not (actor.has_role(Role.OFFICE) and event.recorded_by.org_unit.is_within(actor.org_unit)):
        raise Refused(_("Only the office that recorded the event, or one above it, withdraws it."))
    if not (reason or "").strip():
        raise Refused(_("Give the reason for withdrawing the event."))
    with transaction.atomic():
        updated = (
            type(event)
            .objects.filter(pk=event.pk, withdrawn_at__isnull=True)
            .update(withdrawn_at=clock.now(), withdrawn_reason=reason.strip()[:300])
        )
        if not updated:
            raise Refused(_("This event has already been withdrawn."))
        record(action="scoring.event_withdrawn", actor=actor, obj=event, org_unit=event.unit, after={"reason": reason})

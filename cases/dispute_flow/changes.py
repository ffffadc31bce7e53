from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record
from cases import rules
from cases.dispute_flow.access import (
    ACTION_MAX,
    BODY_MAX,
    GRID_MAX,
    S,
    _require,
    can_change_facts,
    can_manage_parties,
    can_register,
    can_see_phone,
    grid_town,
    stored_language,
)
from cases.dispute_flow.facts import FACTS, _clean_facts, _text, snapshot
from cases.dispute_flow.steps import _colour, _event, _lock, _notify, _red_alert, _save, town_people
from cases.models import (
    Colour,
    Dispute,
    DisputeEventKind,
    DisputeKind,
    DisputeSource,
    Party,
    PartyAction,
    Side,
)
from cases.models.demands import NAME_MAX, PHONE_MAX
from cases.services import normalise_phone, phone_problem
from orgs import rules as org_rules
from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Refused

# --- registering --------------------------------------------------------------------------------------------------


def register(*, actor, unit, received_on=None, request=None, **facts):
    """Register a dispute under ``unit`` (see ``can_register``). ``facts``: enterprise, project, subcontract, kind,
    source, grid, summary, worker_name, worker_phone, workers, months_in_arrears, amount_claimed. The rules in
    force for ``unit`` are copied onto it, its colour computed with them; a red one is announced at once."""
    if not can_register(actor, unit):
        if can_register(actor):
            raise Refused(_("%(unit)s is outside what you may register disputes for.") % {"unit": unit.name})
        raise Refused(
            _("Only the staff of a federation or a town union, or a town union's reporter, register disputes.")
        )
    return _register(actor=actor, unit=unit, received_on=received_on, request=request, **facts)


def _register(*, actor, unit, received_on=None, request=None, **facts):
    unknown = set(facts) - set(FACTS)
    if unknown:
        raise TypeError(f"not facts of a dispute: {sorted(unknown)}")
    facts = _clean_facts({key: facts.get(key) for key in FACTS}, unit=unit)
    today = clock.today()
    received_on = received_on or today
    if received_on > today:
        raise Refused(_("The day received cannot be after today."))
    with transaction.atomic():
        dispute = Dispute(
            org_unit=unit,
            received_on=received_on,
            status=S.REGISTERED,
            rules=org_rules.to_copy(unit, rules.PREFIX),
            reported_by=person(actor),
            created_at=clock.now(),
            **facts,
        )
        dispute.colour, dispute.colour_reason = _colour(dispute)
        dispute.save()
        _event(dispute, DisputeEventKind.REGISTERED, actor, colour=dispute.colour, reason=dispute.colour_reason)
        record(
            action="cases.dispute_registered",
            actor=actor,
            obj=dispute,
            org_unit=unit,
            after=snapshot(dispute),
            request=request,
        )
        if dispute.colour == Colour.RED:
            _red_alert(dispute, actor)
        elif dispute.source == DisputeSource.GRID:
            people = [u for u in town_people(dispute) if u.pk != getattr(actor, "pk", None)]
            with stored_language():
                text = _("Grid report: %(enterprise)s") % {"enterprise": dispute.enterprise.name}
            _notify(people, text, dispute)
    return dispute


def report_from_grid(
    *, actor, enterprise, grid, workers, months_in_arrears, amount_claimed, summary, town=None, request=None
):
    """A grid leader's report from a phone: a wage-arrears dispute of source grid under the town above them (the
    platform names ``town``), the grid leader its representative until the town names one."""
    if actor is not SYSTEM:
        town = grid_town(actor)
    if town is None:
        raise Refused(_("Only a grid leader (a reporter of a town union or of a unit below it) reports from a grid."))
    if not _text(grid, label=_("grid"), most=GRID_MAX):
        raise Refused(_("Fill in the %(field)s.") % {"field": _("grid")})
    return _register(
        actor=actor,
        unit=town,
        request=request,
        enterprise=enterprise,
        project=None,
        subcontract=None,
        kind=DisputeKind.WAGES,
        source=DisputeSource.GRID,
        grid=grid,
        summary=summary,
        worker_name=actor.display_name if actor is not SYSTEM else _("grid leader"),
        worker_phone=getattr(actor, "phone", "") or "",
        workers=workers,
        months_in_arrears=months_in_arrears,
        amount_claimed=amount_claimed,
    )


# --- facts and colour ---------------------------------------------------------------------------------------------


def change_facts(*, dispute, actor, version, request=None, **changes):
    """Change some facts; the colour is computed again, and a change of colour is its own event naming the old
    and the new colour and the reason. The same facts sent again change nothing."""
    unknown = set(changes) - set(FACTS)
    if unknown:
        raise TypeError(f"not facts of a dispute: {sorted(unknown)}")
    with transaction.atomic():
        current = _lock(dispute, version)
        _require(can_change_facts(actor, current), current, "change_facts")
        facts = _clean_facts({**{k: getattr(current, k) for k in FACTS}, **changes}, unit=current.org_unit)
        changed = {k: v for k, v in facts.items() if getattr(current, k) != v}
        if not changed:
            return current
        before = snapshot(current)
        old_colour = current.colour
        for key, value in changed.items():
            setattr(current, key, value)
        current.colour, current.colour_reason = _colour(current)
        _event(current, DisputeEventKind.CHANGED, actor, fields=sorted(changed))
        if current.colour != old_colour:
            _event(
                current,
                DisputeEventKind.COLOUR,
                actor,
                current.colour_reason,
                old=old_colour,
                new=current.colour,
                reason=current.colour_reason,
            )
        _save(
            current, actor, "changed", [*changed, "colour", "colour_reason"], before=before, after=snapshot(current),
            request=request,
        )  # fmt: skip
        if current.colour == Colour.RED and old_colour != Colour.RED:
            _red_alert(current, actor)
    return current


def record_phone_view(*, dispute, actor, request=None):
    """A person saw the representative's phone in full (full views are audited)."""
    if not can_see_phone(actor, dispute):
        raise Refused(_("Only the staff working on this dispute see the full phone number."))
    record(action="cases.dispute_contact_viewed", actor=actor, obj=dispute, org_unit=dispute.org_unit, request=request)


# --- the three parties --------------------------------------------------------------------------------------------


def set_party(*, dispute, actor, version, side, body, contact_name, contact_phone="", request=None):
    """Name one of the three parties (union, 人社, 政法) with its body and contact, or change it."""
    if side not in Side.values:
        raise Refused(_("Choose the party: union, human resources and social security, or political and legal."))
    body = _text(body, label=_("body"), most=BODY_MAX, required=True)
    contact_name = _text(contact_name, label=_("contact person"), most=NAME_MAX, required=True)
    contact_phone = normalise_phone(_text(contact_phone, label=_("contact phone"), most=PHONE_MAX))
    if problem := phone_problem(contact_phone):
        raise Refused(problem)
    with transaction.atomic():
        current = _lock(dispute, version)
        _require(can_manage_parties(actor, current), current, "parties")
        party, created = Party.objects.get_or_create(
            dispute=current,
            side=side,
            defaults={"body": body, "contact_name": contact_name, "contact_phone": contact_phone},
        )
        if not created:
            party.body, party.contact_name, party.contact_phone = body, contact_name, contact_phone
            party.save(update_fields=["body", "contact_name", "contact_phone"])
        _event(current, DisputeEventKind.PARTY, actor, body, side=side, what="party")
        _save(
            current, actor, "party_set", [], after={"side": side, "body": body, "phone": contact_phone}, request=request
        )
    return party


def add_party_action(*, party, actor, version, action, due_on, request=None):
    """Give a party an action with its own deadline."""
    action = _text(action, label=_("action"), most=ACTION_MAX, required=True)
    if due_on is None:
        raise Refused(_("Give the action its due date."))
    with transaction.atomic():
        current = _lock(party.dispute, version)
        _require(can_manage_parties(actor, current), current, "parties")
        if due_on < current.received_on:
            raise Refused(
                _("The due date cannot be before the dispute was received (%(day)s).") % {"day": current.received_on}
            )
        item = PartyAction.objects.create(party=party, action=action, due_on=due_on, created_by=person(actor))
        _event(
            current, DisputeEventKind.PARTY, actor, action, side=party.side, what="action", due_on=due_on.isoformat()
        )
        _save(current, actor, "party_action", [], after={"side": party.side, "action": action}, request=request)
    return item


def complete_party_action(*, item, actor, version, done_on=None, request=None):
    """Mark a party's action done (today, or ``done_on``)."""
    done_on = done_on or clock.today()
    with transaction.atomic():
        current = _lock(item.party.dispute, version)
        _require(can_manage_parties(actor, current), current, "parties")
        item = PartyAction.objects.select_for_update().select_related("party").get(pk=item.pk)
        if item.done_on is not None:
            raise Refused(_("This action was already marked done on %(day)s.") % {"day": item.done_on})
        if done_on > clock.today():
            raise Refused(_("An action cannot be done after today."))
        item.done_on = done_on
        item.save(update_fields=["done_on"])
        _event(current, DisputeEventKind.PARTY, actor, item.action, side=item.party.side, what="done")
        _save(current, actor, "party_action_done", [], after={"action": item.action}, request=request)
    return item


def overdue_actions(dispute, today=None):
    today = today or clock.today()
    return PartyAction.objects.filter(party__dispute=dispute, done_on__isnull=True, due_on__lt=today)

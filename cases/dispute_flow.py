"""Every change to a labour dispute (劳动争议): registering it (from the office or from a grid leader's phone), its
facts and warning colour, the three parties and their actions, three-level mediation one level at a time, the
outcome, the payments, the follow-up question to the worker, reopening, and the daily ``scan``.

Each function takes keyword-only arguments, asks the action's ``can_<action>`` predicate (the same one the page
and the inbox ask), checks the transition against ``TRANSITIONS``, checks the ``version`` the form was read at,
locks the dispute, writes its timeline and the audit trail in the same transaction, and notifies on commit.

``actor=SYSTEM`` is the platform (the demo loader, the scan); the worker answering a follow-up is nobody."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext_lazy

import workdays
from audit.services import record
from cases import receipts, rules
from cases.colours import colour_of
from cases.models import (
    Colour,
    Dispute,
    DisputeEvent,
    DisputeEventKind,
    DisputeKind,
    DisputeSource,
    DisputeStatus,
    Enterprise,
    FollowUp,
    Level,
    Mediation,
    MediationOutcome,
    MediationSession,
    Outcome,
    Party,
    PartyAction,
    Side,
)
from cases.models.demands import NAME_MAX, PHONE_MAX, TEXT_MAX
from cases.models.disputes import AMOUNT_DIGITS, LEVELS, WORKERS_MAX
from cases.services import normalise_phone, phone_problem
from orgs import rules as org_rules
from orgs.models import OrgKind, OrgUnit, Role
from orgs.queries import root_unit, within
from orgs.services import notify, units_people
from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Conflict, Refused
from qingdan.text import Unclean, clean

S = DisputeStatus
OPEN = (S.REGISTERED, S.MEDIATING)
FOLLOW_UP_PURPOSE = "cases.follow_up"
MONTHS_MAX = Decimal("99.9")
AMOUNT_MAX = Decimal(10 ** (AMOUNT_DIGITS - 2)) - Decimal("0.01")
GRID_MAX = NAME_MAX
ACTION_MAX = 300
BODY_MAX = 100

# action: (states it may start from, state it leads to; None: the state stays)
TRANSITIONS = {
    "change_facts": ({S.REGISTERED, S.MEDIATING}, None),
    "parties": ({S.REGISTERED, S.MEDIATING, S.AGREED}, None),
    "start_mediation": ({S.REGISTERED}, S.MEDIATING),
    "session": ({S.MEDIATING}, None),
    "assign_mediator": ({S.MEDIATING}, None),
    "fail_level": ({S.MEDIATING}, None),
    "agree": ({S.REGISTERED, S.MEDIATING}, S.AGREED),
    "refer": ({S.REGISTERED, S.MEDIATING}, S.REFERRED),
    "withdraw": ({S.REGISTERED, S.MEDIATING}, S.WITHDRAWN),
    "pay": ({S.AGREED}, None),
    "issue_follow_up": ({S.AGREED}, None),
    "answer_yes": ({S.AGREED}, S.CLOSED),
    "reopen": ({S.AGREED, S.CLOSED, S.WITHDRAWN}, None),  # back to mediation at its level, or registered
}
ACTION_NAMES = {
    "change_facts": gettext_lazy("have its facts changed"),
    "parties": gettext_lazy("have its parties changed"),
    "start_mediation": gettext_lazy("go to mediation"),
    "session": gettext_lazy("have a mediation session recorded"),
    "assign_mediator": gettext_lazy("have a mediator named"),
    "fail_level": gettext_lazy("be passed up a level"),
    "agree": gettext_lazy("have an agreement recorded"),
    "refer": gettext_lazy("be referred to arbitration or court"),
    "withdraw": gettext_lazy("be withdrawn"),
    "pay": gettext_lazy("have a payment recorded"),
    "issue_follow_up": gettext_lazy("have a follow-up link made"),
    "answer_yes": gettext_lazy("be closed"),
    "reopen": gettext_lazy("be reopened"),
}
# Labels whose bare English word means something else elsewhere in the interface (a poll is "closed" too).
STATUS_LABELS = {
    S.REGISTERED: pgettext_lazy("dispute status", "Registered"),
    S.CLOSED: pgettext_lazy("dispute status", "Closed"),
    S.WITHDRAWN: pgettext_lazy("dispute status", "Withdrawn"),
}
EVENT_LABELS = {
    DisputeEventKind.REGISTERED: pgettext_lazy("dispute event", "Registered"),
    DisputeEventKind.CLOSED: pgettext_lazy("dispute event", "Closed"),
}
OUTCOME_LABELS = {Outcome.WITHDRAWN: pgettext_lazy("dispute outcome", "Withdrawn")}


def status_label(status):
    return STATUS_LABELS.get(status) or S(status).label


def event_label(kind):
    return EVENT_LABELS.get(kind) or DisputeEventKind(kind).label


def outcome_label(outcome):
    return (OUTCOME_LABELS.get(outcome) or Outcome(outcome).label) if outcome else ""


def stored_language():
    """Texts kept in the records (a colour's reason, a notification) are written in the federation's language,
    whoever's request or command writes them."""
    return override(settings.LANGUAGE_CODE)


CHANGED = gettext_lazy("This dispute was changed by someone else since you read it; nothing was saved.")


# --- where a dispute sits in the tree -----------------------------------------------------------------------------


def _line(unit):
    """The units from the root down to ``unit`` (one query)."""
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=unit.line_ids)}
    return [units[pk] for pk in unit.line_ids if pk in units]


def town_of(unit):
    """The town or street union at or above ``unit``, or None."""
    if unit is None:
        return None
    if unit.kind == OrgKind.TOWN:
        return unit
    return next((u for u in reversed(_line(unit)) if u.kind == OrgKind.TOWN), None)


def county_of(unit):
    """The county federation at or above ``unit``, or None."""
    if unit.kind == OrgKind.COUNTY:
        return unit
    return next((u for u in reversed(_line(unit)) if u.kind == OrgKind.COUNTY), None)


# --- who may act --------------------------------------------------------------------------------------------------


def _person_ok(user):
    return user is not None and getattr(user, "is_active", False) and root_unit(user) is not None


def _town_reporter(user):
    return user.has_role(Role.REPORTER) and user.org_unit.kind == OrgKind.TOWN


def handles(user, dispute):
    """Whether ``user`` works on ``dispute``: the office staff of a unit it is registered within (the town union or
    a federation above it), or the reporter of the town union it is registered under. Leaders read only."""
    if user is SYSTEM:
        return True
    if not _person_ok(user):
        return False
    if not dispute.org_unit.is_within(user.org_unit):
        return False
    return user.has_role(Role.OFFICE) or _town_reporter(user)


def handled_filter(user):
    """The disputes ``user`` works on, as a Q: the query twin of ``handles`` (inbox and lists)."""
    if user is SYSTEM:
        return Q()
    if not _person_ok(user) or not (user.has_role(Role.OFFICE) or _town_reporter(user)):
        return Q(pk__in=[])
    return within(user.org_unit, "org_unit")


def can_register(user, unit=None):
    """Whether ``user`` may register a dispute under ``unit`` (any, when None): the office staff of a federation or a
    town union within their subtree, or a town union's reporter for their own town."""
    if user is SYSTEM:
        return True
    if not _person_ok(user):
        return False
    if user.has_role(Role.OFFICE):
        if user.org_unit.kind not in (OrgKind.TOWN, OrgKind.COUNTY, OrgKind.CITY, OrgKind.PROVINCE):
            return False
        return unit is None or (unit.is_within(user.org_unit) and unit.kind in REGISTER_KINDS)
    if _town_reporter(user):
        return unit is None or unit.pk == user.org_unit_id
    return False


REGISTER_KINDS = (OrgKind.TOWN, OrgKind.COUNTY, OrgKind.CITY, OrgKind.PROVINCE)


def grid_town(user):
    """The town a grid leader reports for: a reporter of a town union or of a unit below a town. None otherwise."""
    if user is SYSTEM or not _person_ok(user) or not user.has_role(Role.REPORTER):
        return None
    return town_of(user.org_unit)


def can_report_grid(user):
    return grid_town(user) is not None


def _open_level(dispute):
    found = getattr(dispute, "_open_level_cache", "unset")
    if found == "unset":
        found = dispute.mediations.filter(ended_on__isnull=True).first()
        dispute._open_level_cache = found
    return found


def _in(dispute, action):
    return dispute.status in TRANSITIONS[action][0]


def can_change_facts(user, dispute):
    return handles(user, dispute) and _in(dispute, "change_facts")


def can_manage_parties(user, dispute):
    return handles(user, dispute) and _in(dispute, "parties")


def can_start_mediation(user, dispute):
    return handles(user, dispute) and _in(dispute, "start_mediation")


def can_mediate(user, dispute):
    """Record a session, name the mediator, pass the open level up: a level is open."""
    return handles(user, dispute) and dispute.status == S.MEDIATING and _open_level(dispute) is not None


def can_record_agreement(user, dispute):
    if not handles(user, dispute) or not _in(dispute, "agree"):
        return False
    return dispute.status == S.REGISTERED or _open_level(dispute) is not None


def can_refer(user, dispute):
    return handles(user, dispute) and _in(dispute, "refer")


def can_withdraw(user, dispute):
    return handles(user, dispute) and _in(dispute, "withdraw")


def can_record_payment(user, dispute):
    return (
        handles(user, dispute)
        and _in(dispute, "pay")
        and dispute.amount_agreed is not None
        and (dispute.amount_paid or 0) < dispute.amount_agreed
    )


def can_issue_follow_up(user, dispute):
    return (
        handles(user, dispute)
        and _in(dispute, "issue_follow_up")
        and dispute.follow_ups.filter(answered_at__isnull=True).exists()
    )


def can_reopen(user, dispute):
    return handles(user, dispute) and _in(dispute, "reopen")


def can_see_phone(user, dispute):
    return handles(user, dispute)


def _require(allowed, dispute, action):
    if allowed:
        return
    if dispute.status not in TRANSITIONS[action][0]:
        raise Refused(
            _("This dispute is “%(status)s”; it cannot %(action)s now.")
            % {"status": status_label(dispute.status), "action": ACTION_NAMES[action]}
        )
    raise Refused(_("Your roles or your organisation do not allow this action on this dispute."))


# --- checking facts -----------------------------------------------------------------------------------------------


def _text(value, *, label, most, required=False, multiline=False):
    try:
        value = clean(str(value or ""), multiline=multiline)
    except Unclean as unclean:
        raise Refused(_("The %(field)s %(problem)s") % {"field": label, "problem": unclean.message}) from None
    if required and not value:
        raise Refused(_("Fill in the %(field)s.") % {"field": label})
    if len(value) > most:
        raise Refused(_("The %(field)s is longer than %(n)d characters.") % {"field": label, "n": most})
    return value


def _decimal(value, *, label):
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise Refused(_("The %(field)s is not a number.") % {"field": label}) from None
    if not number.is_finite():
        raise Refused(_("The %(field)s is not a number.") % {"field": label})
    if number < 0:
        raise Refused(_("The %(field)s cannot be negative.") % {"field": label})
    return number


def clean_months(value):
    months = _decimal(value, label=_("months in arrears"))
    if months > MONTHS_MAX:
        raise Refused(_("Months in arrears go up to 99.9; check the number."))
    if months != months.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP):
        raise Refused(_("Give the months in arrears with one decimal at most, e.g. 2.5."))
    return months.quantize(Decimal("0.1"))


def clean_amount(value, *, label=None):
    label = label or _("amount claimed")
    amount = _decimal(value, label=label)
    if amount > AMOUNT_MAX:
        raise Refused(
            _("The %(field)s is more than ¥%(max)s; check the number.") % {"field": label, "max": f"{AMOUNT_MAX:,.2f}"}
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise Refused(_("The %(field)s has at most two decimals (fen).") % {"field": label})
    return amount.quantize(Decimal("0.01"))


def clean_workers(value):
    try:
        workers = int(value)
    except (TypeError, ValueError):
        raise Refused(_("The number of workers involved is not a whole number.")) from None
    if workers < 1:
        raise Refused(_("At least one worker is involved."))
    if workers > WORKERS_MAX:
        raise Refused(_("The number of workers involved is more than %(n)s.") % {"n": f"{WORKERS_MAX:,}"})
    return workers


FACTS = (
    "enterprise",
    "project",
    "subcontract",
    "kind",
    "source",
    "grid",
    "summary",
    "worker_name",
    "worker_phone",
    "workers",
    "months_in_arrears",
    "amount_claimed",
)
COLOUR_FACTS = ("workers", "months_in_arrears", "amount_claimed")


def _clean_facts(facts, *, unit):
    """The facts normalised and checked against ``unit`` (the registering unit); the first problem is refused."""
    facts = dict(facts)
    enterprise = facts.get("enterprise")
    if not isinstance(enterprise, Enterprise):
        raise Refused(_("Choose the enterprise from the registry."))
    county = county_of(unit) or unit
    if not enterprise.org_unit.is_within(county):
        raise Refused(
            _("%(name)s is registered outside %(county)s; a dispute names an enterprise of its own county.")
            % {"name": enterprise.name, "county": county.name}
        )
    project, subcontract = facts.get("project"), facts.get("subcontract")
    if project is not None and not project.org_unit.is_within(county):
        raise Refused(_("The project %(name)s is outside %(county)s.") % {"name": project.name, "county": county.name})
    if subcontract is not None and (project is None or subcontract.project_id != project.pk):
        raise Refused(_("The subcontractor must be a firm of the chosen project's contractor chain; choose it again."))
    if facts.get("kind") not in DisputeKind.values:
        raise Refused(_("Choose the type of dispute."))
    if facts.get("source") not in DisputeSource.values:
        raise Refused(_("Choose where the dispute came from."))
    facts["grid"] = _text(facts.get("grid"), label=_("grid"), most=GRID_MAX)
    facts["summary"] = _text(facts.get("summary"), label=_("facts"), most=TEXT_MAX, required=True, multiline=True)
    facts["worker_name"] = _text(
        facts.get("worker_name"), label=_("workers' representative"), most=NAME_MAX, required=True
    )
    phone = normalise_phone(_text(facts.get("worker_phone"), label=_("phone"), most=PHONE_MAX))
    if problem := phone_problem(phone):
        raise Refused(problem)
    facts["worker_phone"] = phone
    facts["workers"] = clean_workers(facts.get("workers"))
    facts["months_in_arrears"] = clean_months(facts.get("months_in_arrears"))
    facts["amount_claimed"] = clean_amount(facts.get("amount_claimed"))
    return {key: facts.get(key) for key in FACTS}


def snapshot(dispute):
    """The facts as the audit trail keeps them (``phone`` is masked there)."""
    return {
        "enterprise": dispute.enterprise.credit_code,
        "project": dispute.project.name if dispute.project_id else None,
        "subcontract": dispute.subcontract.contractor.credit_code if dispute.subcontract_id else None,
        "kind": dispute.kind,
        "source": dispute.source,
        "grid": dispute.grid,
        "summary": dispute.summary,
        "worker_name": dispute.worker_name,
        "phone": dispute.worker_phone,
        "workers": dispute.workers,
        "months_in_arrears": str(dispute.months_in_arrears),
        "amount_claimed": str(dispute.amount_claimed),
        "colour": dispute.colour,
    }


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


# --- three-level mediation ----------------------------------------------------------------------------------------


def mediation_due(dispute, accepted_on):
    """``workdays.deadline`` of a level accepted on ``accepted_on`` under the dispute's copied rule."""
    days = rules.of(dispute, rules.MEDIATION_WORKDAYS)
    return workdays.deadline(accepted_on, days, unit=dispute.org_unit)


def _open(dispute, level, mediator, accepted_on):
    deadline = mediation_due(dispute, accepted_on)
    mediation = Mediation.objects.create(
        dispute=dispute, level=level, mediator=mediator, accepted_on=accepted_on, due_on=deadline.due
    )
    mediation.warning = deadline.warning
    dispute.level = level
    return mediation


def _level_name(level):
    return Level(level).label


def start_mediation(*, dispute, actor, version, level, mediator, accepted_on=None, request=None):
    """Accept the dispute for mediation. Mediation starts at the enterprise level; the levels above are reached
    one at a time (``fail_level``)."""
    mediator = _text(mediator, label=_("mediator"), most=NAME_MAX, required=True)
    accepted_on = accepted_on or clock.today()
    if level not in Level.values:
        raise Refused(_("Choose the mediation level."))
    if level != Level.ENTERPRISE:
        raise Refused(
            _("Mediation starts at the enterprise level; %(level)s mediation follows only when it fails.")
            % {"level": _level_name(level)}
        )
    with transaction.atomic():
        current = _lock(dispute, version)
        _require(can_start_mediation(actor, current), current, "start_mediation")
        if accepted_on > clock.today() or accepted_on < current.received_on:
            raise Refused(_("Mediation is accepted between the day the dispute was received and today."))
        if current.mediations.filter(level=level).exists():
            raise Refused(_("This dispute was already mediated at the enterprise level."))
        mediation = _open(current, level, mediator, accepted_on)
        current.status = S.MEDIATING
        _event(
            current,
            DisputeEventKind.MEDIATION_STARTED,
            actor,
            mediator,
            level=level,
            due_on=mediation.due_on.isoformat(),
        )
        _save(
            current,
            actor,
            "mediation_started",
            ["status", "level"],
            after={"level": level, "due_on": mediation.due_on},
            request=request,
        )
    return mediation


def _locked_open_level(current):
    mediation = current.mediations.select_for_update().filter(ended_on__isnull=True).first()
    if mediation is None:
        raise Refused(_("No mediation level is open on this dispute."))
    return mediation


def record_session(*, dispute, actor, version, held_on, note, request=None):
    """A mediation session of the open level: its day and its record."""
    note = _text(note, label=_("record"), most=TEXT_MAX, required=True, multiline=True)
    with transaction.atomic():
        current = _lock(dispute, version)
        _require(can_mediate(actor, current), current, "session")
        mediation = _locked_open_level(current)
        if held_on is None or held_on > clock.today() or held_on < mediation.accepted_on:
            raise Refused(_("A session is held between the day the level was accepted and today."))
        session = MediationSession.objects.create(
            mediation=mediation, held_on=held_on, note=note, created_by=person(actor)
        )
        _event(current, DisputeEventKind.SESSION, actor, note, level=mediation.level, held_on=held_on.isoformat())
        _save(current, actor, "session", [], after={"level": mediation.level, "held_on": held_on}, request=request)
    return session


def assign_mediator(*, dispute, actor, version, mediator, request=None):
    """Name (or change) the mediator of the open level, e.g. after a missed deadline passed it up."""
    mediator = _text(mediator, label=_("mediator"), most=NAME_MAX, required=True)
    with transaction.atomic():
        current = _lock(dispute, version)
        _require(can_mediate(actor, current), current, "assign_mediator")
        mediation = _locked_open_level(current)
        mediation.mediator = mediator
        mediation.save(update_fields=["mediator"])
        _event(current, DisputeEventKind.MEDIATION_STARTED, actor, mediator, level=mediation.level, mediator_named=True)
        _save(
            current,
            actor,
            "mediator_named",
            [],
            after={"level": mediation.level, "mediator": mediator},
            request=request,
        )
    return mediation


def _next_level(level):
    index = LEVELS.index(Level(level))
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def fail_level(*, dispute, actor, version, note, next_level=None, mediator="", request=None):
    """The open level failed: the next level opens with the mediator the staff name (one level at a time, never
    above the town), or, at the town level, mediation ends without agreement (``next_level`` empty)."""
    note = _text(note, label=_("reason"), most=TEXT_MAX, required=True, multiline=True)
    mediator = _text(mediator, label=_("mediator"), most=NAME_MAX)
    with transaction.atomic():
        current = _lock(dispute, version)
        _require(can_mediate(actor, current), current, "fail_level")
        mediation = _locked_open_level(current)
        expected = _next_level(mediation.level)
        today = clock.today()
        if expected is None:
            if next_level:
                raise Refused(
                    _(
                        "The town level is the top of mediation; record the outcome instead: arbitration, court or withdrawal."
                    )
                )
            mediation.ended_on, mediation.outcome = today, MediationOutcome.ENDED
            mediation.save(update_fields=["ended_on", "outcome"])
            _event(current, DisputeEventKind.LEVEL_FAILED, actor, note, level=mediation.level, ended=True)
            _save(current, actor, "mediation_ended", [], after={"level": mediation.level}, request=request)
            return None
        if next_level != expected:
            if next_level in Level.values and LEVELS.index(Level(next_level)) > LEVELS.index(expected):
                raise Refused(
                    _("Mediation goes up one level at a time: after %(level)s comes %(next)s, not %(asked)s.")
                    % {
                        "level": _level_name(mediation.level),
                        "next": _level_name(expected),
                        "asked": _level_name(next_level),
                    }
                )
            raise Refused(
                _("After %(level)s mediation comes %(next)s mediation.")
                % {"level": _level_name(mediation.level), "next": _level_name(expected)}
            )
        if not mediator:
            raise Refused(_("Name the mediator of %(level)s mediation.") % {"level": _level_name(expected)})
        mediation.ended_on, mediation.outcome = today, MediationOutcome.FAILED
        mediation.save(update_fields=["ended_on", "outcome"])
        opened = _open(current, expected, mediator, today)
        _event(current, DisputeEventKind.LEVEL_FAILED, actor, note, level=mediation.level, to=expected)
        _event(
            current,
            DisputeEventKind.MEDIATION_STARTED,
            actor,
            mediator,
            level=expected,
            due_on=opened.due_on.isoformat(),
        )
        _save(
            current,
            actor,
            "level_failed",
            ["level"],
            before={"level": mediation.level},
            after={"level": expected},
            request=request,
        )
    return opened


# --- outcomes -----------------------------------------------------------------------------------------------------


def record_agreement(*, dispute, actor, version, amount_agreed, judicial_confirmation=False, note="", request=None):
    """An agreement at the open level (or reached directly before mediation): the amount agreed, whether the
    parties ask the court for 司法确认. The worker is asked ``FOLLOW_UP_DAYS`` later whether they were paid."""
    amount = clean_amount(amount_agreed, label=_("amount agreed"))
    note = _text(note, label=_("outcome note"), most=TEXT_MAX, multiline=True)
    with transaction.atomic():
        current = _lock(dispute, version)
        _require(can_record_agreement(actor, current), current, "agree")
        today = clock.today()
        mediation = None
        if current.status == S.MEDIATING:
            mediation = _locked_open_level(current)
            mediation.ended_on, mediation.outcome = today, MediationOutcome.AGREED
            mediation.save(update_fields=["ended_on", "outcome"])
        if current.amount_paid is not None and current.amount_paid > amount:
            raise Refused(
                _("¥%(paid)s was paid already; the amount agreed cannot be less.")
                % {"paid": f"{current.amount_paid:,.2f}"}
            )
        before = {"status": current.status}
        current.status, current.outcome = S.AGREED, Outcome.AGREEMENT
        current.amount_agreed, current.judicial_confirmation = amount, bool(judicial_confirmation)
        current.agreed_on, current.outcome_note = today, note
        _event(
            current,
            DisputeEventKind.OUTCOME,
            actor,
            note,
            outcome=Outcome.AGREEMENT,
            level=mediation.level if mediation else "",
            amount=str(amount),
            judicial=bool(judicial_confirmation),
        )
        _save(
            current, actor, "agreed",
            ["status", "outcome", "amount_agreed", "judicial_confirmation", "agreed_on", "outcome_note"],
            before=before, after={"status": current.status, "amount_agreed": str(amount)}, request=request,
        )  # fmt: skip
    return current


def _end(current, actor, outcome, status, note, action, request):
    today = clock.today()
    open_level = current.mediations.select_for_update().filter(ended_on__isnull=True).first()
    if open_level is not None:
        open_level.ended_on, open_level.outcome = today, MediationOutcome.ENDED
        open_level.save(update_fields=["ended_on", "outcome"])
    before = {"status": current.status}
    current.status, current.outcome, current.outcome_note = status, outcome, note
    _event(current, DisputeEventKind.OUTCOME, actor, note, outcome=outcome)
    _save(
        current,
        actor,
        action,
        ["status", "outcome", "outcome_note"],
        before=before,
        after={"status": status},
        request=request,
    )


def refer(*, dispute, actor, version, to, note="", request=None):
    """Refer the dispute to labour arbitration (``to="arbitration"``) or to court (``to="court"``)."""
    if to not in (Outcome.ARBITRATION, Outcome.COURT):
        raise Refused(_("Refer the dispute to arbitration or to court."))
    note = _text(note, label=_("outcome note"), most=TEXT_MAX, multiline=True)
    with transaction.atomic():
        current = _lock(dispute, version)
        _require(can_refer(actor, current), current, "refer")
        _end(current, actor, to, S.REFERRED, note, "referred", request)
    return current


def withdraw(*, dispute, actor, version, note, request=None):
    """The workers withdraw the dispute (with the reason they gave)."""
    note = _text(note, label=_("reason"), most=TEXT_MAX, required=True, multiline=True)
    with transaction.atomic():
        current = _lock(dispute, version)
        _require(can_withdraw(actor, current), current, "withdraw")
        _end(current, actor, Outcome.WITHDRAWN, S.WITHDRAWN, note, "withdrawn", request)
    return current


def record_payment(*, dispute, actor, version, amount, request=None):
    """A payment to the workers under the agreement; what is paid in all never passes the amount agreed."""
    amount = clean_amount(amount, label=_("amount paid"))
    if amount == 0:
        raise Refused(_("The amount paid must be more than zero."))
    with transaction.atomic():
        current = _lock(dispute, version)
        if not can_record_payment(actor, current):
            if handles(actor, current) and _in(current, "pay"):
                raise Refused(_("The amount agreed is paid in full already."))
            _require(False, current, "pay")
        paid = (current.amount_paid or Decimal(0)) + amount
        if paid > current.amount_agreed:
            raise Refused(
                _("¥%(paid)s in all would be more than the ¥%(agreed)s agreed; check the amount.")
                % {"paid": f"{paid:,.2f}", "agreed": f"{current.amount_agreed:,.2f}"}
            )
        before = str(current.amount_paid or 0)
        current.amount_paid = paid
        _event(current, DisputeEventKind.PAID, actor, amount=str(amount), total=str(paid))
        _save(
            current,
            actor,
            "paid",
            ["amount_paid"],
            before={"amount_paid": before},
            after={"amount_paid": str(paid)},
            request=request,
        )
    return current


# --- follow-up and reopening --------------------------------------------------------------------------------------


def issue_follow_up(*, dispute, actor, request=None):
    """Make the one-time link of the open follow-up for the staff to hand to the worker. Returns ``(follow_up,
    code)``; only the code's keyed hash is kept, so it is shown once. A new link replaces a lost one."""
    with transaction.atomic():
        current = _lock(dispute)
        _require(can_issue_follow_up(actor, current), current, "issue_follow_up")
        follow_up = current.follow_ups.select_for_update().get(answered_at__isnull=True)
        code = receipts.make_code()
        replaced = follow_up.issued_at is not None
        follow_up.token_hash, follow_up.issued_at = receipts.hash_of(code, FOLLOW_UP_PURPOSE), clock.now()
        follow_up.save(update_fields=["token_hash", "issued_at"])
        record(
            action="cases.dispute_follow_up_issued",
            actor=actor,
            obj=current,
            org_unit=current.org_unit,
            after={"replaced": replaced},
            request=request,
        )
    return follow_up, code


def follow_up_for(code):
    """The follow-up of a link's code (answered or not), or None for an unknown code."""
    if not receipts.normalise(code):
        return None
    return (
        FollowUp.objects.select_related("dispute__enterprise")
        .filter(token_hash=receipts.hash_of(code, FOLLOW_UP_PURPOSE))
        .first()
    )


def answer_follow_up(*, code, paid_in_full, request=None):
    """The worker's answer to "是否已足额拿到款项？": yes closes the dispute, no reopens it (in mediation at the level
    it agreed at, or registered) and tells the staff. A used or unknown link is refused."""
    if paid_in_full not in (True, False):
        raise Refused(_("Answer yes or no."))
    digest = receipts.hash_of(code, FOLLOW_UP_PURPOSE)
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().filter(token_hash=digest).first()
        if follow_up is None:
            raise Refused(
                _("This link is not known. Check that the whole link was copied, or ask the union for a new one.")
            )
        if follow_up.answered_at is not None:
            raise Refused(_("This link was used already; thank you, your answer is recorded."))
        current = _lock(follow_up.dispute)
        if current.status != S.AGREED:
            raise Refused(_("This case is no longer waiting for your answer; the union has it in hand."))
        follow_up.answered_at, follow_up.paid_in_full = clock.now(), paid_in_full
        follow_up.save(update_fields=["answered_at", "paid_in_full"])
        _event(current, DisputeEventKind.FOLLOW_UP, None, paid_in_full=paid_in_full)
        if paid_in_full:
            current.status, current.closed_on = S.CLOSED, clock.today()
            _event(current, DisputeEventKind.CLOSED, None)
            _save(
                current,
                SYSTEM,
                "closed",
                ["status", "closed_on"],
                before={"status": S.AGREED},
                after={"status": S.CLOSED},
                request=request,
            )
        else:
            with stored_language():
                note = _("The worker answered that they were not paid in full.")
            _reopen(current, SYSTEM, note, request)
    return follow_up


def _reopen(current, actor, note, request):
    before = {"status": current.status}
    agreed_level = (
        current.mediations.select_for_update()
        .filter(outcome=MediationOutcome.AGREED)
        .order_by("-accepted_on", "-id")
        .first()
        if current.outcome == Outcome.AGREEMENT
        else None
    )
    today = clock.today()
    if agreed_level is not None:
        deadline = mediation_due(current, today)
        agreed_level.accepted_on, agreed_level.due_on = today, deadline.due
        agreed_level.ended_on, agreed_level.outcome = None, ""
        agreed_level.save(update_fields=["accepted_on", "due_on", "ended_on", "outcome"])
        current.status, current.level = S.MEDIATING, agreed_level.level
    else:
        # Withdrawn, or agreed before any mediation: back to registered, at the level it had reached.
        current.status = S.REGISTERED if not current.mediations.exists() else S.MEDIATING
        if current.status == S.MEDIATING and not current.mediations.filter(ended_on__isnull=True).exists():
            last = current.mediations.select_for_update().order_by("-accepted_on", "-id").first()
            last.accepted_on, last.due_on = today, mediation_due(current, today).due
            last.ended_on, last.outcome = None, ""
            last.save(update_fields=["accepted_on", "due_on", "ended_on", "outcome"])
            current.level = last.level
    current.outcome, current.agreed_on, current.closed_on = "", None, None
    current.reopened += 1
    open_follow_up = current.follow_ups.filter(answered_at__isnull=True)
    open_follow_up.delete()  # the question of an agreement that no longer stands
    _event(
        current, DisputeEventKind.REOPENED, person(actor) if actor is not SYSTEM else None, note, level=current.level
    )
    _save(
        current, actor, "reopened", ["status", "level", "outcome", "agreed_on", "closed_on", "reopened"],
        before=before, after={"status": current.status, "level": current.level}, request=request,
    )  # fmt: skip
    people = [u for u in town_people(current) if u.pk != getattr(actor, "pk", None)]
    with stored_language():
        text = _("Dispute reopened: %(enterprise)s (%(note)s)") % {"enterprise": current.enterprise.name, "note": note}
    _notify(people, text, current)


def reopen(*, dispute, actor, version, note, request=None):
    """The staff reopen an agreed, closed or withdrawn dispute (the workers came back)."""
    note = _text(note, label=_("reason"), most=TEXT_MAX, required=True, multiline=True)
    with transaction.atomic():
        current = _lock(dispute, version)
        _require(can_reopen(actor, current), current, "reopen")
        _reopen(current, actor, note, request)
    return current


# --- the daily scan -----------------------------------------------------------------------------------------------


def scan(today=None, progress=None):
    """Pass up every open level past its due date with no outcome (one level per scan; at the town level the county
    office is told instead), and open the follow-up of every agreement ``FOLLOW_UP_DAYS`` old. Each dispute is
    handled in its own transaction under its lock and checked again there, so two scans at once do each thing once.
    Returns ``{"escalated": n, "county_told": n, "follow_ups": n}``."""
    today = today or clock.today()
    done = {"escalated": 0, "county_told": 0, "follow_ups": 0}
    overdue = list(
        Mediation.objects.filter(
            ended_on__isnull=True, outcome="", due_on__lt=today, dispute__status=S.MEDIATING
        ).values_list("dispute_id", flat=True)
    )
    agreed = list(
        Dispute.objects.filter(status=S.AGREED, agreed_on__isnull=False).values_list("pk", "agreed_on", "rules")
    )
    waiting = [
        pk for pk, agreed_on, case_rules in agreed
        if agreed_on + timedelta(days=case_rules.get("follow_up_days", rules.FOLLOW_UP_DAYS.default)) <= today
    ]  # fmt: skip
    total = len(overdue) + len(waiting)
    for n, pk in enumerate(overdue, 1):
        result = escalate(pk, today)
        if result:
            done[result] += 1
        if progress:
            progress(n, total)
    for n, pk in enumerate(waiting, len(overdue) + 1):
        if open_follow_up(pk, today):
            done["follow_ups"] += 1
        if progress:
            progress(n, total)
    if progress and not total:
        progress(0, 0)
    return done


def escalate(pk, today):
    """Pass up the dispute ``pk``'s open level if it is past its due date on ``today`` (the scan's step for one
    dispute). Returns "escalated", "county_told" or None."""
    with stored_language():
        return _escalate(pk, today)


def _escalate(pk, today):
    with transaction.atomic():
        current = Dispute.objects.select_for_update(of=("self",)).select_related("org_unit", "enterprise").get(pk=pk)
        mediation = (
            current.mediations.select_for_update().filter(ended_on__isnull=True, outcome="", due_on__lt=today).first()
        )
        if current.status != S.MEDIATING or mediation is None:
            return None  # another scan did it, or the staff acted first
        following = _next_level(mediation.level)
        if following is None:
            mediation.outcome = MediationOutcome.TIMED_OUT  # still open: the county is told, the town goes on
            mediation.save(update_fields=["outcome"])
            _event(
                current,
                DisputeEventKind.ESCALATED,
                None,
                level=mediation.level,
                to="county",
                due_on=mediation.due_on.isoformat(),
            )
            _save(current, SYSTEM, "escalated", [], after={"level": mediation.level, "to": "county"})
            text = _("Town-level mediation is past its deadline (%(day)s): %(enterprise)s") % {
                "day": mediation.due_on.isoformat(),
                "enterprise": current.enterprise.name,
            }
            _notify(county_office(current), text, current)
            return "county_told"
        mediation.ended_on, mediation.outcome = today, MediationOutcome.TIMED_OUT
        mediation.save(update_fields=["ended_on", "outcome"])
        opened = _open(current, following, "", today)
        _event(
            current,
            DisputeEventKind.ESCALATED,
            None,
            level=mediation.level,
            to=following,
            due_on=mediation.due_on.isoformat(),
            new_due_on=opened.due_on.isoformat(),
        )
        _save(current, SYSTEM, "escalated", ["level"], before={"level": mediation.level}, after={"level": following})
        text = _(
            "%(level)s mediation missed its deadline (%(day)s) and passed up to %(next)s: %(enterprise)s; name the mediator"
        ) % {
            "level": _level_name(mediation.level),
            "day": mediation.due_on.isoformat(),
            "next": _level_name(following),
            "enterprise": current.enterprise.name,
        }
        _notify(town_people(current), text, current)
        return "escalated"


def open_follow_up(pk, today):
    """Open the follow-up of the dispute ``pk``'s agreement once it is ``FOLLOW_UP_DAYS`` old (the scan's step)."""
    with transaction.atomic():
        current = Dispute.objects.select_for_update(of=("self",)).get(pk=pk)
        if current.status != S.AGREED or current.agreed_on is None:
            return False
        days = rules.of(current, rules.FOLLOW_UP_DAYS)
        due = current.agreed_on + timedelta(days=days)
        if due > today or current.follow_ups.filter(Q(answered_at__isnull=True) | Q(due_on__gte=due)).exists():
            return False
        FollowUp.objects.create(dispute=current, due_on=due)
        record(
            action="cases.dispute_follow_up_opened",
            actor=SYSTEM,
            obj=current,
            org_unit=current.org_unit,
            after={"due_on": due},
        )
        return True

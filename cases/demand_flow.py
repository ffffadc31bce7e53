"""Every state change of a worker demand (职工诉求): one table of transitions, one function per action.

Each function takes keyword-only arguments, locks the demand, checks the transition against ``TRANSITIONS`` and
the actor's right with the action's ``can_<action>`` predicate (the same one the detail page asks before it shows
the button), checks the ``version`` the form was read at (stale → ``Conflict``), writes the timeline and the audit
trail in the same transaction and notifies on commit. The worker's own steps (send from a phone, rate, reopen)
have no actor: they go through the receipt code, of which only the keyed hash is kept.

``actor=SYSTEM`` is the platform itself (the demo loader, the daily scan)."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

import workdays
from audit.services import record
from cases import receipts, rules
from cases.models import (
    Demand,
    DemandCategory,
    DemandEvent,
    DemandEventKind,
    DemandNote,
    DemandResult,
    DemandSource,
    DemandStatus,
    Rating,
)
from cases.models.demands import GROUP_MAX, NAME_MAX, PHONE_MAX, TEXT_MAX
from cases.models.registry import REGISTRY_KINDS
from documents import numbering
from orgs.models import OrgKind, OrgUnit, Role
from orgs.queries import on_the_line_of, within
from orgs.rules import to_copy
from orgs.services import notify, unit_people
from qingdan import clock, text
from qingdan.actors import SYSTEM, person
from qingdan.errors import Conflict, Refused

S = DemandStatus
E = DemandEventKind
# action: (states it may start from, state it leads to; None: stays)
TRANSITIONS = {
    "accept": ({S.SUBMITTED}, S.ASSIGNED),
    "decline": ({S.SUBMITTED}, S.DECLINED),
    "reply": ({S.ASSIGNED}, S.REPLIED),
    "escalate": ({S.ASSIGNED}, S.ASSIGNED),
    "call_back": ({S.REPLIED}, S.CLOSED),
    "urge": ({S.ASSIGNED}, S.ASSIGNED),
    "rate": ({S.REPLIED, S.CLOSED}, None),
    "reopen": ({S.REPLIED, S.CLOSED}, S.ASSIGNED),
}
ACTION_NAMES = {
    "accept": gettext_lazy("accepted"),
    "decline": gettext_lazy("declined"),
    "reply": gettext_lazy("replied to"),
    "escalate": gettext_lazy("escalated"),
    "call_back": gettext_lazy("called back and closed"),
    "urge": gettext_lazy("urged"),
    "rate": gettext_lazy("rated"),
    "reopen": gettext_lazy("reopened"),
}
# A demand's own words for its states and events, where the shared msgids read otherwise (“Closed” is a poll's
# 已截止, “Registered” a registry's 登记时间).
STATUS_LABELS = {
    S.SUBMITTED: pgettext_lazy("demand status", "Awaiting acceptance"),
    S.ASSIGNED: pgettext_lazy("demand status", "Being handled"),
    S.REPLIED: pgettext_lazy("demand status", "Replied"),
    S.CLOSED: pgettext_lazy("demand status", "Closed"),
    S.DECLINED: pgettext_lazy("demand status", "Not accepted"),
}
EVENT_LABELS = {
    E.SUBMITTED: pgettext_lazy("demand event", "Submitted by the worker"),
    E.REGISTERED: pgettext_lazy("demand event", "Registered"),
    E.ACCEPTED: pgettext_lazy("demand event", "Accepted and assigned"),
    E.DECLINED: pgettext_lazy("demand event", "Not accepted"),
    E.REPLIED: pgettext_lazy("demand event", "Replied"),
    E.ESCALATED: pgettext_lazy("demand event", "Escalated"),
    E.URGED: pgettext_lazy("demand event", "Urged"),
    E.CALLED_BACK: pgettext_lazy("demand event", "Called back"),
    E.RATED: pgettext_lazy("demand event", "Rated by the worker"),
    E.CLOSED: pgettext_lazy("demand event", "Closed"),
    E.REOPENED: pgettext_lazy("demand event", "Reopened by the worker"),
}


def labelled(demand):
    """``demand`` with ``status_label`` set, for the badge."""
    demand.status_label = STATUS_LABELS.get(demand.status, demand.status)
    return demand


def labelled_events(events):
    events = list(events)
    for event in events:
        event.label = EVENT_LABELS.get(event.kind, event.kind)
    return events


DEMAND_CHANGED = gettext_lazy("The demand has changed since you read it; read it again and retry.")
PHONE_DIGITS = "0123456789-+"
# Units a "beyond the enterprise" reply may send a demand up to: the park and community councils (园区、社区).
COUNCIL_WORDS = ("园区", "开发区", "社区")
STAFF_ROLES = (Role.OFFICE, Role.REPORTER)


# --- who may act --------------------------------------------------------------------------------------------------


def _unit(user):
    return getattr(user, "org_unit", None)


def can_register(user, unit):
    """Whether ``user`` may register a demand under ``unit`` (and accept or decline one sent to it): the office
    staff of a federation or a town union within their own subtree, or a town union's reporter for its own town."""
    if user is SYSTEM:
        return True
    own = _unit(user)
    if user is None or own is None or unit is None or not user.is_active or unit.kind not in REGISTRY_KINDS:
        return False
    if user.has_role(Role.OFFICE) and unit.is_within(own):
        return True
    return user.has_role(Role.REPORTER) and own.kind == OrgKind.TOWN and unit.pk == own.pk


def _handles(user, demand):
    own = _unit(user)
    return own is not None and user.has_role(*STAFF_ROLES) and demand.handling_unit_id == own.pk


def _registers(user, demand):
    return can_register(user, demand.org_unit)


def can_accept(user, demand):
    return demand.status == S.SUBMITTED and _registers(user, demand)


can_decline = can_accept


def can_reply(user, demand):
    """The handling unit's reporters and office, or the registering office."""
    if demand.status != S.ASSIGNED:
        return False
    if user is SYSTEM:
        return True
    return _handles(user, demand) or (
        _registers(user, demand) and _unit(user) is not None and user.has_role(Role.OFFICE)
    )


def can_call_back(user, demand):
    return demand.status == S.REPLIED and _registers(user, demand)


def can_urge(user, demand, today=None):
    """The registering office urges an overdue reply by hand."""
    today = today or clock.today()
    if demand.status != S.ASSIGNED or demand.reply_due is None or demand.reply_due >= today:
        return False
    return user is SYSTEM or (_registers(user, demand) and user.has_role(Role.OFFICE))


def can_keep_notes(user, demand):
    """Private notes are read and written by the staff of the registering and the handling unit only."""
    if user is SYSTEM:
        return True
    return _handles(user, demand) or _registers(user, demand)


def can_see_worker(user, demand):
    """The worker's full name and phone, shown on request and audited: the registering unit's staff."""
    return user is not SYSTEM and _registers(user, demand)


def county_of(unit):
    """The county federation above ``unit`` (or ``unit`` itself when it is one or lies above counties)."""
    if unit.kind == OrgKind.COUNTY:
        return unit
    found = OrgUnit.objects.filter(on_the_line_of(unit), kind=OrgKind.COUNTY).first()
    return found or unit


def handling_units(registering_unit):
    """Units a demand registered under ``registering_unit`` may be sent to: any unit of its county."""
    county = county_of(registering_unit)
    return OrgUnit.objects.filter(within(county)).exclude(kind=OrgKind.ENTERPRISE).order_by("path")


def council_units(registering_unit):
    """The park and community councils of the county, to which a "beyond the enterprise" reply escalates."""
    words = Q(pk__in=[])
    for word in COUNCIL_WORDS:
        words |= Q(name__contains=word)
    return handling_units(registering_unit).filter(words)


# --- checks ------------------------------------------------------------------------------------------------------


def _clean(value, field, most, *, multiline=False, required=True):
    try:
        value = text.clean(value or "", multiline=multiline)
    except text.Unclean as unclean:
        raise Refused(_("The %(field)s %(problem)s") % {"field": field, "problem": unclean.message}) from None
    if required and not value:
        raise Refused(_("Fill in the %(field)s.") % {"field": field})
    if len(value) > most:
        raise Refused(_("The %(field)s is longer than %(n)d characters.") % {"field": field, "n": most})
    return value


def _worker(worker_name, worker_phone, group_size):
    name = _clean(worker_name, _("worker's name"), NAME_MAX)
    phone = "".join((text.nfkc(worker_phone or "")).split())
    if phone and (len(phone) > PHONE_MAX or len(phone) < 7 or any(ch not in PHONE_DIGITS for ch in phone)):
        raise Refused(_("A phone number holds digits and hyphens only, e.g. 13812345678 or 0515-84123456."))
    if isinstance(group_size, bool) or not isinstance(group_size, int) or group_size < 1:
        raise Refused(_("The number of workers in the group is at least 1."))
    if group_size > GROUP_MAX:
        raise Refused(_("The number of workers in the group is more than %(n)s.") % {"n": f"{GROUP_MAX:,}"})
    return name, phone, group_size


def _handling_problem(handling_unit, registering_unit):
    if handling_unit is None:
        return _("Choose the unit that handles the demand.")
    if not handling_unit.is_within(county_of(registering_unit)) or handling_unit.kind == OrgKind.ENTERPRISE:
        return _("%(unit)s is outside the county; send the demand to a department, town or council of the county.") % {
            "unit": handling_unit.name
        }
    return None


def _lock(demand, version):
    locked = (
        Demand.objects.select_for_update(of=("self",)).select_related("org_unit", "handling_unit").get(pk=demand.pk)
    )
    if version is not None and locked.version != version:
        raise Conflict(DEMAND_CHANGED)
    return locked


def _move(demand, action):
    allowed, to = TRANSITIONS[action]
    if demand.status not in allowed:
        raise Refused(
            _("This demand is “%(status)s”; it cannot be %(action)s now.")
            % {"status": STATUS_LABELS[demand.status], "action": ACTION_NAMES[action]}
        )
    return demand.status if to is None else to


def _require(allowed):
    if not allowed:
        raise Refused(_("Your roles or your organisation do not allow this action on this demand."))


def _event(demand, kind, actor, note="", **data):
    return DemandEvent.objects.create(demand=demand, kind=kind, actor=person(actor), note=note, data=data)


def _save(demand, before, actor, action, fields, request=None, **extra):
    demand.version += 1
    demand.save(update_fields=[*fields, "version"])
    record(
        action=f"cases.demand_{action}",
        actor=person(actor),
        actor_username="worker" if actor is None else "",
        obj=demand,
        org_unit=demand.org_unit,
        before={"status": before},
        after={"status": demand.status, **extra},
        request=request,
    )


def _notify(demand, unit, text_):
    if unit is None:
        return
    url = reverse("cases:demand", args=[demand.pk])
    people = list(unit_people(unit, *STAFF_ROLES))
    transaction.on_commit(lambda: notify(users=people, text=text_, url=url))


def _due(start, demand):
    return workdays.add(start, rules.of(demand, rules.REPLY_WORKDAYS), unit=demand.org_unit)


def deadline_warning(demand):
    """The sentence to show when the reply deadline was counted over a year whose holidays are not entered."""
    if demand.reply_due is None:
        return ""
    return workdays.warning(demand.received_on, demand.reply_due, unit=demand.org_unit)


def _new_receipt():
    """A code and its hash, made again in the (astronomically rare) case the hash is taken."""
    for _attempt in range(5):
        code = receipts.make_code()
        digest = receipts.hash_of(code)
        if not Demand.objects.filter(receipt_hash=digest).exists():
            return code, digest
    raise Refused(_("No receipt code could be made just now; please try again."))


def _facts(*, enterprise, category, content, worker_name, worker_phone, group_size):
    if enterprise is None:
        raise Refused(_("Choose the enterprise."))
    if category not in DemandCategory.values:
        raise Refused(_("Choose the category of the demand."))
    content = _clean(content, _("what the worker asks"), TEXT_MAX, multiline=True)
    name, phone, size = _worker(worker_name, worker_phone, group_size)
    return {
        "enterprise": enterprise,
        "category": category,
        "content": content,
        "worker_name": name,
        "worker_phone": phone,
        "group_size": size,
    }


# --- registering and sending --------------------------------------------------------------------------------------


def register_demand(
    *,
    actor,
    org_unit,
    enterprise,
    source,
    category,
    content,
    worker_name,
    worker_phone="",
    group_size=1,
    handling_unit,
    received_on=None,
    meeting=None,
    import_key="",
    request=None,
):
    """Staff register a demand received at a meeting, on the 12351 hotline, at the desk or from a grid worker: it
    is accepted at once (ASSIGNED) and sent to ``handling_unit``; the reply is due ``REPLY_WORKDAYS`` working days
    after it was received. Returns ``(demand, code)``: the receipt code is shown once, on the slip."""
    today = clock.today()
    received_on = received_on or today
    if meeting is not None:
        source, enterprise = DemandSource.MEETING, meeting.enterprise
    if source not in DemandSource.values or source == DemandSource.PHONE:
        raise Refused(_("Choose where the demand came from."))
    if not can_register(actor, org_unit):
        raise Refused(_("Only the office staff of a federation or a town union register demands, within their own."))
    facts = _facts(
        enterprise=enterprise,
        category=category,
        content=content,
        worker_name=worker_name,
        worker_phone=worker_phone,
        group_size=group_size,
    )
    if actor is not SYSTEM and not enterprise.org_unit.is_within(county_of(org_unit)):
        raise Refused(_("%(name)s is outside your organisation.") % {"name": enterprise.name})
    if meeting is not None and not meeting.org_unit.is_within(county_of(org_unit)):
        raise Refused(_("That joint meeting is outside your organisation."))
    if received_on > today:
        raise Refused(_("The day the demand was received cannot be after today."))
    if problem := _handling_problem(handling_unit, org_unit):
        raise Refused(problem)
    code, digest = _new_receipt()
    with transaction.atomic():
        demand = Demand(
            org_unit=org_unit,
            handling_unit=handling_unit,
            meeting=meeting,
            source=source,
            status=S.ASSIGNED,
            received_on=received_on,
            rules=to_copy(org_unit, rules.PREFIX),
            receipt_hash=digest,
            import_key=import_key,
            created_by=person(actor),
            **facts,
        )
        demand.reply_due = _due(received_on, demand)
        try:
            with transaction.atomic():
                demand.save()
        except IntegrityError:
            raise Refused(_("This demand is registered already.")) from None
        _event(demand, E.REGISTERED, actor, source=source, handling_unit=handling_unit.name)
        record(
            action="cases.demand_registered",
            actor=person(actor),
            obj=demand,
            org_unit=org_unit,
            after={"status": demand.status, "handling_unit": handling_unit.code, "reply_due": demand.reply_due},
            request=request,
        )
        _notify(demand, handling_unit, _("A demand to reply to by %(due)s: %(demand)s") % {
            "due": demand.reply_due.isoformat(), "demand": demand,
        })  # fmt: skip
    return demand, code


def submit_demand(*, enterprise, category, content, worker_name, worker_phone="", group_size=1, request=None):
    """A worker sends a demand from the phone (the enterprise's QR poster): it waits for the staff of the unit
    the enterprise is registered under to accept it. Returns ``(demand, code)``; the code is shown once."""
    facts = _facts(
        enterprise=enterprise,
        category=category,
        content=content,
        worker_name=worker_name,
        worker_phone=worker_phone,
        group_size=group_size,
    )
    code, digest = _new_receipt()
    with transaction.atomic():
        demand = Demand.objects.create(
            org_unit=enterprise.org_unit,
            source=DemandSource.PHONE,
            status=S.SUBMITTED,
            received_on=clock.today(),
            rules=to_copy(enterprise.org_unit, rules.PREFIX),
            receipt_hash=digest,
            **facts,
        )
        _event(demand, E.SUBMITTED, None)
        record(
            action="cases.demand_submitted",
            actor_username="worker",
            obj=demand,
            org_unit=demand.org_unit,
            after={"status": demand.status},
            request=request,
        )
        url = reverse("cases:demand", args=[demand.pk])
        people = list(unit_people(demand.org_unit, Role.OFFICE))
        transaction.on_commit(
            lambda: notify(
                users=people, text=_("A worker's demand to accept: %(demand)s") % {"demand": demand}, url=url
            )
        )
    return demand, code


def accept_demand(*, demand, actor, version, handling_unit, request=None):
    """Staff accept a demand sent from a phone and send it to ``handling_unit``: the reply deadline starts today
    (the rules in force today are copied onto it)."""
    with transaction.atomic():
        demand = _lock(demand, version)
        _require(can_accept(actor, demand))
        to, before = _move(demand, "accept"), demand.status
        if problem := _handling_problem(handling_unit, demand.org_unit):
            raise Refused(problem)
        demand.status, demand.handling_unit = to, handling_unit
        demand.rules = to_copy(demand.org_unit, rules.PREFIX)
        demand.reply_due = _due(clock.today(), demand)
        _event(demand, E.ACCEPTED, actor, handling_unit=handling_unit.name, reply_due=demand.reply_due.isoformat())
        _save(demand, before, actor, "accepted", ["status", "handling_unit", "rules", "reply_due"], request,
              handling_unit=handling_unit.code, reply_due=demand.reply_due)  # fmt: skip
        _notify(demand, handling_unit, _("A demand to reply to by %(due)s: %(demand)s") % {
            "due": demand.reply_due.isoformat(), "demand": demand,
        })  # fmt: skip
    return demand


def decline_demand(*, demand, actor, version, reason, request=None):
    """Staff decline a demand sent from a phone, with the reason the worker reads."""
    reason = _clean(reason, _("reason"), TEXT_MAX, multiline=True)
    with transaction.atomic():
        demand = _lock(demand, version)
        _require(can_decline(actor, demand))
        to, before = _move(demand, "decline"), demand.status
        demand.status, demand.reply, demand.closed_at = to, reason, clock.now()
        _event(demand, E.DECLINED, actor, reason)
        _save(demand, before, actor, "declined", ["status", "reply", "closed_at"], request)
    return demand


# --- handling -----------------------------------------------------------------------------------------------------


def reply_demand(*, demand, actor, version, reply, result, escalate_to=None, request=None):
    """The handling unit (or the registering office) replies with the official text and its result. Replied by
    the due day counts as on time. "Beyond the enterprise" sends the demand up to a park or community council
    (``escalate_to``) with a new deadline: it stays being handled and the council is told."""
    reply = _clean(reply, _("reply"), TEXT_MAX, multiline=True)
    if result not in DemandResult.values:
        raise Refused(_("Choose the result of the handling."))
    with transaction.atomic():
        demand = _lock(demand, version)
        _require(can_reply(actor, demand))
        before = demand.status
        if result == DemandResult.BEYOND:
            _move(demand, "escalate")
            if escalate_to is None:
                raise Refused(_("Choose the park or community council the demand goes up to."))
            if escalate_to.pk == demand.handling_unit_id:
                raise Refused(_("The demand is with %(unit)s already; choose the council above it.") % {
                    "unit": escalate_to.name})  # fmt: skip
            if problem := _handling_problem(escalate_to, demand.org_unit):
                raise Refused(problem)
            previous = demand.handling_unit
            demand.escalated_from = previous
            demand.handling_unit = escalate_to
            demand.reply_due = _due(clock.today(), demand)
            _event(demand, E.ESCALATED, actor, reply, result=result, escalated_from=previous.name if previous else "",
                   handling_unit=escalate_to.name, reply_due=demand.reply_due.isoformat())  # fmt: skip
            _save(demand, before, actor, "escalated", ["handling_unit", "escalated_from", "reply_due"], request,
                  handling_unit=escalate_to.code, reply_due=demand.reply_due)  # fmt: skip
            _notify(demand, escalate_to, _("A demand escalated to you, to reply to by %(due)s: %(demand)s") % {
                "due": demand.reply_due.isoformat(), "demand": demand})  # fmt: skip
            return demand
        to = _move(demand, "reply")
        now = clock.now()
        demand.status, demand.reply, demand.result, demand.replied_at = to, reply, result, now
        demand.replied_on_time = demand.reply_due is not None and timezone.localdate(now) <= demand.reply_due
        _event(demand, E.REPLIED, actor, reply, result=result, on_time=demand.replied_on_time)
        _save(demand, before, actor, "replied", ["status", "reply", "result", "replied_at", "replied_on_time"],
              request, result=result, on_time=demand.replied_on_time)  # fmt: skip
        if demand.org_unit_id != getattr(_unit(actor), "pk", None):
            _notify(demand, demand.org_unit, _("A demand was replied to: %(demand)s") % {"demand": demand})
    return demand


def call_back(*, demand, actor, version, note, request=None):
    """The registering staff call the worker back (回访) about a replied demand, and close it. A demand with no
    reply cannot be closed."""
    note = _clean(note, _("call-back note"), TEXT_MAX, multiline=True)
    with transaction.atomic():
        demand = _lock(demand, version)
        if demand.status == S.ASSIGNED or (demand.status == S.SUBMITTED):
            raise Refused(_("This demand has no reply yet; it can be closed only after the handling unit replies."))
        _require(can_call_back(actor, demand))
        to, before = _move(demand, "call_back"), demand.status
        now = clock.now()
        demand.status, demand.called_back_at, demand.callback_note, demand.closed_at = to, now, note, now
        _event(demand, E.CALLED_BACK, actor, note)
        _event(demand, E.CLOSED, actor)
        _save(demand, before, actor, "closed", ["status", "called_back_at", "callback_note", "closed_at"], request)
    return demand


def add_note(*, demand, actor, text_, request=None):
    """A private note of the staff beside the official reply; the worker never reads it."""
    body = _clean(text_, _("note"), TEXT_MAX, multiline=True)
    _require(can_keep_notes(actor, demand))
    with transaction.atomic():
        note = DemandNote.objects.create(demand=demand, text=body, author=actor)
        record(action="cases.demand_note", actor=actor, obj=demand, org_unit=demand.org_unit, request=request)
    return note


# --- urging -------------------------------------------------------------------------------------------------------


def _urged_lately(demand, now):
    interval = rules.of(demand, rules.DEMAND_URGE_INTERVAL)
    return demand.last_urged_at is not None and demand.last_urged_at > now - timedelta(days=interval)


def urge_demand(*, demand, actor, version=None, request=None, today=None):
    """Urge the handling unit of a demand whose reply is overdue: a numbered notice (诉催) from the registering
    unit, on the timeline, and the handling unit's people told. Refused when it was urged within the interval."""
    today = today or clock.today()
    with transaction.atomic():
        demand = _lock(demand, version)
        _require(can_urge(actor, demand, today))
        before = _move(demand, "urge")
        now = clock.now()
        if _urged_lately(demand, now):
            raise Refused(_("This demand was urged on %(day)s; urge it again after %(n)d days.") % {
                "day": timezone.localdate(demand.last_urged_at).isoformat(),
                "n": rules.of(demand, rules.DEMAND_URGE_INTERVAL)})  # fmt: skip
        return _urge(demand, actor, before, now, today, request)


def _urge(demand, actor, before, now, today, request=None):
    taken = numbering.take(issuer=demand.org_unit, kind="demand_urging", mark="诉催")
    overdue = workdays.between(demand.reply_due, today, unit=demand.org_unit)
    demand.urged += 1
    demand.last_urged_at = now
    _event(
        demand, E.URGED, actor, number=taken.number, overdue_workdays=overdue, reply_due=demand.reply_due.isoformat()
    )
    _save(demand, before, actor, "urged", ["urged", "last_urged_at"], request, number=taken.number, urged=demand.urged)
    _notify(demand, demand.handling_unit, _("Urging %(number)s: the reply to %(demand)s was due on %(due)s.") % {
        "number": taken.number, "demand": demand, "due": demand.reply_due.isoformat()})  # fmt: skip
    return demand


def overdue_demands(today):
    return Demand.objects.filter(status=S.ASSIGNED, reply_due__lt=today)


def scan(today=None, progress=None):
    """Urge every demand still waiting past its reply deadline and not urged within its interval. Each demand
    is locked and checked again before it is urged, so two scans at once urge it once. Returns how many."""
    today = today or clock.today()
    ids = list(overdue_demands(today).order_by("pk").values_list("pk", flat=True))
    urged = 0
    for n, pk in enumerate(ids, 1):
        with transaction.atomic():
            demand = Demand.objects.select_for_update(of=("self",)).select_related("org_unit", "handling_unit")
            demand = demand.filter(pk=pk, status=S.ASSIGNED, reply_due__lt=today).first()
            now = clock.now()
            if demand is not None and not _urged_lately(demand, now):
                _urge(demand, SYSTEM, demand.status, now, today)
                urged += 1
        if progress:
            progress(n, len(ids))
    return urged


# --- the worker, through the receipt code -------------------------------------------------------------------------


def find_by_code(code):
    """The demand a receipt code belongs to, or None."""
    if not receipts.normalise(code):
        return None
    return (
        Demand.objects.select_related("org_unit", "handling_unit", "enterprise")
        .filter(receipt_hash=receipts.hash_of(code))
        .first()
    )


def _by_code(code):
    demand = find_by_code(code)
    if demand is None:
        raise Refused(_("No demand has this receipt code; check the code on your slip."))
    return demand


def can_reopen(demand, today=None):
    """Whether the worker may still say "not resolved": within REOPEN_DAYS of the reply."""
    today = today or clock.today()
    if demand.status not in TRANSITIONS["reopen"][0] or demand.replied_at is None:
        return False
    return (today - timezone.localdate(demand.replied_at)).days <= rules.of(demand, rules.REOPEN_DAYS)


def can_rate(demand):
    return demand.status in TRANSITIONS["rate"][0] and not demand.rating


def rate_demand(*, code, rating, request=None):
    """The worker rates the reply on the 4-level scale, once, through the receipt code only."""
    if rating not in Rating.values:
        raise Refused(_("Choose how satisfied you are with the reply."))
    with transaction.atomic():
        demand = _lock(_by_code(code), None)
        _move(demand, "rate")
        if demand.rating:
            raise Refused(_("You have rated this reply already; a reply is rated once."))
        demand.rating, demand.rated_at = rating, clock.now()
        _event(demand, E.RATED, None, rating=rating)
        _save(demand, demand.status, None, "rated", ["rating", "rated_at"], request, rating=rating)
    return demand


def reopen_demand(*, code, reason="", request=None):
    """The worker says the demand is not resolved, within REOPEN_DAYS of the reply: it is handled again, with a
    new deadline, and the handling unit is told."""
    reason = _clean(reason, _("reason"), TEXT_MAX, multiline=True, required=False)
    with transaction.atomic():
        demand = _lock(_by_code(code), None)
        to, before = _move(demand, "reopen"), demand.status
        if not can_reopen(demand):
            raise Refused(_("More than %(n)d days have passed since the reply; the demand can no longer be reopened. "
                            "Please send a new demand.") % {"n": rules.of(demand, rules.REOPEN_DAYS)})  # fmt: skip
        previous = {"reply": demand.reply, "result": demand.result, "rating": demand.rating}
        demand.status = to
        demand.reopened += 1
        demand.reply_due = _due(clock.today(), demand)
        demand.reply, demand.result, demand.replied_at, demand.replied_on_time = "", "", None, None
        demand.rating, demand.rated_at, demand.called_back_at, demand.closed_at = "", None, None, None
        _event(demand, E.REOPENED, None, reason, reply_due=demand.reply_due.isoformat(), **previous)
        _save(demand, before, None, "reopened",
              ["status", "reopened", "reply_due", "reply", "result", "replied_at", "replied_on_time", "rating",
               "rated_at", "called_back_at", "closed_at"], request, reopened=demand.reopened)  # fmt: skip
        _notify(demand, demand.handling_unit, _("A worker reopened a demand, to reply to by %(due)s: %(demand)s") % {
            "due": demand.reply_due.isoformat(), "demand": demand})  # fmt: skip
    return demand

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

import workdays
from cases import rules
from cases.dispute_flow.access import (
    S,
    _in,
    _require,
    can_mediate,
    can_record_agreement,
    can_record_payment,
    can_refer,
    can_start_mediation,
    can_withdraw,
    handles,
)
from cases.dispute_flow.facts import _text, clean_amount
from cases.dispute_flow.steps import _event, _lock, _save
from cases.models import (
    DisputeEventKind,
    Level,
    Mediation,
    MediationOutcome,
    MediationSession,
    Outcome,
)
from cases.models.demands import NAME_MAX, TEXT_MAX
from cases.models.disputes import LEVELS
from qingdan import clock
from qingdan.actors import person
from qingdan.errors import Refused

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


def level_above(level):
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
        expected = level_above(mediation.level)
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

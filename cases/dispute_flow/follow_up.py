from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audit.services import record
from cases import receipts, rules
from cases.dispute_flow.access import FOLLOW_UP_PURPOSE, S, _require, can_issue_follow_up, can_reopen, stored_language
from cases.dispute_flow.facts import _text
from cases.dispute_flow.mediation import _level_name, _open, level_above, mediation_due
from cases.dispute_flow.steps import _event, _lock, _notify, _save, county_office, town_people
from cases.models import (
    Dispute,
    DisputeEventKind,
    FollowUp,
    Mediation,
    MediationOutcome,
    Outcome,
)
from cases.models.demands import TEXT_MAX
from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Refused

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
        following = level_above(mediation.level)
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

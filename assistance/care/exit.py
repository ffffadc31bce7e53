from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from assistance import decisions
from assistance import rules as archive_rules
from assistance.care.access import (
    CENT,
    INCOME_STATUSES,
    MONEY_MAX,
    SERIOUS,
    _in_charge,
    _rule,
    _yuan,
    add_months,
    can_manage,
    first_of,
)
from assistance.care.steps import _event, _lock, _move, _notify_office, _status_refusal, _text, _touch
from assistance.models import (
    Category,
    Certificate,
    Decision,
    EventKind,
    FileStatus,
    MonthlyIncome,
)
from audit.services import record
from orgs.models import Role
from qingdan import clock
from qingdan.actors import person
from qingdan.errors import Refused

# --- monthly incomes and exit ------------------------------------------------------------------------------------


def record_month(*, household, actor, month, per_capita, evidence=None, version=None):
    """The per-capita income of one month with its evidence (an ``Evidence`` already kept, e.g. through
    ``evidence.services.keep_with``); the same month again replaces the figure, the old one kept in the audit."""
    today = clock.today()
    if not can_manage(actor, household):
        raise Refused(_("Only office staff and reporters of the unit managing the file record its incomes."))
    if month is None:
        raise Refused(_("Enter the month."))
    month = first_of(month)
    if month > first_of(today):
        raise Refused(_("%(month)s has not begun yet.") % {"month": f"{month:%Y-%m}"})
    if per_capita is None or Decimal(per_capita) < 0:
        raise Refused(_("A per-capita income is zero or more."))
    per_capita = Decimal(per_capita)
    if per_capita > MONEY_MAX or per_capita != per_capita.quantize(CENT):
        raise Refused(_("The per-capita income has at most two decimals and ten digits before them."))
    with transaction.atomic():
        locked = _lock(household, version)
        if locked.status not in INCOME_STATUSES:
            raise _status_refusal(locked, _("recording a monthly income"))
        held = MonthlyIncome.objects.select_for_update().filter(household=locked, month=month).first()
        before = None
        if held is None:
            held = MonthlyIncome(household=locked, month=month)
        else:
            before = {"per_capita": str(held.per_capita), "evidence": held.evidence_id}
            evidence = evidence or held.evidence
        held.per_capita, held.evidence, held.recorded_by = per_capita, evidence, person(actor)
        held.save()
        _touch(locked)
        record(
            action="assistance.month_recorded",
            actor=actor,
            obj=held,
            org_unit=locked.org_unit,
            before=before,
            after={"household": locked.number, "month": f"{month:%Y-%m}", "per_capita": str(per_capita),
                   "evidence": getattr(evidence, "pk", None)},
        )  # fmt: skip
    return held


@dataclass
class ExitCheck:
    """The months an exit is judged on, each ``(month, per_capita or None, has evidence, above)``."""

    line: Decimal
    months: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    no_evidence: list = field(default_factory=list)
    below: list = field(default_factory=list)
    needed: int = 6

    @property
    def ok(self):
        return not (self.missing or self.no_evidence or self.below)

    def message(self):
        parts = []
        if self.missing:
            parts.append(_("no income recorded for %(months)s") % {"months": "、".join(self.missing)})
        if self.no_evidence:
            parts.append(_("no evidence for %(months)s") % {"months": "、".join(self.no_evidence)})
        if self.below:
            parts.append(
                _("not above the line of %(line)s in %(months)s")
                % {"line": _yuan(self.line), "months": "、".join(self.below)}
            )
        return _(
            "An exit needs %(n)d consecutive months above the relative-hardship line of %(line)s, each with evidence: "
            "%(problems)s."
        ) % {"n": self.needed, "line": _yuan(self.line), "problems": "；".join(parts)}


def exit_line(household, today=None):
    """The relative-hardship line of the family's rules this year (yuan per person and month)."""
    _result, standard = decisions.preview(household, today, size=max(household.members.count(), 1))
    percent = _rule(household, archive_rules.RELATIVE_PERCENT)
    return (standard.monthly * percent / 100).quantize(CENT, ROUND_HALF_UP)


def exit_check(household, today=None):
    """The last ``EXIT_MONTHS`` complete months before this one, as an exit judges them."""
    today = today or clock.today()
    needed = _rule(household, archive_rules.EXIT_MONTHS)
    line = exit_line(household, today)
    last = add_months(first_of(today), -1)
    window = [add_months(last, -n) for n in range(needed - 1, -1, -1)]
    held = {m.month: m for m in MonthlyIncome.objects.filter(household=household, month__in=window)}
    check = ExitCheck(line=line, needed=needed)
    for month in window:
        name = f"{month:%Y-%m}"
        income = held.get(month)
        if income is None:
            check.missing.append(name)
            check.months.append((month, None, False, False))
            continue
        above = income.per_capita > line
        check.months.append((month, income.per_capita, income.evidence_id is not None, above))
        if income.evidence_id is None:
            check.no_evidence.append(name)
        if not above:
            check.below.append(name)
    return check


def _revoke_running_certificates(household, today):
    Certificate.objects.filter(household=household, revoked_on__isnull=True, expires_on__gte=today).update(
        revoked_on=today
    )


def exit_hardship(*, household, actor, version):
    """脱困: the family leaves hardship once its income has been above the line for ``EXIT_MONTHS`` months with
    evidence. Freezes an EXIT decision; the file stays live (EXITED) and its members stay held, so a relapse is
    re-archived at once. Running certificates are revoked: they are for families in hardship."""
    today = clock.today()
    if not _in_charge(actor, household, Role.OFFICE):
        raise Refused(_("Only the office staff of the federation decide an exit."))
    with transaction.atomic():
        locked = _lock(household, version)
        _move(locked, "exit", _("an exit"))
        check = exit_check(locked, today)
        if not check.ok:
            raise Refused(check.message())
        decision = decisions.decide(household=locked, kind=Decision.Kind.EXIT, actor=actor, today=today)
        before = locked.status
        locked.status, locked.exited_on = FileStatus.EXITED, today
        _touch(locked, ["status", "exited_on"])
        _revoke_running_certificates(locked, today)
        _event(locked, EventKind.EXITED, actor, decision=decision.pk, line=str(check.line))
        record(
            action="assistance.exited",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before={"status": before},
            after={"status": locked.status, "exited_on": str(today), "decision": decision.pk},
        )
    _notify_office(
        locked,
        _("%(number)s has exited hardship; follow it up in a year.") % {"number": locked.number},
        reverse("assistance:follow_ups"),
    )
    return locked


def permanent_grounds(household):
    """The members whose illness or disability, as the record says, keeps the family from exiting."""
    return [m for m in household.members.all() if m.health in SERIOUS]


def move_to_permanent(*, household, actor, version, reason):
    """兜底: a family that cannot exit through a member's serious illness or disability stays on permanent
    support, with a reason."""
    if not _in_charge(actor, household, Role.OFFICE):
        raise Refused(_("Only the office staff of the federation move a family to permanent support."))
    reason = _text(reason, _("the reason"), 1000)
    with transaction.atomic():
        locked = _lock(household, version)
        _move(locked, "permanent", _("moving to permanent support"))
        grounds = permanent_grounds(locked)
        if not grounds:
            raise Refused(
                _(
                    "Permanent support is for families who cannot exit through illness or disability; no member of "
                    "%(number)s is recorded with a serious illness or a disability."
                )
                % {"number": locked.number}
            )
        before = locked.status
        locked.status = FileStatus.PERMANENT
        _touch(locked, ["status"])
        _event(locked, EventKind.PERMANENT, actor, reason, members=[m.pk for m in grounds])
        record(
            action="assistance.permanent",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before={"status": before},
            after={"status": locked.status, "reason": reason},
        )
    return locked


FACTS = ("annual_income", "rigid_expenses", "accident_costs")


def _set_facts(locked, facts):
    before, after = {}, {}
    for name in FACTS:
        if name not in facts or facts[name] is None:
            continue
        value = Decimal(facts[name])
        if value < 0 or value > MONEY_MAX:
            raise Refused(_("Incomes, expenses and costs are zero or more."))
        before[name], after[name] = str(getattr(locked, name)), str(value)
        setattr(locked, name, value)
    locked.save(update_fields=list(FACTS))
    return before, after


def review(*, household, actor, version, note="", **facts):
    """The yearly review (年审): records the new facts, freezes a REVIEW decision; a family now above every line
    is shown the way to exit (the exit itself still needs its months)."""
    today = clock.today()
    if not _in_charge(actor, household, Role.OFFICE):
        raise Refused(_("Only the office staff of the federation review a file."))
    note = _text(note, _("the note"), 1000, required=False)
    with transaction.atomic():
        locked = _lock(household, version)
        _move(locked, "review", _("a yearly review"))
        previous = locked.decisions.order_by("-made_on", "-id").first()
        before, after = _set_facts(locked, facts)
        decision = decisions.decide(household=locked, kind=Decision.Kind.REVIEW, actor=actor, today=today)
        locked.reviewed_on = today
        _touch(locked, ["reviewed_on"])
        _event(
            locked,
            EventKind.REVIEWED,
            actor,
            note,
            decision=decision.pk,
            previous=getattr(previous, "pk", None),
            category=decision.category,
        )
        record(
            action="assistance.reviewed",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before={**before, "category": getattr(previous, "category", "")},
            after={**after, "category": decision.category, "decision": decision.pk},
        )
    return decision


def rearchive(*, household, actor, version, reason, **facts):
    """A relapse: an exited family archived again at once on its new facts (EXITED → ARCHIVED), with a new
    decision; counted in ``relapses``."""
    today = clock.today()
    if not _in_charge(actor, household, Role.OFFICE):
        raise Refused(_("Only the office staff of the federation re-archive a family."))
    reason = _text(reason, _("the reason"), 1000)
    with transaction.atomic():
        locked = _lock(household, version)
        _move(locked, "rearchive", _("re-archiving"))
        before, after = _set_facts(locked, facts)
        decision = decisions.decide(household=locked, kind=Decision.Kind.RECHECK, actor=actor, today=today)
        if decision.category == Category.NONE:
            raise Refused(
                _(
                    "On these facts %(number)s is above every line (per-capita %(pc)s a month): it is not in hardship "
                    "again, so it is not re-archived."
                )
                % {"number": locked.number, "pc": _yuan(decision.per_capita)}
            )
        exited_on = locked.exited_on
        locked.status, locked.archived_on, locked.exited_on = FileStatus.ARCHIVED, today, None
        locked.reviewed_on = today
        locked.relapses += 1
        _touch(locked, ["status", "archived_on", "exited_on", "reviewed_on", "relapses"])
        _event(locked, EventKind.REARCHIVED, actor, reason, decision=decision.pk, exited_on=str(exited_on))
        record(
            action="assistance.rearchived",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before={**before, "status": FileStatus.EXITED, "exited_on": str(exited_on)},
            after={**after, "status": locked.status, "relapses": locked.relapses, "decision": decision.pk},
        )
    _notify_office(
        locked,
        _("%(number)s relapsed and is archived again.") % {"number": locked.number},
        reverse("assistance:household", args=[locked.pk]),
    )
    return locked

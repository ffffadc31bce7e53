"""The archive workflow (建档): one table of transitions, one function per step.

application → first check (decision frozen) → home visit (signed authorisation uploaded) → checks by other
departments (each sent the head's name and the keyed hash only, answered by a working-day due date) → 公示 on a
public page for ``PUBLICITY_DAYS`` days → archived (decision frozen again). A first check may reject the
application; the office may reject it at any later step; a rejected or cancelled file frees its people
(``LivePerson``) for another file. Temporary-aid files are opened directly and promoted through the same checks.

Each function takes keyword-only arguments, locks the file, checks the transition against ``TRANSITIONS`` and
the actor's right with the ``can_`` predicate the page and the inbox ask too, checks the version (stale →
``Conflict``), writes an ``Event`` and the audit trail in the same transaction and notifies on commit."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import workdays
from assistance import decisions, rules
from assistance.households import _audit, _bump, _lock, can_manage, event
from assistance.models import (
    CheckDepartment,
    Decision,
    DepartmentCheck,
    EventKind,
    FileStatus,
    LivePerson,
    Objection,
    Publicity,
)
from orgs import rules as org_rules
from orgs.models import Role
from orgs.services import notify, unit_people
from qingdan import clock
from qingdan.actors import SYSTEM
from qingdan.errors import Refused

S = FileStatus
EXAMINED = {S.APPLIED, S.FIRST_CHECKED, S.VISITED, S.CHECKING, S.PUBLICISED}
# action: (states it may start from, state it leads to)
TRANSITIONS = {
    "pass_first_check": ({S.APPLIED}, S.FIRST_CHECKED),
    "record_visit": ({S.FIRST_CHECKED}, S.VISITED),
    "send_checks": ({S.VISITED}, S.CHECKING),
    "publicise": ({S.CHECKING}, S.PUBLICISED),
    "archive": ({S.PUBLICISED}, S.ARCHIVED),
    "reject": (EXAMINED, S.REJECTED),
    "promote": ({S.TEMPORARY}, S.FIRST_CHECKED),
    "cancel": ({S.TEMPORARY, *EXAMINED}, S.CANCELLED),
}
ACTION_NAMES = {
    "pass_first_check": gettext_lazy("passed at first check"),
    "record_visit": gettext_lazy("given a home visit record"),
    "send_checks": gettext_lazy("sent to the departments"),
    "publicise": gettext_lazy("put on public notice"),
    "archive": gettext_lazy("archived"),
    "reject": gettext_lazy("rejected"),
    "promote": gettext_lazy("promoted to an archive application"),
    "cancel": gettext_lazy("cancelled"),
}
DEFAULT_DEPARTMENTS = [
    "民政",
    "住建",
    "公安",
    "车管",
    "市场监管",
    "社保",
    "税务",
    "公积金",
    "不动产登记",
    "人民银行",
    "残联",
]


# "Applied" reads as a close-out application in Chinese (已申请销号): the archive names its own first state.
APPLIED_LABEL = gettext_lazy("Application received")


def status_label(status):
    return APPLIED_LABEL if status == S.APPLIED else FileStatus(status).label


def status_choices():
    return [(value, status_label(value)) for value, _label in FileStatus.choices]


def _move(household, action):
    allowed, to = TRANSITIONS[action]
    if household.status not in allowed:
        raise Refused(
            _("This file is “%(status)s”; it cannot be %(action)s now.")
            % {"status": status_label(household.status), "action": ACTION_NAMES[action]}
        )
    return to


# --- who may act (the page, the inbox and the action ask the same) -------------------------------------------------


def can_act(user, household, action):
    """Every step is the managing office's: the office of the unit whose subtree holds the file."""
    allowed, _to = TRANSITIONS[action]
    return household.status in allowed and can_manage(user, household)


def can_pass_first_check(user, household):
    return can_act(user, household, "pass_first_check")


def can_record_visit(user, household):
    return can_act(user, household, "record_visit")


def can_send_checks(user, household):
    return can_act(user, household, "send_checks")


def can_answer_check(user, household):
    return household.status == S.CHECKING and can_manage(user, household)


def can_publicise(user, household):
    return can_act(user, household, "publicise")


def can_archive(user, household):
    return can_act(user, household, "archive")


def can_reject(user, household):
    return can_act(user, household, "reject")


def can_promote(user, household):
    return can_act(user, household, "promote")


def can_cancel(user, household):
    return can_act(user, household, "cancel")


def can_recheck(user, household):
    return household.status in (S.ARCHIVED, S.PERMANENT) and can_manage(user, household)


def can_handle_objection(user, objection):
    return not objection.handled_note and can_manage(user, objection.publicity.household)


def _require(allowed):
    if not allowed:
        raise Refused(_("Only the office managing this file takes this step."))


def _notify_office(household, text):
    def send():
        people = unit_people(household.org_unit, Role.OFFICE)
        notify(users=people, text=text, url=reverse("assistance:household", args=[household.pk]))

    transaction.on_commit(send)


def _finish(household, before, actor, action, fields, request=None, note="", kind=None, **data):
    _bump(household, ["status", *fields])
    event(household, kind or action, actor, note, **data)
    _audit(action, actor, household, request, before={"status": before}, after={"status": household.status, **data})


# --- the departments -------------------------------------------------------------------------------------------------


def departments_for(unit):
    """The departments a file of ``unit`` is checked with: the list of the deepest unit on its line that set one,
    else the eleven of common practice."""
    depth = {pk: n for n, pk in enumerate(unit.line_ids)}
    rows = list(CheckDepartment.objects.filter(unit_id__in=depth))
    if not rows:
        return list(DEFAULT_DEPARTMENTS)
    deepest = max(rows, key=lambda r: depth[r.unit_id]).unit_id
    return [r.name for r in sorted(rows, key=lambda r: (r.position, r.pk)) if r.unit_id == deepest]


def set_departments(*, unit, names, actor, request=None):
    """The office of ``unit`` sets the departments its subtree's files are checked with."""
    if actor is not SYSTEM and not (actor.has_role(Role.OFFICE) and actor.org_unit_id == unit.pk):
        raise Refused(_("Only the office staff of %(unit)s set its list of departments.") % {"unit": unit.name})
    names = [n.strip() for n in names if n.strip()]
    if not names:
        raise Refused(_("Name at least one department."))
    if len(set(names)) != len(names):
        raise Refused(_("A department is named twice."))
    if any(len(n) > 50 for n in names):
        raise Refused(_("A department's name has at most 50 characters."))
    with transaction.atomic():
        before = list(CheckDepartment.objects.filter(unit=unit).values_list("name", flat=True))
        CheckDepartment.objects.filter(unit=unit).delete()
        CheckDepartment.objects.bulk_create(
            [CheckDepartment(unit=unit, name=n, position=i) for i, n in enumerate(names)]
        )
        from audit.services import record

        record(
            action="assistance.departments_set",
            actor=actor,
            org_unit=unit,
            object_type="orgs.orgunit",
            object_id=unit.pk,
            before={"departments": before},
            after={"departments": names},
            request=request,
        )
    return names


def what_is_sent(household):
    """Exactly what each department receives: the head's name and the keyed hash of the head's ID number."""
    head = household.members.filter(relation="head").first()
    return {"name": household.head_name, "id_hash": head.id_hash if head else ""}


# --- the steps ---------------------------------------------------------------------------------------------------------


def pass_first_check(*, household, actor, version, note="", request=None):
    """The first check passes: the category is computed and frozen (an application decision)."""
    with transaction.atomic():
        household = _lock(household, version)
        _require(can_manage(actor, household))
        before, household.status = household.status, _move(household, "pass_first_check")
        decision = decisions.decide(household=household, kind=Decision.Kind.APPLICATION, actor=actor)
        _finish(household, before, actor, "first_checked", [], request, note, category=decision.category)
    return household


def _free_people(household):
    LivePerson.objects.filter(member__household=household).delete()


def reject(*, household, actor, version, reason, request=None):
    """Not admitted, with the reason: the file's people are freed for another file."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Type the reason for not admitting this household."))
    with transaction.atomic():
        household = _lock(household, version)
        _require(can_manage(actor, household))
        before, household.status = household.status, _move(household, "reject")
        _free_people(household)
        for publicity in household.publicities.filter(taken_down_on__isnull=True):
            publicity.taken_down_on = clock.today()
            publicity.save(update_fields=["taken_down_on"])
        _finish(household, before, actor, "rejected", [], request, reason)
    return household


def cancel(*, household, actor, version, reason, request=None):
    """Cancel a file (a temporary-aid file no longer needed, a file opened by mistake): its people are freed."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Type the reason for cancelling this file."))
    with transaction.atomic():
        household = _lock(household, version)
        _require(can_manage(actor, household))
        before, household.status = household.status, _move(household, "cancel")
        _free_people(household)
        _finish(household, before, actor, "cancelled", [], request, reason)
    return household


def record_visit(*, household, actor, version, note, authorisation, request=None):
    """The home visit: what was found, and the worker's signed authorisation for financial checks (an evidence
    file, kept with ``evidence.services.keep``); refused without it."""
    note = (note or "").strip()
    if authorisation is None:
        raise Refused(
            _("Upload the signed authorisation for financial checks: the departments cannot check without it.")
        )
    if not note:
        raise Refused(_("Write what the home visit found."))
    with transaction.atomic():
        household = _lock(household, version)
        _require(can_manage(actor, household))
        before, household.status = household.status, _move(household, "record_visit")
        household.authorisation = authorisation
        household.attachments.add(authorisation)
        _finish(household, before, actor, "visited", ["authorisation"], request, note)
    return household


def send_checks(*, household, actor, version, request=None):
    """Send the file to every department of the list in force, each with a due date ``CHECK_WORKDAYS`` working
    days away; each receives the head's name and the keyed hash only."""
    today = clock.today()
    with transaction.atomic():
        household = _lock(household, version)
        _require(can_manage(actor, household))
        before, household.status = household.status, _move(household, "send_checks")
        days = org_rules.value(household.org_unit, rules.CHECK_WORKDAYS)
        due = workdays.add(today, days)
        names = departments_for(household.org_unit)
        DepartmentCheck.objects.bulk_create(
            [DepartmentCheck(household=household, department=n, sent_on=today, due_on=due) for n in names]
        )
        _finish(
            household, before, actor, "checks_sent", [], request, kind=EventKind.CHECKS_SENT, departments=names,
            due=str(due), sent=["name", "id_hash"],
        )  # fmt: skip
    return household


def answer_check(*, check, actor, result, note="", request=None):
    """A department's answer; refused once the file has left the checks (archived, rejected …)."""
    return answer_checks(household=check.household, actor=actor, answers={check.pk: (result, note)}, request=request)[0]


def answer_checks(*, household, actor, answers, request=None):
    """Several departments' answers at once (``{check id: (result, note)}``), e.g. a batch returned together; the
    whole batch is refused when one is, and once the file has left the checks."""
    for result, _note in answers.values():
        if result not in DepartmentCheck.Result.values:
            raise Refused(_("Choose the department's result."))
    with transaction.atomic():
        household = _lock(household, None)
        if household.status != S.CHECKING:
            raise Refused(
                _("This file is “%(status)s”: department results are recorded only during the checks.")
                % {"status": status_label(household.status)}
            )
        _require(can_manage(actor, household))
        checks = list(DepartmentCheck.objects.select_for_update().filter(household=household, pk__in=list(answers)))
        if len(checks) != len(answers):
            raise Refused(_("Choose the department's result."))
        today = clock.today()
        for check in checks:
            if check.result:
                raise Refused(_("%(dept)s has answered already.") % {"dept": check.department})
            result, note = answers[check.pk]
            check.result, check.note, check.answered_on = result, (note or "").strip(), today
            check.save(update_fields=["result", "note", "answered_on"])
            event(household, EventKind.CHECK_ANSWERED, actor, check.note, department=check.department, result=result)
        _bump(household, [])
        _audit(
            "check_answered", actor, household, request,
            after={"answers": {c.department: c.result for c in checks}},
        )  # fmt: skip
    return checks


def publicise(*, household, actor, version, note="", request=None):
    """Every department has answered: open the 公示 for ``PUBLICITY_DAYS`` days. When a department found a
    bar, the office continues only with a note saying why (or rejects instead)."""
    today = clock.today()
    with transaction.atomic():
        household = _lock(household, version)
        _require(can_manage(actor, household))
        before, household.status = household.status, _move(household, "publicise")
        checks = list(household.checks.all())
        if any(not c.result for c in checks):
            raise Refused(_("Some departments have not answered yet: the notice opens when all have."))
        found = [c.department for c in checks if c.result == DepartmentCheck.Result.FOUND]
        note = (note or "").strip()
        if found and not note:
            raise Refused(
                _("%(depts)s found a bar: write why the file continues, or reject it.") % {"depts": "、".join(found)}
            )
        days = org_rules.value(household.org_unit, rules.PUBLICITY_DAYS)
        publicity = Publicity.objects.create(
            household=household,
            slug=secrets.token_urlsafe(12),
            starts_on=today,
            ends_on=today + timedelta(days=days - 1),
        )
        _finish(
            household, before, actor, "publicised", [], request, note, kind=EventKind.PUBLICISED,
            slug=publicity.slug, ends_on=str(publicity.ends_on), found=found,
        )  # fmt: skip
    return publicity


def open_objections(household):
    return Objection.objects.filter(publicity__household=household, handled_note="")


def archive(*, household, actor, version, request=None):
    """Archive after the 公示 has ended with every objection handled; the category is computed and frozen again."""
    today = clock.today()
    with transaction.atomic():
        household = _lock(household, version)
        _require(can_manage(actor, household))
        before, household.status = household.status, _move(household, "archive")
        if household.authorisation_id is None:
            raise Refused(_("The signed authorisation for financial checks is missing: record the home visit."))
        publicity = household.publicities.order_by("-starts_on", "-id").first()
        if publicity is None or publicity.ends_on >= today:
            raise Refused(
                _("The public notice runs until %(day)s: archive after it has ended.")
                % {"day": publicity.ends_on.isoformat() if publicity else "—"}
            )
        if open_objections(household).exists():
            raise Refused(_("An objection to the public notice is not handled yet: handle it first."))
        if publicity.taken_down_on is None:
            publicity.taken_down_on = today
            publicity.save(update_fields=["taken_down_on"])
        household.archived_on = today
        decision = decisions.decide(household=household, kind=Decision.Kind.APPLICATION, actor=actor)
        _finish(household, before, actor, "archived", ["archived_on"], request, category=decision.category)
    _notify_office(household, _("%(number)s is archived.") % {"number": household.number})
    return household


def promote(*, household, actor, version, note="", request=None):
    """A temporary-aid file becomes an archive application past its first check (decision frozen); the home
    visit, the departments and the 公示 follow as for any application."""
    with transaction.atomic():
        household = _lock(household, version)
        _require(can_manage(actor, household))
        before, household.status = household.status, _move(household, "promote")
        decision = decisions.decide(household=household, kind=Decision.Kind.APPLICATION, actor=actor)
        _finish(household, before, actor, "promoted", [], request, note, category=decision.category)
    return household


def recheck(*, household, actor, version, request=None):
    """Compute again under today's standard and rules: a new decision beside the old ones."""
    with transaction.atomic():
        household = _lock(household, version)
        _require(can_recheck(actor, household))
        decision = decisions.decide(household=household, kind=Decision.Kind.RECHECK, actor=actor)
        _bump(household, [])
        event(household, EventKind.CHANGED, actor, _("Re-checked"), recheck=decision.pk, category=decision.category)
        _audit("rechecked", actor, household, request, after={"category": decision.category})
    return decision


def handle_objection(*, objection, actor, note, request=None):
    """What the office did about an objection (visited, found unfounded …): recorded, then the file may go on."""
    note = (note or "").strip()
    if not note:
        raise Refused(_("Write how the objection was handled."))
    with transaction.atomic():
        objection = (
            Objection.objects.select_for_update().select_related("publicity__household__org_unit").get(pk=objection.pk)
        )
        if not can_handle_objection(actor, objection):
            raise Refused(_("This objection is handled already, or not by you."))
        objection.handled_note, objection.handled_by = note, actor if actor is not SYSTEM else None
        objection.save(update_fields=["handled_note", "handled_by"])
        household = objection.publicity.household
        _bump(household, [])
        event(household, EventKind.CHANGED, actor, note, objection_handled=objection.pk)
        _audit("objection_handled", actor, household, request, after={"objection": objection.pk})
    return objection


def steps(household, today=None):
    """The workflow's steps for the detail page: (label, done?, when or deadline)."""
    today = today or clock.today()
    order = [S.APPLIED, S.FIRST_CHECKED, S.VISITED, S.CHECKING, S.PUBLICISED, S.ARCHIVED]
    reached = order.index(household.status) if household.status in order else -1
    if household.status in (S.PERMANENT, S.EXITED):
        reached = len(order) - 1
    return [(status_label(s), i <= reached) for i, s in enumerate(order)]

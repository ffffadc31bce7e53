"""The close-out workflow (销号): one table of transitions, one function per action.

Every function takes keyword-only arguments, locks the item, checks the transition
against ``TRANSITIONS`` and the actor's role and scope, checks the version the form
or API call was based on (a stale one raises ``Conflict``), writes the timeline and
the audit trail in the same transaction, and sends its notifications on commit.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import record
from checklists import rules, tally
from checklists.models import (
    Conclusion,
    Document,
    DocumentKind,
    Evaluation,
    EventKind,
    Extension,
    ExtensionStatus,
    Item,
    ItemEvent,
    ItemStatus,
)
from checklists.permissions import (
    URGEABLE,
    may_apply,
    may_decide_extension,
    may_evaluate,
    may_extend,
    may_urge,
    may_verify,
    not_urged_lately,
    urged_lately,
)
from documents import numbering
from orgs.models import Role
from orgs.services import notify, unit_people
from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Conflict, Refused

S = ItemStatus
# action: (states it may start from, state it leads to)
TRANSITIONS = {
    "apply": ({S.ISSUED, S.RECTIFYING}, S.APPLIED),
    "pass": ({S.APPLIED}, S.CLOSED),
    "pass_to_deep_review": ({S.APPLIED}, S.DEEP_REVIEW),
    "fail": ({S.APPLIED}, S.RECTIFYING),
    "evaluation_pass": ({S.DEEP_REVIEW}, S.CLOSED),
    "evaluation_fail": ({S.DEEP_REVIEW}, S.RECTIFYING),
}
ITEM_CHANGED = gettext_lazy("The item has changed since you read it; read it again and retry.")


def _lock(item, version):
    locked = (
        Item.objects.select_for_update(of=("self",))
        .select_related("checklist__issuing_unit", "responsible_unit")
        .get(pk=item.pk)
    )
    if version is not None and locked.version != version:
        raise Conflict(ITEM_CHANGED)
    locked.counted_before = tally.counted(locked)  # what it adds to the figures, for _save's difference
    return locked


def _move(item, action):
    allowed, to = TRANSITIONS[action]
    if item.status not in allowed:
        raise Refused(
            _("This item is “%(status)s”; it cannot be %(action)s now.")
            % {"status": ItemStatus(item.status).label, "action": ACTION_NAMES[action]}
        )
    return to


# Lazy: translated when a message is made, in the language of the user who reads it.
ACTION_NAMES = {
    "apply": gettext_lazy("applied for"),
    "pass": gettext_lazy("passed"),
    "pass_to_deep_review": gettext_lazy("sent to deep review"),
    "fail": gettext_lazy("failed"),
    "evaluation_pass": gettext_lazy("closed by deep review"),
    "evaluation_fail": gettext_lazy("failed by deep review"),
}


def _require(allowed):
    """Who may act: the action's ``may_`` predicate in ``checklists.permissions``, asked first."""
    if not allowed:
        raise Refused(_("Your roles or your organisation do not allow this action on this item."))


def _event(item, kind, actor, opinion="", document=None, **data):
    return ItemEvent.objects.create(item=item, kind=kind, actor=actor, opinion=opinion, data=data, document=document)


def _save(item, before, actor, action, fields, **extra):
    item.version += 1
    item.save(update_fields=[*fields, "version"])
    tally.changed(item, item.counted_before)
    item.counted_before = tally.counted(item)  # a second save in the transaction counts only its own change
    record(
        action=f"checklists.{action}",
        actor=actor,
        obj=item,
        org_unit=item.responsible_unit,
        before={"status": before},
        after={"status": item.status, **extra},
    )


def _notify_unit(item, text, *roles):
    url = reverse("checklists:item", args=[item.pk])
    people = list(unit_people(item.responsible_unit, *roles))
    transaction.on_commit(lambda: notify(users=people, text=text, url=url))


def _notify_office(item, text, *roles):
    url = reverse("checklists:item", args=[item.pk])
    people = list(unit_people(item.checklist.issuing_unit, *roles))
    transaction.on_commit(lambda: notify(users=people, text=text, url=url))


def issue_document(*, item, kind, body, actor):
    """Number and archive an official document about ``item`` (文号 in a yearly sequence per office and kind)."""
    office = item.checklist.issuing_unit
    taken = numbering.take(issuer=office, kind=f"checklists.{kind}", mark=DOCUMENT_MARKS[kind])
    # The document as issued: later renames or edits must not rewrite an archived notice.
    body = {
        "unit": item.responsible_unit.name,
        "issuer": office.name,
        "list": item.checklist.title,
        "list_number": item.checklist.doc_number,
        "content": item.content,
        "standard": item.standard,
        "item_deadline": item.deadline.isoformat(),
        **body,
    }
    document = Document.objects.create(
        item=item,
        kind=kind,
        issuing_unit=office,
        year=taken.year,
        sequence=taken.sequence,
        number=taken.number,
        body=body,
    )
    tally.document_issued(document)
    record(
        action="checklists.document_issued",
        actor=actor,
        obj=document,
        org_unit=item.responsible_unit,
        after={"number": document.number, "kind": kind},
    )
    return document


DOCUMENT_MARKS = {DocumentKind.URGING: "催", DocumentKind.RECTIFICATION: "整改", DocumentKind.CONFIRMATION: "销"}


# --- 1. apply (主动申请销号) ------------------------------------------------------------------


def apply_for_closeout(*, item, actor, report, evidence=(), version=None):
    """The responsible unit's reporter applies with a completion report and evidence.
    Co-units may add evidence but never apply."""
    if not report.strip():
        raise Refused(_("Write the completion report."))
    with transaction.atomic():
        item = _lock(item, version)
        _require(may_apply(actor, item))
        to, before = _move(item, "apply"), item.status
        item.status = to
        item.applications += 1
        # Applying makes a pending extension request moot: it is withdrawn, on the timeline and in the audit.
        withdrawn = list(item.extensions.filter(status=ExtensionStatus.PENDING))
        note = _("Withdrawn: the unit applied for close-out.")
        for extension in withdrawn:
            extension.status, extension.decided_at, extension.decision_note = ExtensionStatus.REFUSED, clock.now(), note
            extension.save(update_fields=["status", "decided_at", "decision_note"])
            _event(item, EventKind.EXTENSION_REFUSED, actor, note, new_deadline=extension.new_deadline.isoformat())
        evidence = list(evidence)
        for piece in evidence:
            piece.items.add(item)
        _event(
            item, EventKind.APPLIED, actor, report.strip(), attempt=item.applications, evidence=[e.pk for e in evidence]
        )
        extra = {"extensions_withdrawn": [e.pk for e in withdrawn]} if withdrawn else {}
        _save(item, before, actor, "applied", ["status", "applications"], attempt=item.applications, **extra)
        _notify_office(item, _("Close-out application: %(item)s") % {"item": item}, Role.REVIEWER, Role.OFFICE)
    return item


# --- 2. verify (验收) ------------------------------------------------------------------------


def verify(
    *,
    item,
    actor,
    passed,
    opinion,
    version=None,
    deep_review=False,
    evaluator=None,
    findings="",
    fixes="",
    new_deadline=None,
):
    """A reviewer passes or fails an application.

    Pass → closed, or → deep review when the item requires it or the reviewer asks for it
    (then an evaluator is assigned and a satisfaction poll of the unit's workers starts).
    Fail → rectifying, with a rectification opinion letter (findings, what to fix, a new deadline).
    """
    if not opinion.strip():
        raise Refused(_("Write the verification opinion."))
    with transaction.atomic():
        item = _lock(item, version)
        _require(may_verify(actor, item))
        before = item.status
        if passed:
            deep = deep_review or item.deep_review_required
            to = _move(item, "pass_to_deep_review" if deep else "pass")
            if deep:
                _start_deep_review(item, evaluator, actor)
                item.status = to
                _event(item, EventKind.DEEP_REVIEW, actor, opinion.strip(), evaluator=evaluator.display_name)
                _save(item, before, actor, "sent_to_deep_review", ["status", "evaluator", "satisfaction_poll"])
                transaction.on_commit(
                    lambda: notify(
                        users=[evaluator],
                        text=_("Deep review assigned: %(item)s") % {"item": item},
                        url=reverse("checklists:item", args=[item.pk]),
                    )
                )
                return item
            _close(item, actor, opinion.strip())
            _save(item, before, actor, "closed", ["status", "closed_at"])
            return item
        to = _move(item, "fail")
        today = clock.today()
        if new_deadline is None or new_deadline <= today:
            raise Refused(_("Give the new deadline for the rectification; it must come after today."))
        if not findings.strip() or not fixes.strip():
            raise Refused(_("The rectification opinion letter needs the findings and what to fix."))
        document = issue_document(
            item=item,
            kind=DocumentKind.RECTIFICATION,
            actor=actor,
            body={
                "findings": findings.strip(),
                "fixes": fixes.strip(),
                "deadline": new_deadline.isoformat(),
                "opinion": opinion.strip(),
            },
        )
        item.status, item.deadline, item.deadline_urgings = to, new_deadline, 0
        item.rectifications += 1
        _event(item, EventKind.FAILED, actor, opinion.strip(), document=document, deadline=new_deadline.isoformat())
        _save(
            item,
            before,
            actor,
            "failed",
            ["status", "deadline", "deadline_urgings", "rectifications"],
            deadline=new_deadline,
        )
        _notify_unit(
            item,
            _("Rectification required (%(number)s): %(item)s") % {"number": document.number, "item": item},
            Role.REPORTER,
        )
    return item


def _close(item, actor, opinion):
    item.status, item.closed_at = ItemStatus.CLOSED, clock.now()
    document = issue_document(item=item, kind=DocumentKind.CONFIRMATION, actor=actor, body={"opinion": opinion})
    _event(item, EventKind.CLOSED, actor, opinion, document=document)
    _notify_unit(
        item, _("Closed out (%(number)s): %(item)s") % {"number": document.number, "item": item}, Role.REPORTER
    )


def _start_deep_review(item, evaluator, actor):
    from surveys import services as survey_services  # the close-out area uses the survey engine, never the reverse
    from surveys.models import PollMode

    if evaluator is None or not evaluator.is_active or not evaluator.has_role(Role.EVALUATOR):
        raise Refused(_("Choose the third-party evaluator for the deep review."))
    if not evaluator.org_unit.is_within(actor.org_unit) and not item.responsible_unit.is_within(evaluator.org_unit):
        raise Refused(_("The evaluator must belong to your organisation."))
    item.evaluator = evaluator
    office_unit = item.checklist.issuing_unit
    questionnaire = satisfaction_questionnaire(office_unit, actor)
    item.satisfaction_poll = survey_services.create_poll(
        questionnaire=questionnaire,
        title=_("Satisfaction poll: %(item)s") % {"item": str(item)[:60]},
        subject_unit=item.responsible_unit,
        closes_at=clock.now() + timedelta(days=rules.of(item.checklist, rules.POLL_DAYS)),
        actor=actor,
        mode=PollMode.TOKENS,
        token_count=rules.of(item.checklist, rules.POLL_TOKENS),
    )


def satisfaction_questionnaire(office_unit, actor):
    """The office's standard satisfaction questionnaire (one 4-level question), made once."""
    from surveys import services as survey_services
    from surveys.models import Questionnaire, QuestionnaireKind

    with translation.override(settings.LANGUAGE_CODE):  # one questionnaire whatever language the reviewer uses
        title = _("Close-out satisfaction poll")
    found = Questionnaire.objects.filter(owner_unit=office_unit, kind=QuestionnaireKind.WORKER, title=title).first()
    if found is not None:
        return found
    questionnaire = survey_services.create_questionnaire(
        title=title, owner_unit=office_unit, actor=SYSTEM, kind=QuestionnaireKind.WORKER
    )
    survey_services.add_question(
        questionnaire=questionnaire,
        section_title=_("Satisfaction"),
        code="S1",
        text=_("How satisfied are you with how this item was carried out?"),
        kind="satisfaction",
        actor=SYSTEM,
    )
    return questionnaire


# --- 4. deep review (深度验收) ---------------------------------------------------------------


def satisfaction_of(item):
    from surveys import stats

    poll = item.satisfaction_poll
    if poll is None:
        return None
    question = poll.questionnaire.questions.filter(kind="satisfaction").first()
    return stats.satisfaction_rate(stats.counted_poll_responses(poll), question)


def satisfaction_answers(item):
    """The poll answers the close-out counts: only those through one-time links (``stats.counted_poll_responses``)."""
    from surveys import stats

    poll = item.satisfaction_poll
    return 0 if poll is None else stats.counted_poll_responses(poll).count()


def record_evaluation(
    *,
    item,
    actor,
    conclusion,
    opinion,
    report_notes="",
    ledger_notes="",
    site_notes="",
    symposium_notes="",
    new_deadline=None,
    version=None,
    attachments=(),
):
    """The assigned evaluator records the deep review. The item closes only when the evaluation
    passes and the workers' satisfaction reaches the threshold (default 80%); otherwise it goes
    to rectification with the reasons."""
    if not opinion.strip():
        raise Refused(_("Write the evaluation opinion."))
    with transaction.atomic():
        item = _lock(item, version)
        _require(may_evaluate(actor, item))
        before = item.status
        rate = satisfaction_of(item)
        threshold = rules.of(item.checklist, rules.SATISFACTION) / 100
        fewest = rules.of(item.checklist, rules.POLL_MIN_ANSWERS)
        reasons = []
        if conclusion != Conclusion.PASS:
            reasons.append(_("the evaluation did not pass"))
        answers = satisfaction_answers(item)
        if answers < fewest:
            reasons.append(
                _("only %(n)d workers answered the satisfaction poll (at least %(min)d are needed)")
                % {"n": answers, "min": fewest}
            )
        elif rate is None or rate < threshold:
            reasons.append(
                _("satisfaction %(rate)s is below %(threshold)s")
                % {"rate": "—" if rate is None else f"{rate * 100:.1f}%", "threshold": f"{threshold * 100:.0f}%"}
            )
        to = _move(item, "evaluation_fail" if reasons else "evaluation_pass")
        if reasons and (new_deadline is None or new_deadline <= clock.today()):
            raise Refused(
                _("The item will go back to rectification (%(reasons)s): give the new deadline.")
                % {"reasons": "；".join(reasons)}
            )
        evaluation = Evaluation.objects.create(
            item=item,
            evaluator=actor,
            report_notes=report_notes,
            ledger_notes=ledger_notes,
            site_notes=site_notes,
            symposium_notes=symposium_notes,
            conclusion=conclusion,
            opinion=opinion.strip(),
            satisfaction=rate,
        )
        attachments = list(attachments)
        evaluation.attachments.set(attachments)
        item.satisfaction = rate = None if rate is None else round(rate, 4)  # kept to a hundredth of a per cent
        if item.satisfaction_poll is not None:
            from surveys import services as survey_services

            survey_services.close_poll(poll=item.satisfaction_poll, actor=actor)
        _event(
            item,
            EventKind.EVALUATED,
            actor,
            opinion.strip(),
            conclusion=conclusion,
            satisfaction=rate,
            evaluation=evaluation.pk,
            evidence=[e.pk for e in attachments],
        )
        if not reasons:
            _close(item, actor, opinion.strip())
            _save(item, before, actor, "closed", ["status", "closed_at", "satisfaction"], satisfaction=rate)
            return item
        document = issue_document(
            item=item,
            kind=DocumentKind.RECTIFICATION,
            actor=actor,
            body={
                "findings": "；".join(reasons),
                "fixes": opinion.strip(),
                "deadline": new_deadline.isoformat(),
                "opinion": opinion.strip(),
            },
        )
        item.status, item.deadline, item.deadline_urgings = to, new_deadline, 0
        item.rectifications += 1
        _event(item, EventKind.FAILED, actor, "；".join(reasons), document=document, deadline=new_deadline.isoformat())
        _save(
            item,
            before,
            actor,
            "failed",
            ["status", "deadline", "deadline_urgings", "rectifications", "satisfaction"],
            satisfaction=rate,
            deadline=new_deadline,
        )
        _notify_unit(
            item,
            _("Rectification required (%(number)s): %(item)s") % {"number": document.number, "item": item},
            Role.REPORTER,
        )
    return item


# --- 3. urge (催办) --------------------------------------------------------------------------


def urge(*, item, actor, today=None):
    """Issue a numbered urging notice for an item past its deadline with no application: by the issuing
    office, or by the daily deadline scan (``actor=SYSTEM``, recorded as the system).
    Returns the document, or None when the item was already urged today (safe to run twice)."""
    today = today or clock.today()
    by_scan, actor = actor is SYSTEM, person(actor)
    with transaction.atomic():
        item = _lock(item, None)
        _require(by_scan or may_urge(actor, item))
        if item.status not in URGEABLE or item.deadline >= today:
            raise Refused(_("Only an item past its deadline with no application is urged."))
        if urged_lately(item, today):
            return None  # urged within the list's interval (a second scan, or a second click)
        if item.extensions.filter(status=ExtensionStatus.PENDING).exists():
            return None  # an extension asked for in time waits for its decision
        days = (today - item.deadline).days
        document = issue_document(
            item=item,
            kind=DocumentKind.URGING,
            actor=actor,
            body={"deadline": item.deadline.isoformat(), "days_overdue": days, "urging": item.urgings + 1},
        )
        item.urgings += 1
        item.deadline_urgings += 1
        item.last_urged_on = today
        _event(item, EventKind.URGED, actor, document=document, urging=item.urgings, days_overdue=days)
        _save(item, item.status, actor, "urged", ["urgings", "deadline_urgings", "last_urged_on"], urgings=item.urgings)
        _notify_unit(
            item, _("Urging notice %(number)s: %(item)s") % {"number": document.number, "item": item}, Role.REPORTER
        )
    return document


def due_for_urging(today=None):
    """Items past their deadline with no application whose last urging is at least the interval ago."""
    today = today or clock.today()
    return (
        Item.objects.filter(status__in=URGEABLE, deadline__lt=today)
        .filter(not_urged_lately(today))
        .exclude(extensions__status=ExtensionStatus.PENDING)
    )


# --- extensions (申请延期) -------------------------------------------------------------------


def request_extension(*, item, actor, new_deadline, reason, version=None):
    """Before its deadline the responsible unit asks for a later date, with a reason."""
    if not reason.strip():
        raise Refused(_("Give the reason for the extension."))
    with transaction.atomic():
        item = _lock(item, version)
        _require(may_extend(actor, item))
        today = clock.today()
        if item.status not in URGEABLE or item.deadline < today:
            raise Refused(
                _("An extension is asked for before the deadline, while the item is open and not applied for.")
            )
        if new_deadline <= item.deadline:
            raise Refused(_("The new deadline must come after the current one (%(day)s).") % {"day": item.deadline})
        if item.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise Refused(_("An extension request is already waiting for a decision."))
        extension = Extension.objects.create(
            item=item, new_deadline=new_deadline, reason=reason.strip(), requested_by=actor
        )
        _event(item, EventKind.EXTENSION_REQUESTED, actor, reason.strip(), new_deadline=new_deadline.isoformat())
        _save(item, item.status, actor, "extension_requested", [], new_deadline=new_deadline)
        _notify_office(item, _("Extension requested: %(item)s") % {"item": item}, Role.OFFICE)
    return extension


def decide_extension(*, extension, actor, approve, note=""):
    """The issuing office approves (the deadline moves; the original stays on record) or refuses."""
    with transaction.atomic():
        item = _lock(extension.item, None)
        _require(may_decide_extension(actor, item))
        extension = Extension.objects.select_for_update().get(pk=extension.pk)
        if extension.status != ExtensionStatus.PENDING:
            raise Refused(_("This extension request has already been decided."))
        if item.status not in URGEABLE:
            raise Refused(_("The item has been applied for since; the extension request no longer applies."))
        extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        extension.decided_by, extension.decided_at, extension.decision_note = actor, clock.now(), note.strip()
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        fields = []
        if approve:
            # Asked for before the deadline and never urged while pending (see urge): nothing to reset.
            item.deadline = extension.new_deadline
            fields.append("deadline")
        _event(
            item,
            EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REFUSED,
            actor,
            note.strip(),
            new_deadline=extension.new_deadline.isoformat(),
        )
        _save(item, item.status, actor, "extension_decided", fields, approved=approve, deadline=item.deadline)
        _notify_unit(
            item,
            (_("Extension approved: %(item)s") if approve else _("Extension refused: %(item)s")) % {"item": item},
            Role.REPORTER,
        )
    return extension

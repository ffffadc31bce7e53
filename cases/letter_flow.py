"""Every change to a supervision letter (一函两书): issue a 提示函, record its delivery and the employer's answer,
escalate an unanswered letter to the next kind (提示函 → 意见书 → 建议书), and the daily scan that puts overdue
letters in the office's workbench. Each function checks the move against ``TRANSITIONS``, the actor's right
(``can_<action>``, which the pages ask too), the version the actor read, and writes its audit row in the same
transaction.

``actor=SYSTEM`` is the platform itself (the demo loader, the scan): it acts for ``unit``, the issuing unit."""

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

import workdays
from audit.models import AuditEvent
from audit.services import record
from cases import rules
from cases.models import Letter, LetterKind, LetterStatus
from cases.models.demands import TEXT_MAX
from cases.models.registry import REGISTRY_KINDS
from documents.numbering import take
from orgs import rules as org_rules
from orgs.models import OrgKind, OrgUnit, Role
from orgs.queries import root_unit, within
from orgs.services import notify, unit_people
from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Conflict, Refused

ADDRESSEE_MAX = 100

# The move each action makes: from which states, to which one.
TRANSITIONS = {
    "deliver": ({LetterStatus.ISSUED}, LetterStatus.DELIVERED),
    "answer": ({LetterStatus.DELIVERED}, LetterStatus.ANSWERED),
    "escalate": ({LetterStatus.DELIVERED}, LetterStatus.ESCALATED),
    "lapse": ({LetterStatus.DELIVERED}, LetterStatus.LAPSED),  # a 建议书 unanswered: nothing above it
}
NEXT_KIND = {LetterKind.NOTICE: LetterKind.OPINION, LetterKind.OPINION: LetterKind.PROPOSAL, LetterKind.PROPOSAL: None}
# The mark after the issuing unit's prefix in the number: 滨海县工提〔2026〕3号.
MARKS = {LetterKind.NOTICE: "工提", LetterKind.OPINION: "工意", LetterKind.PROPOSAL: "工建"}
REPLY_RULES = {
    LetterKind.NOTICE: rules.NOTICE_REPLY_WORKDAYS,
    LetterKind.OPINION: rules.OPINION_REPLY_WORKDAYS,
    LetterKind.PROPOSAL: rules.PROPOSAL_REPLY_WORKDAYS,
}
OVERDUE_ACTION = "cases.letter_overdue"


def reply_workdays(letter):
    """The working days the addressee has to answer, as the rules stood when the letter was issued."""
    return rules.of(letter, REPLY_RULES[letter.kind])


def number_kind(kind):
    """The kind in the numbering register: each letter kind of each issuer counts from 1 every year."""
    return f"cases.letter.{kind}"


# --- who may act --------------------------------------------------------------------------------------------------


def _office_unit(user):
    if user is None or not user.has_role(Role.OFFICE) or root_unit(user) is None:
        return None
    return user.org_unit if user.org_unit.kind in REGISTRY_KINDS else None


def can_issue_letter(user, enterprise=None):
    """Office staff of a federation or a town union, to an enterprise registered in their subtree."""
    if user is SYSTEM:
        return True
    unit = _office_unit(user)
    if unit is None:
        return False
    return enterprise is None or enterprise.org_unit.is_within(unit)


def can_handle_letter(user, letter):
    """Office staff of the issuing unit or above it record what happens to a letter."""
    if user is SYSTEM:
        return True
    unit = _office_unit(user)
    return unit is not None and letter.issuing_unit.is_within(unit)


def can_deliver(user, letter):
    return letter.status in TRANSITIONS["deliver"][0] and can_handle_letter(user, letter)


def can_answer(user, letter):
    return letter.status in TRANSITIONS["answer"][0] and can_handle_letter(user, letter)


def is_overdue(letter, today=None):
    return (
        letter.status == LetterStatus.DELIVERED
        and letter.reply_due is not None
        and letter.reply_due < (today or clock.today())
    )


def can_escalate(user, letter, today=None):
    """Delivered, unanswered past its reply date, and the user handles it."""
    return is_overdue(letter, today) and can_handle_letter(user, letter)


# The same rules as filters, for the workbench (tests check that both agree).
def handled_by(user):
    unit = _office_unit(user)
    return within(unit, "issuing_unit") if unit is not None else None


def deliverable():
    """``can_deliver``'s state as a filter (``to_deliver`` adds who)."""
    return Q(status=LetterStatus.ISSUED)


def escalatable(today=None):
    """``is_overdue`` as a filter (``to_escalate`` adds who)."""
    return Q(status=LetterStatus.DELIVERED, reply_due__lt=today or clock.today())


def to_deliver(letters, user):
    scope = handled_by(user)
    return letters.none() if scope is None else letters.filter(scope & deliverable())


def to_escalate(letters, user, today=None):
    scope = handled_by(user)
    return letters.none() if scope is None else letters.filter(scope & escalatable(today))


# --- checks -------------------------------------------------------------------------------------------------------


def _text(value, *, what, required=True, most=TEXT_MAX):
    value = (value or "").strip()
    if required and not value:
        raise Refused(_("Write %(what)s.") % {"what": what})
    if len(value) > most:
        raise Refused(_("The %(what)s is longer than %(n)d characters.") % {"what": what, "n": most})
    return value


def labour_bureau(unit):
    """The 人社局 a 建议书 goes to: the department of the issuing unit's county named so, else its usual name."""
    county = unit
    while county.kind not in (OrgKind.COUNTY, OrgKind.CITY, OrgKind.PROVINCE) and county.parent_id is not None:
        county = county.parent
    department = (
        OrgUnit.objects.filter(within(county), kind=OrgKind.DEPARTMENT, name__contains="人力资源和社会保障")
        .order_by("depth", "path")
        .first()
    )
    if department is not None:
        return department.name
    return county.name.removesuffix("总工会") + "人力资源和社会保障局"


def _locked(letter):
    return Letter.objects.select_for_update(of=("self",)).select_related("issuing_unit", "enterprise").get(pk=letter.pk)


def _check_version(current, version):
    if current.version != version:
        raise Conflict(_("This letter was changed by someone else since you read it; nothing was saved."))


def _check_move(current, action):
    sources, _target = TRANSITIONS[action]
    if current.status not in sources:
        raise Refused(
            _("This letter is “%(status)s”; it cannot be changed so now.") % {"status": current.get_status_display()}
        )


def _snapshot(letter):
    return {
        "number": letter.number,
        "kind": letter.kind,
        "status": letter.status,
        "enterprise": letter.enterprise_id,
        "delivered_on": letter.delivered_on,
        "reply_due": letter.reply_due,
        "answered_on": letter.answered_on,
    }


def _staff(unit):
    return list(unit_people(unit, Role.OFFICE))


# --- issuing ------------------------------------------------------------------------------------------------------


def issue_letter(
    *,
    actor,
    enterprise,
    problem,
    asks,
    kind=LetterKind.NOTICE,
    addressee="",
    dispute=None,
    demand=None,
    unit=None,
    issued_on=None,
    request=None,
    _escalated_from=None,
):
    """Issue a letter of ``kind`` (a 提示函 unless escalating) from the actor's unit to ``enterprise`` (a 建议书 to
    the labour bureau, ``addressee``), about ``dispute`` or ``demand`` if given: ``problem`` found, what the union
    ``asks``. The number is taken in the same transaction; the rules in force are copied onto the letter."""
    issuer = unit if actor is SYSTEM else getattr(actor, "org_unit", None)
    if not can_issue_letter(actor):
        raise Refused(_("Only office staff of a federation or a town union issue supervision letters."))
    if issuer is None:
        raise Refused(_("Only office staff of a federation or a town union issue supervision letters."))
    if enterprise is None:
        raise Refused(_("Choose the enterprise."))
    if actor is not SYSTEM and not can_issue_letter(actor, enterprise):
        raise Refused(_("%(name)s is not registered in your organisation.") % {"name": enterprise.name})
    if kind not in LetterKind.values:
        raise Refused(_("Choose the kind of letter."))
    problem = _text(problem, what=_("the problem found"))
    asks = _text(asks, what=_("what the union asks"))
    if kind == LetterKind.PROPOSAL:
        addressee = _text(addressee, what=_("the addressee"), most=ADDRESSEE_MAX, required=False) or labour_bureau(
            issuer
        )
    else:
        addressee = enterprise.name
    today = clock.today()
    issued_on = issued_on or today
    if issued_on > today:
        raise Refused(_("A letter cannot be dated after today (%(today)s).") % {"today": today})
    if issued_on.year != today.year:
        raise Refused(_("A letter is dated in the year of its number (%(year)d).") % {"year": today.year})
    for case, label in ((dispute, _("dispute")), (demand, _("demand"))):
        if case is None:
            continue
        if case.enterprise_id != enterprise.pk:
            raise Refused(_("The %(what)s chosen is about another enterprise.") % {"what": label})
        if not case.org_unit.is_within(issuer):
            raise Refused(_("The %(what)s chosen is outside your organisation.") % {"what": label})
    with transaction.atomic():
        number = take(issuer=issuer, kind=number_kind(kind), mark=MARKS[kind])
        letter = Letter.objects.create(
            issuing_unit=issuer,
            enterprise=enterprise,
            addressee=addressee,
            dispute=dispute,
            demand=demand,
            escalated_from=_escalated_from,
            kind=kind,
            number=number.number,
            issued_on=issued_on,
            problem=problem,
            request=asks,
            status=LetterStatus.ISSUED,
            rules=org_rules.to_copy(issuer, rules.PREFIX),
            created_by=person(actor),
        )
        record(
            action="cases.letter_issued",
            actor=actor,
            obj=letter,
            org_unit=issuer,
            after={**_snapshot(letter), "escalated_from": getattr(_escalated_from, "number", None)},
            request=request,
        )
    return letter


# --- delivery and answer ------------------------------------------------------------------------------------------


def record_delivery(*, letter, actor, version, delivered_on, receipt, request=None):
    """The letter was handed over on ``delivered_on`` (``receipt``: the signed 送达回执, library evidence); the reply
    is due that many working days later (the issuing unit's calendar). Sets ``letter.warning`` when a year of the
    count has no holidays entered."""
    if receipt is None:
        raise Refused(_("Attach the signed delivery receipt (送达回执)."))
    if delivered_on is None:
        raise Refused(_("Give the date the letter was delivered."))
    with transaction.atomic():
        current = _locked(letter)
        if not can_handle_letter(actor, current):
            raise Refused(_("Only the office staff of the issuing union record what happens to a letter."))
        _check_version(current, version)
        _check_move(current, "deliver")
        if delivered_on < current.issued_on:
            raise Refused(
                _("The letter cannot be delivered (%(day)s) before it was issued (%(issued)s).")
                % {"day": delivered_on, "issued": current.issued_on}
            )
        if delivered_on > clock.today():
            raise Refused(_("The delivery date cannot be after today."))
        deadline = workdays.deadline(delivered_on, reply_workdays(current), unit=current.issuing_unit)
        current.delivered_on, current.receipt, current.reply_due = delivered_on, receipt, deadline.due
        current.status = TRANSITIONS["deliver"][1]
        current.version += 1
        current.save(update_fields=["delivered_on", "receipt", "reply_due", "status", "version"])
        record(
            action="cases.letter_delivered",
            actor=actor,
            obj=current,
            org_unit=current.issuing_unit,
            after={**_snapshot(current), "receipt": receipt.pk},
            request=request,
        )
    current.warning = deadline.warning
    return current


def record_answer(*, letter, actor, version, answered_on, answer, request=None):
    """The addressee answered in writing on ``answered_on``: the letter is answered and leaves the escalation."""
    answer = _text(answer, what=_("the answer"))
    if answered_on is None:
        raise Refused(_("Give the date of the answer."))
    with transaction.atomic():
        current = _locked(letter)
        if not can_handle_letter(actor, current):
            raise Refused(_("Only the office staff of the issuing union record what happens to a letter."))
        _check_version(current, version)
        if current.status == LetterStatus.ISSUED:
            raise Refused(_("Record the delivery first: a letter not yet delivered cannot be answered."))
        _check_move(current, "answer")
        if answered_on < current.delivered_on:
            raise Refused(
                _("The answer (%(day)s) cannot come before the delivery (%(delivered)s).")
                % {"day": answered_on, "delivered": current.delivered_on}
            )
        if answered_on > clock.today():
            raise Refused(_("The answer date cannot be after today."))
        current.answered_on, current.answer = answered_on, answer
        current.status = TRANSITIONS["answer"][1]
        current.version += 1
        current.save(update_fields=["answered_on", "answer", "status", "version"])
        record(
            action="cases.letter_answered",
            actor=actor,
            obj=current,
            org_unit=current.issuing_unit,
            after=_snapshot(current),
            request=request,
        )
    return current


# --- escalation ---------------------------------------------------------------------------------------------------


def escalate_letter(*, letter, actor, version, problem=None, asks=None, addressee="", today=None, request=None):
    """The letter went unanswered past its reply date: issue the next kind (pre-filled from this one, the texts
    as given) and mark this one escalated; returns the new letter. An unanswered 建议书 has nothing above it: it
    is recorded as unanswered (LAPSED) and returned."""
    today = today or clock.today()
    with transaction.atomic():
        current = _locked(letter)
        if not can_handle_letter(actor, current):
            raise Refused(_("Only the office staff of the issuing union record what happens to a letter."))
        _check_version(current, version)
        if current.status == LetterStatus.ANSWERED:
            raise Refused(_("The addressee answered this letter; it is not escalated."))
        if current.status == LetterStatus.ISSUED:
            raise Refused(_("This letter is not delivered yet; its reply time has not started."))
        _check_move(current, "escalate")
        if current.reply_due >= today:
            raise Refused(_("The reply is not due yet: the addressee has until %(day)s.") % {"day": current.reply_due})
        following = NEXT_KIND[current.kind]
        before = _snapshot(current)
        if following is None:
            current.status = TRANSITIONS["lapse"][1]
            current.version += 1
            current.save(update_fields=["status", "version"])
            record(
                action="cases.letter_lapsed",
                actor=actor,
                obj=current,
                org_unit=current.issuing_unit,
                before=before,
                after=_snapshot(current),
                request=request,
            )
            return current
        # The next letter comes from the unit that issued this one (the actor may sit above it).
        issuer_actor = actor if actor is SYSTEM or actor.org_unit_id == current.issuing_unit_id else SYSTEM
        created = issue_letter(
            actor=issuer_actor,
            unit=current.issuing_unit,
            enterprise=current.enterprise,
            kind=following,
            problem=current.problem if problem is None else problem,
            asks=current.request if asks is None else asks,
            addressee=addressee,
            dispute=current.dispute,
            demand=current.demand,
            request=request,
            _escalated_from=current,
        )
        if issuer_actor is SYSTEM and actor is not SYSTEM:
            created.created_by = person(actor)
            created.save(update_fields=["created_by"])
        current.status = TRANSITIONS["escalate"][1]
        current.version += 1
        current.save(update_fields=["status", "version"])
        record(
            action="cases.letter_escalated",
            actor=actor,
            obj=current,
            org_unit=current.issuing_unit,
            before=before,
            after={**_snapshot(current), "next": created.number},
            request=request,
        )
        staff = _staff(current.issuing_unit)
        text = _("%(number)s went unanswered; %(next)s is issued.") % {
            "number": current.number,
            "next": created.number,
        }
        url = reverse("cases:letter", args=[created.pk])
        transaction.on_commit(lambda: notify(users=staff, text=text, url=url))
    return created


# --- the daily scan -----------------------------------------------------------------------------------------------


def overdue(today=None):
    """Delivered letters unanswered past their reply date, anywhere."""
    return Letter.objects.filter(status=LetterStatus.DELIVERED, reply_due__lt=today or clock.today())


def scan(today=None, progress=None):
    """Put every letter newly past its reply date in its issuing office's workbench (a message to its staff,
    noted once in the audit trail); issues nothing by itself. Returns ``(overdue, newly noted)``; running it
    again, or twice at once, notes each letter once."""
    today = today or clock.today()
    ids = list(overdue(today).order_by("pk").values_list("pk", flat=True))
    noted = 0
    for done, pk in enumerate(ids, start=1):
        with transaction.atomic():
            letter = Letter.objects.select_for_update(of=("self",)).select_related("issuing_unit").get(pk=pk)
            seen = AuditEvent.objects.filter(action=OVERDUE_ACTION, object_type="cases.letter", object_id=str(pk))
            if is_overdue(letter, today) and not seen.exists():
                record(
                    action=OVERDUE_ACTION,
                    actor=SYSTEM,
                    obj=letter,
                    org_unit=letter.issuing_unit,
                    after={"number": letter.number, "reply_due": letter.reply_due, "today": today},
                )
                staff = _staff(letter.issuing_unit)
                text = _("%(number)s to %(addressee)s was due for an answer on %(day)s: escalate it.") % {
                    "number": letter.number,
                    "addressee": letter.addressee,
                    "day": letter.reply_due,
                }
                url = reverse("cases:letter", args=[pk])
                transaction.on_commit(lambda staff=staff, text=text, url=url: notify(users=staff, text=text, url=url))
                noted += 1
        if progress:
            progress(done, len(ids))
    if progress and not ids:
        progress(0, 0)
    return len(ids), noted


def days_left(letter, today=None):
    """Working days until the reply date (negative: overdue), or None before delivery."""
    if letter.reply_due is None:
        return None
    return workdays.between(today or clock.today(), letter.reply_due, unit=letter.issuing_unit)


def evidence_seen_through(user):
    """Library files attached to the meetings ``user`` sees, or the delivery receipts of the letters they see
    (``evidence.access``)."""
    from django.db.models import Exists, OuterRef, Q

    from cases import scope
    from cases.models import JointMeeting

    meetings = scope.visible_meetings(user).values("pk")
    on_meetings = JointMeeting.attachments.through.objects.filter(
        evidence_id=OuterRef("pk"), jointmeeting_id__in=meetings
    )
    receipts = scope.visible_letters(user).filter(receipt_id=OuterRef("pk"))
    return Q(Exists(on_meetings)) | Q(Exists(receipts))

"""Every change to questionnaires, distributions, responses, polls and findings."""

import hashlib
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from audit.services import record
from orgs import rules as org_rules
from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Conflict, Refused
from qingdan.rules import of as rules_of
from surveys import rules as survey_rules
from surveys import throttle
from surveys.models import (
    CHOICE_KINDS,
    SATISFACTION_LEVELS,
    Answer,
    Distribution,
    Finding,
    Option,
    Poll,
    PollMode,
    PollToken,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    Response,
    ResponseStatus,
    Section,
    Target,
)
from surveys.validation import NUMBER_LIMIT, clean_answers, load


def _check_within(actor, units):
    """Every unit must lie in the actor's subtree (the pages only offer those; this guards the rest)."""
    if actor is SYSTEM:
        return
    if actor is None:
        raise Refused(_("Your roles or your organisation do not allow this."))
    outside = [u for u in units if u is not None and not u.is_within(actor.org_unit)]
    if outside:
        raise Refused(_("%(unit)s is outside your organisation.") % {"unit": outside[0].name})


def lock_for_editing(questionnaire):
    """Lock the questionnaire row for a change of its questions; refuse once it is frozen
    (sent to units, given to workers or answered). Call inside a transaction."""
    Questionnaire.objects.select_for_update().filter(pk=questionnaire.pk).first()
    if questionnaire.is_frozen:
        raise Refused(
            _("This questionnaire has been sent out or answered and cannot be changed; make a new version instead.")
        )


# --- the questionnaire itself -------------------------------------------------------------


def create_questionnaire(*, title, owner_unit, actor, kind="unit", description=""):
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            title=title, owner_unit=owner_unit, kind=kind, description=description, created_by=person(actor)
        )
        record(
            action="surveys.questionnaire_created",
            actor=actor,
            obj=questionnaire,
            org_unit=owner_unit,
            after={"title": title, "kind": kind},
        )
    return questionnaire


def get_or_add_section(*, questionnaire, title):
    section = questionnaire.sections.filter(title=title).first()
    if section is None:
        position = (questionnaire.sections.aggregate(m=Max("position"))["m"] or 0) + 1
        section = Section.objects.create(questionnaire=questionnaire, title=title, position=position)
    return section


def _check_question_fields(kind, section_title, code, text, help_text, options, min_value, max_value, scale_max):
    """The rules of one question, whatever path it comes from (builder, import, API)."""
    for value, limit, message in (
        (section_title, 100, _("The dimension must be 1 to 100 characters.")),
        (code, 20, _("The question number must be 1 to 20 characters.")),
        (text, 500, _("The question must be 1 to 500 characters.")),
    ):
        if not (value or "").strip() or len(value) > limit:
            raise Refused(message)
    if len(help_text) > 300:
        raise Refused(_("The help text is longer than 300 characters."))
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(options) < 2:
        raise Refused(_("A choice question needs at least two options."))
    labels = [label for label, _score in options]
    if any(not label.strip() or len(label) > 200 for label in labels) or len(set(labels)) != len(labels):
        raise Refused(_("Every option needs a distinct text of at most 200 characters."))
    if any(score is not None and not 0 <= score <= 100 for _label, score in options):
        raise Refused(_("An option's score must be from 0 to 100."))
    for bound in (min_value, max_value):
        if bound is not None and (not Decimal(bound).is_finite() or abs(Decimal(bound)) >= NUMBER_LIMIT):
            raise Refused(_("Give a number below one trillion with at most two decimal places."))
    if min_value is not None and max_value is not None and min_value > max_value:
        raise Refused(_("The maximum is below the minimum."))
    if kind == QuestionKind.RATING and scale_max is not None and not 2 <= scale_max <= 10:
        raise Refused(_("A rating scale has 2 to 10 points."))


def add_question(
    *,
    questionnaire,
    section_title,
    code,
    text,
    kind,
    actor,
    required=True,
    help_text="",
    options=(),
    min_value=None,
    max_value=None,
    scale_max=None,
    show_if=None,
):
    """Add one question at the end. ``options`` are ``(label, score)`` pairs for choice questions;
    a satisfaction question gets the four standard levels. ``show_if`` is ``(question code, option label)``."""
    kind = QuestionKind(kind)
    _check_question_fields(kind, section_title, code, text, help_text, options, min_value, max_value, scale_max)
    with transaction.atomic():
        lock_for_editing(questionnaire)
        if questionnaire.questions.filter(code=code).exists():
            raise Refused(_("Question number %(code)s is used twice.") % {"code": code})
        section = get_or_add_section(questionnaire=questionnaire, title=section_title)
        position = (questionnaire.questions.aggregate(m=Max("position"))["m"] or 0) + 1
        question = Question(
            questionnaire=questionnaire,
            section=section,
            position=position,
            code=code,
            text=text,
            kind=kind,
            required=required,
            help_text=help_text,
            min_value=min_value,
            max_value=max_value,
            scale_max=scale_max if kind == QuestionKind.RATING else None,
        )
        if kind == QuestionKind.RATING and not question.scale_max:
            question.scale_max = 5
        if show_if:
            question.show_if_question, question.show_if_option = _condition(questionnaire, *show_if)
            source = question.show_if_question
            # Answers are checked in page order (dimension, then position): the condition must come first.
            if (source.section.position, source.position) >= (section.position, position):
                raise Refused(
                    _("The condition refers to question %(code)s, which does not come before it.")
                    % {"code": source.code}
                )
        question.save()
        if kind == QuestionKind.SATISFACTION:
            options = [(label, score) for _value, label, score in SATISFACTION_LEVELS]
            values = [value for value, _label, _score in SATISFACTION_LEVELS]
        else:
            values = [f"o{i}" for i in range(1, len(options) + 1)]
        if kind in CHOICE_KINDS:
            Option.objects.bulk_create(
                Option(question=question, position=i, value=value, label=label, score=score)
                for i, (value, (label, score)) in enumerate(zip(values, options, strict=True), start=1)
            )
        record(
            action="surveys.question_added",
            actor=actor,
            obj=question,
            org_unit=questionnaire.owner_unit,
            after={"code": code, "text": text, "kind": kind},
        )
    return question


def _condition(questionnaire, code, option_label):
    source = questionnaire.questions.filter(code=code).first()
    if source is None:
        raise Refused(_("The condition refers to question %(code)s, which does not come before it.") % {"code": code})
    option = source.options.filter(label=option_label).first()
    if option is None:
        raise Refused(_("Question %(code)s has no option “%(label)s”.") % {"code": code, "label": option_label})
    return source, option


def delete_question(*, question, actor):
    with transaction.atomic():
        lock_for_editing(question.questionnaire)
        if Question.objects.filter(show_if_question=question).exists():
            raise Refused(_("Another question is shown depending on this one; change that condition first."))
        record(
            action="surveys.question_deleted",
            actor=actor,
            obj=question,
            org_unit=question.questionnaire.owner_unit,
            before={"code": question.code, "text": question.text},
        )
        question.delete()


def move_question(*, question, up, actor):
    """Swap the question with its neighbour in the same section."""
    with transaction.atomic():
        lock_for_editing(question.questionnaire)
        siblings = list(question.section.questions.order_by("position", "id"))
        index = siblings.index(question)
        other_index = index - 1 if up else index + 1
        if not 0 <= other_index < len(siblings):
            return question
        other = siblings[other_index]
        if up and other == question.show_if_question or not up and other.show_if_question_id == question.pk:
            raise Refused(_("A question must stay after the question it depends on."))
        siblings[index], siblings[other_index] = other, question
        for position, item in enumerate(siblings, start=1):
            Question.objects.filter(pk=item.pk).update(position=position)
        record(
            action="surveys.question_moved",
            actor=actor,
            obj=question,
            org_unit=question.questionnaire.owner_unit,
            after={"position": other_index + 1},
        )
    return question


def copy_questionnaire(*, questionnaire, actor):
    """A new, editable version with the same sections, questions, options and conditions."""
    with transaction.atomic():
        first = questionnaire.first_version or questionnaire
        Questionnaire.objects.select_for_update().filter(pk=first.pk).first()  # numbers versions one at a time
        line = Questionnaire.objects.filter(Q(pk=first.pk) | Q(first_version=first))
        copy = Questionnaire.objects.create(
            first_version=first,
            title=questionnaire.title,
            description=questionnaire.description,
            kind=questionnaire.kind,
            owner_unit=questionnaire.owner_unit,
            created_by=person(actor),
            version=line.aggregate(m=Max("version"))["m"] + 1,
            copied_from=questionnaire,
        )
        sections = {
            s.pk: Section.objects.create(questionnaire=copy, title=s.title, position=s.position)
            for s in questionnaire.sections.all()
        }
        questions, options = {}, {}
        for q in load(questionnaire):
            new = Question.objects.create(
                questionnaire=copy,
                section=sections[q.section_id],
                position=q.position,
                code=q.code,
                text=q.text,
                kind=q.kind,
                required=q.required,
                help_text=q.help_text,
                min_value=q.min_value,
                max_value=q.max_value,
                scale_max=q.scale_max,
                show_if_question=questions.get(q.show_if_question_id),
                show_if_option=options.get(q.show_if_option_id),
            )
            questions[q.pk] = new
            for o in q.options.all():
                options[o.pk] = Option.objects.create(
                    question=new, position=o.position, value=o.value, label=o.label, score=o.score
                )
        record(
            action="surveys.questionnaire_copied",
            actor=actor,
            obj=copy,
            org_unit=copy.owner_unit,
            before={"from": questionnaire.pk},
            after={"version": copy.version},
        )
    return copy


# --- distribution to units ----------------------------------------------------------------


def distribute(*, questionnaire, title, units, opens_on, closes_on, actor):
    """Send a unit survey to ``units``: each gets a target (a task in its inbox)."""
    units = list(units)
    if closes_on < opens_on:
        raise Refused(_("The closing date comes before the opening date."))
    if not units:
        raise Refused(_("No unit matches; pick at least one target unit."))
    if not questionnaire.questions.exists():
        raise Refused(_("The questionnaire has no questions yet."))
    if questionnaire.kind != QuestionnaireKind.UNIT:
        raise Refused(_("A worker poll questionnaire is answered through a poll, not sent to units."))
    _check_within(actor, units)
    with transaction.atomic():
        distribution = Distribution.objects.create(
            questionnaire=questionnaire,
            title=title,
            issuing_unit=actor.org_unit,
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=person(actor),
            rules=org_rules.to_copy(actor.org_unit, "surveys."),
        )
        Target.objects.bulk_create(Target(distribution=distribution, org_unit=unit) for unit in units)
        record(
            action="surveys.distributed",
            actor=actor,
            obj=distribution,
            org_unit=actor.org_unit,
            after={
                "questionnaire": questionnaire.pk,
                "targets": len(units),
                "opens_on": opens_on,
                "closes_on": closes_on,
            },
        )
    return distribution


def remind(*, distribution, actor):
    """Remind every target that has not submitted; returns how many were reminded."""
    with transaction.atomic():
        waiting = distribution.targets.exclude(status=ResponseStatus.SUBMITTED)
        count = waiting.update(reminders=F("reminders") + 1, last_reminded_at=clock.now())
        record(
            action="surveys.reminded",
            actor=actor,
            obj=distribution,
            org_unit=distribution.issuing_unit,
            after={"reminded": count},
        )
    return count


def _replace_answers(response, answers):
    response.answers.all().delete()
    Answer.objects.bulk_create(
        Answer(response=response, question=a.question, option=a.option, number=a.number, text=a.text) for a in answers
    )


# What each action on a unit's response may start from (the one table of the response's states).
TRANSITIONS = {
    "save": ({ResponseStatus.PENDING, ResponseStatus.DRAFT, ResponseStatus.RETURNED}, ResponseStatus.DRAFT),
    "submit": ({ResponseStatus.PENDING, ResponseStatus.DRAFT, ResponseStatus.RETURNED}, ResponseStatus.SUBMITTED),
    "return": ({ResponseStatus.SUBMITTED}, ResponseStatus.RETURNED),
}


def _transition(target, action):
    allowed, to = TRANSITIONS[action]
    if target.status not in allowed:
        if target.status == ResponseStatus.SUBMITTED:
            raise Refused(_("This response was already submitted."))
        raise Refused(_("Only a submitted response can be sent back."))
    return to


def save_unit_response(*, target, raw, actor, submit, version):
    """Save a unit's draft or submit it. ``version`` is the target version the form was opened
    with: a stale form raises ``Conflict``. A submission is final until the office returns it.
    Nothing is stored before the opening date or after the deadline (the closing date, or the
    date a returned response must be resubmitted by)."""
    questionnaire = target.distribution.questionnaire
    answers = clean_answers(load(questionnaire), raw, complete=submit)
    with transaction.atomic():
        locked = Target.objects.select_for_update().select_related("distribution").get(pk=target.pk)
        if locked.version != version:
            raise Conflict(_("This response was changed by someone else since you opened it; nothing was saved."))
        to = _transition(locked, "submit" if submit else "save")
        today = clock.today()
        if today < locked.distribution.opens_on:
            raise Refused(_("This survey opens on %(day)s.") % {"day": locked.distribution.opens_on})
        if today > locked.deadline:
            raise Refused(
                _("This survey closed on %(day)s; it no longer takes submissions.") % {"day": locked.deadline}
            )
        response, _created = Response.objects.get_or_create(target=locked, defaults={"questionnaire": questionnaire})
        _replace_answers(response, answers)
        before = locked.status
        locked.status = to
        locked.version += 1
        if submit:
            now = clock.now()
            locked.submitted_at = response.submitted_at = now
            response.submitted_by, response.is_final = person(actor), True
            response.save(update_fields=["submitted_at", "submitted_by", "is_final"])
        locked.save(update_fields=["status", "version", "submitted_at"])
        record(
            action="surveys.response_submitted" if submit else "surveys.response_saved",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before={"status": before},
            after={"status": locked.status},
        )
    return locked


def return_response(*, target, reason, actor, due_on=None):
    """The office sends a submitted response back to its unit with a reason and a date to
    resubmit by (by default the distribution's rule, 7 days, from today or from the closing date if later).
    A response resubmitted after the closing date counts as late."""
    reason = reason.strip()
    if not reason:
        raise Refused(_("Give the reason for sending the response back."))
    if len(reason) > 500:
        raise Refused(_("The reason is longer than %(n)d characters.") % {"n": 500})
    with transaction.atomic():
        locked = Target.objects.select_for_update().select_related("distribution").get(pk=target.pk)
        to = _transition(locked, "return")
        today = clock.today()
        days = rules_of(locked.distribution, survey_rules.RESUBMIT_DAYS)
        due_on = due_on or max(today, locked.distribution.closes_on) + timedelta(days=days)
        if due_on < today:
            raise Refused(_("The date to resubmit by has already passed."))
        locked.status, locked.return_reason, locked.submitted_at, locked.due_on = to, reason, None, due_on
        locked.version += 1
        locked.save(update_fields=["status", "return_reason", "submitted_at", "due_on", "version"])
        Response.objects.filter(target=locked).update(is_final=False, submitted_at=None)
        record(
            action="surveys.response_returned",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before={"status": ResponseStatus.SUBMITTED},
            after={"status": to, "reason": reason, "due_on": due_on},
        )
    return locked


# --- worker polls ---------------------------------------------------------------------------


def decides(questionnaire):
    """Whether a poll of this questionnaire decides something: its satisfaction (4-level) answers are what the
    close-out's satisfaction rule and the assessment's satisfaction metric count."""
    return questionnaire.questions.filter(kind=QuestionKind.SATISFACTION).exists()


def why_no_open_link(questionnaire):
    """Why this questionnaire cannot be given out through an open link, or None (the form asks it too)."""
    if decides(questionnaire):
        return _(
            "This questionnaire has a satisfaction question: its answers count towards close-outs and assessment "
            "scores, so it is given out only through one-time links (one QR code per worker). An open link is for "
            "opinion polls that decide nothing."
        )
    return None


def create_poll(*, questionnaire, title, subject_unit, closes_at, actor, mode=PollMode.TOKENS, token_count=0, cap=None):
    """Start a worker poll. A poll that decides something (``decides``) is answered once per worker by
    construction, through one-time links; an open link, one answer per phone by a cookie, is refused for it."""
    if mode == PollMode.TOKENS and not 1 <= token_count <= 10000:
        raise Refused(_("Give between 1 and 10,000 tokens."))
    if mode == PollMode.OPEN and not cap:
        raise Refused(_("An open link needs a cap on the number of answers."))
    if mode == PollMode.OPEN and (reason := why_no_open_link(questionnaire)):
        raise Refused(reason)
    if closes_at <= clock.now():
        raise Refused(_("The closing time has already passed."))
    if not questionnaire.questions.exists():
        raise Refused(_("The questionnaire has no questions yet."))
    _check_within(actor, [subject_unit])
    with transaction.atomic():
        poll = Poll.objects.create(
            questionnaire=questionnaire,
            title=title,
            owner_unit=actor.org_unit,
            subject_unit=subject_unit,
            mode=mode,
            cap=cap if mode == PollMode.OPEN else None,
            closes_at=closes_at,
            created_by=person(actor),
        )
        if mode == PollMode.TOKENS:
            PollToken.objects.bulk_create(PollToken(poll=poll) for _ in range(token_count))
        record(
            action="surveys.poll_created",
            actor=actor,
            obj=poll,
            org_unit=subject_unit,
            after={"mode": mode, "tokens": token_count, "cap": cap},
        )
    return poll


def close_poll(*, poll, actor):
    """Stop a poll taking answers now (e.g. when the deep review it serves is recorded)."""
    with transaction.atomic():
        updated = Poll.objects.filter(pk=poll.pk, closes_at__gt=clock.now()).update(closes_at=clock.now())
        if updated:
            record(action="surveys.poll_closed", actor=actor, obj=poll, org_unit=poll.subject_unit)
    poll.refresh_from_db()
    return poll


def device_hash(device_id):
    return hashlib.sha256(device_id.encode()).hexdigest() if device_id else ""


def address_hash(poll, address):
    """The network address an answer came from, as kept: an HMAC under the secret key, salted with the poll, so
    that the few billion addresses cannot be tried one by one to undo it, nor one phone followed across polls."""
    if not address:
        return ""
    return salted_hmac("surveys.poll-address", f"{poll.slug}|{address}", algorithm="sha256").hexdigest()[:32]


def submit_poll_response(*, poll, raw, token=None, device_id="", address=""):
    """An anonymous worker's answer. One answer per token (tokens mode) or per device (open link). An open link
    is throttled per poll and per client ``address`` (``surveys.throttle``): too many answers in the last minute
    raise ``Throttled`` and store nothing. Only the address's keyed hash is kept, for the poll's burst figures."""
    answers = clean_answers(load(poll.questionnaire), raw, complete=True)
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        address = address_hash(locked, address)
        if locked.is_closed():
            raise Refused(_("This poll has closed."))
        claimed = None
        if locked.mode == PollMode.TOKENS:
            # A conditional update claims the token: of two submissions at once, one wins.
            claimed = PollToken.objects.filter(poll=locked, token=token or "", used_at__isnull=True).first()
            if claimed is None or not PollToken.objects.filter(pk=claimed.pk, used_at__isnull=True).update(
                used_at=clock.now()
            ):
                raise Refused(_("This link has already been used or is not valid."))
        elif locked.cap is not None and locked.responses.count() >= locked.cap:
            raise Refused(_("This poll has received all the answers it asked for."))
        device = device_hash(device_id)
        if device and locked.responses.filter(device=device).exists():
            raise Refused(_("This phone has already answered this poll."))
        if locked.mode == PollMode.OPEN:
            throttle.admit(poll=locked, address=address, now=clock.now())
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    questionnaire=locked.questionnaire,
                    poll=locked,
                    token=claimed,
                    device=device,
                    address=address,
                    submitted_at=clock.now(),
                    is_final=True,
                )
        except IntegrityError:
            raise Refused(_("This phone has already answered this poll.")) from None
        _replace_answers(response, answers)
        record(action="surveys.poll_answered", obj=response, org_unit=locked.subject_unit, actor_username="(anonymous)")
    return response


# --- findings -------------------------------------------------------------------------------


def add_finding(*, questionnaire, note, actor, question=None, response=None, distribution=None, suggested_unit=None):
    if not note.strip():
        raise Refused(_("Describe the finding."))
    belongs = [x.questionnaire_id == questionnaire.pk for x in (question, response, distribution) if x is not None]
    if not all(belongs):
        raise Refused(_("The finding must refer to this questionnaire."))
    _check_within(actor, [suggested_unit])
    with transaction.atomic():
        finding = Finding.objects.create(
            questionnaire=questionnaire,
            owner_unit=actor.org_unit,
            note=note.strip(),
            question=question,
            response=response,
            distribution=distribution,
            suggested_unit=suggested_unit,
            created_by=person(actor),
        )
        record(
            action="surveys.finding_added",
            actor=actor,
            obj=finding,
            org_unit=questionnaire.owner_unit,
            after={"note": finding.note, "question": question.code if question else None},
        )
    return finding

"""Checking a set of answers against a questionnaire before anything is stored."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from qingdan import text
from surveys.models import CHOICE_KINDS, TEXT_KINDS, QuestionKind

TEXT_LIMIT = {QuestionKind.SHORT_TEXT: 200, QuestionKind.LONG_TEXT: 5000}
NUMBER_LIMIT = Decimal(10) ** 12  # what Answer.number (14 digits, 2 decimals) can hold


@dataclass
class CleanAnswer:
    question: object
    option: object = None
    number: Decimal | None = None
    text: str = ""


class AnswersInvalid(Exception):
    """``errors`` maps a question code to the message that names it."""

    def __init__(self, errors):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def load(questionnaire):
    """Questions in order with their options, read once per check."""
    return list(
        questionnaire.questions.select_related("section")
        .prefetch_related("options")
        .order_by("section__position", "position", "id")
    )


def _name(question):
    return _("Question %(code)s “%(text)s”") % {"code": question.code, "text": question.text}


def is_shown(question, picked):
    """Show-if logic: a question with a condition is shown when the condition's option was picked."""
    if question.show_if_question_id is None or question.show_if_option_id is None:
        return True
    return question.show_if_option_id in picked.get(question.show_if_question_id, set())


def clean_answers(questions, raw, *, complete):
    """Turn ``raw`` ({question id: [strings]}) into answers, or raise ``AnswersInvalid``.

    ``complete`` is True for a submission (required questions must be answered) and
    False for a draft (only the answers given are checked).
    """
    errors, answers, picked = {}, [], {}
    for question in questions:
        values = [v.strip() for v in raw.get(question.pk, []) if v is not None and str(v).strip()]
        label = _name(question)
        if not is_shown(question, picked):
            if values:
                errors[question.code] = _("%(q)s is hidden by an earlier answer and must be left empty.") % {"q": label}
            continue
        if not values:
            if complete and question.required:
                errors[question.code] = _("%(q)s must be answered.") % {"q": label}
            continue
        try:
            found = _clean_one(question, values)
        except ValueError as problem:
            errors[question.code] = f"{label}：{problem}"
            continue
        answers.extend(found)
        picked[question.pk] = {a.option.pk for a in found if a.option is not None}
    if errors:
        raise AnswersInvalid(errors)
    return answers


def _clean_one(question, values):
    if question.kind in CHOICE_KINDS:
        options = {o.value: o for o in question.options.all()}
        if question.kind != QuestionKind.MULTIPLE and len(values) > 1:
            raise ValueError(_("only one option may be picked."))
        unknown = [v for v in values if v not in options]
        if unknown:
            raise ValueError(_("“%(value)s” is not one of its options.") % {"value": unknown[0]})
        return [CleanAnswer(question, option=options[v]) for v in dict.fromkeys(values)]
    if len(values) > 1:
        raise ValueError(_("only one answer may be given."))
    try:
        value = text.clean(values[0], multiline=question.kind == QuestionKind.LONG_TEXT)
    except text.Unclean as exc:
        raise ValueError(exc.message) from None
    if question.kind in TEXT_KINDS:
        limit = TEXT_LIMIT[question.kind]
        if len(value) > limit:
            raise ValueError(_("the answer is longer than %(n)d characters.") % {"n": limit})
        return [CleanAnswer(question, text=value)]
    value = text.nfkc(value)  # a number typed full-width (８５) is the same number
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
    if abs(number) >= NUMBER_LIMIT or number != number.quantize(Decimal("0.01")):
        raise ValueError(_("give a number below one trillion with at most two decimal places."))
    if question.kind == QuestionKind.RATING:
        top = question.scale_max or 5
        if number != number.to_integral_value() or not 1 <= number <= top:
            raise ValueError(_("the rating must be a whole number from 1 to %(n)d.") % {"n": top})
    else:
        low, high = question.min_value, question.max_value
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(
                _("%(value)s is outside the range %(low)s–%(high)s.")
                % {
                    "value": value,
                    "low": "" if low is None else f"{low.normalize():f}",
                    "high": "" if high is None else f"{high.normalize():f}",
                }
            )
    return [CleanAnswer(question, number=number)]

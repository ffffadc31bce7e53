"""A questionnaire from .xlsx, one row per question; every row is checked before anything is written.

Columns: 维度, 题号, 题目, 题型, 必答, 选项, 最小值, 最大值, 量表分数, 说明, 显示条件.
Options are separated by ``|``; an option may carry its score as ``label=score`` (0–100).
The condition reads ``Q3=是``: shown when question Q3 was answered 是.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from audit.services import record
from qingdan.errors import Refused
from qingdan.spreadsheets import RowError, read_rows, write_workbook
from surveys import services
from surveys.models import CHOICE_KINDS, SATISFACTION_LEVELS, Question, QuestionKind, Section
from surveys.validation import NUMBER_LIMIT

COLUMNS = (
    ("section", gettext_noop("Dimension")),
    ("code", gettext_noop("Question number")),
    ("text", gettext_noop("Question")),
    ("kind", gettext_noop("Question type")),
    ("required", gettext_noop("Required")),
    ("options", gettext_noop("Options")),
    ("min", gettext_noop("Minimum")),
    ("max", gettext_noop("Maximum")),
    ("scale", gettext_noop("Scale points")),
    ("help", gettext_noop("Help text")),
    ("show_if", gettext_noop("Shown if")),
)
REQUIRED_COLUMNS = ("section", "code", "text", "kind")
YES = {"是", "必答", "y", "yes", "true", "1"}
NO = {"否", "选答", "n", "no", "false", "0", ""}


def column_titles():
    titles = {}
    for key, label in COLUMNS:
        with override("zh-hans"):
            titles[key] = (_(label), label)
    return titles


def _title(key):
    return column_titles()[key][0]


def kind_lookup():
    lookup = {}
    for kind in QuestionKind:
        lookup[kind.value] = kind
        for language in ("zh-hans", "en"):
            with override(language):
                lookup[str(kind.label)] = kind
    return lookup


def _decimal(text):
    """A finite number, or None for an empty cell; InvalidOperation otherwise (NaN, Infinity, text)."""
    if text == "":
        return None
    value = Decimal(text)
    if not value.is_finite():
        raise InvalidOperation(text)
    return value


def _labels(question):
    if question["kind"] == QuestionKind.SATISFACTION:
        return [label for _value, label, _score in SATISFACTION_LEVELS]
    return [label for label, _score in question["options"]]


def check_rows(rows):
    """Return ``(questions, errors)``; each question is a dict ready for ``services.add_question``."""
    kinds, questions, errors, seen = kind_lookup(), [], [], {}
    sections = []  # dimensions in order of first appearance, as they will be shown
    for number, cells in rows:
        row_errors = []
        if cells.get("section", "") not in sections:
            sections.append(cells.get("section", ""))

        def bad(key, reason, number=number, row_errors=row_errors):
            row_errors.append(RowError(number, _title(key), reason))

        for key in REQUIRED_COLUMNS:
            if not cells.get(key):
                bad(key, _("This cell is empty."))
        code, text = cells.get("code", ""), cells.get("text", "")
        if len(code) > 20:
            bad("code", _("The question number is longer than 20 characters."))
        elif code and code in seen:
            bad(
                "code",
                _("Question number %(code)s already appears in row %(row)d.") % {"code": code, "row": seen[code]},
            )
        if len(text) > 500:
            bad("text", _("The question is longer than 500 characters."))
        if len(cells.get("section", "")) > 100:
            bad("section", _("The dimension is longer than 100 characters."))
        kind = kinds.get(cells.get("kind", ""))
        if cells.get("kind") and kind is None:
            bad("kind", _("Unknown question type “%(kind)s”.") % {"kind": cells["kind"]})
        required = cells.get("required", "").lower()
        if required not in YES | NO:
            bad("required", _("Write 是 or 否."))
        options = []
        for part in [p.strip() for p in cells.get("options", "").split("|") if p.strip()]:
            label, _sep, score = part.partition("=")
            try:
                value = _decimal(score.strip())
            except InvalidOperation:
                value = None
                bad("options", _("The score of option “%(label)s” is not a number.") % {"label": label})
            if value is not None and not 0 <= value <= 100:
                bad("options", _("The score of option “%(label)s” must be from 0 to 100.") % {"label": label})
            if not label.strip() or len(label.strip()) > 200:
                bad("options", _("Every option needs a distinct text of at most 200 characters."))
            options.append((label.strip(), value))
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(options) < 2:
            bad("options", _("A choice question needs at least two options."))
        if kind is not None and kind not in CHOICE_KINDS and options:
            bad("options", _("Only choice questions have options."))
        if len({label for label, _score in options}) != len(options):
            bad("options", _("Two options have the same text."))
        bounds = {}
        for key in ("min", "max", "scale"):
            try:
                bounds[key] = _decimal(cells.get(key, ""))
            except InvalidOperation:
                bad(key, _("“%(value)s” is not a number.") % {"value": cells[key]})
                bounds[key] = None
        if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
            bad("max", _("The maximum is below the minimum."))
        for key in ("min", "max"):
            if bounds[key] is not None and abs(bounds[key]) >= NUMBER_LIMIT:
                bad(key, _("Give a number below one trillion with at most two decimal places."))
        if len(cells.get("help", "")) > 300:
            bad("help", _("The help text is longer than 300 characters."))
        scale = bounds["scale"]
        if scale is not None and (scale != scale.to_integral_value() or not 2 <= scale <= 10):
            bad("scale", _("A rating scale has 2 to 10 points."))
        show_if = None
        if condition := cells.get("show_if", ""):
            source, _sep, answer = condition.partition("=")
            earlier = next((q for q in questions if q["code"] == source.strip()), None)
            if earlier is not None and sections.index(earlier["section_title"]) > sections.index(
                cells.get("section", "")
            ):
                earlier = None  # in a later dimension: shown after this question, so it cannot decide it
            if not answer or earlier is None:
                bad(
                    "show_if",
                    _("Write the condition as an earlier question number and one of its options, e.g. Q3=是."),
                )
            elif answer.strip() not in _labels(earlier):
                bad(
                    "show_if",
                    _("Question %(code)s has no option “%(label)s”.")
                    % {"code": earlier["code"], "label": answer.strip()},
                )
            else:
                show_if = (earlier["code"], answer.strip())
        if code and code not in seen:
            seen[code] = number
        errors.extend(row_errors)
        questions.append(
            {
                "section_title": cells.get("section", ""),
                "code": code,
                "text": text,
                "kind": kind,
                "required": required in YES,
                "row": number,
                "help_text": cells.get("help", ""),
                "options": options,
                "min_value": bounds["min"],
                "max_value": bounds["max"],
                "scale_max": int(scale) if scale is not None else None,
                "show_if": show_if,
            }
        )
    if not rows:
        errors.append(RowError(2, _title("code"), _("The sheet has no questions.")))
    return questions, sorted(errors, key=lambda e: (e.row, e.column))


def read_and_check(uploaded):
    titles = column_titles()
    rows = read_rows(
        uploaded,
        headers={k: titles[k] for k in REQUIRED_COLUMNS},
        optional={k: v for k, v in titles.items() if k not in REQUIRED_COLUMNS},
        max_bytes=settings.QINGDAN_MAX_IMPORT_BYTES,
    )
    return check_rows(rows)


class _RowRefused(Exception):
    def __init__(self, error):
        super().__init__(error.reason)
        self.error = error


def import_questions(*, questionnaire, uploaded, actor, progress=None):
    """Replace the questions of an editable questionnaire with the file's, all or nothing.
    Returns the row errors; when there are any, nothing was written."""
    questions, errors = read_and_check(uploaded)
    if errors:
        return errors
    try:
        with transaction.atomic():
            services.lock_for_editing(questionnaire)
            Question.objects.filter(questionnaire=questionnaire).update(show_if_question=None, show_if_option=None)
            Question.objects.filter(questionnaire=questionnaire).delete()
            Section.objects.filter(questionnaire=questionnaire).delete()
            for done, question in enumerate(questions, start=1):
                row = question.pop("row")
                try:
                    services.add_question(questionnaire=questionnaire, actor=actor, **question)
                except Refused as refused:  # a rule the row check does not repeat
                    raise _RowRefused(RowError(row, _title("code"), refused.message)) from None
                if progress:
                    progress(done, len(questions))
            record(
                action="surveys.questions_imported",
                actor=actor,
                obj=questionnaire,
                org_unit=questionnaire.owner_unit,
                after={"file": getattr(uploaded, "name", ""), "questions": len(questions)},
            )
    except _RowRefused as refused:
        return [refused.error]
    return []


def questionnaire_xlsx(questionnaire):
    """The questionnaire in the import layout."""
    titles = column_titles()
    header = [titles[key][0] for key, _label in COLUMNS]

    def number(value):
        return "" if value is None else f"{value.normalize():f}"

    rows = []
    for q in (
        questionnaire.questions.select_related("section", "show_if_question", "show_if_option")
        .prefetch_related("options")
        .order_by("section__position", "position", "id")
    ):
        options = (
            ""
            if q.kind == QuestionKind.SATISFACTION
            else "|".join(o.label if o.score is None else f"{o.label}={number(o.score)}" for o in q.options.all())
        )
        condition = (
            f"{q.show_if_question.code}={q.show_if_option.label}"
            if q.show_if_question_id and q.show_if_option_id
            else ""
        )
        with override("zh-hans"):
            kind = str(QuestionKind(q.kind).label)
        rows.append(
            [
                q.section.title,
                q.code,
                q.text,
                kind,
                "是" if q.required else "否",
                options,
                number(q.min_value),
                number(q.max_value),
                q.scale_max or "",
                q.help_text,
                condition,
            ]
        )
    return write_workbook(_("Questionnaire"), header, rows)

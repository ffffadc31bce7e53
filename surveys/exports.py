"""Raw responses and statistics as .xlsx."""

from itertools import groupby

from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan import spreadsheets
from qingdan.spreadsheets import write_sheets, write_workbook
from surveys import stats
from surveys.models import Answer, QuestionKind


def _cell(answers):
    parts = []
    for a in answers:
        if a.option_id is not None:
            parts.append(a.option.label)
        elif a.number is not None:
            parts.append(f"{a.number.normalize():f}")
        else:
            parts.append(a.text)
    return "、".join(parts)


def responses_xlsx(questionnaire, responses):
    """One row per final response, one column per question."""
    questions = list(questionnaire.questions.order_by("section__position", "position", "id"))
    header = [_("Respondent"), _("Submitted")] + [q.code for q in questions]
    answers = (
        Answer.objects.filter(response__in=responses.values("pk"))
        .select_related("option", "response__target__org_unit")
        .order_by("response_id", "question_id", "id")
    )

    def rows():
        for _response_id, group in groupby(answers.iterator(chunk_size=5000), key=lambda a: a.response_id):
            group = list(group)
            response = group[0].response
            who = response.target.org_unit.name if response.target_id else f"#{response.pk}"
            by_question = {k: list(v) for k, v in groupby(group, key=lambda a: a.question_id)}
            yield [who, timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M")] + [
                _cell(by_question.get(q.pk, [])) for q in questions
            ]

    return write_workbook(_("Responses"), header, rows())


def statistics_xlsx(questionnaire, responses):
    """Three sheets: per question and option, per dimension, per unit."""
    figures = stats.question_figures(questionnaire, responses)
    question_rows = []
    for f in figures:
        q = f.question
        mean = round(f.mean, 2) if f.mean is not None else ""
        if f.options:
            for option, count, share in f.options:
                question_rows.append(
                    [q.code, q.text, option.label, spreadsheets.count(count), spreadsheets.percent(share), ""]
                )
        else:
            question_rows.append(
                [q.code, q.text, "", f.answered, "", mean if q.kind != QuestionKind.SHORT_TEXT else ""]
            )
    sections = list(questionnaire.sections.all())
    overall = stats.dimension_scores(responses)
    dimension_rows = [[s.title, round(overall[s.pk], 2) if s.pk in overall else ""] for s in sections]
    by_unit = stats.dimension_scores(responses, by_unit=True)
    from orgs.models import OrgUnit

    units = OrgUnit.objects.in_bulk([pk for pk in by_unit if pk is not None])
    unit_rows = []
    for unit_id, scores in sorted(by_unit.items(), key=lambda item: units[item[0]].path if item[0] in units else ""):
        if unit_id is None:
            continue
        total = stats.overall(scores)
        unit_rows.append(
            [units[unit_id].code, units[unit_id].name]
            + [round(scores[s.pk], 2) if s.pk in scores else "" for s in sections]
            + [round(total, 2) if total is not None else ""]
        )
    if unit_rows:
        # The scores are means: the last row is the mean over every response (labelled so), not a sum.
        whole = stats.overall(overall)
        unit_rows.append(
            [spreadsheets.total_label(_("Mean")), spreadsheets.total_label(_("All final responses"))]
            + [
                spreadsheets.Figure(round(overall[s.pk], 2), spreadsheets.POINTS_FORMAT, True)
                if s.pk in overall
                else ""
                for s in sections
            ]
            + [spreadsheets.Figure(round(whole, 2), spreadsheets.POINTS_FORMAT, True) if whole is not None else ""]
        )
    return write_sheets(
        [
            (
                _("By question"),
                [_("Question number"), _("Question"), _("Option"), _("Count"), _("Share (%)"), _("Mean")],
                question_rows,
            ),
            (_("By dimension"), [_("Dimension"), _("Score")], dimension_rows),
            (_("By unit"), [_("Unit code"), _("Unit name")] + [s.title for s in sections] + [_("Overall")], unit_rows),
        ]
    )

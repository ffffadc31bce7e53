"""Seed 001 at full size: a 56-question, 5-dimension questionnaire from .xlsx, sent to 120 county
unions, 100 of which answer; completeness, dimension scores and the exported statistics are
checked against figures computed here from the answers the test itself gave."""

import io
import random
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from orgs.models import OrgKind, Role
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan import clock
from qingdan.errors import Refused
from surveys import exports, services, stats
from surveys.imports import import_questions
from surveys.models import Question, QuestionKind
from surveys.tests.helpers import DIMENSIONS, heilongjiang_rows, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    root = OrgUnitFactory(code="HLJ", name="黑龙江省总工会", kind=OrgKind.PROVINCE)
    counties = []
    for c in range(13):
        city = OrgUnitFactory(code=f"HLJ-C{c:02d}", name=f"第{c + 1}市总工会", kind=OrgKind.CITY, parent=root)
        for k in range(10 if c < 3 else 9):
            counties.append(
                OrgUnitFactory(
                    code=f"HLJ-C{c:02d}-K{k}", name=f"第{c + 1}市第{k + 1}县总工会", kind=OrgKind.COUNTY, parent=city
                )
            )
    office = UserFactory(username="hlj-office", org_unit=root, roles=[Role.OFFICE])
    return root, counties, office


def answer_plan(questions, rng):
    """Random answers for one unit, as form data, obeying every rule of the questionnaire."""
    raw, picked = {}, {}
    for q in questions:
        if q.show_if_option_id and q.show_if_option_id not in picked.get(q.show_if_question_id, set()):
            continue
        options = list(q.options.all())
        if q.kind == QuestionKind.SINGLE:
            choice = rng.choice(options)
            raw[q.pk] = [choice.value]
            picked[q.pk] = {choice.pk}
        elif q.kind == QuestionKind.MULTIPLE:
            raw[q.pk] = [o.value for o in rng.sample(options, rng.randint(0, len(options)))]
        elif q.kind == QuestionKind.RATING:
            raw[q.pk] = [str(rng.randint(1, q.scale_max))]
        elif q.kind == QuestionKind.NUMBER:
            raw[q.pk] = [str(rng.randint(0, 1000))] if rng.random() < 0.8 else []
        else:
            raw[q.pk] = ["已制定整改计划"]
    return raw


def expected_scores(questions, plans):
    """The dimension scores worked out by hand from the plans: the mean of the 0–100 points of
    every scored answer (choice: option score; rating r of 5: (r − 1) × 25)."""
    by_pk = {q.pk: q for q in questions}
    points = {d: [] for d in DIMENSIONS}
    per_unit = {}
    for unit, raw in plans.items():
        unit_points = {d: [] for d in DIMENSIONS}
        for pk, values in raw.items():
            q = by_pk[pk]
            if q.kind == QuestionKind.SINGLE:
                score = {o.value: o.score for o in q.options.all()}[values[0]]
                value = float(score)
            elif q.kind == QuestionKind.RATING:
                value = (int(values[0]) - 1) * 100 / (q.scale_max - 1)
            else:
                continue
            points[q.section.title].append(value)
            unit_points[q.section.title].append(value)
        per_unit[unit] = {d: sum(v) / len(v) for d, v in unit_points.items()}
    return {d: sum(v) / len(v) for d, v in points.items()}, per_unit


def test_56_questions_to_120_counties_100_answer(province):
    root, counties, office = province
    questionnaire = services.create_questionnaire(title="县级工会建设情况调查", owner_unit=root, actor=office)
    assert import_questions(questionnaire=questionnaire, uploaded=xlsx(heilongjiang_rows()), actor=office) == []
    questions = list(
        Question.objects.filter(questionnaire=questionnaire)
        .select_related("section")
        .prefetch_related("options")
        .order_by("section__position", "position")
    )
    assert len(questions) == 56
    assert [s.title for s in questionnaire.sections.all()] == DIMENSIONS

    today = clock.today()
    distribution = services.distribute(
        questionnaire=questionnaire,
        title="2026年县级工会调查",
        units=counties,
        opens_on=today,
        closes_on=today + timedelta(days=30),
        actor=office,
    )
    assert distribution.targets.count() == 120

    rng = random.Random(2026)
    plans = {}
    for target in distribution.targets.select_related("org_unit").order_by("org_unit__path")[:100]:
        plans[target.org_unit_id] = answer_plan(questions, rng)
        reporter = UserFactory(org_unit=target.org_unit, roles=[Role.REPORTER])
        services.save_unit_response(
            target=target, raw=plans[target.org_unit_id], actor=reporter, submit=True, version=target.version
        )

    total, regions = stats.completeness(distribution)
    assert (total.expected, total.submitted, total.on_time, total.late) == (120, 100, 100, 0)
    assert total.rate == pytest.approx(100 / 120)
    assert [(region.name, c.submitted, c.expected) for region, c in regions][:4] == [
        ("第1市总工会", 10, 10),
        ("第2市总工会", 10, 10),
        ("第3市总工会", 10, 10),
        ("第4市总工会", 9, 9),
    ]
    assert sum(c.expected for _r, c in regions) == 120

    responses = stats.final_responses(questionnaire, distribution=distribution)
    overall, per_unit = expected_scores(questions, plans)
    sections = {s.title: s.pk for s in questionnaire.sections.all()}
    computed = stats.dimension_scores(responses)
    for dimension, value in overall.items():
        assert computed[sections[dimension]] == pytest.approx(value)
    by_unit = stats.dimension_scores(responses, by_unit=True)
    for unit_id, scores in per_unit.items():
        for dimension, value in scores.items():
            assert by_unit[unit_id][sections[dimension]] == pytest.approx(value)

    book = load_workbook(io.BytesIO(exports.statistics_xlsx(questionnaire, responses)))
    dimension_sheet = list(book.worksheets[1].iter_rows(values_only=True))
    assert dimension_sheet[0] == ("维度", "得分")
    assert [(row[0], row[1]) for row in dimension_sheet[1:]] == [(d, round(overall[d], 2)) for d in DIMENSIONS]
    unit_sheet = list(book.worksheets[2].iter_rows(values_only=True))
    assert len(unit_sheet) == 1 + 100 + 1  # the header, the units, the mean over every response
    assert unit_sheet[-1][0] == "平均值"
    assert list(unit_sheet[-1][2:7]) == [round(overall[d], 2) for d in DIMENSIONS]
    first_unit = next(u for u in counties if u.pk in per_unit)
    first_row = next(r for r in unit_sheet if r[0] == first_unit.code)
    assert list(first_row[2:7]) == [round(per_unit[first_unit.pk][d], 2) for d in DIMENSIONS]
    assert first_row[7] == round(sum(per_unit[first_unit.pk].values()) / 5, 2)

    # Per-question counts in the export equal the counts of the plans.
    q1 = questions[0]
    yes = sum(1 for raw in plans.values() if raw[q1.pk] == ["o1"])
    question_sheet = list(book.worksheets[0].iter_rows(values_only=True))
    # 100 answered: the share is a number (yes ÷ 100) that the sheet shows as a percentage
    assert (q1.code, q1.text, "是", yes, yes / 100, None) in question_sheet


def test_a_condition_on_a_question_of_a_later_dimension_is_refused(office):
    questionnaire = services.create_questionnaire(title="调查", owner_unit=office.org_unit, actor=office)
    services.add_question(
        questionnaire=questionnaire, section_title="甲", code="Q1", text="一", kind="number", actor=office
    )
    services.add_question(
        questionnaire=questionnaire,
        section_title="乙",
        code="Q2",
        text="二",
        kind="single",
        options=[("是", None), ("否", None)],
        actor=office,
    )
    with pytest.raises(Refused, match="不在本题之前"):
        services.add_question(
            questionnaire=questionnaire,
            section_title="甲",
            code="Q3",
            text="三",
            kind="number",
            show_if=("Q2", "是"),
            actor=office,
        )
    rows = [
        ["甲", "Q1", "一", "数字", "是", "", "", "", "", "", ""],
        ["乙", "Q2", "二", "单选题", "是", "是|否", "", "", "", "", ""],
        ["甲", "Q3", "三", "数字", "是", "", "", "", "", "", "Q2=是"],
    ]
    errors = import_questions(questionnaire=questionnaire, uploaded=xlsx(rows), actor=office)
    assert [(e.row, e.column) for e in errors] == [(4, "显示条件")]

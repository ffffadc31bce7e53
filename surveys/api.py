"""Surveys in the API: questionnaires, distribution, completeness, statistics, responses."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema, Status
from pydantic import StringConstraints

from audit.services import client_ip
from orgs.models import OrgKind, OrgUnit, Role
from orgs.queries import get_visible_or_404, visible_units, within
from qingdan.api import ApiError
from qingdan.errors import Refused
from qingdan.text import LONG_TEXT
from surveys import services, stats
from surveys.models import Poll, PollMode, QuestionKind, QuestionnaireKind
from surveys.queries import (
    get_distribution,
    get_questionnaire,
    get_target,
    visible_final_responses,
    visible_questionnaires,
)
from surveys.validation import AnswersInvalid

router = Router(tags=["surveys"])


def _require(request, *roles):
    if not request.user.has_role(*roles):
        raise PermissionDenied


# An answer by question code: a text, a number, or the option values picked.
QuestionCode = Annotated[str, StringConstraints(max_length=20)]
Answer = (
    Annotated[str, StringConstraints(max_length=LONG_TEXT)]
    | int
    | float
    | Annotated[list[Annotated[str, StringConstraints(max_length=40)]], Field(max_length=100)]
)


class OptionIn(Schema):
    label: str = Field(max_length=200)
    score: Decimal | None = Field(None, max_digits=5, decimal_places=2)


class ConditionIn(Schema):
    code: str = Field(max_length=20)
    option: str = Field(max_length=200)


class QuestionIn(Schema):
    section: str = Field(max_length=100)
    code: str = Field(max_length=20)
    text: str = Field(max_length=500)
    kind: QuestionKind
    required: bool = True
    help_text: str = Field("", max_length=300)
    options: list[OptionIn] = []
    min_value: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    max_value: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    scale_max: int | None = None
    show_if: ConditionIn | None = None


class QuestionnaireIn(Schema):
    title: str = Field(max_length=200)
    kind: QuestionnaireKind = QuestionnaireKind.UNIT
    description: str = Field("", max_length=2000)
    questions: list[QuestionIn]


class OptionOut(Schema):
    value: str
    label: str
    score: Decimal | None


class QuestionOut(Schema):
    id: int
    code: str
    section: str
    text: str
    kind: QuestionKind
    required: bool
    options: list[OptionOut]

    @staticmethod
    def resolve_section(question):
        return question.section.title

    @staticmethod
    def resolve_options(question):
        return list(question.options.all())


class QuestionnaireOut(Schema):
    id: int
    title: str
    kind: QuestionnaireKind
    version: int
    owner_unit: str

    @staticmethod
    def resolve_owner_unit(questionnaire):
        return questionnaire.owner_unit.code


class QuestionnaireDetail(QuestionnaireOut):
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(questionnaire):
        return list(
            questionnaire.questions.select_related("section")
            .prefetch_related("options")
            .order_by("section__position", "position")
        )


@router.get("/surveys/questionnaires", response=list[QuestionnaireOut])
def list_questionnaires(request):
    _require(request, Role.OFFICE, Role.LEADER)
    return list(visible_questionnaires(request.user))


@router.post("/surveys/questionnaires", response={201: QuestionnaireDetail})
def create_questionnaire(request, payload: QuestionnaireIn):
    """Create a questionnaire with its questions in one go; nothing is kept if one question is refused."""
    _require(request, Role.OFFICE)
    with transaction.atomic():
        questionnaire = services.create_questionnaire(
            title=payload.title,
            kind=payload.kind,
            description=payload.description,
            owner_unit=request.user.org_unit,
            actor=request.user,
        )
        for q in payload.questions:
            services.add_question(
                questionnaire=questionnaire,
                section_title=q.section,
                code=q.code,
                text=q.text,
                kind=q.kind,
                required=q.required,
                help_text=q.help_text,
                options=[(o.label, o.score) for o in q.options],
                min_value=q.min_value,
                max_value=q.max_value,
                scale_max=q.scale_max,
                show_if=(q.show_if.code, q.show_if.option) if q.show_if else None,
                actor=request.user,
            )
    return Status(201, questionnaire)


@router.get("/surveys/questionnaires/{questionnaire_id}", response=QuestionnaireDetail)
def get_questionnaire_detail(request, questionnaire_id: int):
    _require(request, Role.OFFICE, Role.LEADER)
    return get_questionnaire(request.user, questionnaire_id)


class DistributionIn(Schema):
    title: str = Field(max_length=200)
    kind: OrgKind
    root_code: str = Field(max_length=OrgUnit.CODE_MAX)
    opens_on: date
    closes_on: date


class DistributionOut(Schema):
    id: int
    title: str
    targets: int

    @staticmethod
    def resolve_targets(distribution):
        return distribution.targets.count()


@router.post("/surveys/questionnaires/{questionnaire_id}/distributions", response={201: DistributionOut})
def distribute(request, questionnaire_id: int, payload: DistributionIn):
    """Send to every visible unit of ``kind`` under the unit ``root_code``."""
    _require(request, Role.OFFICE)
    questionnaire = get_questionnaire(request.user, questionnaire_id)
    root = get_visible_or_404(request.user, visible_units(request.user), "", code=payload.root_code)
    units = visible_units(request.user).filter(within(root), kind=payload.kind)
    distribution = services.distribute(
        questionnaire=questionnaire,
        title=payload.title,
        units=units,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        actor=request.user,
    )
    return Status(201, distribution)


class CompletenessOut(Schema):
    expected: int
    submitted: int
    on_time: int
    late: int
    rate: float | None


class RegionOut(CompletenessOut):
    region: str


class CompletenessReport(Schema):
    total: CompletenessOut
    regions: list[RegionOut]


@router.get("/surveys/distributions/{distribution_id}/completeness", response=CompletenessReport)
def completeness(request, distribution_id: int):
    _require(request, Role.OFFICE, Role.LEADER)
    distribution = get_distribution(request.user, distribution_id)
    total, regions = stats.completeness(distribution)
    return {"total": total, "regions": [{"region": r.code, **vars(c), "rate": c.rate} for r, c in regions]}


class OptionFigure(Schema):
    value: str
    label: str
    count: int
    share: float | None


class QuestionFigure(Schema):
    code: str
    answered: int
    mean: float | None
    options: list[OptionFigure]


class StatisticsOut(Schema):
    responses: int
    dimensions: dict[str, float]
    units: dict[str, dict[str, float]]
    questions: list[QuestionFigure]


@router.get("/surveys/questionnaires/{questionnaire_id}/statistics", response=StatisticsOut)
def statistics(request, questionnaire_id: int, distribution: int | None = None):
    """Dimension scores (0–100) overall and per unit code, and per-question figures."""
    _require(request, Role.OFFICE, Role.LEADER)
    questionnaire = get_questionnaire(request.user, questionnaire_id)
    scope = get_distribution(request.user, distribution) if distribution else None
    if scope is not None and scope.questionnaire_id != questionnaire.pk:
        raise ApiError(404, "not_found", "")
    responses = visible_final_responses(request.user, questionnaire, distribution=scope)
    titles = {s.pk: s.title for s in questionnaire.sections.all()}
    by_unit = stats.dimension_scores(responses, by_unit=True)
    codes = dict(visible_units(request.user).filter(pk__in=[k for k in by_unit if k]).values_list("pk", "code"))
    return {
        "responses": responses.count(),
        "dimensions": {titles[k]: v for k, v in stats.dimension_scores(responses).items()},
        "units": {codes[u]: {titles[k]: v for k, v in s.items()} for u, s in by_unit.items() if u in codes},
        "questions": [
            {
                "code": f.question.code,
                "answered": f.answered,
                "mean": f.mean,
                "options": [
                    {"value": str(o.value), "label": o.label, "count": n, "share": share} for o, n, share in f.options
                ],
            }
            for f in stats.question_figures(questionnaire, responses)
        ],
    }


class ResponseIn(Schema):
    answers: dict[QuestionCode, Answer]
    submit: bool = False
    version: int


class TargetOut(Schema):
    id: int
    status: str
    version: int


def _raw(questionnaire, answers):
    """``{question code: value or [values]}`` → ``{question id: [strings]}``; unknown codes are refused."""
    ids = dict(questionnaire.questions.values_list("code", "pk"))
    unknown = sorted(set(answers) - set(ids))
    if unknown:
        raise ApiError(422, "unknown_question", f"未知的题号：{'、'.join(unknown)}")
    return {
        ids[code]: [str(v) for v in (value if isinstance(value, list) else [value])] for code, value in answers.items()
    }


@router.post("/surveys/tasks/{target_id}/response", response=TargetOut)
def save_response(request, target_id: int, payload: ResponseIn):
    """A unit reporter saves a draft (``submit: false``) or submits. ``version`` is the task's version as
    read: a stale one gets 409 and nothing is stored."""
    _require(request, Role.REPORTER)
    target = get_target(request.user, target_id)
    raw = _raw(target.distribution.questionnaire, payload.answers)
    try:
        return services.save_unit_response(
            target=target, raw=raw, actor=request.user, submit=payload.submit, version=payload.version
        )
    except AnswersInvalid as invalid:
        raise ApiError(422, "invalid_answers", "；".join(invalid.errors.values())) from None


class PollAnswerIn(Schema):
    token: str = Field("", max_length=24)
    answers: dict[QuestionCode, Answer]


@router.post("/surveys/polls/{slug}/responses", auth=None, response={201: dict})
def answer_poll(request, payload: PollAnswerIn, slug: str = Path(max_length=20)):
    """An anonymous worker's answer with a one-time token (open links are answered on their page)."""
    poll = get_object_or_404(Poll.objects.select_related("questionnaire"), slug=slug)
    if poll.mode != PollMode.TOKENS:
        # An open link counts one answer per phone, which only its page can tell.
        raise ApiError(409, "refused", "公开链接的测评请在手机页面上作答。")
    raw = _raw(poll.questionnaire, payload.answers)
    try:
        services.submit_poll_response(poll=poll, raw=raw, token=payload.token, address=client_ip(request) or "")
    except AnswersInvalid as invalid:
        raise ApiError(422, "invalid_answers", "；".join(invalid.errors.values())) from None
    except Refused as refused:
        raise ApiError(409, "refused", refused.message) from None
    return Status(201, {"code": "received"})

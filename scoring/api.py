"""Assessment in the API: rubrics with their section tree, rounds, results with the drill-down from
every score to its metric value and records, and the round's actions. Every read goes through
``scoring.queries`` (outside the user's organisation: 404); every change calls ``scoring.workflow``:
a refusal is 422 ``refused`` with the reason, a stale ``version`` is 409 ``conflict``.

The shapes it answers and takes are in ``scoring.api_schemas``."""

from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Router, Status

from evidence.models import Evidence
from jobs.models import JobStatus
from orgs.models import OrgUnit
from qingdan import metrics
from qingdan.api import ApiError
from qingdan.errors import Conflict, Refused
from scoring import drill, explain, permissions, queries, rubrics, workflow
from scoring.api_schemas import (
    AdjustIn,
    ComputeIn,
    ComputeOut,
    ResultOut,
    ReviewIn,
    RoundDetail,
    RoundOut,
    RubricDetail,
    RubricOut,
    ScoreOut,
    SelfIn,
    StepIn,
    UnitResultOut,
)
from scoring.jobs import start_compute
from scoring.models import Kind, Result, Score, Section

router = Router(tags=["scoring"])


# --- rubrics ---------------------------------------------------------------------------------


def _metric_label(key):
    if not key:
        return ""
    entry = metrics.get(key)
    return str(entry.label) if entry is not None else key


def _criterion(criterion):
    return {
        "id": criterion.pk,
        "name": criterion.name,
        "description": criterion.description,
        "kind": criterion.kind,
        "kind_label": str(criterion.get_kind_display()),
        "max_points": criterion.max_points,
        "computed": criterion.is_computed,
        "metric": criterion.metric,
        "metric_label": _metric_label(criterion.metric),
        "tiers": criterion.tiers,
        "points_each": criterion.points_each,
        "cap": criterion.cap,
        "condition_by": criterion.condition_by,
        "reason_required": criterion.reason_required,
    }


def _sections(nodes):
    return [
        {
            "id": section.pk,
            "name": section.name,
            "max_points": section.max_points,
            "floor": section.floor,
            "criteria": [_criterion(c) for c in criteria],
            "children": _sections(children),
        }
        for section, criteria, children in nodes
    ]


@router.get("/scoring/rubrics", response=list[RubricOut])
def list_rubrics(request):
    """Rubrics of the user's office and of the offices above it (by which it is assessed)."""
    return list(queries.visible_rubrics(request.user))


@router.get("/scoring/rubrics/{rubric_id}", response=RubricDetail)
def read_rubric(request, rubric_id: int):
    """A rubric with its section tree and criteria, the points computed from records and judged by
    hand, and what keeps it from being used (``problems``)."""
    rubric = queries.get_rubric(request.user, rubric_id)
    computed, manual = rubrics.shares(rubric)
    full = rubric.full_marks or Decimal(1)
    rubric.computed_points, rubric.manual_points = computed, manual
    rubric.computed_share = round(float(computed * 100 / full), 1)
    rubric.manual_share = round(float(manual * 100 / full), 1)
    rubric.problems = rubrics.problems(rubric)
    rubric.sections_tree = _sections(rubrics.tree(rubric))
    return rubric


# --- rounds ----------------------------------------------------------------------------------


@router.get("/scoring/rounds", response=list[RoundOut])
def list_rounds(request):
    """Rounds the user's office runs and rounds that assess the user's unit or a unit above it."""
    return list(queries.visible_rounds(request.user))


@router.get("/scoring/rounds/{round_id}", response=RoundDetail)
def read_round(request, round_id: int):
    return queries.get_round(request.user, round_id)


def _section_names(round):
    return {s.pk: s.name for s in Section.objects.filter(rubric=round.rubric_id, parent__isnull=True)}


def _result(result, top):
    return {
        "rank": result.rank,
        "unit": result.unit.code,
        "unit_name": result.unit.name,
        "sections": [
            {"section": pk, "name": name, "points": Decimal(result.section_points.get(str(pk), "0"))}
            for pk, name in top.items()
        ],
        "total": result.total,
        "grade": result.grade,
        "grade_label": explain.grade_word(result.grade) if result.grade else "",
        "vetoed": result.vetoed,
        "fund_amount": result.fund_amount,
        "fund_note": result.fund_note,
        "self_submitted_at": result.self_submitted_at,
    }


@router.get("/scoring/rounds/{round_id}/results", response=list[ResultOut])
def list_results(request, round_id: int):
    """The results by rank: points of each top section, total, grade, veto, fund amount and how it was
    worked out. Before publication an assessed unit sees only its own row."""
    round = queries.get_round(request.user, round_id)
    top = _section_names(round)
    return [_result(r, top) for r in queries.visible_results(request.user, round).order_by("rank", "unit__path")]


def _score(score, criterion, section_name, *, round, shown, user, values=None):
    """``shown``: the user may read the records and the evidence (``drill.records_visible``); ``values``:
    today's metric values of the unit by key, when the caller has them already. A record's url is given only
    when ``user`` may open its page (``drill.linked_for``)."""
    entry = metrics.get(criterion.metric) if criterion.metric else None
    records = changed = None
    if shown and entry is not None and entry.records_of is not None:
        records = drill.linked_for(user, entry.records_of(score.unit, round.period_start, round.period_end))
        now = values[criterion.metric] if values is not None else drill.values_now(entry, score.unit, round)
        changed = drill.drift(entry, score, now)
    has_value = criterion.is_computed and score.computed is not None
    rate = None
    if criterion.kind in (Kind.RATIO, Kind.TIERED) and score.denominator:
        rate = score.numerator / score.denominator
    return {
        "id": score.pk,
        "section": criterion.section_id,
        "section_name": section_name,
        "criterion": criterion.pk,
        "criterion_name": criterion.name,
        "kind": criterion.kind,
        "max_points": criterion.max_points,
        "computed_from_records": criterion.is_computed,
        "metric": criterion.metric,
        "metric_label": _metric_label(criterion.metric),
        "numerator": score.numerator,
        "denominator": score.denominator,
        "count": score.numerator if has_value and criterion.kind in (Kind.PER_OCCURRENCE, Kind.VETO) else None,
        "rate": rate,
        "day": score.day,
        "computed": score.computed,
        "self_points": score.self_points,
        "self_reason": score.self_reason,
        "self_day": score.self_day,
        "reviewed": score.reviewed,
        "review_reason": score.review_reason,
        "adjusted": score.adjusted,
        "adjust_reason": score.adjust_reason,
        "vetoed": score.vetoed,
        "points": score.points,
        "how": explain.steps(criterion, score),
        "source": explain.source(criterion, score)[0],
        "records_shown": shown,
        "records_note": "" if shown else str(drill.RECORDS_HIDDEN),
        "records": [
            {"day": r.day, "text": r.text, "url": r.url, "counted": r.counted}
            for r in (records.rows if records else [])
        ],
        "records_total": records.total if records else 0,
        "records_changed": {
            "then": changed.then,
            "now": changed.now,
            "counted_only": changed.counted_only,
            "message": changed.message,
        }
        if changed
        else None,
        "evidence": sorted(e.pk for e in score.evidence.all()) if shown else [],
        "history": [
            {
                "stage": change.stage,
                "stage_label": str(change.get_stage_display()),
                "before": change.before,
                "after": change.after,
                "reason": change.reason,
                "actor": change.actor.display_name,
                "at": change.at,
            }
            for change in score.changes.all()
        ],
        "version": score.version,
    }


def _unit_result(user, round, unit_code):
    try:
        result = queries.visible_results(user, round).get(unit__code=unit_code)
    except Result.DoesNotExist:
        raise Http404 from None
    top = _section_names(round)
    names = {s.pk: s.name for s in Section.objects.filter(rubric=round.rubric_id)}
    order = {c.pk: n for n, c in enumerate(rubrics.all_criteria(round.rubric))}
    scores = sorted(
        Score.objects.filter(round=round, unit=result.unit_id)
        .select_related("criterion", "unit", "round")
        .prefetch_related("evidence", "changes__actor"),
        key=lambda s: order.get(s.criterion_id, len(order)),
    )
    shown = drill.records_visible(user, round, result.unit)
    values = {}
    if shown:  # each metric asked once for the unit, however many criteria read it
        for key in {s.criterion.metric for s in scores if s.criterion.metric}:
            entry = metrics.get(key)
            values[key] = drill.values_now(entry, result.unit, round) if entry is not None else None
    return {
        **_result(result, top),
        "round": round.pk,
        "scores": [
            _score(
                s,
                s.criterion,
                names.get(s.criterion.section_id, ""),
                round=round,
                shown=shown,
                user=user,
                values=values,
            )
            for s in scores
        ],
    }


@router.get("/scoring/rounds/{round_id}/results/{unit}", response=UnitResultOut)
def read_result(request, round_id: int, unit: str = Path(max_length=OrgUnit.CODE_MAX)):
    """One unit's result (``unit`` is its code) with every score: the metric value, how the points follow,
    the records behind it and the history of every hand-entered change."""
    round = queries.get_round(request.user, round_id)
    return _unit_result(request.user, round, unit)


def _visible_score(user, score_id):
    """The score if the user sees its round and its unit's result; else 404."""
    score = Score.objects.filter(pk=score_id).only("round", "unit").first()
    if score is None:
        raise Http404
    round = queries.get_round(user, score.round_id)
    queries.get_result(user, round, score.unit_id)
    return Score.objects.select_related("criterion__section", "unit", "round").get(pk=score_id)


def _score_out(user, score_id):
    score = (
        Score.objects.select_related("criterion__section", "unit", "round__owner_unit")
        .prefetch_related("evidence", "changes__actor")
        .get(pk=score_id)
    )
    round = score.round
    shown = drill.records_visible(user, round, score.unit)
    return _score(score, score.criterion, score.criterion.section.name, round=round, shown=shown, user=user)


@router.get("/scoring/scores/{score_id}", response=ScoreOut)
def read_score(request, score_id: int):
    """One score's drill-down: metric value, how the points follow, the records and the history."""
    _visible_score(request.user, score_id)
    return _score_out(request.user, score_id)


# --- actions ---------------------------------------------------------------------------------


@router.post("/scoring/rounds/{round_id}/compute", response={200: ComputeOut, 202: ComputeOut})
def compute(request, round_id: int, payload: ComputeIn):
    """Fill in every criterion computed from records, then totals, ranks, grades and funds (office of the
    round), as a background job. Running it again on the same records changes nothing (``changed``: 0).
    With a worker the answer is 202 with the queued ``job`` (``changed`` null; its page shows the progress);
    without one the job has run and the answer is 200."""
    round = queries.get_round(request.user, round_id)
    if not permissions.is_round_office(request.user, round):
        raise Refused(_("Only the office running the round can compute it."))
    job = start_compute(round, user=request.user, request=request, reason=payload.reason)
    if job.status == JobStatus.FAILED:
        raise (Conflict if job.result.get("error") == "conflict" else Refused)(job.message)
    done = job.status == JobStatus.SUCCEEDED
    return Status(
        200 if done else 202,
        {
            "changed": job.result.get("changed") if done else None,
            "round": queries.get_round(request.user, round_id),
            "job": {"id": job.pk, "status": job.status, "url": reverse("jobs:detail", args=[job.pk])},
        },
    )


STEPS = {
    "open_self_assessment": workflow.open_self_assessment,
    "start_review": workflow.start_review,
    "publish": workflow.publish,
}


@router.post("/scoring/rounds/{round_id}/steps/{step}", response=RoundDetail)
def step(request, round_id: int, step: Literal["open_self_assessment", "start_review", "publish"], payload: StepIn):
    """Move the round on: ``open_self_assessment`` (computes and asks the units), ``start_review``, ``publish``
    (computes a last time, freezes the results and numbers the bulletin). ``version`` from the round read."""
    round = queries.get_round(request.user, round_id)
    STEPS[step](round=round, actor=request.user, version=payload.version)
    return queries.get_round(request.user, round_id)


@router.post("/scoring/rounds/{round_id}/self-assessment/submit", response=ResultOut)
def submit_self_assessment(request, round_id: int):
    """The signed-in user's unit says its self-assessment is complete."""
    round = queries.get_round(request.user, round_id)
    result = round.results.select_related("unit").filter(unit=request.user.org_unit_id).first()
    if result is None:
        raise Http404
    workflow.submit_self_assessment(result=result, actor=request.user)
    result.refresh_from_db()
    return _result(result, _section_names(round))


@router.post("/scoring/scores/{score_id}/self", response=ScoreOut)
def self_assess(request, score_id: int, payload: SelfIn):
    """The assessed unit scores a criterion judged by hand, with its reason and evidence from its library;
    a condition takes the day it was met (``met_on``) instead of points."""
    score = _visible_score(request.user, score_id)
    evidence = list(Evidence.objects.filter(owner_unit=request.user.org_unit_id, pk__in=payload.evidence))
    if len(evidence) != len(set(payload.evidence)):
        raise ApiError(422, "refused", _("Only your own unit's evidence can be attached."))
    workflow.self_assess(
        score=score,
        actor=request.user,
        reason=payload.reason,
        points=payload.points,
        met_on=payload.met_on,
        evidence=evidence,
        version=payload.version,
    )
    return _score_out(request.user, score_id)


@router.post("/scoring/scores/{score_id}/review", response=ScoreOut)
def review(request, score_id: int, payload: ReviewIn):
    """A reviewer of the round's office scores a criterion judged by hand (初审), or decides a veto."""
    score = _visible_score(request.user, score_id)
    workflow.review(
        score=score,
        actor=request.user,
        reason=payload.reason,
        points=payload.points,
        vetoed=payload.vetoed,
        version=payload.version,
    )
    return _score_out(request.user, score_id)


@router.post("/scoring/scores/{score_id}/adjust", response=ScoreOut)
def adjust(request, score_id: int, payload: AdjustIn):
    """The office sets any score with a reason; after publication this is a recorded change and the
    published results move with it."""
    score = _visible_score(request.user, score_id)
    workflow.adjust(
        score=score, actor=request.user, points=payload.points, reason=payload.reason, version=payload.version
    )
    return _score_out(request.user, score_id)

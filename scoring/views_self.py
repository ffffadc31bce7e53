"""A unit's self-assessment (自评) and the reviewers' page for one unit (初审), with the files attached to
a score.

The assessed unit scores the criteria judged by hand, with a reason and evidence (uploaded here or picked
from its library); a refused entry keeps none of the files uploaded with it. The round's reviewers then
set the reviewed points or decide a veto. Every change goes through ``scoring.workflow``; the forms carry
the version of the score they were opened with, so a second person acting at the same time gets a
conflict message instead of overwriting.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evidence import services as library
from evidence.models import Evidence
from orgs.models import Role
from qingdan import metrics
from qingdan.errors import Conflict, Refused
from qingdan.permissions import role_required
from scoring import explain, permissions, rubrics, workflow
from scoring.forms_rounds import LIBRARY_SHOWN, ReviewScoreForm, SelfScoreForm
from scoring.models import Kind, Score
from scoring.queries import get_result, get_round
from scoring.views_rounds import badge

# --- the rows of one unit's scores -------------------------------------------------------------


@dataclass
class Row:
    section: str
    criterion: object
    score: object
    form: object = None
    problems: tuple = ()

    @property
    def computed(self):
        return self.criterion.is_computed

    @property
    def judged_veto(self):
        return self.criterion.kind == Kind.VETO and not self.criterion.metric

    @property
    def manual(self):
        return not self.criterion.is_computed and self.criterion.kind != Kind.VETO

    @property
    def condition(self):
        return self.criterion.kind == Kind.CONDITION


def metric_text(criterion, score):
    """What the metric said, in the words of the results pages: ``销号率 45 / 50 = 90.0%``."""
    entry = metrics.get(criterion.metric) if criterion.metric else None
    if entry is None:
        return ""
    return f"{entry.label} {explain.value_words(criterion, score)}"


def _rows(round, unit):
    """The unit's scores in the rubric's reading order, each with its section's trail."""
    scores = {s.criterion_id: s for s in Score.objects.filter(round=round, unit=unit).prefetch_related("evidence")}
    rows = []

    def walk(nodes, trail):
        for section, criteria, children in nodes:
            here = [*trail, section.name]
            for criterion in criteria:
                score = scores.get(criterion.pk)
                if score is None:
                    continue
                score.criterion = criterion
                score.metric_text = metric_text(criterion, score)
                rows.append(Row(section=" › ".join(here), criterion=criterion, score=score))
            walk(children, here)

    walk(rubrics.tree(round.rubric), [])
    return rows


def _library(unit):
    return list(Evidence.objects.filter(owner_unit=unit).order_by("-uploaded_at", "-id")[:LIBRARY_SHOWN])


def _score_anchor(view, round_pk, score, *args):
    return reverse(view, args=[round_pk, *args]) + f"#c{score.criterion_id}"


# --- self-assessment ------------------------------------------------------------------------------


def _own_result(user, round):
    """The signed-in unit's result in the round; any other unit's self-assessment is not there (404)."""
    result = round.results.select_related("unit").filter(unit=user.org_unit_id).first()
    if result is None or not permissions.is_self_assessor(user, result):
        raise Http404
    return result


def _self_form(score, unit, data=None):
    initial = {
        "version": score.version,
        "points": score.self_points,
        "met_on": score.self_day,
        "reason": score.self_reason,
    }
    return SelfScoreForm(data, prefix=f"s{score.pk}", unit=unit, criterion=score.criterion, initial=initial)


def _self_page(request, round, result, bound=None, status=200, forms=None, problems=None):
    """``bound``: one card's (score pk, form, problems) from the per-card save; ``forms`` and ``problems``:
    every card's bound form and each card's problems from the whole page's save, so nothing typed is lost."""
    rows = _rows(round, result.unit)
    open_now = round.status in workflow.SELF_STATUSES
    problems = problems or {}
    for row in rows:
        if bound and bound[0] == row.score.pk:
            row.form, row.problems = (bound[1] if open_now else None), bound[2]
        elif forms and row.score.pk in forms:
            row.form, row.problems = (forms[row.score.pk] if open_now else None), problems.get(row.score.pk, ())
        elif row.manual and open_now:
            row.form = _self_form(row.score, result.unit)
    manual = [r for r in rows if r.manual]
    return render(
        request,
        "scoring/self_assessment.html",
        {
            "round": badge(round),
            "result": result,
            "computed": [r for r in rows if r.computed],
            "manual": manual,
            "vetoes": [r for r in rows if r.judged_veto],
            "open": open_now,
            "missing": sum(1 for r in manual if r.score.self_points is None),
            "bound": bool(forms),  # typed input not saved yet: the page warns before it is left
            "library": _library(result.unit) if open_now and manual else [],
            "accept": ",".join(library.TYPES),
            "max_mb": settings.QINGDAN_MAX_EVIDENCE_BYTES // 1048576,
        },
        status=status,
    )


@role_required(Role.OFFICE, Role.REPORTER)
def self_assessment(request, pk):
    """The unit's own page: computed criteria already filled in, the criteria judged by hand to enter."""
    round = get_round(request.user, pk)
    return _self_page(request, round, _own_result(request.user, round))


def _own_score(user, pk):
    score = get_object_or_404(Score.objects.select_related("criterion"), pk=pk, unit=user.org_unit_id)
    round = get_round(user, score.round_id)
    return score, round, _own_result(user, round)


@role_required(Role.OFFICE, Role.REPORTER)
@require_POST
def self_score(request, pk):
    user = request.user
    score, round, result = _own_score(user, pk)
    form = _self_form(score, result.unit, request.POST)
    problems = []
    if form.is_valid():
        data = form.cleaned_data
        files = request.FILES.getlist(f"s{score.pk}-files")
        problems = library.problems(files)  # every file checked before any is kept; a refusal keeps none
        if not problems:
            try:
                library.keep_with(
                    files,
                    actor=user,
                    then=lambda uploaded: workflow.self_assess(
                        score=score,
                        actor=user,
                        reason=data["reason"],
                        points=data["points"],
                        met_on=data["met_on"],
                        evidence=[*data["library"], *uploaded],
                        version=data["version"],
                    ),
                )
            except Conflict as conflict:
                messages.error(request, conflict.message)
                return redirect(_score_anchor("scoring:self_assessment", round.pk, score))
            except Refused as refused:
                problems.append(refused.message)
            else:
                messages.success(request, _("Saved: %(name)s.") % {"name": score.criterion.name})
                return redirect(_score_anchor("scoring:self_assessment", round.pk, score))
    return _self_page(request, round, result, bound=(score.pk, form, problems))


class _CardRefused(Exception):
    """One card of the page's save was refused: the whole save rolls back (``library.keep_with``)."""

    def __init__(self, score, message, conflict=False):
        super().__init__(message)
        self.score, self.message, self.conflict = score, message, conflict


def _save_cards(user, changed, forms, files, uploaded):
    """Each changed card through ``workflow.self_assess`` (audited there), in one transaction; the files
    kept for the page are handed back to their cards in the order they were sent."""
    uploaded = list(uploaded)
    for score in changed:
        data = forms[score.pk].cleaned_data
        mine, uploaded = uploaded[: len(files[score.pk])], uploaded[len(files[score.pk]) :]
        try:
            workflow.self_assess(
                score=score,
                actor=user,
                reason=data["reason"],
                points=data["points"],
                met_on=data["met_on"],
                evidence=[*data["library"], *mine],
                version=data["version"],
            )
        except Conflict as conflict:
            raise _CardRefused(score, conflict.message, conflict=True) from conflict
        except Refused as refused:
            raise _CardRefused(score, refused.message) from refused


def _edited(form):
    """What the user changed on the card: each field against the value the page showed (its hidden
    initial), so a card someone else saved meanwhile counts only when this user edited it too."""
    return [name for name in form.changed_data if name != "version"]


@role_required(Role.OFFICE, Role.REPORTER)
@require_POST
def self_save(request, pk):
    """The whole self-assessment page in one save: every card the user edited goes through the workflow
    in one transaction, or none does. A refused or stale card keeps everything typed on every card; a
    stale one is taken up at the version now stored, so saving again is a choice made knowingly."""
    user = request.user
    round = get_round(user, pk)
    result = _own_result(user, round)
    scores = [row.score for row in _rows(round, result.unit) if row.manual]
    forms = {s.pk: _self_form(s, result.unit, request.POST) for s in scores}
    files = {s.pk: request.FILES.getlist(f"s{s.pk}-files") for s in scores}
    problems, status = {}, 200
    for score in scores:
        if not forms[score.pk].is_valid():
            problems[score.pk] = [_("Correct the marked fields.")]
        elif trouble := library.problems(files[score.pk]):  # every file checked before any is kept
            problems[score.pk] = trouble
    if not problems:
        changed = [s for s in scores if _edited(forms[s.pk]) or files[s.pk]]
        try:
            if changed:
                sent = [f for s in changed for f in files[s.pk]]
                library.keep_with(sent, actor=user, then=lambda kept: _save_cards(user, changed, forms, files, kept))
            if request.POST.get("then") == "submit":
                workflow.submit_self_assessment(result=result, actor=user)
        except _CardRefused as refused:
            problems[refused.score.pk] = [refused.message]
            if refused.conflict:
                status = 409  # as the API answers a stale write
                current = Score.objects.get(pk=refused.score.pk)
                data = request.POST.copy()
                data[f"s{current.pk}-version"] = current.version
                current.criterion = refused.score.criterion
                forms[current.pk] = _self_form(current, result.unit, data)
                forms[current.pk].is_valid()
                problems[current.pk] = [
                    _(
                        "Someone else saved this criterion meanwhile (points now: %(points)s). Your entry is "
                        "kept below: check it and save again to replace theirs."
                    )
                    % {"points": "—" if current.self_points is None else current.self_points}
                ]
        except Refused as refused:  # the submission (what was saved stays saved)
            messages.error(request, refused.message)
            return redirect("scoring:self_assessment", pk=round.pk)
        else:
            if request.POST.get("then") == "submit":
                messages.success(
                    request, _("Your self-assessment was submitted to %(office)s.") % {"office": round.owner_unit}
                )
            elif changed:
                messages.success(request, _("Saved: %(n)d criteria.") % {"n": len(changed)})
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("scoring:self_assessment", pk=round.pk)
    messages.error(request, _("Nothing was saved: see the marked criteria; everything you typed is kept."))
    return _self_page(request, round, result, forms=forms, problems=problems, status=status)


@role_required(Role.OFFICE, Role.REPORTER)
@require_POST
def self_submit(request, pk):
    round = get_round(request.user, pk)
    result = _own_result(request.user, round)
    try:
        workflow.submit_self_assessment(result=result, actor=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Your self-assessment was submitted to %(office)s.") % {"office": round.owner_unit})
    return redirect("scoring:self_assessment", pk=round.pk)


# --- review ----------------------------------------------------------------------------------------


def _review_form(score, data=None):
    initial = {
        "version": score.version,
        "points": score.reviewed if score.reviewed is not None else score.self_points,
        "reason": score.review_reason,
        "vetoed": "1" if score.vetoed else ("0" if score.review_reason else None),
    }
    return ReviewScoreForm(data, prefix=f"s{score.pk}", criterion=score.criterion, initial=initial)


def _review_page(request, round, result, bound=None):
    rows = _rows(round, result.unit)
    open_now = round.status in workflow.REVIEW_STATUSES
    for row in rows:
        if bound and bound[0] == row.score.pk:
            row.form, row.problems = (bound[1] if open_now else None), bound[2]
        elif (row.manual or row.judged_veto) and open_now:
            row.form = _review_form(row.score)
    return render(
        request,
        "scoring/review_unit.html",
        {
            "round": badge(round),
            "result": result,
            "manual": [r for r in rows if r.manual],
            "vetoes": [r for r in rows if r.judged_veto],
            "computed": [r for r in rows if r.computed],
            "open": open_now,
        },
    )


def _reviewable(user, round_pk, unit_pk):
    round = get_round(user, round_pk)
    result = get_result(user, round, unit_pk)
    if not permissions.is_round_reviewer(user, round):
        raise PermissionDenied
    return round, result


@role_required(Role.REVIEWER, Role.OFFICE)
def review_unit(request, pk, unit_pk):
    """The reviewers' page for one unit: its own points and reasons, and the reviewed points to enter."""
    round, result = _reviewable(request.user, pk, unit_pk)
    return _review_page(request, round, result)


@role_required(Role.REVIEWER, Role.OFFICE)
@require_POST
def review_score(request, pk):
    user = request.user
    score = get_object_or_404(Score.objects.select_related("criterion"), pk=pk)
    round, result = _reviewable(user, score.round_id, score.unit_id)
    form = _review_form(score, request.POST)
    problems = []
    back = _score_anchor("scoring:review", round.pk, score, score.unit_id)
    if form.is_valid():
        data = form.cleaned_data
        veto = score.criterion.kind == Kind.VETO
        if veto and data["vetoed"] in (None, ""):
            problems.append(_("Say whether the veto is triggered."))
        else:
            try:
                workflow.review(
                    score=score,
                    actor=user,
                    reason=data["reason"],
                    points=data["points"],
                    vetoed=data["vetoed"] if veto else None,
                    version=data["version"],
                )
            except Conflict as conflict:
                messages.error(request, conflict.message)
                return redirect(back)
            except Refused as refused:
                problems.append(refused.message)
            else:
                messages.success(request, _("Reviewed: %(name)s.") % {"name": score.criterion.name})
                return redirect(back)
    return _review_page(request, round, result, bound=(score.pk, form, problems))

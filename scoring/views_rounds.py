"""The round pages: the list and a new round; a round with its steps, recomputing and fund formula;
a unit's self-assessment (自评) and the reviewers' page for one unit (初审).

Every change goes through ``scoring.workflow``; the pages only mirror its rules to decide which
buttons to show. Forms carry the version of the round or score they were opened with, so a second
person acting at the same time gets a conflict message instead of overwriting.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from checklists import services as evidence_services
from checklists import workflow as checklist_workflow
from checklists.models import Evidence
from orgs.models import Role
from qingdan import metrics
from qingdan.pages import paginate, query_without_page
from qingdan.permissions import role_required
from scoring import explain, inbox, rubrics, workflow
from scoring.forms_rounds import (
    LIBRARY_SHOWN,
    METHOD_HELP,
    ComputeForm,
    FundsForm,
    ReviewScoreForm,
    RoundFilterForm,
    RoundForm,
    SelfScoreForm,
    VersionForm,
)
from scoring.models import FundMethod, Grade, Kind, RoundStatus, Score
from scoring.queries import get_result, get_round, runs, visible_results, visible_rounds

PREVIEW_NAMES = 100

STATUS_BADGES = {
    RoundStatus.DRAFT: "text-bg-secondary",
    RoundStatus.SELF_ASSESSMENT: "text-bg-primary",
    RoundStatus.REVIEW: "text-bg-warning",
    RoundStatus.PUBLISHED: "text-bg-success",
}

# The steps of TRANSITIONS as the round page offers them: (button, what it does, message when done).
STEPS = {
    "open_self_assessment": (
        gettext_lazy("Open self-assessment"),
        gettext_lazy("Computes every criterion from the records and asks each unit for the criteria judged by hand."),
        gettext_lazy("Self-assessment is open; the units have been notified."),
        workflow.open_self_assessment,
    ),
    "start_review": (
        gettext_lazy("Start the review"),
        gettext_lazy("Closes self-assessment; the reviewers check the points the units gave themselves."),
        gettext_lazy("The review has started."),
        workflow.start_review,
    ),
    "publish": (
        gettext_lazy("Publish the results"),
        gettext_lazy("Computes a last time and freezes the results; any later change needs a recorded reason."),
        gettext_lazy("The results are published; the units have been notified."),
        workflow.publish,
    ),
}

TIMELINE_ACTIONS = {
    "scoring.round_created": gettext_lazy("Round created"),
    "scoring.open_self_assessment": gettext_lazy("Self-assessment opened"),
    "scoring.start_review": gettext_lazy("Review started"),
    "scoring.publish": gettext_lazy("Results published"),
    "scoring.computed": gettext_lazy("Computed from the records"),
    "scoring.funds_set": gettext_lazy("Fund allocation set"),
    "scoring.self_submitted": gettext_lazy("Self-assessment submitted"),
}
TIMELINE_SHOWN = 30


def score_conflict():
    return _("The score changed since you opened it; reload the page and try again.")


def round_conflict():
    return _("The round changed since you opened it; reload the page and try again.")


def _badge(round):
    round.badge = STATUS_BADGES.get(round.status, "text-bg-secondary")
    return round


# --- the list and a new round ----------------------------------------------------------------


@login_required
def round_list(request):
    user = request.user
    form = RoundFilterForm(request.GET or None)
    rounds = visible_rounds(user).annotate(unit_count=Count("results"))
    task = ""
    if form.is_valid():
        data = form.cleaned_data
        if status := data["status"]:
            rounds = rounds.filter(status=status)
        if q := data["q"].strip():
            rounds = rounds.filter(Q(name__icontains=q) | Q(rubric__name__icontains=q))
        if (task := data["task"]) in inbox.Task.LABELS:
            rounds = rounds.filter(inbox.task_filter(user, task))
        else:
            task = ""
    page = paginate(request, rounds.order_by("-period_end", "-id"))
    for round in page:
        _badge(round)
    return render(
        request,
        "scoring/round_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "task_label": inbox.Task.LABELS.get(task, ""),
            "can_create": user.has_role(Role.OFFICE),
        },
    )


@role_required(Role.OFFICE)
def round_new(request):
    """A rubric, a name, a period and the units by kind and subtree; count them, then start the round."""
    user = request.user
    form = RoundForm(request.POST or None, user=user)
    context = {"form": form}
    if request.method == "POST":
        valid = form.is_valid()
        data = form.cleaned_data
        units = []
        if "kind" in data and "root" in data:
            units = list(form.units(user).only("id", "name", "path"))
            context["preview"] = {"count": len(units), "names": [u.name for u in units[:PREVIEW_NAMES]]}
        if "rubric" in data:
            context["problems"] = rubrics.problems(data["rubric"])
        if valid and "confirm" in request.POST:
            try:
                round = workflow.create_round(
                    actor=user,
                    rubric=data["rubric"],
                    name=data["name"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    units=units,
                )
            except workflow.Refused as refused:
                context["refused"] = refused.message
            else:
                messages.success(
                    request,
                    _("The round was created with %(n)d units. Open self-assessment when it is ready.")
                    % {"n": len(units)},
                )
                return redirect("scoring:round", pk=round.pk)
    return render(request, "scoring/round_form.html", context)


# --- one round ---------------------------------------------------------------------------------


def _timeline(round):
    events = (
        AuditEvent.objects.filter(
            object_type=round._meta.label_lower, object_id=str(round.pk), action__in=list(TIMELINE_ACTIONS)
        )
        .select_related("actor", "org_unit")
        .order_by("-created_at", "-id")[:TIMELINE_SHOWN]
    )
    rows = []
    for event in events:
        event.label = TIMELINE_ACTIONS[event.action]
        event.reason = (event.after or {}).get("reason", "") if isinstance(event.after, dict) else ""
        rows.append(event)
    return rows


def _funds_summary(round):
    if round.fund_method == FundMethod.PER_GRADE:
        table = round.fund_per_grade or {}
        return [(explain.grade_word(grade), table.get(grade)) for grade in Grade.values]
    return []


@login_required
def round_detail(request, pk):
    user = request.user
    round = _badge(get_round(user, pk))
    office = workflow.is_round_office(user, round)
    reviewer = workflow.is_round_reviewer(user, round)
    office_side = runs(user, round)
    results = visible_results(user, round)
    results = results.order_by("rank", "unit__path") if round.computed_at else results.order_by("unit__path")
    page = paginate(request, results)
    for result in page:
        result.grade_word = explain.grade_word(result.grade) if result.grade else ""
    own = None
    if user.has_role(Role.OFFICE, Role.REPORTER):
        own = round.results.filter(unit=user.org_unit_id).first()
    progress = None
    if office_side:
        progress = round.results.aggregate(
            total=Count("pk"), submitted=Count("pk", filter=Q(self_submitted_at__isnull=False))
        )
    steps = []
    if office:
        steps = [
            {"name": name, "label": STEPS[name][0], "help": STEPS[name][1]}
            for name, (sources, _target) in workflow.TRANSITIONS.items()
            if round.status in sources
        ]
    return render(
        request,
        "scoring/round_detail.html",
        {
            "round": round,
            "rubric": round.rubric,
            "office": office,
            "reviewer": reviewer,
            "office_side": office_side,
            "page": page,
            "query": query_without_page(request),
            "own": own,
            "progress": progress,
            "steps": steps,
            "version_form": VersionForm(initial={"version": round.version}),
            "compute_form": ComputeForm(),
            "funds": _funds_summary(round),
            "pool": round.fund_method == FundMethod.POOL,
            "linked": round.fund_method != FundMethod.NONE,
            "timeline": _timeline(round) if office_side else [],
            "published": round.status == RoundStatus.PUBLISHED,
            "review_open": round.status in workflow.REVIEW_STATUSES,
        },
    )


@role_required(Role.OFFICE)
@require_POST
def round_step(request, pk, step):
    if step not in workflow.TRANSITIONS:
        raise Http404
    round = get_round(request.user, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, round_conflict())
        return redirect("scoring:round", pk=round.pk)
    _label, _help, done, function = STEPS[step]
    try:
        function(round=round, actor=request.user, version=form.cleaned_data["version"])
    except workflow.Conflict:
        messages.error(request, round_conflict())
    except workflow.Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done)
    return redirect("scoring:round", pk=round.pk)


@role_required(Role.OFFICE)
@require_POST
def round_compute(request, pk):
    """Recompute the criteria from the records (the same records give the same scores)."""
    round = get_round(request.user, pk)
    form = ComputeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("scoring:round", pk=round.pk)
    try:
        changed = workflow.compute(round=round, actor=request.user, reason=form.cleaned_data["reason"])
    except workflow.Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Computed from the records; scores changed: %(n)d.") % {"n": changed})
    return redirect("scoring:round", pk=round.pk)


@role_required(Role.OFFICE)
def round_funds(request, pk):
    """The fund formula of the round: none, a fixed amount per grade, or a pool split by score."""
    user = request.user
    round = get_round(user, pk)
    if not workflow.is_round_office(user, round):
        raise PermissionDenied
    form = FundsForm(request.POST or None, initial=FundsForm.initial_of(round))
    refused = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.set_funds(
                round=round,
                actor=user,
                method=data["method"],
                per_grade=form.per_grade(),
                pool=data["pool"],
                base=data["base"],
                floor=data["floor"],
                reason=data["reason"],
            )
        except workflow.Refused as problem:
            refused = problem.message
        else:
            messages.success(request, _("The fund allocation was saved and the amounts worked out again."))
            return redirect("scoring:round", pk=round.pk)
    methods = [
        {"value": value, "label": label, "help": METHOD_HELP[value], "radio": radio}
        for (value, label), radio in zip(FundMethod.choices, form["method"], strict=True)
    ]
    return render(
        request,
        "scoring/round_funds.html",
        {
            "round": _badge(round),
            "form": form,
            "methods": methods,
            "grade_fields": [form[name] for name in ("excellent", "good", "pass_", "fail")],
            "refused": refused,
            "published": round.status == RoundStatus.PUBLISHED,
            "unit_count": round.results.count(),
        },
    )


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
    if result is None or not workflow.is_self_assessor(user, result):
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


def _self_page(request, round, result, bound=None, status=200):
    rows = _rows(round, result.unit)
    open_now = round.status in workflow.SELF_STATUSES
    for row in rows:
        if bound and bound[0] == row.score.pk:
            row.form, row.problems = (bound[1] if open_now else None), bound[2]
        elif row.manual and open_now:
            row.form = _self_form(row.score, result.unit)
    manual = [r for r in rows if r.manual]
    return render(
        request,
        "scoring/self_assessment.html",
        {
            "round": _badge(round),
            "result": result,
            "computed": [r for r in rows if r.computed],
            "manual": manual,
            "vetoes": [r for r in rows if r.judged_veto],
            "open": open_now,
            "missing": sum(1 for r in manual if r.score.self_points is None),
            "library": _library(result.unit) if open_now and manual else [],
            "accept": ",".join(evidence_services.EVIDENCE_TYPES),
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
        # Every file is checked before any is kept: one bad file keeps none.
        for uploaded in files:
            try:
                evidence_services.sniff_evidence(uploaded)
            except checklist_workflow.Refused as refused:
                problems.append(refused.message)
        if not problems:
            evidence = list(data["library"])
            try:
                for uploaded in files:
                    evidence.append(evidence_services.add_evidence(uploaded=uploaded, actor=user))
                workflow.self_assess(
                    score=score,
                    actor=user,
                    reason=data["reason"],
                    points=data["points"],
                    met_on=data["met_on"],
                    evidence=evidence,
                    version=data["version"],
                )
            except workflow.Conflict:
                messages.error(request, score_conflict())
                return redirect(_score_anchor("scoring:self_assessment", round.pk, score))
            except (workflow.Refused, checklist_workflow.Refused) as refused:
                problems.append(refused.message)
            else:
                messages.success(request, _("Saved: %(name)s.") % {"name": score.criterion.name})
                return redirect(_score_anchor("scoring:self_assessment", round.pk, score))
    return _self_page(request, round, result, bound=(score.pk, form, problems))


@role_required(Role.OFFICE, Role.REPORTER)
@require_POST
def self_submit(request, pk):
    round = get_round(request.user, pk)
    result = _own_result(request.user, round)
    try:
        workflow.submit_self_assessment(result=result, actor=request.user)
    except workflow.Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Your self-assessment was submitted to %(office)s.") % {"office": round.owner_unit})
    return redirect("scoring:self_assessment", pk=round.pk)


@login_required
def score_evidence(request, pk, evidence_pk):
    """A file attached to a score: for the office side of the round and the assessed unit itself."""
    user = request.user
    score = get_object_or_404(Score, pk=pk)
    round = get_round(user, score.round_id)
    if not (runs(user, round) or score.unit_id == user.org_unit_id):
        raise Http404
    evidence = get_object_or_404(score.evidence.all(), pk=evidence_pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=evidence.name, content_type=evidence.content_type)


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
            "round": _badge(round),
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
    if not workflow.is_round_reviewer(user, round):
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
            except workflow.Conflict:
                messages.error(request, score_conflict())
                return redirect(back)
            except workflow.Refused as refused:
                problems.append(refused.message)
            else:
                messages.success(request, _("Reviewed: %(name)s.") % {"name": score.criterion.name})
                return redirect(back)
    return _review_page(request, round, result, bound=(score.pk, form, problems))


urlpatterns = [
    path("rounds/", round_list, name="rounds"),
    path("rounds/new/", round_new, name="round_new"),
    path("rounds/<int:pk>/", round_detail, name="round"),
    path("rounds/<int:pk>/step/<str:step>/", round_step, name="round_step"),
    path("rounds/<int:pk>/compute/", round_compute, name="round_compute"),
    path("rounds/<int:pk>/funds/", round_funds, name="round_funds"),
    path("rounds/<int:pk>/self/", self_assessment, name="self_assessment"),
    path("rounds/<int:pk>/self/submit/", self_submit, name="self_submit"),
    path("rounds/scores/<int:pk>/self/", self_score, name="self_score"),
    path("rounds/scores/<int:pk>/evidence/<int:evidence_pk>/", score_evidence, name="score_evidence"),
    path("rounds/<int:pk>/units/<int:unit_pk>/review/", review_unit, name="review"),
    path("rounds/scores/<int:pk>/review/", review_score, name="review_score"),
]

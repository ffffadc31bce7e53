"""The round pages: the list and a new round; a round with its steps, recomputing and fund formula.
A unit's self-assessment (自评) and the reviewers' page (初审) are in ``scoring.views_self``.

Every change goes through ``scoring.workflow``; the pages only mirror its rules to decide which
buttons to show. Forms carry the version of the round they were opened with, so a second person
acting at the same time gets a conflict message instead of overwriting.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from jobs.models import JobStatus
from orgs.models import Role
from qingdan.errors import Conflict, Refused
from qingdan.pages import paginate, query_without_page
from qingdan.permissions import role_required
from scoring import explain, inbox, permissions, rubrics, workflow
from scoring.forms_rounds import (
    METHOD_HELP,
    ComputeForm,
    FundsForm,
    RoundFilterForm,
    RoundForm,
    VersionForm,
)
from scoring.jobs import start_compute
from scoring.models import FundMethod, Grade, RoundStatus
from scoring.queries import get_round, runs, visible_results, visible_rounds

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


def badge(round):
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
        badge(round)
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
    form = RoundForm(request.POST if request.method == "POST" else None, user=user)
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
            except Refused as refused:
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
    round = badge(get_round(user, pk))
    office = permissions.is_round_office(user, round)
    reviewer = permissions.is_round_reviewer(user, round)
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
    steps = [
        {"name": name, "label": STEPS[name][0], "help": STEPS[name][1]}
        for name in permissions.available_steps(user, round)
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
        messages.error(request, workflow.ROUND_CHANGED)
        return redirect("scoring:round", pk=round.pk)
    _label, _help, done, function = STEPS[step]
    try:
        function(round=round, actor=request.user, version=form.cleaned_data["version"])
    except Conflict as conflict:
        messages.error(request, conflict.message)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done)
    return redirect("scoring:round", pk=round.pk)


@role_required(Role.OFFICE)
@require_POST
def round_compute(request, pk):
    """Recompute the criteria from the records (the same records give the same scores), as a background job:
    with a worker the page follows the job's progress bar; without one the job is done when this answers."""
    round = get_round(request.user, pk)
    form = ComputeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("scoring:round", pk=round.pk)
    if not permissions.is_round_office(request.user, round):
        messages.error(request, _("Only the office running the round can compute it."))
        return redirect("scoring:round", pk=round.pk)
    reason = form.cleaned_data["reason"]
    job = start_compute(round, user=request.user, request=request, reason=reason)
    if job.status == JobStatus.SUCCEEDED:
        messages.success(request, _("Computed from the records; scores changed: %(n)d.") % {"n": job.result["changed"]})
    elif job.status == JobStatus.FAILED:
        messages.error(request, job.message)
    else:
        return redirect("jobs:detail", pk=job.pk)
    return redirect("scoring:round", pk=round.pk)


@role_required(Role.OFFICE)
def round_funds(request, pk):
    """The fund formula of the round: none, a fixed amount per grade, or a pool split by score."""
    user = request.user
    round = get_round(user, pk)
    if not permissions.is_round_office(user, round):
        raise PermissionDenied
    form = FundsForm(request.POST if request.method == "POST" else None, initial=FundsForm.initial_of(round))
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
        except Refused as problem:
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
            "round": badge(round),
            "form": form,
            "methods": methods,
            "grade_fields": [form[name] for name in ("excellent", "good", "pass_", "fail")],
            "refused": refused,
            "published": round.status == RoundStatus.PUBLISHED,
            "unit_count": round.results.count(),
        },
    )

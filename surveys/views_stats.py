"""Statistics of a questionnaire (per question, dimension, unit and region), its exports,
and the findings (问题) the office marks in it."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from orgs.models import OrgUnit, Role
from orgs.queries import root_unit, visible_units
from qingdan.errors import Refused
from qingdan.pages import export_stem, paginate, xlsx_response
from qingdan.permissions import role_required
from surveys import exports, services, stats
from surveys.forms_stats import FindingForm
from surveys.models import QuestionKind, Response
from surveys.queries import (
    get_questionnaire,
    visible_distributions,
    visible_final_responses,
    visible_findings,
    visible_polls,
)

VIEWERS = (Role.OFFICE, Role.LEADER)
CHART_UNITS = 20


def _without(request, name):
    params = request.GET.copy()
    params.pop(name, None)
    return params.urlencode()


def _scope(request, questionnaire):
    """The responses shown: all final ones, or one distribution's or one poll's (``?distribution=`` / ``?poll=``)."""
    distribution = poll = None
    if value := request.GET.get("distribution"):
        distribution = visible_distributions(request.user).filter(questionnaire=questionnaire, pk=_int(value)).first()
        if distribution is None:
            raise Http404
    elif value := request.GET.get("poll"):
        poll = visible_polls(request.user).filter(questionnaire=questionnaire, pk=_int(value)).first()
        if poll is None:
            raise Http404
    responses = visible_final_responses(request.user, questionnaire, distribution=distribution, poll=poll)
    return distribution, poll, responses


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


@role_required(*VIEWERS)
def statistics(request, pk):
    questionnaire = get_questionnaire(request.user, pk)
    distribution, poll, responses = _scope(request, questionnaire)
    sections = list(questionnaire.sections.all())
    overall = stats.dimension_scores(responses)
    by_unit = stats.dimension_scores(responses, by_unit=True)
    units = OrgUnit.objects.in_bulk([unit_id for unit_id in by_unit if unit_id is not None])
    unit_rows = sorted(
        (
            {"unit": units[unit_id], "scores": [scores.get(s.pk) for s in sections], "total": stats.overall(scores)}
            for unit_id, scores in by_unit.items()
            if unit_id in units
        ),
        key=lambda row: -(row["total"] or 0),
    )
    completeness = regions = None
    if distribution is not None:
        completeness, regions = stats.completeness(distribution)
        if len(regions) >= completeness.expected:
            regions = []  # one target per region: the table would only repeat the units
    figures = stats.question_figures(questionnaire, responses)
    satisfaction = [
        (f.question, stats.satisfaction_rate(responses, f.question))
        for f in figures
        if f.question.kind == QuestionKind.SATISFACTION
    ]
    # The chart shows the units behind first (lowest score), 20 of them unless asked for all: a bar of
    # 26 px each, whatever their number; the table below keeps the ranking, highest first.
    every = request.GET.get("chart") == "all"
    behind = unit_rows[::-1][: None if every else CHART_UNITS]
    charts = {
        "dimensions": {"names": [s.title for s in sections], "values": [_round(overall.get(s.pk)) for s in sections]},
        "units": {"names": [r["unit"].name for r in behind], "values": [_round(r["total"]) for r in behind]},
    }
    context = {
        "questionnaire": questionnaire,
        "distribution": distribution,
        "poll": poll,
        "poll_page": poll is not None and request.user.has_role(Role.OFFICE, Role.LEADER),
        "count": responses.count(),
        "sections": [(s, overall.get(s.pk)) for s in sections],
        "overall": stats.overall(overall),
        "unit_rows": unit_rows,
        "completeness": completeness,
        "regions": regions,
        "figures": figures,
        "satisfaction": satisfaction,
        "charts": charts,
        "chart_all": every,
        "chart_toggle": len(unit_rows) > CHART_UNITS,
        "chart_query": _without(request, "chart"),
        "distributions": visible_distributions(request.user).filter(questionnaire=questionnaire),
        "polls": visible_polls(request.user).filter(questionnaire=questionnaire),
        "query": request.GET.urlencode(),
    }
    return render(request, "surveys/stats_detail.html", context)


def _stem(request, questionnaire, what, distribution, poll):
    """``滨海县总工会-职工之家建设情况调查-统计-2026年调查``: whose, which questionnaire, what, which responses."""
    scope = distribution.title if distribution else poll.title if poll else ""
    return export_stem(root_unit(request.user), questionnaire.title, what, scope)


def _round(value):
    return None if value is None else round(value, 1)


@role_required(*VIEWERS)
def statistics_export(request, pk):
    questionnaire = get_questionnaire(request.user, pk)
    distribution, poll, responses = _scope(request, questionnaire)
    stem = _stem(request, questionnaire, _("Statistics"), distribution, poll)
    return xlsx_response(exports.statistics_xlsx(questionnaire, responses), stem)


@role_required(*VIEWERS)
def responses_export(request, pk):
    questionnaire = get_questionnaire(request.user, pk)
    distribution, poll, responses = _scope(request, questionnaire)
    stem = _stem(request, questionnaire, _("Responses"), distribution, poll)
    return xlsx_response(exports.responses_xlsx(questionnaire, responses), stem)


@role_required(*VIEWERS)
def findings(request, pk):
    questionnaire = get_questionnaire(request.user, pk)
    form = FindingForm(
        request.POST if request.method == "POST" else None,
        initial={key: request.GET.get(key) for key in ("question", "response", "distribution")},
        questionnaire=questionnaire,
        units=visible_units(request.user),
        distributions=visible_distributions(request.user).filter(questionnaire=questionnaire),
        responses=Response.objects.filter(
            target__distribution__in=visible_distributions(request.user).values("pk"), questionnaire=questionnaire
        ),
    )
    if request.method == "POST":
        if not request.user.has_role(Role.OFFICE):
            messages.error(request, _("Only office staff record findings."))
            return redirect("surveys:findings", pk=pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_finding(
                    questionnaire=questionnaire,
                    note=data["note"],
                    question=data["question"],
                    distribution=data["distribution"],
                    response=data["response"],
                    suggested_unit=data["suggested_unit"],
                    actor=request.user,
                )
            except Refused as refused:
                form.add_error("note", refused.message)
            else:
                messages.success(request, _("The finding is recorded."))
                return redirect("surveys:findings", pk=pk)
    items = (
        visible_findings(request.user)
        .filter(questionnaire=questionnaire)
        .select_related("distribution", "response__target__org_unit")
    )
    return render(
        request,
        "surveys/finding_list.html",
        {"questionnaire": questionnaire, "form": form, "page": paginate(request, items)},
    )

"""Results of a round: the sortable table with key numbers and charts, one unit's scores section by
section, the drill-down from a score to its metric value and the records behind it (with the history
and the office's adjustment), the .xlsx and the results bulletin.

What a user sees is decided by ``scoring.queries`` (the office side sees every unit; an assessed unit
its own result until publication, everyone's after); every change goes through ``scoring.workflow``.
"""

from decimal import Decimal
from html import escape  # Django's escape without its lazy-string wrapper: the same text

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from documents.official import DOCX_CONTENT_TYPE, render_docx, render_html
from orgs.models import OrgUnit
from qingdan import metrics
from qingdan.errors import Conflict, Refused
from qingdan.forms import StyledForm
from qingdan.pagecache import kept
from qingdan.pages import download_response, export_stem, paginate, xlsx_response
from qingdan.templatetags.qd import yuan
from scoring import bulletin, drill, exports, permissions, workflow
from scoring.explain import GRADE_COLOURS, grade_word, maximum, points, source, steps, value_words
from scoring.models import FundMethod, Grade, Kind, RoundStatus, Score
from scoring.queries import get_result, get_round, runs, visible_results
from scoring.rubrics import tree


class AdjustForm(StyledForm):
    points = forms.DecimalField(label=gettext_lazy("Points"), max_digits=8, decimal_places=2)
    # Left optional here: the workflow says why a reason is needed (before or after publication).
    reason = forms.CharField(
        label=gettext_lazy("Reason for the adjustment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


# ---------------------------------------------------------------------------- the results table


def _criteria_below(section, criteria, children):
    yield from criteria
    for child in children:
        yield from _criteria_below(*child)


def _deduction_sections(nodes):
    """``{top section id: [deduction criteria]}`` for the top sections made of deductions only
    (per occurrence with negative points each; vetoes beside them do not count)."""
    found = {}
    for node in nodes:
        scored = [c for c in _criteria_below(*node) if c.kind != Kind.VETO]
        deductions = [c for c in scored if c.is_deduction]
        if deductions and len(deductions) == len(scored):
            found[node[0].pk] = deductions
    return found


def _regions(owner, units):
    """Each unit's region: its ancestor one level below the round's office, or, when every unit is
    itself one level below, its parent unit. ``{unit_id: region_id}``."""
    regions = {unit.pk: unit.head_at(owner.depth + 1) for unit in units}
    if all(regions[unit.pk] == unit.pk for unit in units):
        regions = {unit.pk: unit.head_at(unit.depth - 1) for unit in units}
    return regions


def _region_chart(round, results):
    """Mean total by region, when the units fall into more than one region of more than one unit."""
    regions = _regions(round.owner_unit, [r.unit for r in results])
    groups = {}
    for result in results:
        groups.setdefault(regions[result.unit_id], []).append(result.total)
    if not 1 < len(groups) < len(results):
        return {"names": [], "means": []}
    names = dict(OrgUnit.objects.filter(pk__in=list(groups)).order_by("path").values_list("pk", "name"))
    ordered = list(names)  # in the tree's order
    return {
        "names": [names[p] for p in ordered],
        "means": [float(sum(groups[p]) / len(groups[p])) for p in ordered],
        "counts": [len(groups[p]) for p in ordered],
    }


def _cards(round, results):
    count = len(results)
    total = sum((r.total for r in results), Decimal(0))
    return {
        "units": count,
        "mean": points(total / count, True) if count else "—",
        "excellent": sum(1 for r in results if r.grade == Grade.EXCELLENT),
        "vetoed": sum(1 for r in results if r.vetoed),
        "funds": yuan(sum((r.fund_amount or 0 for r in results), Decimal(0)))
        if round.fund_method != FundMethod.NONE
        else None,
    }


def _query(request, **changes):
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


def _visible(request, round):
    """The rows this user sees, filtered by the GET ``grade``/``vetoed`` and in the GET ``sort`` order."""
    nodes = tree(round.rubric)
    sections = exports.top_sections(nodes)
    results = list(visible_results(request.user, round))
    shown = exports.filter_results(results, grade=request.GET.get("grade", ""), vetoed=request.GET.get("vetoed") == "1")
    key, descending = exports.parse_sort(request.GET.get("sort"), sections)
    return nodes, sections, results, exports.sort_results(shown, key, descending, sections), key, descending


def _rows(round, page, sections, deductions):
    """Table rows of the page: each section cell with its link (the drill-down straight away for a
    deductions section of one criterion), the grade badge and the fund text."""
    single = {pk: found[0].pk for pk, found in deductions.items() if len(found) == 1}
    units = [r.unit_id for r in page]
    drill_pks = {
        (unit, criterion): pk
        for unit, criterion, pk in Score.objects.filter(
            round=round, criterion_id__in=single.values(), unit_id__in=units
        ).values_list("unit_id", "criterion_id", "pk")
    }
    records = escape(_("The records behind these points"))
    rows = []
    for result in page:
        unit_url = reverse("scoring:result", args=[round.pk, result.unit_id])
        cells = []
        for section in sections:
            value = exports.section_points(result, section)
            url = f"{unit_url}#section-{section.pk}"
            direct = False
            if section.pk in deductions and value != 0 and section.pk in single:
                pk = drill_pks.get((result.unit_id, single[section.pk]))
                if pk is not None:
                    url, direct = reverse("scoring:score", args=[pk]), True
            cells.append(
                {
                    "text": points(value, True),
                    "url": url,
                    "negative": value < 0,
                    "deduction": section.pk in deductions,
                    "direct": direct,
                    "section": section.pk,
                }
            )
        html = mark_safe("".join(_cell_html(cell, records) for cell in cells))  # noqa: S308 - escaped in _cell_html
        rows.append(
            {
                "result": result,
                "unit_url": unit_url,
                "cells": cells,
                "cells_html": html,
                "total": points(result.total, True),
                "grade": grade_word(result.grade) if result.grade else "",
                "grade_colour": GRADE_COLOURS.get(result.grade, "text-bg-light"),
            }
        )
    return rows


def _cell_html(cell, records):
    """One section's cell of the table, as the template drew it: built here once per cell instead of by the
    template's nodes (a county's round has hundreds of units on a page of eight sections)."""
    direct = f' data-testid="deduction-link" title="{records}"' if cell["direct"] else ""
    return (
        f'<td class="text-end"><a href="{escape(cell["url"])}" class="{"text-danger" if cell["negative"] else ""}" '
        f'data-section="{cell["section"]}"{direct}>{escape(cell["text"])}</a></td>'
    )


def _stacked_chart(rows, sections):
    return {
        "names": [row["result"].unit.name for row in rows],
        "series": [
            {"name": section.name, "data": [float(exports.section_points(row["result"], section)) for row in rows]}
            for section in sections
        ],
    }


@login_required
@kept
def results_page(request, pk):
    round = get_round(request.user, pk)
    nodes, sections, results, ordered, key, descending = _visible(request, round)
    deductions = _deduction_sections(nodes)
    page = paginate(request, ordered)
    rows = _rows(round, page, sections, deductions)
    columns = [
        {
            "key": f"s{s.pk}",
            "section": s,
            "href": "?" + _query(request, sort=exports.toggle(f"s{s.pk}", key, descending)),
            "active": key == f"s{s.pk}",
            "deduction": s.pk in deductions,
        }
        for s in sections
    ]
    sorting = {
        k: {"href": "?" + _query(request, sort=exports.toggle(k, key, descending)), "active": key == k}
        for k in ("rank", "unit", "total")
    }
    charts = {"sections": _stacked_chart(rows, sections), "regions": _region_chart(round, results)}
    return render(
        request,
        "scoring/results.html",
        {
            "round": round,
            "published": round.status == RoundStatus.PUBLISHED,
            "office_side": runs(request.user, round),
            "cards": _cards(round, results),
            "links": {
                "all": "?" + _query(request, grade="", vetoed=""),
                "excellent": "?" + _query(request, grade=Grade.EXCELLENT, vetoed=""),
                "vetoed": "?" + _query(request, grade="", vetoed="1"),
            },
            "filtered": len(ordered) != len(results),
            "columns": columns,
            "sorting": sorting,
            "sort": key,
            "descending": descending,
            "rows": rows,
            "page": page,
            "query": _query(request),
            "export_query": _query(request),
            "charts": charts,
            "funds": round.fund_method != FundMethod.NONE,
        },
    )


@login_required
def charts_page(request, pk):
    round = get_round(request.user, pk)
    return redirect(reverse("scoring:results", args=[round.pk]) + "#charts")


@login_required
def results_xlsx(request, pk):
    round = get_round(request.user, pk)
    _nodes, sections, _results, ordered, _key, _descending = _visible(request, round)
    content = exports.workbook(ordered, sections)
    grade = request.GET.get("grade", "")
    stem = export_stem(
        round.owner_unit,
        round.name,
        _("Results"),
        grade_word(grade) if grade in Grade.values else "",
        _("Vetoed") if request.GET.get("vetoed") == "1" else "",
    )
    return xlsx_response(content, stem)


# ---------------------------------------------------------------------------- one unit's result


def _lines(nodes, result, scores, depth=0):
    """The rubric flattened for the page: a line per section (with the unit's points in it) followed by
    its criteria, then its subsections, each with its depth."""
    lines = []
    for section, criteria, children in nodes:
        value = Decimal(result.section_points.get(str(section.pk), "0"))
        lines.append({"section": section, "depth": depth, "points": points(value, True), "negative": value < 0})
        for criterion in criteria:
            score = scores.get(criterion.pk)
            if score is None:
                lines.append({"criterion": criterion, "depth": depth + 1, "score": None, "max": maximum(criterion)})
                continue
            code, word = source(criterion, score)
            lines.append(
                {
                    "criterion": criterion,
                    "depth": depth + 1,
                    "score": score,
                    "max": maximum(criterion),
                    "points": points(score.points, True),
                    "negative": score.points < 0,
                    "source": word,
                    "source_code": code,
                    "value": value_words(criterion, score),
                    "veto": criterion.kind == Kind.VETO,
                }
            )
        lines += _lines(children, result, scores, depth + 1)
    return lines


@login_required
def result_page(request, pk, unit_pk):
    round = get_round(request.user, pk)
    result = get_result(request.user, round, unit_pk)
    scores = {s.criterion_id: s for s in Score.objects.filter(round=round, unit_id=result.unit_id)}
    return render(
        request,
        "scoring/result.html",
        {
            "round": round,
            "result": result,
            "published": round.status == RoundStatus.PUBLISHED,
            "lines": _lines(tree(round.rubric), result, scores),
            "grade": grade_word(result.grade) if result.grade else "",
            "grade_colour": GRADE_COLOURS.get(result.grade, "text-bg-light"),
            "total": points(result.total, True),
            "full_marks": points(round.rubric.full_marks),
            "funds": round.fund_method != FundMethod.NONE,
        },
    )


# ---------------------------------------------------------------------------- the drill-down


def _score(user, pk):
    """The score, its round and its result, if the user may see that unit's result; else 404."""
    score = Score.objects.filter(pk=pk).select_related("criterion__section", "unit").first()
    if score is None:
        raise Http404
    round = get_round(user, score.round_id)
    result = get_result(user, round, score.unit_id)
    return score, round, result


def _sections_of(criterion):
    chain, section = [], criterion.section
    while section is not None:
        chain.append(section)
        section = section.parent
    return chain[::-1]


def _render_score(request, score, round, result, form=None):
    criterion = score.criterion
    entry = metrics.get(criterion.metric) if criterion.metric else None
    shown = drill.records_visible(request.user, round, score.unit)
    records = changed = None
    if shown and entry is not None and entry.records_of is not None:
        records = drill.linked_for(request.user, entry.records_of(score.unit, round.period_start, round.period_end))
        changed = drill.drift(entry, score, drill.values_now(entry, score.unit, round))
    office = permissions.is_round_office(request.user, round)
    can_adjust = office and round.status != RoundStatus.DRAFT and criterion.kind != Kind.VETO
    if can_adjust and form is None:
        form = AdjustForm(initial={"points": score.points, "version": score.version})
    code, word = source(criterion, score)
    return render(
        request,
        "scoring/score_detail.html",
        {
            "round": round,
            "result": result,
            "score": score,
            "criterion": criterion,
            "sections": _sections_of(criterion),
            # The label and doc, not the entry: templates would call it (a metric is callable).
            "metric": {"label": entry.label, "doc": entry.doc} if entry is not None else None,
            "kind": criterion.get_kind_display(),
            "max": maximum(criterion),
            "value": value_words(criterion, score),
            "steps": steps(criterion, score),
            "points": points(score.points, True),
            "negative": score.points < 0,
            "source": word,
            "source_code": code,
            "records": records,
            "counted": sum(1 for r in records.rows if r.counted) if records else 0,
            "denominator_only": any(not r.counted for r in records.rows) if records else False,
            "records_shown": shown,
            "records_hidden": drill.RECORDS_HIDDEN,
            "changed": changed,
            "evidence": list(score.evidence.all()) if shown else [],
            "changes": list(score.changes.select_related("actor")),
            "form": form if can_adjust else None,
            "published": round.status == RoundStatus.PUBLISHED,
            "veto": criterion.kind == Kind.VETO,
        },
    )


@login_required
def score_page(request, pk):
    score, round, result = _score(request.user, pk)
    return _render_score(request, score, round, result)


@login_required
@require_POST
def score_adjust(request, pk):
    score, round, result = _score(request.user, pk)
    if not permissions.is_round_office(request.user, round):
        raise PermissionDenied
    form = AdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: correct the marked fields."))
        return _render_score(request, score, round, result, form)
    data = form.cleaned_data
    try:
        workflow.adjust(
            score=score, actor=request.user, points=data["points"], reason=data["reason"], version=data["version"]
        )
    except Conflict as conflict:
        messages.error(request, conflict.message)
        return redirect("scoring:score", pk=score.pk)
    except Refused as refused:
        messages.error(request, refused.message)
        return _render_score(request, score, round, result, form)
    messages.success(request, _("The score is adjusted; totals, ranks, grades and funds follow."))
    return redirect("scoring:score", pk=score.pk)


# ---------------------------------------------------------------------------- the bulletin


def _published(user, pk):
    round = get_round(user, pk)
    if round.status != RoundStatus.PUBLISHED:
        raise Http404
    return round, list(visible_results(user, round))


@login_required
def bulletin_docx(request, pk):
    round, results = _published(request.user, pk)
    content = render_docx(bulletin.document(round, results))
    name = export_stem(round.owner_unit, round.name, _("Results bulletin"), round.bulletin_number)
    return download_response(content, f"{name}.docx", DOCX_CONTENT_TYPE)


@login_required
def bulletin_print(request, pk):
    round, results = _published(request.user, pk)
    return render(
        request, "scoring/bulletin_print.html", {"round": round, "html": render_html(bulletin.document(round, results))}
    )

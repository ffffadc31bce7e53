"""The rubric builder (考核办法): the list, a new rubric, the rubric with its section tree and the
share of full marks computed from records, adding and removing sections and criteria while it is a
draft, and copying a rubric in use to the next year.

Every change goes through ``scoring.rubrics``; a refusal shows on the form and nothing is saved. Only
office staff of the owning office (or an office above it) change a rubric; everyone who is assessed by
it may read it.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, DecimalField, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from orgs.models import Role
from qingdan import metrics
from qingdan.errors import Refused
from qingdan.pages import paginate, query_without_page
from qingdan.permissions import role_required
from scoring import rubrics
from scoring.forms_rubrics import CopyForm, CriterionForm, RemoveForm, RubricForm, SectionForm, metric_groups
from scoring.models import METRIC_KINDS, Criterion, Kind, Round, Section
from scoring.queries import get_rubric, visible_rounds, visible_rubrics
from scoring.rubrics import is_rubric_office

ZERO = Decimal(0)


# --- the declaration in words ----------------------------------------------------------------


def points_text(value):
    """``15.00`` → ``15``, ``2.50`` → ``2.5``; a deduction keeps its minus sign (−2)."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace("-", "−")


def _signed(value):
    text = points_text(value)
    return text if value < 0 else f"+{text}"


def _join(parts):
    separator = "；" if (get_language() or "").startswith("zh") else "; "
    return separator.join(str(p) for p in parts)


def describe(criterion):
    """How a criterion scores, in the words of a rubric document: ``≥70% 得3分；≥60% 得2分``."""
    kind = criterion.kind
    if kind == Kind.MANUAL:
        if criterion.reason_required:
            return _("Judged by hand from 0 to %(max)s points, with a reason") % {
                "max": points_text(criterion.max_points)
            }
        return _("Judged by hand from 0 to %(max)s points") % {"max": points_text(criterion.max_points)}
    if kind == Kind.RATIO:
        entry = metrics.get(criterion.metric)
        return _("%(max)s points × %(metric)s") % {
            "max": points_text(criterion.max_points),
            "metric": entry.label if entry is not None else criterion.metric,
        }
    if kind == Kind.TIERED:
        tiers = criterion.tiers or []
        parts = [
            _("≥%(from)s%% gives %(points)s points")
            % {"from": points_text(Decimal(t["from"])), "points": points_text(Decimal(t["points"]))}
            for t in tiers
        ]
        if tiers and Decimal(tiers[-1]["from"]) > 0:
            parts.append(_("below %(from)s%% gives none") % {"from": points_text(Decimal(tiers[-1]["from"]))})
        return _join(parts)
    if kind == Kind.PER_OCCURRENCE:
        each = criterion.points_each or ZERO
        values = {"each": _signed(each), "cap": points_text(criterion.cap)}
        if criterion.cap is None:
            return _("%(each)s points each time, with no limit") % values
        if each < 0:
            return _("%(each)s points each time, at most %(cap)s points deducted") % values
        return _("%(each)s points each time, at most %(cap)s points added") % values
    if kind == Kind.CONDITION:
        day = formats.date_format(criterion.condition_by) if criterion.condition_by else "—"
        return _("%(points)s points when met by %(day)s") % {"points": points_text(criterion.max_points), "day": day}
    if kind == Kind.VETO:
        return _("One-vote veto: once triggered, the unit cannot be graded excellent")
    return ""


def source_text(criterion):
    """Where a criterion's points come from: its metric, or the people who judge it."""
    if criterion.metric:
        entry = metrics.get(criterion.metric)
        return entry.label if entry is not None else criterion.metric
    if criterion.kind == Kind.VETO:
        return _("Decided in review")
    return _("Entered by the unit, checked in review")


# --- the list ----------------------------------------------------------------------------------


def _share_expression():
    """A criterion's points towards full marks, as ``Criterion.counts_to_full_marks`` works them out."""
    return Case(
        When(kind=Kind.VETO, then=Value(ZERO)),
        When(kind=Kind.PER_OCCURRENCE, points_each__gt=0, cap__isnull=False, then=F("cap")),
        When(kind=Kind.PER_OCCURRENCE, then=Value(ZERO)),
        default=F("max_points"),
        output_field=DecimalField(max_digits=8, decimal_places=2),
    )


def _sum_of(condition):
    criteria = Criterion.objects.filter(condition, section__rubric=OuterRef("pk"))
    return Coalesce(
        Subquery(
            criteria.order_by().values("section__rubric").annotate(n=Sum(_share_expression())).values("n"),
            output_field=DecimalField(max_digits=10, decimal_places=2),
        ),
        Value(ZERO),
        output_field=DecimalField(max_digits=10, decimal_places=2),
    )


@login_required
def rubric_list(request):
    computed = Q(kind__in=METRIC_KINDS) | ~Q(metric="")
    rounds = Round.objects.filter(rubric=OuterRef("pk")).order_by().values("rubric").annotate(n=Count("id"))
    rows = visible_rubrics(request.user).annotate(
        computed_points=_sum_of(computed),
        all_points=_sum_of(Q()),
        round_count=Coalesce(Subquery(rounds.values("n"), output_field=IntegerField()), Value(0)),
    )
    page = paginate(request, rows.order_by("-year", "name", "id"))
    for rubric in page:
        rubric.computed_share = rubric.computed_points / rubric.full_marks if rubric.full_marks else None
        rubric.manual_share = (
            (rubric.all_points - rubric.computed_points) / rubric.full_marks if rubric.full_marks else None
        )
    return render(
        request,
        "scoring/rubric_list.html",
        {"page": page, "query": query_without_page(request), "can_create": request.user.has_role(Role.OFFICE)},
    )


@role_required(Role.OFFICE)
def rubric_new(request):
    form = RubricForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rubric = rubrics.create_rubric(
                actor=request.user,
                name=data["name"].strip(),
                year=data["year"],
                full_marks=data["full_marks"],
                excellent_from=data["excellent_from"],
                good_from=data["good_from"],
                pass_from=data["pass_from"],
                max_manual_share=data["max_manual_share"],
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Rubric created; now add its sections and criteria."))
            return redirect("scoring:rubric", pk=rubric.pk)
    return render(request, "scoring/rubric_form.html", {"form": form})


# --- one rubric --------------------------------------------------------------------------------


def _rows(nodes, depth=0):
    """The tree as table rows in reading order: sections with the sum of their parts, then criteria."""
    rows = []
    for section, criteria, children in nodes:
        inside = sum((child.max_points for child, _c, _k in children), ZERO) + sum(
            (c.counts_to_full_marks for c in criteria), ZERO
        )
        rows.append(
            {
                "section": section,
                "depth": depth,
                "adds_up": inside == section.max_points,
                "inside": points_text(inside),
                "floor": points_text(section.floor),
            }
        )
        for criterion in criteria:
            rows.append(
                {
                    "criterion": criterion,
                    "depth": depth + 1,
                    "words": describe(criterion),
                    "source": source_text(criterion),
                    "computed": criterion.is_computed,
                }
            )
        rows.extend(_rows(children, depth + 1))
    return rows


def _sections_in_order(nodes, depth=0):
    found = []
    for section, _criteria, children in nodes:
        found.append((section, depth))
        found.extend(_sections_in_order(children, depth + 1))
    return found


def _width(points, full):
    """A bar's width in % of full marks, as CSS wants it (a dot, whatever the language)."""
    return f"{min(max(points * 100 / full, ZERO), Decimal(100)):.1f}" if full else "0"


def _rubric_page(request, rubric, section_form=None, status=200):
    user = request.user
    nodes = rubrics.tree(rubric)
    frozen = rubric.frozen_at is not None
    owner = is_rubric_office(user, rubric)
    can_edit = owner and not frozen
    if can_edit and section_form is None:
        section_form = SectionForm(sections=_sections_in_order(nodes))
    computed, manual = rubrics.shares(rubric)
    full = rubric.full_marks
    return render(
        request,
        "scoring/rubric_detail.html",
        {
            "rubric": rubric,
            "rows": _rows(nodes),
            "frozen": frozen,
            "owner": owner,
            "can_edit": can_edit,
            "section_form": section_form,
            "computed": computed,
            "manual": manual,
            "computed_share": computed / full if full else None,
            "manual_share": manual / full if full else None,
            "computed_width": _width(computed, full),
            "manual_width": _width(manual, full),
            "limit_share": rubric.max_manual_share / 100 if rubric.max_manual_share is not None else None,
            "problems": rubrics.problems(rubric),
            "rounds": list(visible_rounds(user).filter(rubric=rubric).order_by("-period_end", "-id")),
            "copied_from": visible_rubrics(user).filter(pk=rubric.copied_from_id).first()
            if rubric.copied_from_id
            else None,
        },
        status=status,
    )


@login_required
def rubric_detail(request, pk):
    return _rubric_page(request, get_rubric(request.user, pk))


def _may_change(request, rubric):
    """The owner office may change a draft; anyone else who sees the rubric is told why not."""
    if not is_rubric_office(request.user, rubric):
        messages.error(request, _("Only the office that owns this rubric can change it."))
        return False
    return True


@role_required(Role.OFFICE)
def section_add(request, pk):
    rubric = get_rubric(request.user, pk)
    if request.method != "POST" or not _may_change(request, rubric):
        return redirect("scoring:rubric", pk=rubric.pk)
    form = SectionForm(request.POST, sections=_sections_in_order(rubrics.tree(rubric)))
    if form.is_valid():
        data = form.cleaned_data
        try:
            section = rubrics.add_section(
                rubric=rubric,
                actor=request.user,
                name=data["name"].strip(),
                max_points=data["max_points"],
                parent=data["parent"],
                floor=data["floor"],
            )
        except Refused as refused:
            if rubric.frozen_at is not None:
                # The page of a rubric in use shows no form: the refusal goes above the tree.
                messages.error(request, refused.message)
                return redirect("scoring:rubric", pk=rubric.pk)
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Section “%(name)s” added.") % {"name": section.name})
            return redirect(reverse("scoring:rubric", args=[rubric.pk]) + f"#s{section.pk}")
    return _rubric_page(request, rubric, section_form=form)


def _section_of(user, pk):
    rubric_ids = visible_rubrics(user).values("pk")
    return get_object_or_404(Section.objects.select_related("rubric__owner_unit"), pk=pk, rubric__in=rubric_ids)


def _criterion_of(user, pk):
    rubric_ids = visible_rubrics(user).values("pk")
    return get_object_or_404(
        Criterion.objects.select_related("section__rubric__owner_unit"), pk=pk, section__rubric__in=rubric_ids
    )


@role_required(Role.OFFICE)
def criterion_add(request, pk):
    """The kind-dependent criterion form for one section, on a page of its own."""
    section = _section_of(request.user, pk)
    rubric = section.rubric
    if not _may_change(request, rubric):
        return redirect("scoring:rubric", pk=rubric.pk)
    if rubric.frozen_at is not None:
        messages.error(
            request, _("This rubric is used by an assessment round and can no longer change; copy it instead.")
        )
        return redirect("scoring:rubric", pk=rubric.pk)
    form = CriterionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            criterion = rubrics.add_criterion(section=section, actor=request.user, **form.declaration())
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Criterion “%(name)s” added.") % {"name": criterion.name})
            return redirect(reverse("scoring:rubric", args=[rubric.pk]) + f"#c{criterion.pk}")
    used = sum((s.max_points for s in section.children.all()), ZERO) + sum(
        (c.counts_to_full_marks for c in section.criteria.all()), ZERO
    )
    return render(
        request,
        "scoring/rubric_criterion_form.html",
        {
            "rubric": rubric,
            "section": section,
            "form": form,
            "room": section.max_points - used,
            "used": used,
            "groups": metric_groups(),
            "chosen_metric": form["metric"].value() or "",
        },
    )


def _remove(request, rubric, *, what, name, extra, run):
    """GET: ask; POST with the confirmation: remove through ``run``. A refusal changes nothing."""
    if not _may_change(request, rubric):
        return redirect("scoring:rubric", pk=rubric.pk)
    if request.method == "POST":
        form = RemoveForm(request.POST)
        if form.is_valid():
            try:
                run()
            except Refused as refused:
                messages.error(request, refused.message)
            else:
                messages.success(request, _("“%(name)s” removed.") % {"name": name})
            return redirect("scoring:rubric", pk=rubric.pk)
    return render(
        request,
        "scoring/rubric_remove.html",
        {"rubric": rubric, "what": what, "name": name, "extra": extra, "frozen": rubric.frozen_at is not None},
    )


@role_required(Role.OFFICE)
def section_remove(request, pk):
    section = _section_of(request.user, pk)
    rubric = section.rubric
    criteria = Criterion.objects.filter(section__rubric=rubric)
    ids, frontier = {section.pk}, {section.pk}
    while frontier:  # the subsections at every depth go with it
        frontier = set(Section.objects.filter(parent__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    extra = _("Its %(sections)s subsections and %(criteria)s criteria are removed with it.") % {
        "sections": len(ids) - 1,
        "criteria": criteria.filter(section__in=ids).count(),
    }
    return _remove(
        request,
        rubric,
        what=_("section"),
        name=section.name,
        extra=extra,
        run=lambda: rubrics.remove_section(section=section, actor=request.user),
    )


@role_required(Role.OFFICE)
def criterion_remove(request, pk):
    criterion = _criterion_of(request.user, pk)
    rubric = criterion.section.rubric
    return _remove(
        request,
        rubric,
        what=_("criterion"),
        name=criterion.name,
        extra=describe(criterion),
        run=lambda: rubrics.remove_criterion(criterion=criterion, actor=request.user),
    )


@role_required(Role.OFFICE)
def rubric_copy(request, pk):
    """Copy the rubric (usually one in use) to another year, as a new draft of the user's office."""
    rubric = get_rubric(request.user, pk)
    if not _may_change(request, rubric):
        return redirect("scoring:rubric", pk=rubric.pk)
    form = CopyForm(
        request.POST if request.method == "POST" else None, initial={"year": rubric.year + 1, "name": rubric.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = rubrics.copy_rubric(
                rubric=rubric, actor=request.user, year=form.cleaned_data["year"], name=form.cleaned_data["name"]
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Copied to %(year)s as a draft; change it as needed.") % {"year": copy.year})
            return redirect("scoring:rubric", pk=copy.pk)
    return render(request, "scoring/rubric_copy.html", {"rubric": rubric, "form": form})

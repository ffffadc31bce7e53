"""Forms of the round pages: a new round, the fund formula, and the small forms of each score.

The forms only read what was typed; the rules (points within 0..max, a reason where one is required,
a pool that can be split, a reason after publication) are the workflow's, whose refusals the pages
show next to the form."""

from datetime import date

from django import forms
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from evidence.models import Evidence
from orgs.models import OrgKind, OrgUnit
from orgs.queries import visible_units, within
from qingdan import clock
from qingdan.forms import DateInput, StyledForm, UnitChoiceField
from scoring import explain
from scoring.models import FundMethod, Grade, RoundStatus, Rubric
from scoring.queries import visible_rubrics

# The evidence library offered beside a criterion: the most recent files of the unit.
LIBRARY_SHOWN = 100
REASON_MAX = 2000


class RubricChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.year}）· {obj.owner_unit.name}"


class RoundForm(StyledForm):
    """A rubric, a name, a period and the units: every unit of one kind below a chosen unit."""

    rubric = RubricChoiceField(label=_("Rubric"), queryset=Rubric.objects.none())
    name = forms.CharField(label=_("Name of the round"), max_length=200)
    period_start = forms.DateField(label=_("Period from"), widget=DateInput)
    period_end = forms.DateField(label=_("Period to"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind of unit assessed"), choices=OrgKind.choices, initial=OrgKind.COUNTY)
    root = UnitChoiceField(
        label=_("Within"),
        queryset=OrgUnit.objects.none(),
        help_text=_("Every unit of that kind below the chosen unit is assessed."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rubric"].queryset = visible_rubrics(user).order_by("-year", "name", "id")
        self.fields["rubric"].empty_label = None
        has_children = OrgUnit.objects.filter(parent=OuterRef("pk"))
        self.fields["root"].queryset = (
            visible_units(user)
            .filter(Q(Exists(has_children)) | Q(pk=user.org_unit_id))
            .order_by("path")
            .only("id", "name", "depth", "path")
        )
        self.fields["root"].base_depth = user.org_unit.depth
        self.fields["root"].empty_label = None
        if not self.is_bound:
            # The kind most units right below the office have (a city's county unions, a county's departments).
            below = OrgUnit.objects.filter(parent=user.org_unit_id).values("kind").annotate(n=Count("id"))
            if top := below.order_by("-n", "kind").first():
                self.fields["kind"].initial = top["kind"]
            year = clock.today().year
            self.fields["period_start"].initial = date(year, 1, 1)
            self.fields["period_end"].initial = date(year, 12, 31)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end on or after its first day."))
        return data

    def units(self, user):
        """The units to assess (after ``is_valid``): never the office's own unit, which runs the round."""
        data = self.cleaned_data
        return (
            visible_units(user)
            .filter(within(data["root"]), kind=data["kind"])
            .exclude(pk=user.org_unit_id)
            .order_by("path")
        )


class RoundFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *RoundStatus.choices], required=False
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    task = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)


class VersionForm(StyledForm):
    """Every change carries the version its page showed; a stale one is a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ComputeForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for recomputing published results"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


METHOD_HELP = {
    FundMethod.NONE: _("The results are not linked to the work-fund subsidy."),
    FundMethod.PER_GRADE: _(
        "Each unit receives the fixed amount of its grade, e.g. ¥50,000 for excellent and ¥30,000 for good."
    ),
    FundMethod.POOL: _(
        "Every unit receives the base amount; the rest of the pool is shared by the units scoring at least the "
        "floor, in proportion to their scores, in whole yuan, so the amounts add up to the pool exactly."
    ),
}


class FundsForm(StyledForm):
    method = forms.ChoiceField(label=_("Fund allocation"), choices=FundMethod.choices, widget=forms.RadioSelect)
    excellent = forms.DecimalField(label=Grade.EXCELLENT.label, required=False, max_digits=14, decimal_places=2)
    good = forms.DecimalField(label=Grade.GOOD.label, required=False, max_digits=14, decimal_places=2)
    pass_ = forms.DecimalField(label=Grade.PASS.label, required=False, max_digits=14, decimal_places=2)
    fail = forms.DecimalField(label=Grade.FAIL.label, required=False, max_digits=14, decimal_places=2)
    pool = forms.DecimalField(label=_("Fund pool (yuan)"), required=False, max_digits=14, decimal_places=2)
    base = forms.DecimalField(label=_("Base amount per unit (yuan)"), required=False, max_digits=14, decimal_places=2)
    floor = forms.DecimalField(label=_("Score floor"), required=False, max_digits=8, decimal_places=2)
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].widget.attrs["class"] = "form-check-input"
        # The grade's word as the results pages give it (the model's "Pass" also means 通过验收).
        for name, grade in (
            ("excellent", Grade.EXCELLENT),
            ("good", Grade.GOOD),
            ("pass_", Grade.PASS),
            ("fail", Grade.FAIL),
        ):
            self.fields[name].label = explain.grade_word(grade)
        for name in ("excellent", "good", "pass_", "fail", "pool", "base"):
            self.fields[name].widget.attrs.update({"min": "0", "step": "1", "inputmode": "decimal"})

    @classmethod
    def initial_of(cls, round):
        table = round.fund_per_grade or {}
        return {
            "method": round.fund_method,
            "excellent": table.get(Grade.EXCELLENT),
            "good": table.get(Grade.GOOD),
            "pass_": table.get(Grade.PASS),
            "fail": table.get(Grade.FAIL),
            "pool": round.fund_pool,
            "base": round.fund_base,
            "floor": round.fund_floor,
        }

    def per_grade(self):
        data = self.cleaned_data
        return {
            Grade.EXCELLENT: data["excellent"],
            Grade.GOOD: data["good"],
            Grade.PASS: data["pass_"],
            Grade.FAIL: data["fail"],
        }


class SelfScoreForm(VersionForm):
    """A unit's own score of one criterion judged by hand; a condition takes the day it was met."""

    points = forms.DecimalField(label=_("Points"), required=False, max_digits=8, decimal_places=2)
    met_on = forms.DateField(
        label=_("Day the condition was met"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty when it has not been met."),
    )
    reason = forms.CharField(
        label=_("Reason for the points"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    library = forms.ModelMultipleChoiceField(
        label=_("From your unit's evidence library"),
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, unit, criterion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = Evidence.objects.filter(owner_unit=unit)
        self.fields["points"].widget.attrs.update(
            {"min": "0", "max": str(criterion.max_points), "step": "0.01", "inputmode": "decimal", "data-points": ""}
        )
        # The page sends back what it showed beside what was typed: a save changes only the cards edited.
        for name in ("points", "met_on", "reason"):
            self.fields[name].show_hidden_initial = True


class ReviewScoreForm(VersionForm):
    """A reviewer's points (初审) of a criterion judged by hand, or the call on a veto."""

    points = forms.DecimalField(label=_("Reviewed points"), required=False, max_digits=8, decimal_places=2)
    vetoed = forms.TypedChoiceField(
        label=_("Veto triggered"),
        choices=[("0", _("No")), ("1", _("Yes: the unit cannot be graded excellent"))],
        coerce=lambda v: v == "1",
        required=False,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for the points"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, criterion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vetoed"].widget.attrs["class"] = "form-check-input"
        self.fields["points"].widget.attrs.update(
            {"min": "0", "max": str(criterion.max_points), "step": "0.01", "inputmode": "decimal"}
        )

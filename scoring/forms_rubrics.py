"""Forms of the rubric builder: a new rubric, a section, a criterion (its fields depend on its kind) and
copying a rubric to another year. The forms only read what was typed; ``scoring.rubrics`` decides
whether it adds up and says why not."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan import clock, metrics
from qingdan.forms import DateInput, Form, StyledForm
from scoring.models import Kind

TIER_ROWS = 5
POINTS_LIMITS = {"max_digits": 8, "decimal_places": 2}

# The kind of metric each kind of criterion reads (a condition and a veto may also be decided by hand).
METRIC_KIND_OF = {
    Kind.RATIO: metrics.RATE,
    Kind.TIERED: metrics.RATE,
    Kind.PER_OCCURRENCE: metrics.COUNT,
    Kind.VETO: metrics.COUNT,
    Kind.CONDITION: metrics.DATE,
}
METRIC_KIND_NAMES = {
    metrics.RATE: _("Rate metrics"),
    metrics.COUNT: _("Count metrics"),
    metrics.DATE: _("Date metrics"),
}


class PointsField(forms.DecimalField):
    """Points as people type them: a minus sign from a Chinese input method (−2, －2) is still a minus."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**POINTS_LIMITS, **kwargs)
        self.widget.attrs.setdefault("step", "any")

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("−", "-").replace("－", "-").replace("＋", "+").replace("．", ".")
        return super().to_python(value)


class RubricForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    full_marks = PointsField(label=_("Full marks"), required=True, min_value=Decimal("0.01"))
    excellent_from = PointsField(label=_("Excellent from"), min_value=0)
    good_from = PointsField(label=_("Good from"), min_value=0)
    pass_from = PointsField(label=_("Pass from"), min_value=0)
    max_manual_share = PointsField(
        label=_("Largest share judged by hand (%)"),
        min_value=0,
        max_value=100,
        help_text=_(
            "Optional, in per cent of full marks: 20 means at most a fifth of the points may be judged by hand."
        ),
    )

    DEFAULT_SHARES = {"excellent_from": 90, "good_from": 80, "pass_from": 60}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = clock.today().year
        for name, share in self.DEFAULT_SHARES.items():
            self.fields[name].help_text = _("Empty: %(share)s%% of full marks.") % {"share": share}

    def clean(self):
        data = super().clean()
        full = data.get("full_marks")
        if full is not None:
            for name, share in self.DEFAULT_SHARES.items():
                if data.get(name) is None and name not in self.errors:
                    data[name] = (full * share / 100).quantize(Decimal("0.01"))
        return data


class SectionForm(StyledForm):
    name = forms.CharField(label=_("Name of the section"), max_length=100)
    max_points = PointsField(label=_("Points available"), required=True)
    parent = forms.TypedChoiceField(
        label=_("Parent section"), required=False, coerce=int, empty_value=None, help_text=_("Empty: a top section.")
    )
    floor = PointsField(
        label=_("Lowest score"),
        help_text=_("Optional, for a deductions section: e.g. −20 stops the deductions there."),
    )

    def __init__(self, *args, sections=(), **kwargs):
        """``sections``: ``[(section, depth)]`` of the rubric in reading order."""
        super().__init__(*args, **kwargs)
        self.sections = {section.pk: section for section, _depth in sections}
        self.fields["parent"].choices = [
            ("", _("— top level —")),
            *((section.pk, "\u3000" * depth + section.name) for section, depth in sections),
        ]

    def clean_parent(self):
        pk = self.cleaned_data["parent"]
        return self.sections.get(pk) if pk is not None else None


class CriterionForm(StyledForm):
    """One criterion; fields not belonging to the chosen kind are hidden on the page and dropped here."""

    name = forms.CharField(label=_("Name of the criterion"), max_length=200)
    description = forms.CharField(
        label=_("Standard"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What earns the points, in words the units understand."),
    )
    kind = forms.ChoiceField(label=_("How it is scored"), choices=Kind.choices, initial=Kind.MANUAL)
    max_points = PointsField(label=_("Points available"))
    metric = forms.CharField(label=_("Metric"), required=False, max_length=60)
    points_each = PointsField(
        label=_("Points each time"), help_text=_("Positive for a bonus, negative for a deduction: e.g. −2.")
    )
    cap = PointsField(
        label=_("At most (points)"),
        min_value=0,
        help_text=_("The most points added or deducted in all; a bonus needs one."),
    )
    condition_by = forms.DateField(label=_("Met by"), required=False, widget=DateInput)
    reason_required = forms.BooleanField(
        label=_("A reason is required with the points"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, TIER_ROWS + 1):
            outside = _("Tier %(n)s: a threshold is a percentage from 0 to 100.") % {"n": n}
            self.fields[f"tier_from_{n}"] = PointsField(
                label=_("Tier %(n)s: rate from (%%)") % {"n": n},
                min_value=0,
                max_value=100,
                error_messages={"min_value": outside, "max_value": outside},
            )
            self.fields[f"tier_points_{n}"] = PointsField(label=_("Tier %(n)s: points") % {"n": n})
            for name in (f"tier_from_{n}", f"tier_points_{n}"):
                self.fields[name].widget.attrs["class"] = "form-control form-control-sm"

    def tier_rows(self):
        return [(self[f"tier_from_{n}"], self[f"tier_points_{n}"]) for n in range(1, TIER_ROWS + 1)]

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def declaration(self):
        """The keyword arguments of ``scoring.rubrics.add_criterion`` (besides section and actor)."""
        data = self.cleaned_data
        kind = data["kind"]
        tiers = []
        if kind == Kind.TIERED:
            for n in range(1, TIER_ROWS + 1):
                start, points = data.get(f"tier_from_{n}"), data.get(f"tier_points_{n}")
                if start is not None or points is not None:
                    tiers.append({"from": start, "points": points})
        occurrence = kind == Kind.PER_OCCURRENCE
        return {
            "name": data["name"].strip(),
            "description": data["description"].strip(),
            "reason_required": data["reason_required"] if kind in (Kind.MANUAL, Kind.CONDITION) else False,
            "kind": kind,
            "max_points": data["max_points"] if kind in (Kind.MANUAL, Kind.RATIO, Kind.TIERED, Kind.CONDITION) else 0,
            "metric": data["metric"].strip() if kind in METRIC_KIND_OF else "",
            "tiers": tiers,
            "points_each": data["points_each"] if occurrence else None,
            "cap": data["cap"] if occurrence else None,
            "condition_by": data["condition_by"] if kind == Kind.CONDITION else None,
        }


def metric_groups():
    """The metrics to choose from, by kind: ``[(kind, name, [(key, label, doc, available)])]``. Planned ones
    (their area not built yet) are listed so authors know they are coming, and cannot be chosen."""
    groups = {kind: [] for kind in METRIC_KIND_NAMES}
    for entry in sorted(metrics.available().values(), key=lambda e: (e.area, e.key)):
        groups.setdefault(entry.kind, []).append((entry.key, entry.label, entry.doc, True))
    for key, label, kind, _area in metrics.planned():
        groups.setdefault(kind, []).append((key, label, "", False))
    return [(kind, METRIC_KIND_NAMES.get(kind, kind), rows) for kind, rows in groups.items() if rows]


class CopyForm(StyledForm):
    year = forms.IntegerField(label=_("Year of the copy"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Name of the copy"), max_length=200)


class RemoveForm(Form):
    confirm = forms.BooleanField(required=True)

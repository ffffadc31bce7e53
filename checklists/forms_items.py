"""Forms of the item pages: the list's filter bar and the small forms of each action."""

from django import forms
from django.utils.translation import gettext_lazy as _

from checklists.inbox import Task
from checklists.models import Category, Conclusion, ItemStatus
from checklists.queries import Colour, is_id
from evidence.models import Evidence
from orgs.models import OrgUnit, Role, User
from orgs.queries import on_the_line_of, tree_order, visible_units, visible_users, within
from qingdan.forms import DateInput, StyledForm, UnitChoiceField
from qingdan.widgets import FastSelect

# A select lists at most this many units or categories; a deeper one (from a link) is added.
CHOICES_SHOWN = 500
LIBRARY_SHOWN = 100

COLOUR_NAMES = {Colour.BLUE: _("Blue"), Colour.YELLOW: _("Yellow"), Colour.RED: _("Red")}


def status_word(status):
    """The status label. "Closed" alone is also the surveys' 已截止 in the catalogue; an item is 已销号."""
    return _("Closed out") if status == ItemStatus.CLOSED else ItemStatus(status).label


NO_CATEGORY = "none"


class CategoryField(forms.ModelChoiceField):
    """A category of the catalogue, or ``none`` for items whose list has no category."""

    def to_python(self, value):
        if value == NO_CATEGORY:
            return NO_CATEGORY
        return super().to_python(value)


class Show:
    """The list's quick switch. With no switch in the address the list opens on open work (OPEN) — or,
    when the address filters anything (a figure's or the workbench's link), on every item, as it always
    did, so the rows behind a figure stay exactly the rows it counts."""

    OPEN, MINE, LATE, CLOSED, ALL = "open", "mine", "late", "closed", "all"
    choices = [
        (OPEN, _("Open work")),
        (MINE, _("Waiting for me")),
        (LATE, _("Overdue")),
        (CLOSED, _("Closed out")),
        (ALL, _("All")),
    ]


def unit_choices(form, user, empty_label):
    """``form``'s ``unit`` field: any unit of the user's subtree is accepted; the select lists the nearby levels, in
    the tree's order (at most ``CHOICES_SHOWN``), and the one picked when it lies deeper (from a link)."""
    unit = user.org_unit
    units = visible_units(user).only("id", "name", "depth", "path")
    field = form.fields["unit"]
    field.queryset = units
    field.base_depth = unit.depth
    field.empty_label = empty_label
    shown = list(units.filter(depth__lte=unit.depth + 2).order_by(tree_order())[:CHOICES_SHOWN])
    picked = form.data.get("unit") if form.is_bound else form.initial.get("unit")
    if picked and is_id(str(picked)) and all(str(u.pk) != str(picked) for u in shown):
        shown += list(units.filter(pk=picked))
    field.widget.choices = [("", empty_label), *((u.pk, field.label_from_instance(u)) for u in shown)]


class ItemFilterForm(StyledForm):
    show = forms.ChoiceField(choices=Show.choices, required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *((s, status_word(s)) for s in ItemStatus.values)],
        required=False,
        widget=FastSelect,
    )
    # The selects render their options without a template each (``qingdan.widgets``): same HTML, a fraction of the time.
    unit = UnitChoiceField(
        label=_("Responsible unit"), queryset=OrgUnit.objects.none(), required=False, widget=FastSelect
    )
    below = forms.BooleanField(label=_("and units below it"), required=False)
    category = CategoryField(
        label=_("Category"), queryset=Category.objects.none(), required=False, widget=FastSelect
    )
    deadline_from = forms.DateField(label=_("Deadline from"), required=False, widget=DateInput)
    deadline_to = forms.DateField(label=_("Deadline to"), required=False, widget=DateInput)
    colour = forms.ChoiceField(
        label=_("Supervision colour"),
        choices=[("", _("All colours")), *((c, COLOUR_NAMES[c]) for c in (Colour.BLUE, Colour.YELLOW, Colour.RED))],
        required=False,
        widget=FastSelect,
    )
    mine = forms.BooleanField(label=_("Waiting for me"), required=False)
    task = forms.ChoiceField(label=_("Task"), choices=Task.choices, required=False)
    sort = forms.ChoiceField(choices=[("", ""), ("deadline", ""), ("-deadline", "")], required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("below", "mine"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        unit = user.org_unit
        unit_choices(self, user, _("All responsible units"))  # any visible unit is accepted (links from the figures)

        categories = Category.objects.filter(within(unit, "owner_unit") | on_the_line_of(unit, "owner_unit"))
        field = self.fields["category"]
        field.queryset = categories
        field.empty_label = _("All categories")
        field.widget.choices = [
            ("", field.empty_label),
            (NO_CATEGORY, _("No category")),
            *((c.pk, c.name) for c in categories.order_by("owner_unit__path", "position", "id")[:CHOICES_SHOWN]),
        ]


class VersionForm(StyledForm):
    """Every action carries the item version its page showed; a stale one is a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ExtensionForm(VersionForm):
    new_deadline = forms.DateField(label=_("New deadline"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(VersionForm):
    """Pass or fail. Passing an item that requires deep review needs the evaluator."""

    opinion = forms.CharField(
        label=_("Verification opinion"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeepReviewForm(VerifyForm):
    """Pass into deep review (required by the item, or asked for by the reviewer)."""

    evaluator = forms.ModelChoiceField(
        label=_("Third-party evaluator"), queryset=User.objects.none(), empty_label=_("Choose…")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = evaluators(user)


def evaluators(user):
    """Active third-party evaluators of the user's subtree."""
    return visible_users(user).filter(is_active=True, roles__role=Role.EVALUATOR).distinct().order_by("username")


class FailForm(VerifyForm):
    findings = forms.CharField(label=_("Findings"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    fixes = forms.CharField(label=_("What to fix"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    new_deadline = forms.DateField(label=_("New deadline for the rectification"), widget=DateInput)


class EvaluationForm(VersionForm):
    report_notes = forms.CharField(
        label=_("Hearing the report (听汇报)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    ledger_notes = forms.CharField(
        label=_("Checking the ledgers (查台账)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    site_notes = forms.CharField(
        label=_("Visiting the site (看现场)"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    symposium_notes = forms.CharField(
        label=_("Symposium with workers (座谈会)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=Conclusion.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("Evaluation opinion"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    new_deadline = forms.DateField(
        label=_("New deadline if it goes back to rectification"), required=False, widget=DateInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conclusion"].widget.attrs["class"] = "form-check-input"


class DecideExtensionForm(VersionForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    approve = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")


class UrgeForm(VersionForm):
    pass


class ApplyForm(VersionForm):
    """The close-out application: the report, new files and files already in the unit's library."""

    report = forms.CharField(label=_("Completion report"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    library = forms.ModelMultipleChoiceField(
        label=_("From your unit's evidence library"),
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = Evidence.objects.filter(owner_unit=user.org_unit)
        self.library_shown = list(
            Evidence.objects.filter(owner_unit=user.org_unit).order_by("-uploaded_at", "-id")[:LIBRARY_SHOWN]
        )

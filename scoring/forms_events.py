"""Forms of the recorded-events pages: the filter bar, recording an event and withdrawing one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from checklists.queries import is_id
from orgs.models import OrgUnit
from orgs.queries import tree_order, visible_units
from qingdan import clock
from qingdan.forms import DateInput, StyledForm, UnitChoiceField
from scoring.models import EventKind, Level

# A select lists at most this many units; one chosen deeper (from a link) is added.
CHOICES_SHOWN = 500
YEARS_SHOWN = 6


def _unit_field(form, user, empty_label):
    """The units of the user's subtree: the nearby levels listed, any of them accepted."""
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


class EventFilterForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind of event"), choices=[("", _("All kinds")), *EventKind.choices], required=False
    )
    unit = UnitChoiceField(label=_("Unit (and units below it)"), queryset=OrgUnit.objects.none(), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _unit_field(self, user, _("All units"))
        this_year = clock.today().year
        self.fields["year"].choices = [
            ("", _("All years")),
            *((y, y) for y in range(this_year, this_year - YEARS_SHOWN, -1)),
        ]


class EventForm(StyledForm):
    unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label=_("Kind of event"), choices=EventKind.choices)
    level = forms.TypedChoiceField(
        label=_("Level"), coerce=int, choices=[("", _("Choose…")), *Level.choices], empty_value=None
    )
    happened_on = forms.DateField(label=_("Date"), widget=DateInput)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("E.g. the leader's written praise of the unit's wage-arrears mediation."),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("Who wrote the praise, which newspaper or broadcaster, which training course."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _unit_field(self, user, _("Choose…"))
        self.fields["happened_on"].widget.attrs["max"] = f"{clock.today():%Y-%m-%d}"


class WithdrawForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for withdrawing"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

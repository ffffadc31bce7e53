"""Forms of the recorded-events pages: the filter bar, recording an event and withdrawing one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from checklists.forms_items import unit_choices
from orgs.models import OrgUnit
from qingdan import clock
from qingdan.forms import DateInput, StyledForm, UnitChoiceField
from scoring.models import EventKind, Level

YEARS_SHOWN = 6


class EventFilterForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind of event"), choices=[("", _("All kinds")), *EventKind.choices], required=False
    )
    unit = UnitChoiceField(label=_("Unit (and units below it)"), queryset=OrgUnit.objects.none(), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        unit_choices(self, user, _("All units"))
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
        unit_choices(self, user, _("Choose…"))
        self.fields["happened_on"].widget.attrs["max"] = f"{clock.today():%Y-%m-%d}"


class WithdrawForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for withdrawing"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

"""The forms of the demands pages and of the worker's phone pages. They check shapes only; the rules (who, which
state, which unit) are the services' (``cases.demand_flow``), whose refusals the views show as form errors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases import demand_flow
from cases.models import DemandCategory, DemandResult, DemandSource, Rating
from cases.models.demands import GROUP_MAX, NAME_MAX, PHONE_MAX, TEXT_MAX
from cases.queries import visible_enterprises
from qingdan.forms import DateInput, StyledForm, UnitChoiceField

GROUP_ERRORS = {
    "min_value": _("The number of workers in the group is at least 1."),
    "max_value": _("The number of workers in the group is too large."),
    "invalid": _("Enter the number of workers as a whole number."),
}
OUTSIDE = _("That unit is outside the county; choose a department, town or council of the county.")


class Version(forms.IntegerField):
    def __init__(self):
        super().__init__(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


def _units(field, queryset, base):
    field.queryset = queryset
    field.base_depth = base.depth if base is not None else 0


class DemandForm(StyledForm):
    """Staff register a demand (accepted at once)."""

    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=None)
    source = forms.ChoiceField(
        label=_("Source"), choices=[(v, label) for v, label in DemandSource.choices if v != DemandSource.PHONE]
    )
    category = forms.ChoiceField(label=_("Category"), choices=DemandCategory.choices)
    worker_name = forms.CharField(label=_("Worker or group representative"), max_length=NAME_MAX)
    worker_phone = forms.CharField(label=_("Phone"), max_length=PHONE_MAX, required=False)
    group_size = forms.IntegerField(
        label=_("Workers in the group"), initial=1, min_value=1, max_value=GROUP_MAX, error_messages=GROUP_ERRORS
    )
    content = forms.CharField(label=_("Demand"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    handling_unit = UnitChoiceField(label=_("Handling unit"), queryset=None, error_messages={"invalid_choice": OUTSIDE})
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    meeting = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31)

    def __init__(self, *args, user, unit, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = visible_enterprises(user).order_by("name")
        _units(self.fields["handling_unit"], demand_flow.handling_units(unit), demand_flow.county_of(unit))
        if meeting is not None:
            for name in ("enterprise", "source"):
                self.fields[name].required = False
                self.fields[name].widget = forms.HiddenInput()


class AcceptForm(StyledForm):
    handling_unit = UnitChoiceField(label=_("Handling unit"), queryset=None, error_messages={"invalid_choice": OUTSIDE})
    version = Version()

    def __init__(self, *args, demand, **kwargs):
        super().__init__(*args, **kwargs)
        _units(
            self.fields["handling_unit"],
            demand_flow.handling_units(demand.org_unit),
            demand_flow.county_of(demand.org_unit),
        )


class DeclineForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason (the worker reads it)"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = Version()


class ReplyForm(StyledForm):
    reply = forms.CharField(
        label=_("Official reply (the worker reads it)"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    result = forms.ChoiceField(label=_("Result"), choices=DemandResult.choices)
    escalate_to = UnitChoiceField(
        label=_("Escalate to (park or community council)"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": OUTSIDE},
    )
    version = Version()

    def __init__(self, *args, demand, **kwargs):
        super().__init__(*args, **kwargs)
        _units(
            self.fields["escalate_to"],
            demand_flow.council_units(demand.org_unit),
            demand_flow.county_of(demand.org_unit),
        )


class CallbackForm(StyledForm):
    note = forms.CharField(
        label=_("What the worker said on the call-back"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = Version()


class UrgeForm(StyledForm):
    version = Version()


class NoteForm(StyledForm):
    text = forms.CharField(
        label=_("Private note (staff only)"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class DemandFilterForm(StyledForm):
    """The filter bar: only renders ``scope.filter_demands``'s parameters (which read ``request.GET`` itself)."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *demand_flow.STATUS_LABELS.items()], required=False
    )
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("All")), *DemandCategory.choices], required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[("", _("All")), *DemandSource.choices], required=False)
    result = forms.ChoiceField(label=_("Result"), choices=[("", _("All")), *DemandResult.choices], required=False)
    unit = forms.ChoiceField(label=_("Registered under"), choices=(), required=False)
    month = forms.CharField(
        label=_("Month received"), max_length=7, required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    overdue = forms.ChoiceField(label=_("Deadline"), choices=[("", _("All")), ("1", _("Overdue"))], required=False)
    on_time = forms.ChoiceField(
        label=_("Replied on time"), choices=[("", _("All")), ("1", _("On time")), ("0", _("Late"))], required=False
    )
    enterprise = forms.CharField(widget=forms.HiddenInput, required=False, max_length=12)
    task = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All")), *((str(u.pk), u.name) for u in units)]


# --- the worker's phone pages -------------------------------------------------------------------------------------


class WorkerDemandForm(StyledForm):
    category = forms.ChoiceField(label=_("What is it about?"), choices=DemandCategory.choices)
    content = forms.CharField(label=_("Your demand"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    worker_name = forms.CharField(label=_("Your name"), max_length=NAME_MAX)
    worker_phone = forms.CharField(
        label=_("Your phone (so that we can call you back)"),
        max_length=PHONE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    group_size = forms.IntegerField(
        label=_("How many workers share this demand?"),
        initial=1,
        min_value=1,
        max_value=GROUP_MAX,
        error_messages=GROUP_ERRORS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class CodeForm(StyledForm):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class RateForm(StyledForm):
    code = forms.CharField(widget=forms.HiddenInput, max_length=20)
    rating = forms.ChoiceField(label=_("How satisfied are you with the reply?"), choices=Rating.choices,
                               widget=forms.RadioSelect(attrs={"class": "form-check-input"}))  # fmt: skip


class ReopenForm(StyledForm):
    code = forms.CharField(widget=forms.HiddenInput, max_length=20)
    reason = forms.CharField(
        label=_("What is still not resolved?"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

"""Forms of the joint meetings (联席会议): record one, add to it, turn a decision into a list item, filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import _unit_field
from cases.forms_letters import VERSION_MAX, enterprise_field
from cases.meeting_flow import STANDARD_MAX, TITLE_MAX
from cases.models.demands import TEXT_MAX
from orgs.models import OrgUnit
from orgs.queries import root_unit, within
from qingdan.forms import DateInput, StyledForm, UnitChoiceField

DECISIONS_HELP = _("One decision a line; each can become a responsibility-list item.")


class MeetingForm(StyledForm):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput)
    title = forms.CharField(label=_("Subject"), max_length=TITLE_MAX)
    participants = forms.CharField(
        label=_("Participants"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who sat for the union side and for the management."),
    )  # fmt: skip
    minutes = forms.CharField(
        label=_("Minutes"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    decisions = forms.CharField(
        label=_("Decisions"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=DECISIONS_HELP,
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"enterprise": enterprise_field(user), **self.fields}
        self.fields["enterprise"].widget.attrs.setdefault("class", "form-select")

    def decision_lines(self):
        return [line for line in self.cleaned_data.get("decisions", "").splitlines() if line.strip()]


class AddToMeetingForm(StyledForm):
    decisions = forms.CharField(
        label=_("More decisions"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=DECISIONS_HELP,
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)

    def decision_lines(self):
        return [line for line in self.cleaned_data.get("decisions", "").splitlines() if line.strip()]


class DecisionItemForm(StyledForm):
    responsible_unit = UnitChoiceField(label=_("Responsible unit"), queryset=OrgUnit.objects.none(), required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    standard = forms.CharField(
        label=_("Completion standard"), max_length=STANDARD_MAX, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How the office will know the decision is carried out."),
    )  # fmt: skip

    def __init__(self, *args, user, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting.enterprise.union_unit_id is not None:
            del self.fields["responsible_unit"]
            return
        unit = root_unit(user)
        field = self.fields["responsible_unit"]
        field.required = True
        field.help_text = _("The enterprise's union is not in the org tree: choose the unit that carries it out.")
        units = OrgUnit.objects.filter(within(unit)) if unit else OrgUnit.objects.none()
        # A select of the subtree, or a code input when it is too large to list (as the registry's forms do).
        self.fields["responsible_unit"] = _unit_field(field, units, label=_("Responsible unit (code)"))
        self.fields["responsible_unit"].help_text = field.help_text


class MeetingFilterForm(StyledForm):
    q = forms.CharField(label=_("Enterprise or subject"), required=False, max_length=100)
    month = forms.CharField(
        label=_("Month held"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )

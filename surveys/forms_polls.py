"""The office's form for starting a worker poll (职工测评)."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.queries import visible_units
from qingdan import clock
from qingdan.forms import StyledForm
from surveys import services
from surveys.models import PollMode


class ModeSelect(forms.RadioSelect):
    """The mode's radio buttons, with those the questionnaire does not allow shown but disabled."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.disabled_values = set()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class PollForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    subject_unit = forms.ModelChoiceField(label=_("Unit whose workers answer"), queryset=None, empty_label=None)
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=PollMode.choices,
        widget=ModeSelect(attrs={"class": "form-check-input"}),
        help_text=_(
            "A poll whose answers count (a satisfaction question) uses one-time links; an open link is for "
            "opinion polls only, and its answers count towards nothing."
        ),
    )
    token_count = forms.IntegerField(
        label=_("Number of one-time links"),
        required=False,
        min_value=1,
        max_value=10000,
        help_text=_("One link (and QR code) per worker; each takes one answer."),
    )
    cap = forms.IntegerField(
        label=_("Most answers through the open link"),
        required=False,
        min_value=1,
        max_value=1000000,
        help_text=_("One link for everyone; one answer per phone, until this many answers have come in."),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, user, questionnaire, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": questionnaire.title,
                "subject_unit": user.org_unit_id,
                "mode": PollMode.TOKENS,
                "token_count": 50,
                "closes_at": (clock.local_now() + timedelta(days=7)).replace(hour=18, minute=0, second=0),
            },
        )
        super().__init__(*args, **kwargs)
        self.no_open_link = services.why_no_open_link(questionnaire)
        if self.no_open_link:
            self.fields["mode"].widget.disabled_values = {PollMode.OPEN}
            self.fields["mode"].help_text = self.no_open_link
        self.fields["subject_unit"].queryset = visible_units(user).order_by("path")
        self.fields["subject_unit"].label_from_instance = lambda unit: (
            "\u3000" * max(unit.depth - user.org_unit.depth, 0) + str(unit.name)
        )

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == PollMode.TOKENS and not data.get("token_count") and "token_count" not in self.errors:
            self.add_error("token_count", _("Give the number of one-time links."))
        if mode == PollMode.OPEN and self.no_open_link:
            self.add_error("mode", self.no_open_link)
        elif mode == PollMode.OPEN and not data.get("cap") and "cap" not in self.errors:
            self.add_error("cap", _("Give the most answers the open link takes."))
        return data

"""Forms of the supervision letters (一函两书): issue a 提示函, record delivery and answer, escalate, filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.letter_flow import ADDRESSEE_MAX
from cases.models import Enterprise, LetterKind, LetterStatus
from cases.models.demands import TEXT_MAX
from orgs.queries import root_unit, within
from qingdan.forms import DateInput, StyledForm

SELECT_LIMIT = 300  # above this many enterprises a select is unusable: the credit code is typed instead
VERSION_MAX = 2**31


def enterprise_field(user):
    """The enterprises registered in the user's subtree, as a select, or a credit-code input when too many."""
    unit = root_unit(user)
    enterprises = Enterprise.objects.filter(within(unit, "org_unit")) if unit else Enterprise.objects.none()
    enterprises = enterprises.order_by("name", "id").only("id", "name", "credit_code")
    if enterprises.count() <= SELECT_LIMIT:
        return forms.ModelChoiceField(label=_("Enterprise"), queryset=enterprises, empty_label="—")
    return forms.ModelChoiceField(
        label=_("Enterprise"),
        queryset=enterprises,
        to_field_name="credit_code",
        widget=forms.TextInput(attrs={"class": "form-control font-monospace", "autocomplete": "off"}),
        help_text=_("Type the enterprise's unified social credit code."),
    )


class LetterForm(StyledForm):
    """A new 提示函 (the next kinds come by escalation)."""

    problem = forms.CharField(
        label=_("Problem found"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the union found at the enterprise: facts, dates, how many workers."),
    )  # fmt: skip
    asks = forms.CharField(
        label=_("What the union asks"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the employer is to correct, e.g. pay the wages owed by a date."),
    )  # fmt: skip

    def __init__(self, *args, user, fixed_enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_enterprise is None:
            self.fields = {"enterprise": enterprise_field(user), **self.fields}
            self.fields["enterprise"].widget.attrs.setdefault("class", "form-select")


class DeliveryForm(StyledForm):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DateInput)
    receipt = forms.FileField(
        label=_("Delivery receipt (送达回执)"),
        help_text=_("The signed receipt, scanned or photographed: PDF, JPG, PNG."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)


class AnswerForm(StyledForm):
    answered_on = forms.DateField(label=_("Answered on"), widget=DateInput)
    answer = forms.CharField(
        label=_("The answer"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the addressee answered in writing, in short."),
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)


class EscalateForm(StyledForm):
    """The next letter, its texts pre-filled from the unanswered one."""

    addressee = forms.CharField(label=_("Addressee"), max_length=ADDRESSEE_MAX, required=False)
    problem = forms.CharField(label=_("Problem found"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    asks = forms.CharField(
        label=_("What the union asks"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)

    def __init__(self, *args, to_proposal=False, **kwargs):
        super().__init__(*args, **kwargs)
        if to_proposal:
            self.fields["addressee"].required = True
            self.fields["addressee"].help_text = _("A proposal letter goes to the labour bureau (人社局).")
        else:
            del self.fields["addressee"]


class LapseForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)


class LetterFilterForm(StyledForm):
    """The filter bar; the list itself reads the query string through ``cases.scope.filter_letters``."""

    kind = forms.ChoiceField(
        label=_("Letter kind"), required=False, choices=[("", _("All kinds"))] + LetterKind.choices
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All states"))] + LetterStatus.choices
    )
    month = forms.CharField(
        label=_("Month issued"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    overdue = forms.BooleanField(
        label=_("Overdue only"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

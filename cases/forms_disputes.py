"""The forms of the disputes pages: thin, the rules live in ``cases.dispute_flow`` (numbers are taken as typed and
checked there, so the page, the API and an import refuse them in the same words)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import DisputeKind, DisputeSource, DisputeStatus, Level, Outcome, Side
from cases.models.demands import NAME_MAX, PHONE_MAX, TEXT_MAX
from cases.models.disputes import Colour
from qingdan.forms import DateInput, StyledForm

NUMBER_MAX = 30  # "1,234,567.89" and then some: the flow says what is wrong with a number


def _choices(rows, blank=None):
    choices = [(str(pk), label) for pk, label in rows]
    return [("", blank or "—"), *choices]


class Versioned(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    def version_read(self):
        value = self.cleaned_data.get("version")
        return value if value is not None else -1


class DisputeForm(Versioned):
    """Register a dispute or change its facts. ``units``, ``enterprises``, ``projects`` and ``subcontracts`` are
    what the user may pick (ids and labels)."""

    unit = forms.ChoiceField(label=_("Registered under"))
    enterprise = forms.ChoiceField(label=_("Enterprise"))
    project = forms.ChoiceField(label=_("Construction project"), required=False)
    subcontract = forms.ChoiceField(label=_("Firm of the contractor chain that owes the wages"), required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=DisputeKind.choices)
    source = forms.ChoiceField(label=_("Source"), choices=DisputeSource.choices)
    grid = forms.CharField(label=_("Grid"), max_length=NAME_MAX, required=False)
    summary = forms.CharField(label=_("Facts"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    worker_name = forms.CharField(label=_("Workers' representative"), max_length=NAME_MAX)
    worker_phone = forms.CharField(label=_("Phone"), max_length=PHONE_MAX, required=False)
    workers = forms.CharField(
        label=_("Workers involved"), max_length=NUMBER_MAX, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    months_in_arrears = forms.CharField(
        label=_("Months in arrears"), max_length=NUMBER_MAX, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    amount_claimed = forms.CharField(
        label=_("Amount claimed (yuan)"), max_length=NUMBER_MAX, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def __init__(self, *args, units=(), enterprises=(), projects=(), subcontracts=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _choices(units)
        self.fields["enterprise"].choices = _choices(enterprises)
        self.fields["project"].choices = _choices(projects, _("(none)"))
        self.fields["subcontract"].choices = _choices(subcontracts, _("(the general contractor itself)"))
        if editing:
            del self.fields["unit"]


class GridForm(StyledForm):
    """The grid leader's phone form: few fields, large."""

    enterprise = forms.ChoiceField(label=_("Enterprise"))
    grid = forms.CharField(label=_("Your grid"), max_length=NAME_MAX)
    workers = forms.CharField(
        label=_("Workers involved"), max_length=NUMBER_MAX, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    months_in_arrears = forms.CharField(
        label=_("Months of wages unpaid"), max_length=NUMBER_MAX, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    amount_claimed = forms.CharField(
        label=_("Amount owed (yuan)"), max_length=NUMBER_MAX, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    summary = forms.CharField(
        label=_("What is happening"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, enterprises=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = _choices(enterprises, _("Choose the enterprise"))


class PartyForm(Versioned):
    side = forms.ChoiceField(label=_("Party"), choices=Side.choices)
    body = forms.CharField(label=_("Body"), max_length=100)
    contact_name = forms.CharField(label=_("Contact person"), max_length=NAME_MAX)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=PHONE_MAX, required=False)


class PartyActionForm(Versioned):
    side = forms.ChoiceField(label=_("Party"), choices=Side.choices)
    action = forms.CharField(label=_("Action"), max_length=300)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)


class ActionDoneForm(Versioned):
    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)


class StartMediationForm(Versioned):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.ENTERPRISE)
    mediator = forms.CharField(label=_("Mediator"), max_length=NAME_MAX)
    accepted_on = forms.DateField(label=_("Accepted on"), widget=DateInput, required=False)


class SessionForm(Versioned):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput)
    note = forms.CharField(label=_("Record"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class MediatorForm(Versioned):
    mediator = forms.CharField(label=_("Mediator"), max_length=NAME_MAX)


class FailLevelForm(Versioned):
    note = forms.CharField(
        label=_("Why this level failed"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_level = forms.ChoiceField(label=_("Next level"), choices=[("", "—"), *Level.choices], required=False)
    mediator = forms.CharField(label=_("Mediator of the next level"), max_length=NAME_MAX, required=False)


class AgreementForm(Versioned):
    amount_agreed = forms.CharField(
        label=_("Amount agreed (yuan)"), max_length=NUMBER_MAX, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    judicial_confirmation = forms.BooleanField(label=_("Judicial confirmation (司法确认) requested"), required=False)
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReferForm(Versioned):
    to = forms.ChoiceField(
        label=_("Referred to"),
        choices=[(Outcome.ARBITRATION, Outcome.ARBITRATION.label), (Outcome.COURT, Outcome.COURT.label)],
    )
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(Versioned):
    note = forms.CharField(label=_("Reason"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class PaymentForm(Versioned):
    amount = forms.CharField(
        label=_("Amount paid now (yuan)"), max_length=NUMBER_MAX, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )


class FollowUpAnswerForm(StyledForm):
    answer = forms.ChoiceField(
        choices=[("yes", _("Yes, paid in full")), ("no", _("No, not in full"))], widget=forms.RadioSelect
    )


class DisputeFilterForm(StyledForm):
    """The list's filter bar: the parameters of ``cases.scope.filter_disputes``."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    colour = forms.ChoiceField(label=_("Warning colour"), choices=[("", _("All")), *Colour.choices], required=False)
    level = forms.ChoiceField(label=_("Mediation level"), choices=[("", _("All")), *Level.choices], required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("All")), *DisputeKind.choices], required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    month = forms.CharField(
        label=_("Month received"), max_length=7, required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    open = forms.ChoiceField(label=_("Open"), choices=[("", _("All")), ("1", _("Open only"))], required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _choices(units, _("All"))
        from cases.dispute_flow import outcome_label, status_label

        self.fields["status"].choices = [("", _("All")), *((s, status_label(s)) for s in DisputeStatus.values)]
        self.fields["outcome"].choices = [("", _("All")), *((o, outcome_label(o)) for o in Outcome.values)]

"""The care part's forms: thin, the rules live in ``assistance.care`` (a form only parses and cleans text)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assistance import care
from assistance.models import AidKind, Contact
from orgs.models import OrgUnit, User
from orgs.queries import root_unit, within
from qingdan import clock
from qingdan.forms import DateInput, StyledForm, UnitChoiceField

MONEY = {"max_digits": 12, "decimal_places": 2}
YEARS = range(2015, 2041)


class VersionForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AidFilterForm(StyledForm):
    q = forms.CharField(label=_("File number or head"), required=False, max_length=50)
    unit = UnitChoiceField(label=_("Given by"), queryset=OrgUnit.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Kind of aid"), choices=[("", _("All")), *AidKind.choices], required=False)
    year = forms.TypedChoiceField(
        label=_("Year"),
        choices=[("", _("All"))] + [(y, y) for y in YEARS],
        coerce=int,
        required=False,
        empty_value=None,
    )
    household = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        unit = root_unit(user)
        if unit is not None:
            self.fields["unit"].queryset = OrgUnit.objects.filter(within(unit), depth__lte=unit.depth + 2).order_by(
                "path"
            )
            self.fields["unit"].base_depth = unit.depth

    def params(self):
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "unit": str(data["unit"].pk) if data.get("unit") else "",
            "kind": data.get("kind") or "",
            "year": str(data["year"]) if data.get("year") else "",
            "household": str(data["household"]) if data.get("household") else "",
        }


class AidForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of aid"), choices=AidKind.choices)
    amount = forms.DecimalField(label=_("Amount (yuan)"), **MONEY)
    given_on = forms.DateField(label=_("Given on"), widget=DateInput, initial=clock.today)
    source = forms.CharField(label=_("Source of funds"), max_length=100, initial="")
    delivered_by = forms.CharField(label=_("Delivered by"), max_length=50)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CertificateForm(StyledForm):
    bodies = forms.MultipleChoiceField(
        label=_("Bodies that honour it"),
        choices=[(b, b) for b in care.HONOURING_BODIES],
        initial=care.HONOURING_BODIES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    others = forms.CharField(label=_("Other bodies (separated by 、 or commas)"), max_length=300, required=False)

    def honoured_by(self):
        others = self.cleaned_data.get("others") or ""
        for mark in "，,；;":
            others = others.replace(mark, "、")
        return list(self.cleaned_data.get("bodies") or []) + [b.strip() for b in others.split("、") if b.strip()]


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class BenefitForm(StyledForm):
    body = forms.CharField(label=_("Body that gave the benefit"), max_length=50)
    on = forms.DateField(label=_("Date"), widget=DateInput, initial=clock.today)
    note = forms.CharField(label=_("What was given"), max_length=300, required=False)


class PairingForm(StyledForm):
    household = forms.ModelChoiceField(label=_("Family"), queryset=None)
    cadre = forms.ModelChoiceField(label=_("Cadre"), queryset=None)
    since = forms.DateField(label=_("Since"), widget=DateInput, initial=clock.today)

    def __init__(self, *args, user, households, **kwargs):
        super().__init__(*args, **kwargs)
        unit = root_unit(user)
        self.fields["household"].queryset = households.order_by("number")
        self.fields["household"].label_from_instance = lambda h: f"{h.number} {h.head_name[:1]}*"
        people = User.objects.filter(is_active=True).select_related("org_unit").order_by("org_unit__path", "username")
        self.fields["cadre"].queryset = people.filter(within(unit, "org_unit")) if unit else people.none()
        self.fields["cadre"].label_from_instance = lambda u: f"{u.display_name}（{u.org_unit.name}）"


class ContactForm(StyledForm):
    household = forms.TypedChoiceField(label=_("Family"), coerce=int)
    kind = forms.ChoiceField(label=_("Visit or call"), choices=Contact.Kind.choices, widget=forms.RadioSelect)
    on = forms.DateField(label=_("Date"), widget=DateInput, initial=clock.today)
    note = forms.CharField(label=_("What was found"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, pairings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [
            (p.household_id, f"{p.household.head_name[:1]}*　{p.household.number}") for p in pairings
        ]


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


class MonthForm(VersionForm):
    month = forms.DateField(label=_("Month"), widget=MonthInput, input_formats=["%Y-%m", "%Y-%m-%d"])
    per_capita = forms.DecimalField(label=_("Per-capita income (yuan)"), **MONEY)
    evidence = forms.FileField(label=_("Evidence (pay slip, bank statement)"), required=False)


class PermanentForm(VersionForm):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class FactsForm(VersionForm):
    annual_income = forms.DecimalField(label=_("Household disposable income last year"), min_value=0, **MONEY)
    rigid_expenses = forms.DecimalField(label=_("Rigid expenses last year"), min_value=0, **MONEY)
    accident_costs = forms.DecimalField(label=_("Disaster, accident or illness costs this year"), min_value=0, **MONEY)

    def facts(self):
        return {name: self.cleaned_data[name] for name in ("annual_income", "rigid_expenses", "accident_costs")}


class ReviewForm(FactsForm):
    note = forms.CharField(
        label=_("What the review found"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RearchiveForm(FactsForm):
    reason = forms.CharField(
        label=_("What happened (relapse)"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

"""Forms of the household pages, the standards page and the public doors (公示 objections, a worker's
application)."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assistance import identity
from assistance.models import Category, Cause, DepartmentCheck, FileStatus, Health, Identity, Relation, Work
from audit.masking import mask_value
from orgs.models import OrgUnit
from orgs.queries import visible_units
from qingdan.forms import StyledForm, UnitChoiceField

MONEY_MAX = Decimal("9999999999.99")
# Shown in full only on the detail page's full view (a reason, audited): the edit form never echoes them.
SEALED_FACTS = ("phone", "bank_account")
PHONE = re.compile(r"^\+?[0-9][0-9-]{5,18}[0-9]$")


def _money(label, required=False):
    return forms.DecimalField(
        label=label, required=required, min_value=Decimal(0), max_value=MONEY_MAX, decimal_places=2,
        error_messages={"min_value": _("Income, expenses and costs cannot be negative.")},
    )  # fmt: skip


class IdNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value and not self.required:
            return ""
        number = identity.normalise(value)
        problem = identity.problem(number)
        if problem:
            raise ValidationError(problem)
        return number


def _phone(value):
    value = re.sub(r"\s", "", value or "")
    if value and not PHONE.match(value):
        raise ValidationError(_("A phone number holds digits and hyphens only, e.g. 13812345678 or 0515-84123456."))
    return value


class HouseholdForm(StyledForm):
    """The facts of a household; the head's name and ID number when filing."""

    unit = UnitChoiceField(label=_("Filed under"), queryset=OrgUnit.objects.none(), empty_label=None)
    head_name = forms.CharField(label=_("Head of household"), max_length=50)
    head_id_number = IdNumberField(label=_("Head's ID number"))
    head_health = forms.ChoiceField(label=_("Head's health"), choices=Health.choices)
    head_work = forms.ChoiceField(label=_("Head's work"), choices=Work.choices)
    head_income = _money(_("Head's income last year"))
    identity = forms.ChoiceField(label=_("Identity"), choices=Identity.choices)
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)
    address = forms.CharField(label=_("Home address"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    main_cause = forms.ChoiceField(label=_("Main cause of hardship"), choices=Cause.choices)
    other_causes = forms.MultipleChoiceField(
        label=_("Other causes"), choices=Cause.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    annual_income = _money(_("Household disposable income last year"), required=True)
    rigid_expenses = _money(_("Rigid expenses last year"))
    accident_costs = _money(_("Disaster, accident or illness costs this year"))
    bank_name = forms.CharField(label=_("Bank"), max_length=50, required=False)
    bank_account = forms.CharField(label=_("Bank account for aid"), max_length=30, required=False)
    temporary = forms.BooleanField(label=_("Temporary-aid file (aid now, archive checks later)"), required=False)
    files = forms.FileField(label=_("Application evidence"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        from assistance.households import FILING_KINDS

        self.sealed = household is not None

        self.fields["unit"].queryset = visible_units(user).filter(kind__in=FILING_KINDS).order_by("path")
        self.fields["unit"].base_depth = user.org_unit.depth if user.org_unit else 0
        if household is not None:
            for name in (
                "unit",
                "head_name",
                "head_id_number",
                "head_health",
                "head_work",
                "head_income",
                "temporary",
                "files",
            ):
                del self.fields[name]
            self._seal(household)
        elif not user.has_role("office"):
            del self.fields["temporary"]

    def _seal(self, household):
        """Editing a file shows its phone and bank account masked (a hint), never in the input: an editor types a
        new value to replace it, and a blank input keeps the stored one (see ``facts``)."""
        for name in SEALED_FACTS:
            self.initial.pop(name, None)
            stored = getattr(household, name)
            if stored:
                masked = mask_value(name, stored)
                self.fields[name].widget.attrs["placeholder"] = masked
                self.fields[name].help_text = _(
                    "On file: %(masked)s. Leave empty to keep it; type a new one to replace it."
                ) % {"masked": masked}

    def clean_phone(self):
        return _phone(self.cleaned_data.get("phone"))

    def clean_bank_account(self):
        value = re.sub(r"\s", "", self.cleaned_data.get("bank_account") or "")
        if value and not value.isdigit():
            raise ValidationError(_("A bank account holds digits only."))
        return value

    def facts(self):
        data = self.cleaned_data
        keys = (
            "identity", "employer", "address", "phone", "main_cause", "other_causes", "annual_income",
            "rigid_expenses", "accident_costs", "bank_name", "bank_account",
        )  # fmt: skip
        facts = {k: data.get(k) for k in keys if k in self.fields}
        if self.sealed:
            for name in SEALED_FACTS:
                if not facts.get(name):
                    facts.pop(name, None)  # left blank: the stored value stays
        for k in ("rigid_expenses", "accident_costs"):
            if facts.get(k) is None:
                facts[k] = Decimal(0)
        return facts

    def head(self):
        data = self.cleaned_data
        return {
            "name": data["head_name"],
            "id_number": data["head_id_number"],
            "relation": Relation.HEAD,
            "health": data["head_health"],
            "work": data["head_work"],
            "annual_income": data.get("head_income") or Decimal(0),
        }


class MemberForm(StyledForm):
    name = forms.CharField(label=_("Name of the person"), max_length=50)
    id_number = IdNumberField(label=_("ID number"))
    relation = forms.ChoiceField(
        label=_("Relation to the head"), choices=[c for c in Relation.choices if c[0] != "head"]
    )
    health = forms.ChoiceField(label=_("Health"), choices=Health.choices)
    work = forms.ChoiceField(label=_("Work"), choices=Work.choices)
    annual_income = _money(_("Income last year"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def member(self):
        data = dict(self.cleaned_data)
        data.pop("version")
        data["annual_income"] = data.get("annual_income") or Decimal(0)
        return data


class FilterForm(StyledForm):
    q = forms.CharField(label=_("File number or name"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All states")), ("live", _("Every live file"))]
        + [(v, _("Application received") if v == FileStatus.APPLIED else label) for v, label in FileStatus.choices],
    )  # fmt: skip
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories"))] + Category.choices
    )
    cause = forms.ChoiceField(label=_("Main cause"), required=False, choices=[("", _("All causes"))] + Cause.choices)
    identity = forms.ChoiceField(label=_("Identity"), required=False, choices=[("", _("All"))] + Identity.choices)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NoteForm(StyledForm):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class VisitForm(StyledForm):
    note = forms.CharField(
        label=_("What the home visit found"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    authorisation = forms.FileField(label=_("Signed authorisation for financial checks"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CheckAnswerForm(StyledForm):
    result = forms.ChoiceField(label=_("Result"), choices=DepartmentCheck.Result.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class StandardForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    monthly = forms.DecimalField(
        label=_("Minimum living standard (yuan per person per month)"), min_value=Decimal("0.01"),
        max_value=Decimal("99999.99"), decimal_places=2,
        error_messages={"min_value": _("The minimum living standard must be more than zero.")},
    )  # fmt: skip


class DepartmentsForm(StyledForm):
    names = forms.CharField(
        label=_("Departments (one a line)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 11})
    )


class AccessRequestForm(StyledForm):
    id_number = IdNumberField(label=_("ID number of the person"))
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ObjectionForm(StyledForm):
    text = forms.CharField(label=_("Your objection"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))


class PhoneApplicationForm(StyledForm):
    name = forms.CharField(label=_("Your name"), max_length=50)
    id_number = IdNumberField(label=_("Your ID number"))
    phone = forms.CharField(label=_("Your phone"), max_length=20)
    address = forms.CharField(label=_("Home address"), max_length=200)
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)
    identity = forms.ChoiceField(label=_("Identity"), choices=Identity.choices)
    main_cause = forms.ChoiceField(label=_("Main cause of hardship"), choices=Cause.choices)
    household_size = forms.IntegerField(label=_("People in the household"), min_value=1, max_value=20)
    annual_income = _money(_("Household income last year (yuan)"), required=True)

    def clean_phone(self):
        return _phone(self.cleaned_data.get("phone"))

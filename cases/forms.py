"""Forms of the registry pages: the filter, an enterprise, a project, a firm in a chain, the upload."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.models import UNION_KINDS, WORKERS_MAX, Enterprise, Industry, Project, Subcontract
from cases.queries import registry_units
from orgs.queries import visible_units
from qingdan.forms import DateInput, Form, StyledForm, UnitChoiceField

# Above this many units a select would be unusable: units are typed by code instead.
SELECT_LIMIT = 300
CODE_INPUT_MAX = 40  # a credit code typed with spaces or hyphens between its groups


class YesNo:
    YES = "yes"
    NO = "no"
    choices = [("", _("With or without a union")), (YES, _("Has a union")), (NO, _("No union"))]


def _unit_field(field, units, *, label, required=True):
    """A select of ``units`` as an indented tree, or a code input when there are too many to list."""
    units = units.only("id", "code", "name", "path", "depth", "kind").order_by("path")
    if units.count() <= SELECT_LIMIT:
        field.queryset = units
        field.base_depth = min((u.depth for u in units[:1]), default=0)
        return field
    typed = forms.ModelChoiceField(
        label=label,
        queryset=units,
        to_field_name="code",
        required=required,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("Type the unit code."),
    )
    return typed


class EnterpriseFilterForm(StyledForm):
    q = forms.CharField(label=_("Name or credit code"), required=False, max_length=100)
    unit = UnitChoiceField(label=_("Town or federation"), queryset=None, required=False, empty_label=_("All units"))
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=[("", _("All industries"))] + Industry.choices
    )
    union = forms.ChoiceField(label=_("Union status"), required=False, choices=YesNo.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = _unit_field(self.fields["unit"], registry_units(user), label=_("Unit code"), required=False)
        field.required = False
        self.fields["unit"] = field
        field.widget.attrs.setdefault("class", "form-select")

    def filters(self):
        """The keyword arguments of ``queries.filter_enterprises`` (nothing when the form is not valid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        union = {YesNo.YES: True, YesNo.NO: False}.get(data["union"])
        return {"q": data["q"], "unit": data["unit"], "industry": data["industry"], "has_union": union}


class CreditCodeField(forms.CharField):
    """A unified social credit code as typed: full-width, lower case, with spaces, narrowed and checked."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", CODE_INPUT_MAX)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "form-control font-monospace",
            }
        )

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        code = services.normalise_code(value)
        if problem := services.credit_code_problem(code):
            raise ValidationError(problem)
        return code


class EnterpriseForm(StyledForm):
    name = forms.CharField(label=_("Enterprise name"), max_length=Enterprise.NAME_MAX)
    credit_code = CreditCodeField(
        label=_("Unified social credit code"), help_text=_("18 characters, as on the business licence.")
    )
    org_unit = UnitChoiceField(label=_("Registered under"), queryset=None)
    community = forms.CharField(label=_("Village / community"), max_length=Enterprise.COMMUNITY_MAX, required=False)
    industry = forms.ChoiceField(label=_("Industry"), choices=[("", "—")] + Industry.choices)
    workers = forms.IntegerField(
        label=_("Workers"),
        min_value=0,
        max_value=WORKERS_MAX,
        error_messages={"min_value": _("The number of workers cannot be negative.")},
    )
    has_union = forms.BooleanField(label=_("Has a union"), required=False)
    union_unit = UnitChoiceField(
        label=_("Union unit"),
        queryset=None,
        required=False,
        help_text=_("The enterprise's own unit or its (joint) grassroots union in the org tree, if it is there."),
    )
    address = forms.CharField(label=_("Street address"), max_length=Enterprise.ADDRESS_MAX, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=Enterprise.CONTACT_MAX, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=Enterprise.PHONE_MAX * 2, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    def __init__(self, *args, user, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.enterprise = user, enterprise
        units = registry_units(user)
        self.fields["org_unit"] = _unit_field(self.fields["org_unit"], units, label=_("Registered under (unit code)"))
        unions = visible_units(user).filter(kind__in=UNION_KINDS)
        self.fields["union_unit"] = _unit_field(
            self.fields["union_unit"], unions, label=_("Union unit code"), required=False
        )
        self.fields["has_union"].widget.attrs["class"] = "form-check-input"
        self.fields["contact_phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        for name in ("org_unit", "union_unit"):
            if isinstance(self.fields[name].widget, forms.Select):
                self.fields[name].widget.attrs["class"] = "form-select"

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"]
        taken = Enterprise.objects.filter(credit_code=code).select_related("org_unit")
        if self.enterprise is not None:
            taken = taken.exclude(pk=self.enterprise.pk)
        if existing := taken.first():
            raise ValidationError(services.code_taken_message(existing, self.user))
        return code

    def clean_org_unit(self):
        unit = self.cleaned_data["org_unit"]
        if unit is not None and (problem := services.registry_unit_problem(unit)):
            raise ValidationError(problem)
        return unit

    def clean_contact_phone(self):
        phone = services.normalise_phone(self.cleaned_data["contact_phone"])
        if problem := services.phone_problem(phone):
            raise ValidationError(problem)
        return phone

    def clean(self):
        data = super().clean()
        if "union_unit" in data and "has_union" in data:
            problem = services.union_unit_problem(
                data["union_unit"], has_union=data["has_union"], actor=self.user, enterprise=self.enterprise
            )
            if problem:
                self.add_error("union_unit", problem)
        return data

    def facts(self):
        return {key: self.cleaned_data[key] for key in services.FACTS}


class EnterpriseByCodeField(CreditCodeField):
    """An enterprise named by its credit code. A firm registered by any unit of the platform may be named: a
    contractor often comes from another county."""

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        found = Enterprise.objects.select_related("org_unit").filter(credit_code=code).first()
        if found is None:
            raise ValidationError(
                _("No enterprise is registered with the code %(code)s: register it in the enterprise registry first.")
                % {"code": code}
            )
        return found


class ProjectForm(StyledForm):
    name = forms.CharField(label=_("Project name"), max_length=Project.NAME_MAX)
    location = forms.CharField(label=_("Location"), max_length=Project.LOCATION_MAX, required=False)
    org_unit = UnitChoiceField(label=_("Registered under"), queryset=None)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput)
    developer = EnterpriseByCodeField(
        label=_("Developer (credit code)"),
        required=False,
        help_text=_("The owner who commissions the works; leave empty if not known."),
    )
    general_contractor = EnterpriseByCodeField(label=_("General contractor (credit code)"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = _unit_field(
            self.fields["org_unit"], registry_units(user), label=_("Registered under (unit code)")
        )
        if isinstance(self.fields["org_unit"].widget, forms.Select):
            self.fields["org_unit"].widget.attrs["class"] = "form-select"
        for name in ("developer", "general_contractor"):
            self.fields[name].widget.attrs["list"] = "enterprise-codes"

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The project cannot end before it starts."))
        return data

    def facts(self):
        return {key: self.cleaned_data[key] for key in services.PROJECT_FACTS}


class SubcontractForm(StyledForm):
    contractor = EnterpriseByCodeField(label=_("Subcontractor (credit code)"))
    under = forms.TypedChoiceField(label=_("Under"), coerce=int, required=False, empty_value=None)
    work = forms.CharField(label=_("Work subcontracted"), max_length=Subcontract.WORK_MAX, required=False)

    def __init__(self, *args, project, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["under"].choices = under_choices(project, nodes)
        self.fields["contractor"].widget.attrs["list"] = "enterprise-codes"


class MoveForm(StyledForm):
    under = forms.TypedChoiceField(label=_("Under"), coerce=int, required=False, empty_value=None)
    work = forms.CharField(label=_("Work subcontracted"), max_length=Subcontract.WORK_MAX, required=False)

    def __init__(self, *args, project, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["under"].choices = under_choices(project, nodes)


def under_choices(project, nodes):
    general = _("%(name)s (general contractor)") % {"name": project.general_contractor.name}
    return [("", general)] + [(node.pk, "\u3000" * node.depth + node.contractor.name) for node in nodes]


class UploadForm(Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

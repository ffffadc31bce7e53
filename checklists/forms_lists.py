"""Forms of the list pages: the category catalogue, the list filter, issuing one list, the upload."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from checklists import imports
from checklists.models import Category
from orgs.queries import on_the_line_of, within
from qingdan import clock
from qingdan.forms import DateInput, Form, StyledForm

# Above this many units a select would be unusable: units are typed by code instead.
SELECT_LIMIT = 300


def categories_for(user):
    """The catalogues a user's lists can be filed under: their own unit's and those above it."""
    unit = user.org_unit
    return Category.objects.filter(on_the_line_of(unit, "owner_unit") | within(unit, "owner_unit"))


class CategoryForm(StyledForm):
    name = forms.CharField(label=_("Category name"), max_length=imports.CATEGORY_MAX)


class CategoryRenameForm(StyledForm):
    category = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("New name"), max_length=imports.CATEGORY_MAX)


class ListState:
    OPEN = "open"
    CLOSED = "closed"
    choices = [("", _("All lists")), (OPEN, _("Open")), (CLOSED, _("Closed (every item closed)"))]


class ListFilterForm(StyledForm):
    q = forms.CharField(label=_("Title or document number"), required=False, max_length=100)
    unit = forms.CharField(label=_("Responsible unit (name or code)"), required=False, max_length=100)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("All categories")
    )
    state = forms.ChoiceField(label=_("State"), choices=ListState.choices, required=False)
    issued_from = forms.DateField(label=_("Issued from"), required=False, widget=DateInput)
    issued_to = forms.DateField(label=_("Issued until"), required=False, widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories_for(user)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


class UnitCodesField(forms.CharField):
    """Unit codes separated by 、 or commas → the units, each one of ``queryset``."""

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.queryset = queryset

    def clean(self, value):
        codes = imports.parse_codes(super().clean(value) or "")
        found = {u.code: u for u in self.queryset.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValidationError(
                _("No unit with the code “%(code)s” in your organisation.") % {"code": "、".join(missing)}
            )
        return [found[c] for c in dict.fromkeys(codes)]


class ChecklistForm(StyledForm):
    responsible_unit = UnitChoiceField(label=_("Responsible unit"), queryset=None, to_field_name="code")
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-units"),
        queryset=None,
        to_field_name="code",
        required=False,
        help_text=_("Units that can see the list and add evidence; hold Ctrl to pick several."),
    )
    title = forms.CharField(label=_("Title"), max_length=imports.TITLE_MAX)
    doc_number = forms.CharField(
        label=_("Document number"),
        max_length=imports.DOC_NUMBER_MAX,
        required=False,
        help_text="如：滨产改办〔2026〕3号",
    )
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput)
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False)
    confirm_load = forms.BooleanField(label=_("Issue it all the same"), required=False)

    def __init__(self, *args, units, categories, **kwargs):
        super().__init__(*args, **kwargs)
        units = units.only("id", "code", "name", "path", "depth").order_by("path")
        self.units = units
        self.fields["category"].queryset = categories
        if units.count() <= SELECT_LIMIT:
            self.fields["responsible_unit"].queryset = units
            self.fields["co_units"].queryset = units
            self.fields["co_units"].widget.attrs.update({"size": 6, "class": "form-select"})
        else:
            self.fields["responsible_unit"] = forms.ModelChoiceField(
                label=_("Responsible unit code"), queryset=units, to_field_name="code", widget=forms.TextInput
            )
            self.fields["responsible_unit"].widget.attrs["class"] = "form-control"
            self.fields["co_units"] = UnitCodesField(
                label=_("Co-unit codes"),
                queryset=units,
                required=False,
                help_text=_("Separate codes with 、 or commas."),
            )
            self.fields["co_units"].widget.attrs["class"] = "form-control"
        if not self.is_bound:
            self.fields["issued_on"].initial = clock.today()

    def clean(self):
        data = super().clean()
        unit = data.get("responsible_unit")
        if unit is not None and unit in (data.get("co_units") or ()):
            self.add_error("co_units", _("The responsible unit cannot also be a co-unit."))
        return data


class ItemForm(StyledForm):
    content = forms.CharField(
        label=_("Item content"), max_length=imports.CONTENT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    standard = forms.CharField(
        label=_("Completion standard"),
        max_length=imports.STANDARD_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    deep_review_required = forms.BooleanField(label=_("Deep verification required"), required=False)
    person_in_charge = forms.CharField(label=_("Person responsible"), max_length=imports.PERSON_MAX, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deep_review_required"].widget.attrs["class"] = "form-check-input"


class BaseItemFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        filled = 0
        for form in self.forms:
            content = form.cleaned_data.get("content")
            if not content:
                continue
            filled += 1
            if content.strip() in seen:
                form.add_error("content", _("The same item appears twice in this list."))
            seen.add(content.strip())
        if not filled:
            raise ValidationError(_("A list needs at least one item."))


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=3, max_num=200, validate_max=True)


class UploadForm(Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

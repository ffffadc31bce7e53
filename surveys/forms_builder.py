"""Forms of the questionnaire builder pages (office staff)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from qingdan.forms import Form, StyledForm
from surveys.models import QuestionKind, QuestionnaireKind


class QuestionnaireForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Survey type"), choices=QuestionnaireKind.choices, initial=QuestionnaireKind.UNIT)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to respondents above the first question."),
    )


class QuestionnaireFilterForm(Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Survey type"), required=False, choices=[("", _("All types")), *QuestionnaireKind.choices]
    )


class QuestionForm(StyledForm):
    """One question as typed on the builder page; ``cleaned_data`` carries exactly the
    keyword arguments of ``services.add_question`` (see ``service_arguments``)."""

    section_title = forms.CharField(
        label=_("Dimension"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "section-titles", "autocomplete": "off"}),
        help_text=_("Pick an existing dimension or type a new one."),
    )
    code = forms.CharField(label=_("Question number"), max_length=20, widget=forms.TextInput(attrs={"size": 8}))
    text = forms.CharField(label=_("Question"), max_length=500)
    kind = forms.ChoiceField(label=_("Question type"), choices=QuestionKind.choices, initial=QuestionKind.SINGLE)
    required = forms.BooleanField(
        label=_("Required"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    help_text = forms.CharField(label=_("Help text"), max_length=300, required=False)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One option per line; add a score out of 100 after an equals sign, e.g. 是=100."),
    )
    min_value = forms.DecimalField(label=_("Minimum"), required=False, max_digits=14, decimal_places=2)
    max_value = forms.DecimalField(label=_("Maximum"), required=False, max_digits=14, decimal_places=2)
    scale_max = forms.IntegerField(
        label=_("Scale points"),
        required=False,
        min_value=2,
        max_value=10,
        help_text=_("2 to 10; 5 when left empty."),
        error_messages={
            "min_value": _("A rating scale has 2 to 10 points."),
            "max_value": _("A rating scale has 2 to 10 points."),
        },
    )
    show_if_code = forms.CharField(
        label=_("Shown only if question"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"list": "condition-codes", "autocomplete": "off", "placeholder": "Q1"}),
    )
    show_if_option = forms.CharField(
        label=_("was answered"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "condition-options", "autocomplete": "off"}),
    )

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def clean_options(self):
        options, labels = [], set()
        for line in self.cleaned_data["options"].splitlines():
            line = line.strip()
            if not line:
                continue
            label, sep, score_text = line.partition("=")
            label = label.strip()
            if not label:
                raise forms.ValidationError(_("Every option needs its text before the equals sign."))
            if len(label) > 200:
                raise forms.ValidationError(_("An option is longer than 200 characters."))
            score = None
            if sep and score_text.strip():
                try:
                    score = Decimal(score_text.strip())
                except InvalidOperation:
                    raise forms.ValidationError(
                        _("The score of option “%(label)s” is not a number.") % {"label": label}
                    ) from None
                if not score.is_finite() or not 0 <= score <= 100:
                    raise forms.ValidationError(
                        _("The score of option “%(label)s” must be from 0 to 100.") % {"label": label}
                    )
            if label in labels:
                raise forms.ValidationError(_("Two options have the same text."))
            labels.add(label)
            options.append((label, score))
        return options

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        options = data.get("options") or []
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            if "options" in data and len(options) < 2:
                self.add_error("options", _("A choice question needs at least two options."))
        elif options and kind == QuestionKind.SATISFACTION:
            self.add_error(
                "options",
                _(
                    "A satisfaction question always has the four levels 非常满意, 满意, 基本满意, 不满意; leave the options empty."
                ),
            )
        elif options:
            self.add_error("options", _("Only choice questions have options."))
        # Fields that do not belong to the chosen type are hidden on the page; whatever they still
        # hold is dropped rather than stored.
        if kind != QuestionKind.NUMBER:
            data["min_value"] = data["max_value"] = None
        elif None not in (data.get("min_value"), data.get("max_value")) and data["min_value"] > data["max_value"]:
            self.add_error("max_value", _("The maximum is below the minimum."))
        if kind != QuestionKind.RATING:
            data["scale_max"] = None
        code, option = data.get("show_if_code", ""), data.get("show_if_option", "")
        if bool(code) != bool(option):
            self.add_error(
                "show_if_code" if not code else "show_if_option",
                _("Give both the question number and the option of the condition, or leave both empty."),
            )
        elif code and code == data.get("code"):
            self.add_error("show_if_code", _("A question cannot depend on itself."))
        return data

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "section_title": data["section_title"],
            "code": data["code"],
            "text": data["text"],
            "kind": data["kind"],
            "required": data["required"],
            "help_text": data["help_text"],
            "options": data["options"],
            "min_value": data["min_value"],
            "max_value": data["max_value"],
            "scale_max": data["scale_max"],
            "show_if": (data["show_if_code"], data["show_if_option"]) if data["show_if_code"] else None,
        }


class QuestionnaireUploadForm(Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        validators=[FileExtensionValidator(["xlsx"], message=_("Upload an Excel workbook (.xlsx)."))],
    )

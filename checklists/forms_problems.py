from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan import clock
from qingdan.forms import StyledForm


class ProblemListForm(StyledForm):
    findings = forms.ModelMultipleChoiceField(label=_("Findings"), queryset=None, widget=forms.CheckboxSelectMultiple)
    title = forms.CharField(label=_("Title"), max_length=200)
    doc_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = findings
        self.fields["findings"].label_from_instance = lambda f: f"{f.note[:60]}（{f.suggested_unit or '—'}）"

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= clock.today():
            raise forms.ValidationError(_("The deadline must come after today."))
        return deadline

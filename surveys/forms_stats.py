from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan.forms import StyledForm


class FindingForm(StyledForm):
    question = forms.ModelChoiceField(label=_("Question"), queryset=None, required=False)
    distribution = forms.ModelChoiceField(label=_("Distribution"), queryset=None, required=False)
    response = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    suggested_unit = forms.ModelChoiceField(label=_("Suggested responsible unit"), queryset=None, required=False)

    def __init__(self, *args, questionnaire, units, distributions, responses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = questionnaire.questions.order_by("section__position", "position")
        self.fields["question"].label_from_instance = lambda q: f"{q.code} {q.text}"[:80]
        self.fields["distribution"].queryset = distributions
        self.fields["response"].queryset = responses
        self.fields["suggested_unit"].queryset = units.order_by("path")

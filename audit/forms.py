from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import Result
from qingdan.forms import StyledForm


class EventFilterForm(StyledForm):
    actor = forms.CharField(label=_("User name"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=150)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=150)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=150)
    result = forms.ChoiceField(label=_("Result"), required=False, choices=[("", _("All results"))] + Result.choices)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

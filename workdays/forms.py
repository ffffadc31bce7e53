from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan.forms import DateInput, StyledForm
from workdays.models import CalendarDay, DayKind


class DayForm(StyledForm):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind of day"), choices=DayKind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=CalendarDay.NAME_MAX,
        required=False,
        widget=forms.TextInput(attrs={"list": "workdays-festivals", "autocomplete": "off"}),
    )

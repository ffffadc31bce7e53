from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from audit import labels
from audit.models import Result
from qingdan.forms import StyledForm

# The areas of the codes that belong to no app of their own.
AREA_OF_PREFIX = {"auth": "orgs", "api": "orgs", "access": "audit"}


def action_choices():
    """The actions by area, each area led by its whole group (``checklists.`` filters by prefix)."""
    groups = {}
    for code, label in sorted(labels.all_actions().items()):
        prefix = code.split(".", 1)[0]
        groups.setdefault(prefix, []).append((code, str(label)))
    choices = [("", _("All actions"))]
    for prefix, options in groups.items():
        app = AREA_OF_PREFIX.get(prefix, prefix)
        area = str(apps.get_app_config(app).verbose_name) if apps.is_installed(app) else prefix
        if prefix == "auth":
            area = str(_("Log-in and passwords"))
        elif prefix == "api":
            area = str(_("API tokens"))
        elif prefix == "access":
            area = str(_("Refusals"))
        everything = (f"{prefix}.", _("All of “%(area)s”") % {"area": area})
        choices.append((area, [everything, *sorted(options, key=lambda option: option[1])]))
    return choices


class EventFilterForm(StyledForm):
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    # A free value shown as a list: a code no area declares any more (an old event) still filters.
    action = forms.CharField(label=_("Action"), required=False, max_length=150, widget=forms.Select)
    result = forms.ChoiceField(label=_("Result"), required=False, choices=[("", _("All results"))] + Result.choices)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # Set by a record's 历史 link: the trail of one record.
    object_type = forms.CharField(required=False, max_length=150, widget=forms.HiddenInput)
    object_id = forms.CharField(required=False, max_length=150, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].widget.choices = action_choices()

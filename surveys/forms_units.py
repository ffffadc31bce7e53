"""Forms of the distribution and unit-response pages."""

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgKind, OrgUnit
from orgs.queries import visible_units, within
from qingdan import clock
from qingdan.forms import DateInput, StyledForm, UnitChoiceField
from surveys.models import ResponseStatus


class DistributeForm(StyledForm):
    """Target units are every visible unit of one kind in the subtree of a chosen root unit."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of target unit"), choices=OrgKind.choices)
    root = UnitChoiceField(
        label=_("Within"),
        queryset=OrgUnit.objects.none(),
        help_text=_("The chosen unit and every unit below it."),
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput)
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only units that have units below them (and the user's own) make sense as a root;
        # this keeps the list short even for a province.
        has_children = OrgUnit.objects.filter(parent=OuterRef("pk"))
        roots = (
            visible_units(user)
            .filter(Q(Exists(has_children)) | Q(pk=user.org_unit_id))
            .order_by("path")
            .only("id", "name", "depth", "path")
        )
        self.fields["root"].queryset = roots
        self.fields["root"].base_depth = user.org_unit.depth
        self.fields["root"].empty_label = None
        if not self.is_bound:
            self.fields["opens_on"].initial = clock.today()

    def target_units(self, user):
        """The units the distribution will go to (call after ``is_valid``)."""
        data = self.cleaned_data
        return visible_units(user).filter(within(data["root"]), kind=data["kind"]).order_by("path")


# "waiting" gathers every status but submitted: the units a reminder goes to.
WAITING_FILTER = "waiting"
STATUS_FILTER_CHOICES = [("", _("All statuses")), (WAITING_FILTER, _("Not submitted")), *ResponseStatus.choices]


class TargetFilterForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False)


class DistributionState:
    OPEN = "open"
    INCOMPLETE = "incomplete"
    UPCOMING = "upcoming"
    CLOSED = "closed"

    choices = [
        ("", _("All")),
        (OPEN, _("Open now")),
        (INCOMPLETE, _("Open, responses still missing")),
        (UPCOMING, _("Not yet open")),
        (CLOSED, _("Closed")),
    ]


class DistributionFilterForm(StyledForm):
    state = forms.ChoiceField(label=_("State"), choices=DistributionState.choices, required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class TaskState:
    TODO = "todo"
    OVERDUE = "overdue"
    SUBMITTED = "submitted"

    choices = [
        ("", _("All")),
        (TODO, _("To fill in")),
        (OVERDUE, _("Overdue")),
        (SUBMITTED, _("Submitted")),
    ]


class TaskFilterForm(StyledForm):
    state = forms.ChoiceField(label=_("State"), choices=TaskState.choices, required=False)

"""The surveys' part of the weekly digest (``qingdan.digests``): survey tasks submitted that week by units of the
user's subtree, or to distributions issued in it; tasks past their date with no submission now."""

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import Role
from orgs.queries import root_unit, within
from qingdan.digests import Line, Offer, digest_source, local_day, week_bounds
from surveys.models import ResponseStatus, Target

WAITING = [ResponseStatus.PENDING, ResponseStatus.DRAFT, ResponseStatus.RETURNED]


def _targets(user):
    """Tasks of units in the user's subtree and tasks of distributions issued in it (``surveys.queries`` scopes
    the two separately: ``unit_targets`` and ``visible_distributions``)."""
    unit = root_unit(user)
    if unit is None:
        return Target.objects.none()
    return Target.objects.filter(within(unit, "org_unit") | within(unit, "distribution__issuing_unit"))


def _url(user, target):
    # A distribution issued above the user's unit has no page they may open: the line names it without a link.
    unit = root_unit(user)
    if unit is None or not target.distribution.issuing_unit.is_within(unit):
        return ""
    # The distribution's page is the office's; a leader reads the questionnaire's statistics for it instead.
    if user.has_role(Role.OFFICE):
        return reverse("surveys:distribution_detail", args=[target.distribution_id])
    url = reverse("surveys:stats", args=[target.distribution.questionnaire_id])
    return f"{url}?distribution={target.distribution_id}"


@digest_source("surveys", gettext_lazy("Surveys"), position=20)
def surveys(user, start, end, today):
    offer = Offer()
    since, until = week_bounds(start, end)
    targets = _targets(user).select_related("distribution__issuing_unit", "org_unit")
    submitted = (
        targets.filter(status=ResponseStatus.SUBMITTED, submitted_at__gte=since, submitted_at__lt=until)
        .exclude(Q(response__submitted_by=user))
        .order_by("submitted_at", "id")
    )
    offer.add_changed(
        gettext_lazy("Surveys submitted"),
        submitted,
        lambda target: Line(
            text=_("Survey submitted: %(title)s") % {"title": target.distribution.title},
            url=_url(user, target),
            unit=target.org_unit.name,
            day=local_day(target.submitted_at),
        ),
    )
    late = (
        targets.filter(status__in=WAITING)
        .annotate(deadline_on=Coalesce("due_on", "distribution__closes_on"))
        .filter(deadline_on__lt=today)
        .order_by("deadline_on", "id")
    )
    offer.add_overdue(
        late,
        lambda target: Line(
            text=_("Survey not submitted: %(title)s") % {"title": target.distribution.title},
            url=_url(user, target),
            unit=target.org_unit.name,
            delay=(today - target.deadline_on).days,
            day=target.deadline_on,
        ),
    )
    return offer

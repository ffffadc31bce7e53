"""The hardship archive's part of the weekly digest (``qingdan.digests``): households admitted to the archive,
exited from hardship or moved to permanent support in the user's subtree that week; files past their yearly
review now. Lines name the file number, never the family (personal data)."""

from datetime import timedelta

from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistance import rules as archive_rules
from assistance.care_queries import review_overdue, rule_for
from assistance.models import Event, EventKind
from assistance.scope import visible_households
from qingdan.digests import Line, Offer, digest_source, labelled, local_day, week_bounds

CHANGES = [
    ([EventKind.ARCHIVED, EventKind.REARCHIVED], gettext_lazy("Households admitted to the archive")),
    ([EventKind.EXITED], gettext_lazy("Households exited hardship")),
    ([EventKind.PERMANENT], gettext_lazy("Households moved to permanent support")),
]


@digest_source("assistance", gettext_lazy("Hardship archive"), position=50)
def archive(user, start, end, today):
    offer = Offer()
    since, until = week_bounds(start, end)
    households = visible_households(user)
    events = (
        Event.objects.filter(household__in=households.values("pk"), at__gte=since, at__lt=until)
        .exclude(actor=user)
        .select_related("household__org_unit")
        .order_by("at", "id")
    )
    for kinds, label in CHANGES:
        offer.add_changed(
            label,
            events.filter(kind__in=kinds),
            lambda event, label=label: Line(
                text=labelled(label, event.household.number),
                url=reverse("assistance:household", args=[event.household_id]),
                unit=event.household.org_unit.name,
                day=local_day(event.at),
            ),
        )
    # The interval in force for the user's unit, as the archive's own flag counts them (``care_queries``).
    interval = rule_for(user, archive_rules.REVIEW_DAYS)
    due = (
        households.filter(review_overdue(today, interval))
        .annotate(last=Coalesce("reviewed_on", "archived_on"))
        .select_related("org_unit")
        .order_by("last", "id")
    )
    offer.add_overdue(
        due,
        lambda household: Line(
            text=_("Yearly review overdue: file %(number)s") % {"number": household.number},
            url=reverse("assistance:household", args=[household.pk]),
            unit=household.org_unit.name,
            delay=max((today - (household.last + timedelta(days=interval))).days, 0),
            day=household.last + timedelta(days=interval),
        ),
    )
    return offer

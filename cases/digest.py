"""The demands-and-disputes area's part of the weekly digest (``qingdan.digests``): demands received, replied and
closed, disputes turned red and settled in the user's subtree that week; demands waiting past their reply deadline
and red disputes still open now. Lines name the enterprise and the kind, never the worker."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Colour, DemandEvent, DemandEventKind, DemandStatus, DisputeEvent, DisputeEventKind, Outcome
from cases.scope import OPEN_DISPUTE, visible_demands, visible_disputes
from qingdan.digests import Line, Offer, digest_source, labelled, local_day, week_bounds

DEMAND_CHANGES = [
    (Q(kind__in=[DemandEventKind.REGISTERED, DemandEventKind.SUBMITTED]), gettext_lazy("Demands received")),
    (Q(kind=DemandEventKind.REPLIED), gettext_lazy("Demands replied")),
    (Q(kind=DemandEventKind.CLOSED), gettext_lazy("Demands closed")),
]
DISPUTE_CHANGES = [
    (
        Q(kind=DisputeEventKind.COLOUR, data__new=Colour.RED)
        | Q(kind=DisputeEventKind.REGISTERED, data__colour=Colour.RED),
        gettext_lazy("Disputes turned red"),
    ),
    (Q(kind=DisputeEventKind.OUTCOME, data__outcome=Outcome.AGREEMENT), gettext_lazy("Disputes settled by agreement")),
    (Q(kind=DisputeEventKind.CLOSED), gettext_lazy("Disputes closed")),
]


def _unit(demand):
    return (demand.handling_unit or demand.org_unit).name


@digest_source("cases", gettext_lazy("Demands and disputes"), position=40)
def cases(user, start, end, today):
    offer = Offer()
    since, until = week_bounds(start, end)
    demands = visible_demands(user)
    demand_events = (
        DemandEvent.objects.filter(demand__in=demands.values("pk"), at__gte=since, at__lt=until)
        .exclude(actor=user)
        .select_related("demand__enterprise", "demand__org_unit", "demand__handling_unit")
        .order_by("at", "id")
    )
    for condition, label in DEMAND_CHANGES:
        offer.add_changed(
            label,
            demand_events.filter(condition),
            lambda event, label=label: Line(
                text=labelled(label, event.demand),
                url=reverse("cases:demand", args=[event.demand_id]),
                unit=_unit(event.demand),
                day=local_day(event.at),
            ),
        )
    dispute_events = (
        DisputeEvent.objects.filter(dispute__in=visible_disputes(user).values("pk"), at__gte=since, at__lt=until)
        .exclude(actor=user)
        .select_related("dispute__enterprise", "dispute__org_unit")
        .order_by("at", "id")
    )
    for condition, label in DISPUTE_CHANGES:
        offer.add_changed(
            label,
            dispute_events.filter(condition),
            lambda event, label=label: Line(
                text=labelled(label, event.dispute),
                url=reverse("cases:dispute", args=[event.dispute_id]),
                unit=event.dispute.org_unit.name,
                day=local_day(event.at),
            ),
        )
    late = (
        demands.filter(status=DemandStatus.ASSIGNED, reply_due__lt=today)
        .select_related("enterprise", "org_unit", "handling_unit")
        .order_by("reply_due", "id")
    )
    offer.add_overdue(
        late,
        lambda demand: Line(
            text=_("Demand not replied: %(demand)s") % {"demand": demand},
            url=reverse("cases:demand", args=[demand.pk]),
            unit=_unit(demand),
            delay=(today - demand.reply_due).days,
            day=demand.reply_due,
        ),
    )
    # A red dispute has no deadline of its own: its delay is the days it has been open since it was received.
    red = (
        visible_disputes(user)
        .filter(status__in=OPEN_DISPUTE, colour=Colour.RED)
        .select_related("enterprise", "org_unit")
        .order_by("received_on", "id")
    )
    offer.add_overdue(
        red,
        lambda dispute: Line(
            text=_("Red dispute not settled: %(dispute)s") % {"dispute": dispute},
            url=reverse("cases:dispute", args=[dispute.pk]),
            unit=dispute.org_unit.name,
            delay=max((today - dispute.received_on).days, 0),
            day=dispute.received_on,
        ),
    )
    return offer

"""The close-out area's part of the weekly digest (``qingdan.digests``): items closed, applied for and sent back to
rectification, lists issued, in the user's subtree that week; items past their deadline with no application now."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checklists.models import EventKind, ItemEvent
from checklists.permissions import URGEABLE
from checklists.queries import visible_checklists, visible_items
from qingdan.digests import Line, Offer, digest_source, labelled, local_day, week_bounds

CHANGES = [
    (EventKind.CLOSED, gettext_lazy("Items closed out")),
    (EventKind.APPLIED, gettext_lazy("Items applied for close-out")),
    (EventKind.FAILED, gettext_lazy("Items sent back for rectification")),
]


@digest_source("checklists", gettext_lazy("Responsibility lists"), position=10)
def closeout(user, start, end, today):
    offer = Offer()
    since, until = week_bounds(start, end)
    items = visible_items(user).values("pk")
    events = (
        ItemEvent.objects.filter(item__in=items, at__gte=since, at__lt=until)
        .exclude(actor=user)
        .select_related("item__responsible_unit")
        .order_by("at", "id")
    )
    for kind, label in CHANGES:
        offer.add_changed(
            label,
            events.filter(kind=kind),
            lambda event, label=label: Line(
                text=labelled(label, event.item),
                url=reverse("checklists:item", args=[event.item_id]),
                unit=event.item.responsible_unit.name,
                day=local_day(event.at),
            ),
        )
    lists = (
        visible_checklists(user)
        .filter(issued_on__gte=start, issued_on__lte=end)
        .exclude(created_by=user)
        .select_related("responsible_unit")
        .order_by("issued_on", "id")
    )
    offer.add_changed(
        gettext_lazy("Lists issued"),
        lists,
        lambda checklist: Line(
            text=_("List issued: %(title)s") % {"title": checklist.title},
            url=reverse("checklists:list", args=[checklist.pk]),
            unit=checklist.responsible_unit.name,
            day=checklist.issued_on,
        ),
    )
    overdue = (
        visible_items(user)
        .filter(status__in=URGEABLE, deadline__lt=today)
        .select_related("responsible_unit")
        .order_by("deadline", "id")
    )
    offer.add_overdue(
        overdue,
        lambda item: Line(
            text=_("Item overdue: %(item)s") % {"item": item},
            url=reverse("checklists:item", args=[item.pk]),
            unit=item.responsible_unit.name,
            delay=(today - item.deadline).days,
            day=item.deadline,
        ),
    )
    return offer

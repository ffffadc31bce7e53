"""Close-out metrics for assessment and dashboards (see ``qingdan.metrics``).

The items of a period are those of lists issued within it; urgings and rectifications count the
notices and failed verifications dated within it. Each unit's value covers its whole subtree.
"""

from django.db.models import Count, F, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checklists.models import EventKind, Item, ItemEvent, ItemStatus
from orgs.queries import subtree_rollup, within, within_all
from qingdan.metrics import COUNT, RATE, RECORDS_SHOWN, Record, RecordPage, metric


def _items(units, start, end):
    return Item.objects.filter(within_all(units, "responsible_unit"), checklist__issued_on__range=(start, end))


def _rate(units, start, end, numerator, denominator=None):
    rows = (
        _items(units, start, end)
        .values("responsible_unit")
        .annotate(
            # One path per unit; grouping by the unit alone (not unit and path) keeps PostgreSQL's estimate
            # of the groups right, so a province's items aggregate in memory (bench/scoring_bench.py).
            path=Min("responsible_unit__path"),
            n=Count("id", filter=numerator),
            d=Count("id", filter=denominator) if denominator is not None else Count("id"),
        )
        .values_list("path", "n", "d")
        .order_by()
    )
    return subtree_rollup(units, rows)


def _events(units, start, end, kind):
    rows = (
        ItemEvent.objects.filter(within_all(units, "item__responsible_unit"), kind=kind, at__date__range=(start, end))
        .values("item__responsible_unit")
        .annotate(path=Min("item__responsible_unit__path"), n=Count("id"))
        .values_list("path", "n", "n")
        .order_by()
    )
    return subtree_rollup(units, rows)


def _item_rows(unit, start, end, counted, denominator=None):
    items = _items([unit], start, end)
    if denominator is not None:
        items = items.filter(denominator)
    items = (
        items.select_related("responsible_unit")
        .annotate(counted=Count("id", filter=counted))
        .order_by("deadline", "id")
    )
    rows = [
        Record(
            day=item.deadline,
            text=f"{item.responsible_unit.name} · {item.content[:60]} · {item.get_status_display()}",
            url=reverse("checklists:item", args=[item.pk]),
            counted=bool(item.counted),
        )
        for item in items[:RECORDS_SHOWN]
    ]
    return RecordPage(rows=rows, total=items.count())


def _event_rows(unit, start, end, kind):
    events = (
        ItemEvent.objects.filter(within(unit, "item__responsible_unit"), kind=kind, at__date__range=(start, end))
        .select_related("item__responsible_unit", "document")
        .order_by("at", "id")
    )
    rows = []
    for event in events[:RECORDS_SHOWN]:
        number = event.document.number if event.document_id else ""
        text = " · ".join(part for part in (number, event.item.responsible_unit.name, event.item.content[:60]) if part)
        day = timezone.localdate(event.at)
        rows.append(Record(day=day, text=text, url=reverse("checklists:item", args=[event.item_id])))
    return RecordPage(rows=rows, total=events.count())


CLOSED = Q(status=ItemStatus.CLOSED)
FIRST_PASS = Q(status=ItemStatus.CLOSED, rectifications=0)
# A failed verification moves ``deadline`` to the rectification date, an approved extension moves it too:
# an item never sent back is on time by its (possibly extended) deadline, one sent back only by the first.
ON_TIME = Q(status=ItemStatus.CLOSED) & (
    Q(rectifications=0, closed_at__date__lte=F("deadline")) | Q(closed_at__date__lte=F("original_deadline"))
)


@metric(
    "close_out_rate",
    _("Close-out rate"),
    kind=RATE,
    doc=_("Items closed out ÷ items issued, over the lists issued to the unit and the units below it in the period."),
)
def close_out_rate(units, start, end):
    return _rate(units, start, end, CLOSED)


@close_out_rate.records
def _close_out_records(unit, start, end):
    return _item_rows(unit, start, end, CLOSED)


@metric(
    "on_time_rate",
    _("On-time close-out rate"),
    kind=RATE,
    doc=_(
        "Items closed out by their deadline ÷ items issued in the period; an approved extension counts, "
        "a rectification's new deadline does not."
    ),
)
def on_time_rate(units, start, end):
    return _rate(units, start, end, ON_TIME)


@on_time_rate.records
def _on_time_records(unit, start, end):
    return _item_rows(unit, start, end, ON_TIME)


@metric(
    "first_pass_rate",
    _("First-pass rate"),
    kind=RATE,
    doc=_("Items closed out with no rectification ÷ items closed out, of the lists issued in the period."),
)
def first_pass_rate(units, start, end):
    return _rate(units, start, end, FIRST_PASS, CLOSED)


@first_pass_rate.records
def _first_pass_records(unit, start, end):
    return _item_rows(unit, start, end, FIRST_PASS, denominator=CLOSED)


@metric(
    "urgings_received",
    _("Urgings received (failures to report)"),
    kind=COUNT,
    doc=_(
        "Written urging notices issued in the period because an item passed its deadline with no application "
        "for close-out: each is a failure to report on a supervised matter."
    ),
)
def urgings_received(units, start, end):
    return _events(units, start, end, EventKind.URGED)


@urgings_received.records
def _urging_records(unit, start, end):
    return _event_rows(unit, start, end, EventKind.URGED)


@metric(
    "rectifications",
    _("Rectifications ordered"),
    kind=COUNT,
    doc=_("Verifications failed in the period, each with a rectification opinion letter."),
)
def rectifications(units, start, end):
    return _events(units, start, end, EventKind.FAILED)


@rectifications.records
def _rectification_records(unit, start, end):
    return _event_rows(unit, start, end, EventKind.FAILED)

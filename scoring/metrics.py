"""Metrics of the events the office records by hand (see ``qingdan.metrics``): praise, media reports,
training attended and serious incidents, dated in the period. Withdrawn events do not count."""

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgs.queries import subtree_rollup, within, within_all
from qingdan.metrics import COUNT, RECORDS_SHOWN, Record, RecordPage, metric
from scoring.models import EventKind, Level, RecordedEvent

PRAISE = Q(kind__in=[EventKind.COMMENDATION, EventKind.MEDIA])


def _events(scope, start, end, condition):
    return RecordedEvent.objects.filter(condition, scope, happened_on__range=(start, end), withdrawn_at__isnull=True)


def _counter(condition):
    def compute(units, start, end):
        rows = (
            _events(within_all(units, "unit"), start, end, condition)
            .values("unit")
            .annotate(path=Min("unit__path"), n=Count("id"))
            .values_list("path", "n", "n")
            .order_by()
        )
        return subtree_rollup(units, rows)

    def records(unit, start, end):
        events = (
            _events(within(unit, "unit"), start, end, condition).select_related("unit").order_by("happened_on", "id")
        )
        rows = [
            Record(
                day=event.happened_on,
                text=" · ".join(
                    part for part in (event.unit.name, event.get_level_display(), event.title, event.source) if part
                ),
                url=reverse("scoring:event", args=[event.pk]),
            )
            for event in events[:RECORDS_SHOWN]
        ]
        return RecordPage(rows=rows, total=events.count())

    return compute, records


def _register(key, label, doc, condition):
    compute, records = _counter(condition)
    metric(key, label, kind=COUNT, doc=doc)(compute).records(records)


_register(
    "praise_provincial",
    _("Provincial or national praise and media reports"),
    _("Written praise (批示) by provincial or national leaders and provincial or national media reports recorded."),
    PRAISE & Q(level__gte=Level.PROVINCE),
)
_register(
    "praise_city",
    _("City-level or higher praise and media reports"),
    _("Written praise and media reports at city level or higher recorded."),
    PRAISE & Q(level__gte=Level.CITY),
)
_register(
    "training_attended",
    _("Higher-level training attended"),
    _("Attendance of the unit's leadership at training run by a higher-level union."),
    Q(kind=EventKind.TRAINING),
)
_register(
    "incidents",
    _("Serious incidents"),
    _("Serious incidents recorded against the unit (for one-vote veto criteria)."),
    Q(kind=EventKind.INCIDENT),
)

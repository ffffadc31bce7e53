"""Metrics of the demands and disputes area for assessment and dashboards (see ``qingdan.metrics``).

A demand or dispute belongs to the period it was received in and to the unit it is registered under; each unit's
value covers its whole subtree (the figures page counts the same records: ``cases.figures``). Amounts are counted
in whole yuan, as a count metric's value is a whole number."""

from django.db.models import Count, Min, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases import figures, scope
from cases.models import Demand, Dispute
from orgs.queries import subtree_rollup, within_all
from qingdan.metrics import COUNT, RATE, RECORDS_SHOWN, Record, RecordPage, metric

MEDIATED = ~Q(level="")


def _records(model, units, start, end):
    return model.objects.filter(within_all(units, "org_unit"), received_on__range=(start, end))


def _rollup(model, units, start, end, numerator, denominator=None, summed=None):
    counted = Sum(summed, filter=numerator) if summed else Count("id", filter=numerator)
    rows = (
        _records(model, units, start, end)
        .values("org_unit")
        .annotate(
            path=Min("org_unit__path"),
            n=counted,
            d=Count("id", filter=denominator) if denominator is not None else Count("id"),
        )
        .values_list("path", "n", "d")
        .order_by()
    )
    if summed:  # whole yuan: a count's value is a whole number
        rows = [(path, int(n or 0), d) for path, n, d in rows]
    return subtree_rollup(units, rows)


def _demand_rows(unit, start, end, counted, denominator):
    demands = (
        _records(Demand, [unit], start, end)
        .filter(denominator)
        .select_related("enterprise", "org_unit")
        .annotate(counted=Count("id", filter=counted))
        .order_by("received_on", "id")
    )
    rows = [
        Record(
            day=d.received_on,
            text=f"{d.org_unit.name} · {d.enterprise.name} · {d.get_category_display()} · {d.get_status_display()}"
            + (f" · {d.get_result_display()}" if d.result else ""),
            url=reverse("cases:demand", args=[d.pk]),
            counted=bool(d.counted),
        )
        for d in demands[:RECORDS_SHOWN]
    ]
    return RecordPage(rows=rows, total=demands.count())


def _dispute_rows(unit, start, end, condition, money=False):
    disputes = (
        _records(Dispute, [unit], start, end)
        .filter(condition)
        .select_related("enterprise", "org_unit")
        .order_by("received_on", "id")
    )
    rows = []
    for d in disputes[:RECORDS_SHOWN]:
        parts = [
            d.org_unit.name,
            d.enterprise.name,
            d.get_kind_display(),
            d.get_colour_display(),
            d.get_status_display(),
        ]
        if money:
            parts.append(f"¥{d.amount_paid or 0:,.2f}")
        rows.append(
            Record(day=d.received_on, text=" · ".join(str(p) for p in parts), url=reverse("cases:dispute", args=[d.pk]))
        )
    return RecordPage(rows=rows, total=disputes.count())


REPLIED = Q(replied_at__isnull=False)


@metric(
    "demand_resolution_rate",
    _("Demand resolution rate"),
    kind=RATE,
    doc=_("Demands resolved ÷ demands accepted, received in the period by the unit and the units below it."),
)
def demand_resolution_rate(units, start, end):
    return _rollup(Demand, units, start, end, figures.RESOLVED, figures.ACCEPTED)


@demand_resolution_rate.records
def _resolution_records(unit, start, end):
    return _demand_rows(unit, start, end, figures.RESOLVED, figures.ACCEPTED)


@metric(
    "demand_on_time_rate",
    _("Demand on-time reply rate"),
    kind=RATE,
    doc=_("Demands replied by their working-day deadline ÷ demands replied, of those received in the period."),
)
def demand_on_time_rate(units, start, end):
    return _rollup(Demand, units, start, end, Q(replied_on_time=True), REPLIED)


@demand_on_time_rate.records
def _on_time_records(unit, start, end):
    return _demand_rows(unit, start, end, Q(replied_on_time=True), REPLIED)


@metric(
    "disputes_mediated",
    _("Labour disputes mediated"),
    kind=COUNT,
    doc=_("Labour disputes received in the period that went to mediation at any of the three levels."),
)
def disputes_mediated(units, start, end):
    return _rollup(Dispute, units, start, end, MEDIATED, MEDIATED)


@disputes_mediated.records
def _mediated_records(unit, start, end):
    return _dispute_rows(unit, start, end, MEDIATED)


@metric(
    "amount_recovered",
    _("Wages recovered for workers (yuan)"),
    kind=COUNT,
    doc=_("Yuan paid to workers under mediation agreements, over the disputes received in the period, in whole yuan."),
)
def amount_recovered(units, start, end):
    return _rollup(Dispute, units, start, end, figures.AGREEMENT, figures.AGREEMENT, summed="amount_paid")


@amount_recovered.records
def _recovered_records(unit, start, end):
    return _dispute_rows(unit, start, end, figures.AGREEMENT, money=True)


RED_OPEN = Q(colour="red", status__in=scope.OPEN_DISPUTE)


@metric(
    "red_disputes_unresolved",
    _("Red-warning disputes unresolved"),
    kind=COUNT,
    doc=_(
        "Labour disputes received in the period whose warning colour is red and that are still registered or in mediation."
    ),
)
def red_disputes_unresolved(units, start, end):
    return _rollup(Dispute, units, start, end, RED_OPEN, RED_OPEN)


@red_disputes_unresolved.records
def _red_records(unit, start, end):
    return _dispute_rows(unit, start, end, RED_OPEN)

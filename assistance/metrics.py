"""Metrics of the hardship archive for assessment and dashboards (see ``qingdan.metrics``).

Each unit's value covers the households managed within its subtree. The definitions are those of the figures page
(``assistance.figures``): archived now = archived or permanent support today; exited = status "exited hardship".
The drill-downs name households by file number, unit and masked head's name only.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Min, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assistance.exports import mask_name
from assistance.models import Aid, FileStatus, Household
from assistance.scope import HELD_STATUSES, review_due
from orgs.queries import subtree_rollup, within, within_all
from qingdan import clock
from qingdan.metrics import COUNT, DATE, RATE, RECORDS_SHOWN, Record, RecordPage, Value, metric

HELD = Q(status__in=HELD_STATUSES)


def _exited_in(start, end):
    return Q(status=FileStatus.EXITED, exited_on__range=(start, end))


def _grouped(queryset, unit_field, **sums):
    return queryset.values(unit_field).annotate(path=Min(f"{unit_field}__path"), **sums).order_by()


def _household_record(household, counted):
    text = " · ".join(
        part
        for part in (
            household.number,
            household.org_unit.name,
            mask_name(household.head_name),
            str(household.get_status_display()),
        )
        if part
    )
    return Record(
        day=household.exited_on or household.archived_on,
        text=text,
        url=reverse("assistance:household", args=[household.pk]),
        counted=counted,
    )


def _household_rows(households, counted):
    households = (
        households.select_related("org_unit")
        .annotate(counted=Count("id", filter=counted))
        .order_by("-counted", "number", "id")
    )
    rows = [_household_record(h, bool(h.counted)) for h in households[:RECORDS_SHOWN]]
    return RecordPage(rows=rows, total=households.count())


@metric(
    "hardship_exit_rate",
    _("Hardship exit rate"),
    kind=RATE,
    doc=_(
        "Families who exited hardship in the period ÷ (families archived now, under permanent support included, "
        "+ those who exited in the period), over the files managed by the unit and the units below it. 400 "
        "families of whom 396 exited: 396 ÷ 400 = 99.0%."
    ),
)
def hardship_exit_rate(units, start, end):
    exited = _exited_in(start, end)
    rows = _grouped(
        Household.objects.filter(within_all(units, "org_unit")).filter(HELD | exited),
        "org_unit",
        n=Count("id", filter=exited),
        d=Count("id"),
    ).values_list("path", "n", "d")
    return subtree_rollup(units, rows)


@hardship_exit_rate.records
def _exit_rate_records(unit, start, end):
    exited = _exited_in(start, end)
    return _household_rows(Household.objects.filter(within(unit, "org_unit")).filter(HELD | exited), exited)


@metric(
    "hardship_all_exited_on",
    _("Day all hardship families of the unit were out of hardship"),
    kind=DATE,
    doc=_(
        "The day the last archived family managed by the unit and the units below it exited hardship; none while "
        "any family is still archived or under permanent support, or when the unit never had a family exit."
    ),
)
def hardship_all_exited_on(units, start, end):
    rows = _grouped(
        Household.objects.filter(within_all(units, "org_unit")).filter(HELD | Q(status=FileStatus.EXITED)),
        "org_unit",
        held=Count("id", filter=HELD),
        exited=Count("id", filter=Q(status=FileStatus.EXITED)),
        last=Max("exited_on", filter=Q(status=FileStatus.EXITED)),
    )
    wanted = {unit.path: unit.pk for unit in units}
    held, exited, last = defaultdict(int), defaultdict(int), {}
    for row in rows:
        path, cut = row["path"], 0
        while (cut := path.find("/", cut + 1)) >= 0:
            pk = wanted.get(path[: cut + 1])
            if pk is None:
                continue
            held[pk] += row["held"]
            exited[pk] += row["exited"]
            if row["last"] and (last.get(pk) is None or row["last"] > last[pk]):
                last[pk] = row["last"]
    return {
        unit.pk: Value(
            numerator=exited[unit.pk],
            denominator=held[unit.pk] + exited[unit.pk],
            day=last.get(unit.pk) if not held[unit.pk] and exited[unit.pk] else None,
        )
        for unit in units
    }


@hardship_all_exited_on.records
def _all_exited_records(unit, start, end):
    households = Household.objects.filter(within(unit, "org_unit")).filter(HELD | Q(status=FileStatus.EXITED))
    # Those still archived first (not counted: they keep the day from coming), then the exits.
    return _household_rows(households, Q(status=FileStatus.EXITED))


def _yuan(amount):
    return int(Decimal(amount or 0).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@metric(
    "hardship_aid_amount",
    _("Hardship aid given (yuan)"),
    kind=COUNT,
    doc=_(
        "Yuan of aid given in the period (to the nearest yuan) to the families managed by the unit and the units "
        "below it, whoever gave it."
    ),
)
def hardship_aid_amount(units, start, end):
    rows = (
        Aid.objects.filter(within_all(units, "household__org_unit"), given_on__range=(start, end))
        .values("household__org_unit")
        .annotate(path=Min("household__org_unit__path"), amount=Sum("amount"))
        .order_by()
    )
    totals = subtree_rollup(units, [(row["path"], row["amount"], 0) for row in rows])
    return {pk: Value(numerator=_yuan(value.numerator), denominator=0) for pk, value in totals.items()}


@hardship_aid_amount.records
def _aid_records(unit, start, end):
    aid = (
        Aid.objects.filter(within(unit, "household__org_unit"), given_on__range=(start, end))
        .select_related("household__org_unit")
        .order_by("given_on", "id")
    )
    rows = [
        Record(
            day=a.given_on,
            text=" · ".join(
                (
                    a.household.number,
                    a.household.org_unit.name,
                    mask_name(a.household.head_name),
                    str(a.get_kind_display()),
                    f"¥{a.amount:,.2f}",
                )
            ),  # fmt: skip
            url=reverse("assistance:household", args=[a.household_id]),
        )
        for a in aid[:RECORDS_SHOWN]
    ]
    return RecordPage(rows=rows, total=aid.count())


def _review_day(end):
    return min(end, clock.today())


@metric(
    "hardship_reviews_overdue",
    _("Yearly reviews of hardship families overdue"),
    kind=COUNT,
    doc=_(
        "Families archived or under permanent support whose yearly review (or archiving) is older than the review "
        "interval on the last day of the period (today, for a period not yet over)."
    ),
)
def hardship_reviews_overdue(units, start, end):
    rows = (
        Household.objects.filter(within_all(units, "org_unit"))
        .filter(review_due(_review_day(end)))
        .values("org_unit")
        .annotate(path=Min("org_unit__path"), n=Count("id"))
        .values_list("path", "n", "n")
        .order_by()
    )
    return subtree_rollup(units, rows)


@hardship_reviews_overdue.records
def _review_records(unit, start, end):
    households = Household.objects.filter(within(unit, "org_unit")).filter(review_due(_review_day(end)))
    return _household_rows(households, Q(pk__isnull=False))

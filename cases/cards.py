"""The demands and disputes area's overview cards (see ``qingdan.cards``): this year's demand resolution rate and
red disputes still unresolved, both the total of the figures page's own ``figures.compute`` (the same period, this
year; ``figures.totals``), and the red disputes open now as exceptions."""

from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import figures, scope
from orgs.queries import root_unit
from qingdan import cards, clock
from qingdan.cards import RATE, CardException, CardValue, card, every_month
from qingdan.templatetags.qd import percent, thousands


def this_year(user):
    """The total of the figures page's default view (this year) for demands and disputes."""

    def compute():
        return figures.totals(user, root_unit(user), ("demands", "disputes"), {}, clock.today())

    return cards.shared(("cases.this_year", user.pk), compute)


def _list(kind, params):
    return f"{reverse(figures.LIST_PAGES[kind])}?{urlencode(params)}"


@card("demand_resolution", gettext_lazy("Demand resolution rate"), order=40, kind=RATE)
def demand_resolution(user):
    total = this_year(user)
    rate, resolved, accepted = (total.value("demands", n) for n in ("resolution_rate", "resolved", "accepted"))
    return CardValue(
        value=rate,
        text=percent(rate),
        url=reverse("cases:figures"),
        numerator=resolved,
        denominator=accepted,
        detail=_("%(n)s resolved of %(d)s accepted this year") % {"n": thousands(resolved), "d": thousands(accepted)},
    )


@demand_resolution.trend(gettext_lazy("Demands resolved, by month received"))
def _resolution_trend(user, months):
    """The figures page's "resolved" by month received (its month grouping of the same period), counted in one
    query of the demands alone: the page's month grouping also counts disputes, letters and their spread."""
    if root_unit(user) is None:
        return every_month(months, {})
    visible, _filter, day, _unit, _measures = figures.KINDS["demands"]
    period = figures.period_of({"from": f"{months[0]:%Y-%m}", "to": f"{months[-1]:%Y-%m}"}, clock.today())
    rows = (
        visible(user)
        .filter(**{f"{day}__gte": period.start, f"{day}__lt": period.end})
        .annotate(month=TruncMonth(day))
        .values_list("month")
        .annotate(n=Count("id", filter=figures.RESOLVED))
        .order_by()
    )
    return every_month(months, {_day(month): n for month, n in rows})


def _day(month):
    return month.date() if isinstance(month, datetime) else month


@card("red_disputes", gettext_lazy("Red disputes unresolved"), order=41)
def red_disputes(user):
    total = this_year(user)
    count = total.value("disputes", "red_open")
    return CardValue(value=count, text=thousands(count), url=_list("disputes", total.filters("disputes", "red_open")))


@red_disputes.exceptions
def _red_exceptions(user):
    """Every red dispute still open, whatever year it came in: the enterprise and the days since it was received
    (a worker's name never shows here)."""
    today = clock.today()
    disputes = (
        scope.visible_disputes(user)
        .filter(figures.RED_OPEN)
        .select_related("org_unit", "enterprise")
        .only("org_unit__name", "enterprise__name", "kind", "received_on")
        .order_by("received_on", "pk")
    )
    return [
        CardException(
            kind="red_disputes",
            unit_id=dispute.org_unit_id,
            unit_name=dispute.org_unit.name,
            text=_("Red dispute at %(enterprise)s (%(kind)s), received %(day)s")
            % {"enterprise": dispute.enterprise.name, "kind": dispute.get_kind_display(), "day": dispute.received_on},
            url=reverse("cases:dispute", args=[dispute.pk]),
            delay_days=(today - dispute.received_on).days,
            red=True,
            ref=str(dispute.pk),
        )
        for dispute in disputes[:200]
    ]

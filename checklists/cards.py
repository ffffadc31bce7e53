"""The close-out area's overview cards (see ``qingdan.cards``): the close-out rate and the items overdue now,
both the total of the figures page's own ``figures.table`` (``figures.total``), so a card reads exactly what 统计
shows."""

from urllib.parse import urlencode

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checklists import figures
from checklists.models import Item
from checklists.queries import Colour, colour_filter
from orgs.queries import root_unit, within
from qingdan import cards, clock
from qingdan.cards import RATE, CardException, CardValue, card, every_month
from qingdan.templatetags.qd import percent, thousands


def _items_url(params, page=None):
    """The item list filtered by ``params``; ``page``: its address, reversed once for a card's many rows."""
    return f"{page or reverse('checklists:items')}?{urlencode(params)}"


def _total(user):
    return cards.shared(("checklists.total", user.pk), lambda: figures.total(root_unit(user), clock.today()))


@card("close_out", gettext_lazy("Close-out rate"), order=10, kind=RATE)
def close_out(user):
    total = _total(user)
    return CardValue(
        value=total.close_rate,
        text=percent(total.close_rate),
        url=reverse("checklists:figures"),
        numerator=total.closed,
        denominator=total.issued,
        detail=_("%(closed)s closed of %(issued)s items") % {
            "closed": thousands(total.closed), "issued": thousands(total.issued)
        },
    )  # fmt: skip


@close_out.trend(gettext_lazy("Items closed out, by month of issue"))
def _close_out_trend(user, months):
    """The figures page's "closed" by month of issue, added up from the same kept rows without the rest of its
    month grouping (the overdue count and the other figures)."""
    unit = root_unit(user)
    if unit is None:
        return every_month(months, {})
    return every_month(months, figures.closed_by_month(unit))


@close_out.ranking
def _close_out_ranking(user, units):
    values = figures.close_out_by_subtree(units)
    page = reverse("checklists:items")
    return {
        pk: CardValue(
            value=value.rate,
            text=percent(value.rate),
            url=_items_url({"unit": pk, "below": "1", "closed": "1"}, page),
            numerator=value.numerator,
            denominator=value.denominator,
        )
        for pk, value in values.items()
    }


@card("overdue_items", gettext_lazy("Items overdue"), order=11)
def overdue_items(user):
    total = _total(user)
    url = _items_url(total.filters("overdue")) if root_unit(user) is not None else reverse("checklists:items")
    return CardValue(value=total.overdue, text=thousands(total.overdue), url=url)


@overdue_items.exceptions
def _overdue_exceptions(user):
    """Each unit of the subtree with items overdue now: how many, since when, red when one of them is."""
    unit = root_unit(user)
    if unit is None:
        return []
    today = clock.today()
    rows = (
        Item.objects.filter(figures.overdue_q(today), within(unit, "responsible_unit"))
        .values("responsible_unit", "responsible_unit__name")
        .annotate(n=Count("id"), since=Min("deadline"), red=Count("id", filter=colour_filter(Colour.RED, today)))
        .order_by()
    )
    page = reverse("checklists:items")
    return [
        CardException(
            kind="overdue_items",
            unit_id=row["responsible_unit"],
            unit_name=row["responsible_unit__name"],
            text=_("%(n)d items overdue, the oldest since %(day)s") % {"n": row["n"], "day": row["since"]},
            url=_items_url({"unit": row["responsible_unit"], "overdue": "1"}, page),
            delay_days=(today - row["since"]).days,
            red=bool(row["red"]),
        )
        for row in rows
    ]

"""The hardship archive's overview cards (see ``qingdan.cards``): this year's exit rate and the yearly reviews
overdue, both the figures page's own ``figures.table`` total (its household counts, ``figures.household_counts``);
the overdue reviews per unit as exceptions (counts only: a family's name never leaves the masked household pages)."""

from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count, Min
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistance import figures, rules
from assistance.models import FileStatus
from assistance.scope import review_due, visible_households
from orgs.queries import root_unit
from qingdan import cards, clock
from qingdan.cards import RATE, CardException, CardValue, card, every_month, next_month
from qingdan.templatetags.qd import percent, thousands


def this_year(user):
    """The households' counts of the figures page's default view (this year) in total."""

    def compute():
        return figures.household_counts(root_unit(user), visible_households(user), today=clock.today())

    return cards.shared(("assistance.this_year", user.pk), compute)


def _households(params):
    return f"{reverse('assistance:households')}?{urlencode(params)}"


@card("hardship_exit", gettext_lazy("Hardship exit rate"), order=50, kind=RATE)
def hardship_exit(user):
    total = this_year(user)
    whole = total.held + total.exited_year
    return CardValue(
        value=total.exit_rate_year,
        text=percent(total.exit_rate_year),
        url=reverse("assistance:figures"),
        numerator=total.exited_year,
        denominator=whole,
        detail=_("%(n)s families exited this year of %(d)s") % {
            "n": thousands(total.exited_year), "d": thousands(whole)
        },
    )  # fmt: skip


@hardship_exit.trend(gettext_lazy("Families out of hardship, by month"))
def _exit_trend(user, months):
    exited = (
        visible_households(user)
        .filter(status=FileStatus.EXITED, exited_on__gte=months[0], exited_on__lt=next_month(months[-1]))
        .annotate(month=TruncMonth("exited_on"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return every_month(months, {row["month"]: row["n"] for row in exited})


@card("reviews_overdue", gettext_lazy("Yearly reviews overdue"), order=51)
def reviews_overdue(user):
    total = this_year(user)
    return CardValue(
        value=total.review_due, text=thousands(total.review_due), url=_households(total.filters("review_due"))
    )


@reviews_overdue.exceptions
def _review_exceptions(user):
    """Each unit managing families whose yearly review is overdue: how many, and the days past the oldest one's."""
    today = clock.today()
    interval = timedelta(days=rules.REVIEW_DAYS.default)  # the interval ``review_due`` and the figures count with
    rows = (
        visible_households(user)
        .filter(review_due(today))
        .values("org_unit", "org_unit__name")
        .annotate(n=Count("id"), since=Min(Coalesce("reviewed_on", "archived_on")))
        .order_by()
    )
    return [
        CardException(
            kind="reviews_overdue",
            unit_id=row["org_unit"],
            unit_name=row["org_unit__name"],
            text=_("%(n)d families' yearly reviews overdue") % {"n": row["n"]},
            url=_households({"unit": row["org_unit"], "own": "1", "review_due": "1"}),
            delay_days=max((today - (row["since"] + interval)).days, 0),
        )
        for row in rows
    ]

"""The surveys area's overview cards (see ``qingdan.cards``): survey completeness (responses submitted ÷ surveys
sent, closing this year) and the workers' satisfaction rate of this year's polls, both the assessment's own metrics
(``surveys.metrics``) over the user's subtree, so the overview and the scores read the same numbers."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import Role
from orgs.queries import root_unit
from qingdan import clock
from qingdan.cards import RATE, CardValue, card, every_month, next_month
from qingdan.metrics import Value
from qingdan.templatetags.qd import percent, thousands
from surveys import metrics


def this_year():
    today = clock.today()
    return date(today.year, 1, 1), date(today.year, 12, 31)


def _value(metric, user, start, end):
    unit = root_unit(user)
    return metric([unit], start, end)[unit.pk] if unit is not None else Value()


def _page(user, office_page):
    """The office's list of distributions or polls; a leader reads the questionnaires."""
    return reverse(office_page if user.has_role(Role.OFFICE) else "surveys:questionnaires")


def completeness_of(user):
    """Survey completeness over the user's subtree this year, as the assessment metric counts it."""
    return _value(metrics.survey_completeness, user, *this_year())


def satisfaction_of(user):
    return _value(metrics.satisfaction_rate, user, *this_year())


@card("survey_completeness", gettext_lazy("Survey completeness"), order=20, kind=RATE)
def survey_completeness(user):
    value = completeness_of(user)
    return CardValue(
        value=value.rate,
        text=percent(value.rate),
        url=_page(user, "surveys:distribution_list"),
        numerator=value.numerator,
        denominator=value.denominator,
        detail=_("%(n)s submitted of %(d)s sent this year") % {
            "n": thousands(value.numerator), "d": thousands(value.denominator)
        },
    )  # fmt: skip


@survey_completeness.trend(gettext_lazy("Survey responses submitted, by month of closing"))
def _completeness_trend(user, months):
    """The metric's numerator month by month (responses submitted within the subtree, by the month their
    distribution closes), in one query over the months rather than one per month."""
    unit = root_unit(user)
    if unit is None:
        return [(month, 0) for month in months]
    end = next_month(months[-1]) - timedelta(days=1)
    return every_month(months, metrics.submitted_by_month(unit, months[0], end))


@card("satisfaction", gettext_lazy("Workers' satisfaction"), order=21, kind=RATE)
def satisfaction(user):
    value = satisfaction_of(user)
    return CardValue(
        value=value.rate,
        text=percent(value.rate),
        url=_page(user, "surveys:poll_list"),
        numerator=value.numerator,
        denominator=value.denominator,
        detail=_("%(n)s satisfied of %(d)s answers this year") % {
            "n": thousands(value.numerator), "d": thousands(value.denominator)
        },
    )  # fmt: skip

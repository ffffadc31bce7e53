"""Survey metrics for assessment and dashboards (see ``qingdan.metrics``).

A survey counts in the period its distribution closes in; a worker poll in the period it closes in.
"""

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.queries import subtree_rollup, within, within_all
from qingdan.metrics import RATE, RECORDS_SHOWN, Record, RecordPage, metric
from surveys.models import SATISFIED_VALUES, Answer, QuestionKind, ResponseStatus, Target
from surveys.stats import COUNTED_MODE

SUBMITTED = Q(status=ResponseStatus.SUBMITTED)


def _targets(scope, start, end):
    return Target.objects.filter(scope, distribution__closes_on__range=(start, end))


@metric(
    "survey_completeness",
    _("Survey completeness"),
    kind=RATE,
    doc=_("Survey responses submitted ÷ surveys sent to the unit and the units below it, closing in the period."),
)
def survey_completeness(units, start, end):
    rows = (
        _targets(within_all(units, "org_unit"), start, end)
        .values("org_unit")
        .annotate(path=Min("org_unit__path"), n=Count("id", filter=SUBMITTED), d=Count("id"))
        .values_list("path", "n", "d")
        .order_by()
    )
    return subtree_rollup(units, rows)


def submitted_by_month(unit, start, end):
    """``{month: responses submitted}`` within ``unit``'s subtree by the month their distribution closes in,
    between ``start`` and ``end``: ``survey_completeness``'s numerator of each month, in one query."""
    rows = (
        _targets(within(unit, "org_unit"), start, end)
        .filter(SUBMITTED)
        .values_list(TruncMonth("distribution__closes_on"))
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


@survey_completeness.records
def _completeness_records(unit, start, end):
    targets = (
        _targets(within(unit, "org_unit"), start, end)
        .select_related("org_unit", "distribution")
        .order_by("distribution__closes_on", "id")
    )
    rows = [
        Record(
            day=target.distribution.closes_on,
            text=f"{target.distribution.title} · {target.org_unit.name} · {target.get_status_display()}",
            url=reverse("surveys:distribution_detail", args=[target.distribution_id]),
            counted=target.status == ResponseStatus.SUBMITTED,
        )
        for target in targets[:RECORDS_SHOWN]
    ]
    return RecordPage(rows=rows, total=targets.count())


def _poll_answers(scope, start, end):
    return Answer.objects.filter(
        scope,
        response__poll__mode=COUNTED_MODE,
        question__kind=QuestionKind.SATISFACTION,
        option__isnull=False,
        response__is_final=True,
        response__poll__closes_at__date__range=(start, end),
    )


SATISFIED = Q(option__value__in=SATISFIED_VALUES)


@metric(
    "satisfaction_rate",
    _("Workers' satisfaction rate"),
    kind=RATE,
    doc=_(
        "(Very satisfied + satisfied) ÷ valid answers to the satisfaction questions of the worker polls of the unit "
        "and the units below it, closing in the period; only answers through one-time links count, never an open "
        "link's."
    ),
)
def satisfaction_rate(units, start, end):
    rows = (
        _poll_answers(within_all(units, "response__poll__subject_unit"), start, end)
        .values("response__poll__subject_unit")
        .annotate(path=Min("response__poll__subject_unit__path"), n=Count("id", filter=SATISFIED), d=Count("id"))
        .values_list("path", "n", "d")
        .order_by()
    )
    return subtree_rollup(units, rows)


@satisfaction_rate.records
def _satisfaction_records(unit, start, end):
    polls = (
        _poll_answers(within(unit, "response__poll__subject_unit"), start, end)
        .values("response__poll", "response__poll__title", "response__poll__closes_at")
        .annotate(n=Count("id", filter=SATISFIED), d=Count("id"))
        .order_by("response__poll__closes_at", "response__poll")
    )
    rows = [
        Record(
            day=timezone.localdate(poll["response__poll__closes_at"]),
            text=_("%(title)s: %(n)s satisfied of %(d)s answers")
            % {"title": poll["response__poll__title"], "n": poll["n"], "d": poll["d"]},
            url=reverse("surveys:poll_detail", args=[poll["response__poll"]]),
        )
        for poll in polls[:RECORDS_SHOWN]
    ]
    return RecordPage(rows=rows, total=polls.count())

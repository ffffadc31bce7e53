"""Figures of a questionnaire's final responses: per question, per dimension, per unit and
region, completeness of a distribution, satisfaction rate. Each figure is one aggregate query.

Dimension score: every scored answer is worth 0–100 points (a choice: its option's score; a
rating r on a scale of n: (r − 1) × 100 ÷ (n − 1)); a dimension's score is the mean of the
scored answers in its section, over the responses in the group.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Avg, Case, Count, FloatField, Q, When
from django.db.models.functions import Cast, TruncMinute
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import OrgUnit
from surveys.models import SATISFIED_VALUES, TEXT_KINDS, Answer, PollMode, QuestionKind, Response, ResponseStatus

TEXTS_SHOWN = 200


def final_responses(questionnaire, *, distribution=None, poll=None):
    responses = Response.objects.filter(questionnaire=questionnaire, is_final=True)
    if distribution is not None:
        responses = responses.filter(target__distribution=distribution)
    if poll is not None:
        responses = responses.filter(poll=poll)
    return responses


# The poll answers that decide (the close-out's satisfaction, the assessment's satisfaction metric): those through
# one-time links. An open link takes one answer per phone by a cookie a script can throw away, so its answers
# never count, whatever questionnaire an older poll was started with.
COUNTED_MODE = PollMode.TOKENS


def counted_poll_responses(poll):
    """The final answers of ``poll`` that a decision may count: none for an open link (``COUNTED_MODE``)."""
    responses = final_responses(poll.questionnaire, poll=poll)
    return responses if poll.mode == COUNTED_MODE else responses.none()


@dataclass(frozen=True)
class RatingPoint:
    """One point of a rating scale, shown and exported like a choice option."""

    value: int

    @property
    def label(self):
        return _("%(n)d points") % {"n": self.value}


@dataclass
class QuestionFigures:
    question: object
    answered: int = 0
    mean: float | None = None
    options: list = field(default_factory=list)  # (option, count, share of answered responses)
    texts: list = field(default_factory=list)


def question_figures(questionnaire, responses):
    """One ``QuestionFigures`` per question, in questionnaire order."""
    answers = Answer.objects.filter(response__in=responses.values("pk"))
    by_option = {
        (row["question_id"], row["option_id"]): row["n"]
        for row in answers.filter(option__isnull=False).values("question_id", "option_id").annotate(n=Count("id"))
    }
    per_question = {
        row["question_id"]: row for row in answers.values("question_id").annotate(n=Count("id"), mean=Avg("number"))
    }
    # A multiple choice stores one row per option picked: count its responses, not its rows. Only
    # there is DISTINCT needed; over every answer it makes PostgreSQL sort or index-scan them all (bench/).
    multiple = answers.filter(question__kind=QuestionKind.MULTIPLE)
    for row in multiple.values("question_id").annotate(n=Count("response_id", distinct=True)):
        per_question[row["question_id"]]["n"] = row["n"]
    by_point = {
        (row["question_id"], int(row["number"])): row["n"]
        for row in answers.filter(question__kind=QuestionKind.RATING)
        .values("question_id", "number")
        .annotate(n=Count("id"))
    }
    figures = []
    for question in (
        questionnaire.questions.select_related("section")
        .prefetch_related("options")
        .order_by("section__position", "position", "id")
    ):
        row = per_question.get(question.pk, {})
        item = QuestionFigures(question, answered=row.get("n", 0))
        if row.get("mean") is not None:
            item.mean = float(row["mean"])
        for option in question.options.all():
            count = by_option.get((question.pk, option.pk), 0)
            item.options.append((option, count, count / item.answered if item.answered else None))
        if question.kind == QuestionKind.RATING:
            for point in range(1, (question.scale_max or 5) + 1):
                count = by_point.get((question.pk, point), 0)
                item.options.append((RatingPoint(point), count, count / item.answered if item.answered else None))
        if question.kind in TEXT_KINDS:
            item.texts = list(
                answers.filter(question=question).order_by("id").values_list("text", flat=True)[:TEXTS_SHOWN]
            )
        figures.append(item)
    return figures


def _score():
    # Floats throughout: SQLite stores 2.00 as the integer 2 and would divide as integers.
    rating = (Cast("number", FloatField()) - 1) * 100.0 / (Cast("question__scale_max", FloatField()) - 1)
    return Case(
        When(question__kind=QuestionKind.RATING, then=rating),
        default=Cast("option__score", FloatField()),
        output_field=FloatField(),
    )


def dimension_scores(responses, *, by_unit=False):
    """``{section_id: score}``, or ``{unit_id: {section_id: score}}`` with ``by_unit``."""
    answers = (
        Answer.objects.filter(response__in=responses.values("pk"))
        .filter(Q(question__kind=QuestionKind.RATING) | Q(option__score__isnull=False))
        .exclude(question__kind=QuestionKind.MULTIPLE)
    )
    keys = ["question__section_id"] + (["response__target__org_unit_id"] if by_unit else [])
    rows = answers.values(*keys).annotate(score=Avg(_score())).order_by()
    if not by_unit:
        return {row["question__section_id"]: float(row["score"]) for row in rows}
    result = defaultdict(dict)
    for row in rows:
        result[row["response__target__org_unit_id"]][row["question__section_id"]] = float(row["score"])
    return dict(result)


def overall(scores):
    """The mean of the dimension scores given (a unit's total on 0–100)."""
    values = [v for v in scores.values() if v is not None]
    return sum(values) / len(values) if values else None


@dataclass
class Completeness:
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def rate(self):
        return self.submitted / self.expected if self.expected else None


def completeness(distribution):
    """Overall and per region (the branch of the tree under the issuing unit holding each target)."""
    targets = list(distribution.targets.select_related("org_unit").order_by("org_unit__path"))
    regions = _regions(distribution.issuing_unit, [t.org_unit for t in targets])
    total, by_region = Completeness(), defaultdict(Completeness)
    for target in targets:
        for bucket in (total, by_region[regions[target.org_unit_id]]):
            bucket.expected += 1
            if target.status == ResponseStatus.SUBMITTED:
                bucket.submitted += 1
                if target.on_time:
                    bucket.on_time += 1
                else:
                    bucket.late += 1
    return total, sorted(by_region.items(), key=lambda item: item[0].path)


def _regions(issuer, units):
    """Unit id → the unit one level below ``issuer`` on its path (or the unit itself)."""
    depth = issuer.depth + 1
    heads = OrgUnit.objects.in_bulk({u.head_at(depth) for u in units if u.depth >= depth})
    return {u.pk: heads[u.head_at(depth)] if u.depth >= depth else u for u in units}


def satisfaction_rate(responses, question):
    """(非常满意 + 满意) ÷ valid responses, for a satisfaction question; None without answers."""
    answers = Answer.objects.filter(response__in=responses.values("pk"), question=question, option__isnull=False)
    row = answers.aggregate(valid=Count("id"), satisfied=Count("id", filter=Q(option__value__in=SATISFIED_VALUES)))
    return row["satisfied"] / row["valid"] if row["valid"] else None


# --- a poll's answers over time -----------------------------------------------------------------

# Bars of 1, 10 or 60 minutes or a day: the shortest that keeps a poll's whole span within MOST_BARS bars.
BAR_MINUTES = (1, 10, 60, 24 * 60)
MOST_BARS = 400
BURSTS_SHOWN = 50
_EPOCH = datetime(2000, 1, 1)  # noqa: DTZ001 - minutes of local wall time are counted from here


@dataclass
class Burst:
    """A minute in which one address (by its keyed hash) sent ``answers`` of the ``total`` answers of that minute."""

    minute: datetime
    address: str
    answers: int
    total: int

    @property
    def code(self):
        """A short name for the address on the page, enough to see the same one come back."""
        return self.address[:6].upper()


@dataclass
class Timeline:
    bar_minutes: int = 10
    labels: list = field(default_factory=list)
    counts: list = field(default_factory=list)
    flagged: list = field(default_factory=list)
    bursts: list = field(default_factory=list)
    burst_count: int = 0
    threshold: int = 0
    without_address: int = 0


def _wall_minutes(moment):
    return (timezone.localtime(moment).replace(tzinfo=None) - _EPOCH) // timedelta(minutes=1)


def poll_timeline(poll, threshold):
    """A poll's final answers by time of arrival, in bars of local time, and its bursts: the minutes in which one
    address sent ``threshold`` answers or more. Three queries, whatever the number of answers."""
    responses = final_responses(poll.questionnaire, poll=poll).annotate(minute=TruncMinute("submitted_at"))
    per_minute = {
        _wall_minutes(row["minute"]): row["n"]
        for row in responses.values("minute").annotate(n=Count("id")).order_by()
        if row["minute"] is not None
    }
    timeline = Timeline(threshold=threshold)
    if not per_minute:
        return timeline
    timeline.without_address = responses.filter(address="").count()
    bursts = (
        responses.exclude(address="")
        .values("minute", "address")
        .annotate(n=Count("id"))
        .filter(n__gte=threshold)
        .order_by("minute", "address")
    )
    found = [Burst(row["minute"], row["address"], row["n"], per_minute[_wall_minutes(row["minute"])]) for row in bursts]
    timeline.burst_count, timeline.bursts = len(found), found[:BURSTS_SHOWN]
    first, last = min(per_minute), max(per_minute)
    step = next((m for m in BAR_MINUTES if (last - first) // m < MOST_BARS), BAR_MINUTES[-1])
    timeline.bar_minutes = step
    start = first - first % step
    bars = defaultdict(int)
    for minute, n in per_minute.items():
        bars[minute - minute % step] += n
    burst_bars = {_wall_minutes(b.minute) // step * step for b in found}
    shape = "%Y-%m-%d" if step >= 24 * 60 else "%m-%d %H:%M"
    for bar in range(start, last + 1, step):
        timeline.labels.append((_EPOCH + timedelta(minutes=bar)).strftime(shape))
        timeline.counts.append(bars.get(bar, 0))
        timeline.flagged.append(bar in burst_bars)
    return timeline

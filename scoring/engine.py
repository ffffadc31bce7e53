"""From metric values and entered scores to points, section totals, ranks and grades.

Pure arithmetic on decimals (two places, half up), so a test or a reader can redo every figure:
- points × rate: ``max × numerator ÷ denominator``; no records (a denominator of 0) gives 0;
- tiers: the points of the highest tier whose threshold the rate reaches;
- per occurrence: ``count × points each``, limited to the cap either way;
- condition by a date: full points when the day it held is on or before the date;
- veto: no points; a triggered veto bars the top grade;
- manual: the adjusted points, else the reviewed ones, else the self-assessed ones, else 0.
A section's points are its parts' sum, at least its floor and at most its points; the total is the
top sections' sum. Equal totals share a rank (1, 2, 2, 4).
"""

from decimal import ROUND_HALF_UP, Decimal

from qingdan.metrics import Value
from scoring.models import Grade, Kind

CENT = Decimal("0.01")
ZERO = Decimal(0)


def q(number):
    return Decimal(number).quantize(CENT, rounding=ROUND_HALF_UP)


def computed_points(criterion, value: Value | None):
    """The points a computed criterion earns from its metric's value; also whether a veto triggered."""
    kind = criterion.kind
    if kind in (Kind.RATIO, Kind.TIERED):
        rate = value.rate if value is not None else None
        if rate is None:
            return ZERO, False
        if kind == Kind.RATIO:
            return q(criterion.max_points * min(rate, Decimal(1))), False
        tier = tier_for(criterion, rate * 100)
        return (q(Decimal(tier["points"])) if tier else ZERO), False
    if kind == Kind.PER_OCCURRENCE:
        count = value.count if value is not None else 0
        points = criterion.points_each * count
        if criterion.cap is not None:
            points = max(-criterion.cap, min(criterion.cap, points))
        return q(points), False
    if kind == Kind.CONDITION:
        met = value is not None and value.day is not None and value.day <= criterion.condition_by
        return (criterion.max_points if met else ZERO), False
    if kind == Kind.VETO:
        return ZERO, value is not None and value.count > 0
    raise ValueError(kind)


def tier_for(criterion, percent):
    """The highest tier whose threshold ``percent`` reaches (tiers are kept highest first), or None."""
    return next((tier for tier in criterion.tiers if percent >= Decimal(tier["from"])), None)


def scorer(criterion):
    """``computed_points`` for one criterion, remembering each value's points: a round asks for the same
    counts and rates many times (most units have no incident, a few urgings, the same handful of events)."""
    known = {}

    def points(value: Value | None):
        key = None if value is None else (value.numerator, value.denominator, value.day)
        found = known.get(key)
        if found is None:
            found = known[key] = computed_points(criterion, value)
        return found

    return points


def score_points(criterion, score):
    """The points that count for ``score`` (a ``Score``) and whether it vetoes, from what it holds."""
    return points_from(
        criterion, score.adjusted, score.reviewed, score.self_points, score.self_day, score.computed, score.vetoed
    )


def points_from(criterion, adjusted, reviewed, self_points, self_day, computed, vetoed):
    """``score_points`` from a score's fields, for rows read as tuples."""
    kind = criterion.kind
    if kind == Kind.VETO:
        return ZERO, vetoed
    if adjusted is not None:
        return adjusted, False
    if criterion.is_computed:
        return (computed if computed is not None else ZERO), False
    if reviewed is not None:
        return reviewed, False
    if kind == Kind.CONDITION:
        met = self_day is not None and self_day <= criterion.condition_by
        return (criterion.max_points if met else ZERO), False
    return (self_points if self_points is not None else ZERO), False


def section_totals(nodes, points_of):
    """``{section_id: points}`` for every section of ``rubric.tree()`` nodes and the total of the top ones.

    ``points_of(criterion)`` gives a criterion's points for the unit."""
    totals = {}

    def walk(section, criteria, children):
        inside = sum((points_of(c) for c in criteria), ZERO)
        inside += sum((walk(*child) for child in children), ZERO)
        if section.floor is not None:
            inside = max(section.floor, inside)
        inside = min(section.max_points, inside)
        totals[section.pk] = q(inside)
        return totals[section.pk]

    total = sum((walk(*node) for node in nodes), ZERO)
    return totals, q(total)


def grade(rubric, total, vetoed):
    if total >= rubric.excellent_from and not vetoed:
        return Grade.EXCELLENT
    if total >= rubric.good_from:
        return Grade.GOOD
    if total >= rubric.pass_from:
        return Grade.PASS
    return Grade.FAIL


def ranks(totals):
    """``{key: rank}`` for ``{key: total}``: highest first, ties share the rank."""
    ordered = sorted(totals.items(), key=lambda pair: -pair[1])
    result = {}
    previous, rank = None, 0
    for position, (key, total) in enumerate(ordered, start=1):
        if total != previous:
            rank, previous = position, total
        result[key] = rank
    return result

"""Read paths of the assessment area, scoped by the org tree.

The office running a round (its unit's subtree) sees everything in it. An assessed unit, and the
units below it, see the round and their own result; the other units' results only once published
(the bulletin circulates them). Rubrics are read by the office that owns them and by the units
below it, who are assessed by them.
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from orgs.queries import on_the_line_of, root_unit, within
from scoring.models import RecordedEvent, Result, Round, RoundStatus, Rubric, Score


def visible_rubrics(user):
    unit = root_unit(user)
    if unit is None:
        return Rubric.objects.none()
    return Rubric.objects.filter(within(unit, "owner_unit") | on_the_line_of(unit, "owner_unit")).select_related(
        "owner_unit"
    )


def visible_rounds(user):
    unit = root_unit(user)
    if unit is None:
        return Round.objects.none()
    assessed = Result.objects.filter(on_the_line_of(unit, "unit")).values("round")
    return Round.objects.filter(within(unit, "owner_unit") | Q(pk__in=assessed)).select_related("rubric", "owner_unit")


def get_rubric(user, pk):
    try:
        return visible_rubrics(user).get(pk=pk)
    except (Rubric.DoesNotExist, ValueError):
        raise Http404 from None


def get_round(user, pk):
    try:
        return visible_rounds(user).get(pk=pk)
    except (Round.DoesNotExist, ValueError):
        raise Http404 from None


def runs(user, round):
    """The user belongs to the office side of the round (its owner unit or above)."""
    return round.owner_unit.is_within(user.org_unit)


def visible_results(user, round):
    """All results for the office side and, once published, for everyone who sees the round; before that an
    assessed unit sees only its own."""
    results = round.results.select_related("unit")
    if runs(user, round) or round.status == RoundStatus.PUBLISHED:
        return results
    return results.filter(on_the_line_of(user.org_unit, "unit"))


def get_result(user, round, unit_pk):
    try:
        return visible_results(user, round).get(unit_id=unit_pk)
    except (Result.DoesNotExist, ValueError):
        raise Http404 from None


def visible_events(user):
    unit = root_unit(user)
    if unit is None:
        return RecordedEvent.objects.none()
    return RecordedEvent.objects.filter(within(unit, "unit")).select_related("unit", "recorded_by")


def evidence_seen_through(user):
    """Library files attached to the events ``user`` sees, to the scores of the rounds the user's unit runs, and
    to the user's own unit's scores (see ``evidence.access``)."""
    unit = root_unit(user)
    if unit is None:
        return Q(pk__in=[])
    scores = Score.objects.filter(within(unit, "round__owner_unit") | Q(unit_id=unit.pk))
    on_scores = Score.evidence.through.objects.filter(evidence_id=OuterRef("pk"), score__in=scores.values("pk"))
    on_events = RecordedEvent.evidence.through.objects.filter(
        evidence_id=OuterRef("pk"), recordedevent__in=visible_events(user).values("pk")
    )
    return Q(Exists(on_scores)) | Q(Exists(on_events))

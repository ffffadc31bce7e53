"""Read paths of the surveys area, each scoped by the org tree (see orgs.queries)."""

from django.db.models import Q

from orgs.queries import get_visible_or_404, visible_to
from surveys.models import Distribution, Finding, Poll, Questionnaire, Target
from surveys.stats import final_responses


def visible_questionnaires(user):
    return visible_to(user, Questionnaire.objects.select_related("owner_unit"), "owner_unit")


def visible_distributions(user):
    return visible_to(user, Distribution.objects.select_related("questionnaire", "issuing_unit"), "issuing_unit")


def visible_polls(user):
    return visible_to(user, Poll.objects.select_related("questionnaire", "subject_unit"), "owner_unit")


def visible_findings(user):
    return visible_to(user, Finding.objects.select_related("question", "suggested_unit"), "owner_unit")


def visible_final_responses(user, questionnaire, *, distribution=None, poll=None):
    """Final responses the user may count: those of distributions and polls issued in their subtree.
    A questionnaire may also be used by a higher office whose responses are not theirs to see."""
    responses = final_responses(questionnaire, distribution=distribution, poll=poll)
    return responses.filter(
        Q(target__distribution__in=visible_distributions(user).values("pk"))
        | Q(poll__in=visible_polls(user).values("pk"))
    )


def unit_targets(user):
    """The survey tasks of the user's own subtree (what a reporter fills in)."""
    return visible_to(user, Target.objects.select_related("distribution__questionnaire", "org_unit"), "org_unit")


def get_questionnaire(user, pk):
    return get_visible_or_404(user, Questionnaire.objects.all(), "owner_unit", pk=pk)


def get_distribution(user, pk):
    return get_visible_or_404(
        user, Distribution.objects.select_related("questionnaire", "issuing_unit"), "issuing_unit", pk=pk
    )


def get_poll(user, pk):
    return get_visible_or_404(user, Poll.objects.select_related("questionnaire", "subject_unit"), "owner_unit", pk=pk)


def get_target(user, pk):
    return get_visible_or_404(
        user, Target.objects.select_related("distribution__questionnaire", "org_unit"), "org_unit", pk=pk
    )

"""Who may act on an assessment round, and when: one predicate per action, made of who (``is_``) and when
(``can_``). The workflow asks who before anything else; the round page shows the steps ``can_`` allows; the
workbench's to-dos are the same rules written as queries, each beside its predicate
(``scoring/tests/test_permissions.py`` checks that both agree on the demo's rounds)."""

from django.db.models import Exists, OuterRef, Q

from orgs.models import Role
from orgs.queries import within
from scoring.models import Result, RoundStatus

NOTHING = Q(pk__in=[])


def _has(user, *roles):
    return getattr(user, "org_unit_id", None) is not None and user.has_role(*roles)


def is_round_office(user, round):
    """Office staff of the unit that runs the round (or a unit above it)."""
    return _has(user, Role.OFFICE) and round.owner_unit.is_within(user.org_unit)


def is_round_reviewer(user, round):
    return _has(user, Role.REVIEWER, Role.OFFICE) and round.owner_unit.is_within(user.org_unit)


def is_self_assessor(user, result):
    """Office staff or reporters of the assessed unit itself."""
    return _has(user, Role.OFFICE, Role.REPORTER) and user.org_unit_id == result.unit_id


def _runs(user):
    return within(user.org_unit, "owner_unit")


# --- the round's steps (the buttons of the round page)

STEP_STATUS = {
    "open_self_assessment": RoundStatus.DRAFT,
    "start_review": RoundStatus.SELF_ASSESSMENT,
    "publish": RoundStatus.REVIEW,
}


def can_take_step(user, round, step):
    return is_round_office(user, round) and round.status == STEP_STATUS[step]


def available_steps(user, round):
    return [step for step in STEP_STATUS if can_take_step(user, round, step)]


# --- the workbench's to-dos, each a predicate and its query


def _unsubmitted(**where):
    return Result.objects.filter(self_submitted_at__isnull=True, **where)


def waits_for_self_assessment(user, round):
    """The user's own unit is assessed in the round and has not submitted its self-assessment."""
    if round.status != RoundStatus.SELF_ASSESSMENT or not _has(user, Role.OFFICE, Role.REPORTER):
        return False
    return _unsubmitted(round=round, unit_id=user.org_unit_id).exists()


def self_assessable(user):
    if not _has(user, Role.OFFICE, Role.REPORTER):
        return NOTHING
    return Q(status=RoundStatus.SELF_ASSESSMENT) & Q(Exists(_unsubmitted(round=OuterRef("pk"), unit=user.org_unit_id)))


def waits_to_start_review(user, round):
    """Every assessed unit has submitted: the office may start the review."""
    return can_take_step(user, round, "start_review") and not _unsubmitted(round=round).exists()


def ready_for_review(user):
    if not _has(user, Role.OFFICE):
        return NOTHING
    return _runs(user) & Q(status=RoundStatus.SELF_ASSESSMENT) & ~Q(Exists(_unsubmitted(round=OuterRef("pk"))))


def waits_for_review(user, round):
    return is_round_reviewer(user, round) and round.status == RoundStatus.REVIEW


def reviewable(user):
    if not _has(user, Role.REVIEWER, Role.OFFICE):
        return NOTHING
    return _runs(user) & Q(status=RoundStatus.REVIEW)


def waits_to_publish(user, round):
    return can_take_step(user, round, "publish")


def publishable(user):
    if not _has(user, Role.OFFICE):
        return NOTHING
    return _runs(user) & Q(status=RoundStatus.REVIEW)

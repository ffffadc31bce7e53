"""Each to-do of the assessment area (``scoring.permissions``) is its predicate written as a query, and the round
page offers exactly the steps its predicate allows, for every demo user and round."""

import pytest
from django.core.management import call_command
from django.test import Client

from orgs.models import User
from scoring import inbox, permissions
from scoring.models import Round

pytestmark = pytest.mark.django_db

TWINS = [
    (inbox.Task.SELF, permissions.waits_for_self_assessment, permissions.self_assessable),
    (inbox.Task.START_REVIEW, permissions.waits_to_start_review, permissions.ready_for_review),
    (inbox.Task.REVIEW, permissions.waits_for_review, permissions.reviewable),
    (inbox.Task.PUBLISH, permissions.waits_to_publish, permissions.publishable),
]


def test_each_to_do_is_its_predicate_and_the_round_page_offers_the_allowed_steps():
    call_command("load_demo")
    rounds = list(Round.objects.select_related("owner_unit"))
    users = list(User.objects.filter(is_active=True).select_related("org_unit").prefetch_related("roles"))
    assert len(rounds) == 2 and len(users) > 80
    waiting = 0
    for user in users:
        for task, predicate, twin in TWINS:
            listed = set(Round.objects.filter(twin(user)).values_list("pk", flat=True))
            allowed = {r.pk for r in rounds if predicate(user, r)}
            assert allowed == listed, (user.username, task)
            waiting += len(allowed)
    assert waiting >= 14  # the 12 towns still to self-assess the year, and more: not a comparison of empty sets
    for username in ("office", "reviewer", "city", "dongkan", "leader"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for round in rounds:
            response = client.get(f"/assessment/rounds/{round.pk}/")
            if response.status_code == 404:
                continue
            shown = [step["name"] for step in response.context["steps"]]
            assert shown == permissions.available_steps(response.context["user"], round), (username, round.name)

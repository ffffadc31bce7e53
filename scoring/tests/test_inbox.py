"""The assessment area on the workbench (工作台) and in the navigation: each person finds what waits for
them — a unit its self-assessment, the reviewers a round in review, the office a round to move on."""

import pytest

from orgs.models import Notification, Role
from orgs.tests.factories import UserFactory
from scoring import inbox, workflow
from scoring.tests import test_round_pages as scene
from scoring.tests.test_round_pages import PERIOD, _fill_all, zh

# The scene of the round pages: county A's office assesses its two departments.
dept_a2, reporter_2, rubric, closeout, draft, opened = (
    scene.dept_a2,
    scene.reporter_2,
    scene.rubric,
    scene.closeout,
    scene.draft,
    scene.opened,
)

pytestmark = pytest.mark.django_db


def _inbox(client):
    page = client.get("/").content.decode()
    if 'data-testid="inbox"' not in page:
        return ""
    return page.split('data-testid="inbox"')[1].split("</ul>")[0]


def _labels(user):
    return {task["label"]: task for task in inbox.items(user)}


def test_opening_self_assessment_notifies_the_units_and_puts_it_on_their_workbench(
    client_for, office, reporter, reporter_2, draft, django_capture_on_commit_callbacks
):
    assert zh("Self-assessments to fill in") not in _inbox(client_for(reporter))
    with django_capture_on_commit_callbacks(execute=True):
        client_for(office).post(f"/assessment/rounds/{draft.pk}/step/open_self_assessment/", {"version": draft.version})
    for user in (reporter, reporter_2):
        assert Notification.objects.filter(user=user, url=f"/assessment/rounds/{draft.pk}/").exists()
    box = _inbox(client_for(reporter))
    assert zh("Self-assessments to fill in") in box
    assert f"/assessment/rounds/{draft.pk}/self/" in box  # one round: straight to the form


def test_the_task_leaves_the_workbench_once_submitted(client_for, reporter, opened):
    _fill_all(opened, reporter)
    result = opened.results.get(unit=reporter.org_unit)
    workflow.submit_self_assessment(result=result, actor=reporter)
    assert zh("Self-assessments to fill in") not in _inbox(client_for(reporter))


def test_two_rounds_link_to_the_filtered_list_with_the_same_count(client_for, office, reporter, rubric, dept_a, opened):
    second = workflow.create_round(
        actor=office, rubric=rubric, name="专项考核", period_start=PERIOD[0], period_end=PERIOD[1], units=[dept_a]
    )
    workflow.open_self_assessment(round=second, actor=office)
    task = _labels(reporter)[str(inbox.Task.LABELS[inbox.Task.SELF])]
    assert task["count"] == 2 and task["url"] == "/assessment/rounds/?task=self"
    page = client_for(reporter).get(task["url"]).content.decode()
    assert page.count('data-testid="round-status"') == 2 and 'data-testid="task"' in page


def test_office_is_told_when_every_unit_has_submitted_and_when_a_round_waits_for_publication(
    client_for, office, reporter, reporter_2, reviewer, opened
):
    start = str(inbox.Task.LABELS[inbox.Task.START_REVIEW])
    publish = str(inbox.Task.LABELS[inbox.Task.PUBLISH])
    review = str(inbox.Task.LABELS[inbox.Task.REVIEW])
    _fill_all(opened, reporter)
    workflow.submit_self_assessment(result=opened.results.get(unit=reporter.org_unit), actor=reporter)
    assert start not in _labels(office)
    _fill_all(opened, reporter_2)
    workflow.submit_self_assessment(result=opened.results.get(unit=reporter_2.org_unit), actor=reporter_2)
    assert _labels(office)[start]["url"] == f"/assessment/rounds/{opened.pk}/"
    assert zh("Self-assessments all submitted: start the review") in _inbox(client_for(office))

    workflow.start_review(round=opened, actor=office)
    assert start not in _labels(office) and publish in _labels(office)
    assert _labels(reviewer)[review]["url"] == f"/assessment/rounds/{opened.pk}/"
    assert zh("Assessments to review") in _inbox(client_for(reviewer))
    assert review not in _labels(reporter) and publish not in _labels(reporter)

    workflow.publish(round=opened, actor=office)
    assert not inbox.items(office) and not inbox.items(reviewer)


def test_other_counties_see_nothing_of_the_round(client_for, office, outsider, opened):
    other_reviewer = UserFactory(username="b-reviewer", org_unit=outsider.org_unit, roles=[Role.REVIEWER])
    workflow.start_review(round=opened, actor=office)
    assert inbox.items(outsider) == [] and inbox.items(other_reviewer) == []


def test_a_task_filter_not_the_users_shows_nothing(client_for, reporter, opened):
    workflow.start_review(round=opened, actor=opened.created_by)
    page = client_for(reporter).get("/assessment/rounds/?task=publish").content.decode()
    assert 'data-testid="round-status"' not in page


def test_navigation_shows_the_assessment_entries_by_role(client_for, office, reporter, reviewer, leader):
    page = client_for(office).get("/").content.decode()
    assert all(f'href="/assessment/{entry}/"' in page for entry in ("rounds", "rubrics", "events"))
    # a unit's reporter reaches the rounds its unit is assessed in (and its self-assessment) after submitting too
    for user in (reviewer, leader, reporter):
        page = client_for(user).get("/").content.decode()
        assert 'href="/assessment/rounds/"' in page and 'href="/assessment/rubrics/"' not in page


def test_navigation_marks_the_rounds_entry_active_on_round_pages(client_for, office, draft):
    page = client_for(office).get(f"/assessment/rounds/{draft.pk}/").content.decode()
    assert 'active" aria-current="page" href="/assessment/rounds/"' in page

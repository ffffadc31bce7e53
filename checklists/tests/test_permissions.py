"""Each action's predicate (``checklists.permissions``) agrees with the workbench's to-do list written as a query,
and with the buttons of the item page, for every demo user and item."""

import pytest
from django.test import Client

from checklists import inbox, permissions
from checklists.models import Item, ItemStatus
from orgs.models import Role, User

pytestmark = pytest.mark.django_db

TWINS = [
    ("apply", permissions.can_apply, permissions.applicable),
    ("verify", permissions.can_verify, permissions.verifiable),
    ("evaluate", permissions.can_evaluate, permissions.evaluable),
    ("urge", permissions.can_urge, permissions.urgeable),
    ("decide", permissions.can_decide_extension, permissions.decidable),
]
APPLY_TASKS = (inbox.Task.APPLY, inbox.Task.RECTIFY, inbox.Task.OVERDUE)


@pytest.fixture
def demo(demo_loaded):
    items = Item.objects.select_related("checklist__issuing_unit", "responsible_unit").prefetch_related(
        "checklist__co_units"
    )
    users = User.objects.filter(is_active=True).select_related("org_unit").prefetch_related("roles")
    return list(users), list(items)


def test_every_predicate_is_its_to_do_list_on_every_demo_item(demo):
    users, items = demo
    assert len(users) > 80 and len(items) > 250
    checked = 0
    for user in users:
        for name, predicate, twin in TWINS:
            listed = set(Item.objects.filter(twin(user)).values_list("pk", flat=True))
            allowed = {item.pk for item in items if predicate(user, item)}
            assert allowed == listed, (user.username, name, sorted(allowed ^ listed)[:5])
            checked += len(allowed)
        # The workbench shows the same items: the three apply tasks together are the apply rule.
        tasks = {
            task: set(Item.objects.filter(inbox.task_filter(user, task)).values_list("pk", flat=True))
            for task in inbox.user_tasks(user)
        }
        if user.has_role(Role.REPORTER):
            together = set().union(*(tasks[t] for t in APPLY_TASKS))
            assert together == set(Item.objects.filter(permissions.applicable(user)).values_list("pk", flat=True))
        if user.has_role(Role.REVIEWER, Role.OFFICE):
            assert tasks[inbox.Task.VERIFY] == set(
                Item.objects.filter(permissions.verifiable(user)).values_list("pk", flat=True)
            )
    assert checked > 20  # the demo holds work waiting for someone: the comparison is not of empty sets


def test_the_item_page_shows_exactly_the_buttons_its_predicates_allow(demo):
    users, items = demo
    people = [u for u in users if u.username in {"office", "reporter", "reviewer", "evaluator", "city", "leader"}]
    # One item of each state, and of the reporter's own unit, so that each button is shown to someone.
    sample = {item.status: item for item in items}
    sample |= {f"own-{item.status}": item for item in items if item.responsible_unit_id == people[0].org_unit_id}
    sample |= {
        "own": next(i for i in items if i.responsible_unit.name == "县交通运输局" and i.status == ItemStatus.ISSUED)
    }
    shown = set()
    for user in people:
        client = Client()
        client.force_login(user)
        for item in sample.values():
            response = client.get(f"/lists/items/{item.pk}/")
            if response.status_code == 404:  # outside the user's view: no predicate may allow anything
                assert permissions.available_actions(user, item) == set()
                continue
            assert response.context["actions"] == permissions.available_actions(user, item), (user.username, item.pk)
            shown |= response.context["actions"]
    assert {"apply", "verify", "evaluate", "evidence"} <= shown


def test_every_workbench_line_counts_the_items_of_its_task_for_every_demo_user(demo):
    users, _items = demo
    lines_seen = 0
    for user in users:
        lines, _figures = inbox.workbench(user)
        expected = sorted(
            n for task in inbox.user_tasks(user) if (n := Item.objects.filter(inbox.task_filter(user, task)).count())
        )
        shown = sorted(line["count"] for line in lines)
        assert shown == expected, (user.username, shown, expected)
        lines_seen += len(lines)
    assert lines_seen > 10  # offices, reviewers and reporters with work waiting: not a comparison of nothing

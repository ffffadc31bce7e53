"""The close-out follows the rules a list was issued under (``Checklist.rules``), whatever changes after."""

from datetime import timedelta

import pytest

from checklists import permissions, services, workflow
from checklists import rules as closeout_rules
from checklists.models import Item
from checklists.queries import Colour, colour_filter, supervision_colour
from orgs.rules import set_rule
from qingdan import clock

pytestmark = pytest.mark.django_db
URGE = "closeout.urge_interval_days"


def _issue(office, unit, title):
    return services.issue_checklist(
        actor=office,
        responsible_unit=unit,
        title=title,
        items=[{"content": f"{title}的事项", "deadline": clock.today() + timedelta(days=1)}],
    ).items.get()


def test_a_rule_changed_after_a_list_is_issued_leaves_that_list_as_issued(office, dept_a, frozen_clock):
    before = _issue(office, dept_a, "改规则前")
    set_rule(unit=office.org_unit, key=URGE, value=3, actor=office)
    after = _issue(office, dept_a, "改规则后")
    assert before.checklist.rules["urge_interval_days"] == 7 and after.checklist.rules["urge_interval_days"] == 3
    frozen_clock.shift(timedelta(days=2))  # both a day overdue
    for item in (before, after):
        assert workflow.urge(item=item, actor=office) is not None
    frozen_clock.shift(timedelta(days=3))  # three days on: only the list issued under the new rule is urged again
    assert workflow.urge(item=Item.objects.get(pk=before.pk), actor=office) is None
    assert workflow.urge(item=Item.objects.get(pk=after.pk), actor=office) is not None


def test_the_to_do_list_and_the_colours_apply_each_lists_own_rules(office, dept_a, frozen_clock):
    old = _issue(office, dept_a, "旧规则")
    set_rule(unit=office.org_unit, key=URGE, value=3, actor=office)
    set_rule(unit=office.org_unit, key="closeout.long_overdue_days", value=2, actor=office)
    new = _issue(office, dept_a, "新规则")
    frozen_clock.shift(timedelta(days=2))
    for item in (old, new):
        workflow.urge(item=item, actor=office)
    frozen_clock.shift(timedelta(days=3))  # 4 days overdue, urged 3 days ago
    items = list(Item.objects.select_related("checklist__issuing_unit"))
    allowed = {item.pk for item in items if permissions.can_urge(office, item)}
    assert allowed == {new.pk} == set(Item.objects.filter(permissions.urgeable(office)).values_list("pk", flat=True))
    colours = {item.pk: supervision_colour(item) for item in items}
    assert colours == {old.pk: Colour.YELLOW, new.pk: Colour.RED}  # red: overdue more than the new list's 2 days
    for colour in (Colour.YELLOW, Colour.RED):
        listed = set(Item.objects.filter(colour_filter(colour)).values_list("pk", flat=True))
        assert listed == {pk for pk, c in colours.items() if c == colour}


def test_a_deep_review_needs_the_satisfaction_its_list_was_issued_with(office, dept_a):
    set_rule(unit=office.org_unit, key="closeout.satisfaction_percent", value=90, actor=office)
    item = _issue(office, dept_a, "高标准")
    set_rule(unit=office.org_unit, key="closeout.satisfaction_percent", value=60, actor=office)
    assert closeout_rules.of(item.checklist, closeout_rules.SATISFACTION) == 90


def test_lists_issued_before_the_rules_get_the_values_the_platform_ran_with(office, dept_a, monkeypatch):
    import importlib

    from django.apps import apps as django_apps

    from checklists.models import Checklist, RuleInUse

    item = _issue(office, dept_a, "旧清单")
    Checklist.objects.update(rules={})
    RuleInUse.objects.all().delete()
    monkeypatch.setenv("QINGDAN_URGE_INTERVAL_DAYS", "5")  # the deployment had changed it
    importlib.import_module("checklists.migrations.0008_rules_copied_onto_lists").fill(django_apps, None)
    importlib.import_module("checklists.migrations.0010_rules_in_use").fill(django_apps, None)
    item.checklist.refresh_from_db()
    assert item.checklist.rules["urge_interval_days"] == 5 and item.checklist.rules["satisfaction_percent"] == 80
    assert set(RuleInUse.objects.filter(name="urge_interval_days").values_list("value", flat=True)) == {5}

"""The rules of a federation (工作规则): set by a unit's office, inherited down the tree, audited."""

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from orgs.models import Role
from orgs.rules import in_force, set_rule, where_set
from orgs.tests.factories import UserFactory
from qingdan.errors import Refused

pytestmark = pytest.mark.django_db
URGE = "closeout.urge_interval_days"


@pytest.fixture
def city_office(city):
    return UserFactory(username="city-office", org_unit=city, roles=[Role.OFFICE])


def test_a_unit_follows_its_own_value_else_the_nearest_above_else_the_default(city_office, office, dept_a):
    assert in_force(dept_a, URGE) == {URGE: 7}
    set_rule(unit=city_office.org_unit, key=URGE, value=10, actor=city_office)
    assert in_force(dept_a, URGE)[URGE] == 10
    set_rule(unit=office.org_unit, key=URGE, value=5, actor=office)
    assert in_force(dept_a, URGE)[URGE] == 5 and in_force(city_office.org_unit, URGE)[URGE] == 10
    where = {rule.key: (value, unit_id) for rule, value, unit_id in where_set(dept_a)}
    assert where[URGE] == (5, office.org_unit_id) and where["closeout.poll_days"] == (14, None)
    set_rule(unit=office.org_unit, key=URGE, value="", actor=office)  # follow the city again
    assert in_force(dept_a, URGE)[URGE] == 10


def test_only_the_units_own_office_sets_its_rules_and_each_change_is_audited(office, leader, outsider, city):
    for person in (leader, outsider):
        with pytest.raises(PermissionDenied):
            set_rule(unit=office.org_unit, key=URGE, value=3, actor=person)
    with pytest.raises(PermissionDenied):
        set_rule(unit=city, key=URGE, value=3, actor=office)  # not a unit above its own
    with pytest.raises(Refused, match="1 到 365"):
        set_rule(unit=office.org_unit, key=URGE, value=0, actor=office)
    with pytest.raises(Refused):
        set_rule(unit=office.org_unit, key="closeout.no_such_rule", value=3, actor=office)
    set_rule(unit=office.org_unit, key=URGE, value=3, actor=office)
    set_rule(unit=office.org_unit, key=URGE, value=4, actor=office)
    changes = AuditEvent.objects.filter(action="orgs.rule_set").order_by("id")
    assert [(e.before["value"], e.after["value"]) for e in changes] == [(None, 3), (3, 4)]


def test_the_rules_page_shows_where_each_rule_comes_from_and_lets_the_office_change_it(
    client_for, city, office, leader, reporter
):
    city_office = UserFactory(username="city-office", org_unit=city, roles=[Role.OFFICE])
    set_rule(unit=city, key=URGE, value=10, actor=city_office)
    client = client_for(office)
    page = client.get("/orgs/rules/").content.decode()
    assert "两次催办的间隔天数" in page and "示范市总工会" in page and "默认值" in page and 'name="value"' in page
    saved = client.post("/orgs/rules/", {"key": URGE, "value": "5"}, follow=True).content.decode()
    assert "规则已保存" in saved and in_force(office.org_unit, URGE)[URGE] == 5
    refused = client.post("/orgs/rules/", {"key": URGE, "value": "abc"}, follow=True).content.decode()
    assert "必须是 1 到 365 之间的整数" in refused and in_force(office.org_unit, URGE)[URGE] == 5
    assert 'name="value"' not in client_for(leader).get("/orgs/rules/").content.decode()  # leaders read them
    assert client_for(reporter).get("/orgs/rules/").status_code == 403

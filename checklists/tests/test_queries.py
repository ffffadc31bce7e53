"""The fast read paths give the same rows as the general ones (the item list narrowed to a unit),
and the load table keeps to the viewer's subtree."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q

from checklists import figures, services, tally
from checklists.models import Item, ItemStatus
from checklists.queries import visible_items, visible_items_of_unit
from orgs.models import OrgKind, Role
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def across(city, dept_a, dept_b, office, outsider):
    """A city list to county A's department with county B's department helping, and a county list."""
    city_office = UserFactory(username="city-office", org_unit=city, roles=[Role.OFFICE])
    deadline = clock.today() + timedelta(days=20)
    services.issue_checklist(
        actor=city_office,
        responsible_unit=dept_a,
        title="市级清单",
        co_units=[dept_b],
        items=[{"content": f"市级事项{k}", "deadline": deadline} for k in range(3)],
    )
    services.issue_checklist(
        actor=office, responsible_unit=dept_a, title="县级清单", items=[{"content": "县级事项", "deadline": deadline}]
    )
    return city_office


def ids(items):
    return sorted(items.values_list("pk", flat=True))


def test_items_of_a_unit_are_the_visible_items_of_that_unit_for_every_kind_of_user(across, office, outsider, county_a):
    evaluator = UserFactory(username="assessor", org_unit=county_a, roles=[Role.EVALUATOR])
    Item.objects.filter(content="市级事项0").update(evaluator=evaluator)
    dept_a = Item.objects.first().responsible_unit
    for user in (office, outsider, across, evaluator):
        for unit, below in ((dept_a, False), (county_a, True), (county_a, False)):
            expected = visible_items(user).filter(
                **({"responsible_unit__path__startswith": unit.path} if below else {"responsible_unit": unit})
            )
            assert ids(visible_items_of_unit(user, unit, below=below)) == ids(expected), (user, unit, below)
    assert len(ids(visible_items_of_unit(outsider, dept_a))) == 3  # as a co-unit: the city list only
    assert len(ids(visible_items_of_unit(evaluator, dept_a))) == 1  # the assigned item only


def test_narrowing_inside_the_branches_finds_the_rows_a_filter_after_the_union_finds(
    across, office, outsider, county_a
):
    evaluator = UserFactory(username="assessor", org_unit=county_a, roles=[Role.EVALUATOR])
    Item.objects.filter(content="市级事项0").update(evaluator=evaluator, status=ItemStatus.CLOSED)
    Item.objects.filter(content="县级事项").update(status=ItemStatus.APPLIED)
    tally.rebuild()
    dept_a = Item.objects.first().responsible_unit
    narrows = [Q(status=ItemStatus.CLOSED), ~Q(status=ItemStatus.CLOSED), Q(status=ItemStatus.APPLIED)]
    for user in (office, outsider, across, evaluator):
        for narrow in narrows:
            expected = ids(visible_items(user).filter(narrow))
            assert ids(visible_items(user, narrow)) == expected, (user, narrow)
            for unit, below in ((dept_a, False), (county_a, True)):
                wide = visible_items_of_unit(user, unit, below=below).filter(narrow)
                assert ids(visible_items_of_unit(user, unit, below=below, narrow=narrow)) == ids(wide)
    # Where the speed comes from: the status is asked in each of the three branches, not only after the union.
    sql = str(visible_items(office, Q(status=ItemStatus.APPLIED)).query)
    assert sql.count('"status" = applied') == 4, sql
    # The county's own items are found by the unit's index among the county's ids (an array on PostgreSQL).
    among = "= ANY(ARRAY(SELECT" if connection.vendor == "postgresql" else '"responsible_unit_id" IN (SELECT'
    assert sql.count(among) == 1, sql
    # The cases that could go wrong: an open view that still holds the closed item, a closed view that lost it.
    assert ids(visible_items(evaluator, Q(status=ItemStatus.CLOSED))) == ids(Item.objects.filter(content="市级事项0"))
    assert len(ids(visible_items(outsider, ~Q(status=ItemStatus.CLOSED)))) == 2  # the co-unit's open items


def test_the_office_of_the_only_root_reads_every_item_without_the_union_and_a_second_root_brings_it_back(
    across, office
):
    # The city is the tree's only root here: its office is responsible, through its units, for every item.
    assert ids(visible_items(across)) == ids(Item.objects.all()) and len(ids(Item.objects.all())) == 4
    assert "UNION" not in str(visible_items(across, ~Q(status=ItemStatus.CLOSED)).query)
    other = OrgUnitFactory(code="C2", name="邻市总工会", kind=OrgKind.CITY)
    other_dept = OrgUnitFactory(code="C2-D1", name="邻市交通运输局", kind=OrgKind.DEPARTMENT, parent=other)
    neighbour = UserFactory(username="other-city", org_unit=other, roles=[Role.OFFICE])
    deadline = clock.today() + timedelta(days=20)
    services.issue_checklist(actor=neighbour, responsible_unit=other_dept, title="邻市清单",
                             items=[{"content": "邻市事项", "deadline": deadline}])  # fmt: skip
    # Two roots: each office sees its own tree's items, through the union again.
    assert "UNION" in str(visible_items(across).query)
    assert ids(visible_items(across)) == ids(Item.objects.exclude(content="邻市事项"))
    assert ids(visible_items(neighbour)) == ids(Item.objects.filter(content="邻市事项"))


def test_the_open_and_closed_views_of_the_list_count_their_own_rows(client_for, across, office):
    Item.objects.filter(content__in=["市级事项0", "市级事项1"]).update(status=ItemStatus.CLOSED)
    tally.rebuild()
    client = client_for(office)
    assert client.get("/lists/items/").context["page"].paginator.count == 2  # 待办: open items only
    assert client.get("/lists/items/", {"show": "closed"}).context["page"].paginator.count == 2
    assert client.get("/lists/items/", {"show": "all"}).context["page"].paginator.count == 4
    assert client.get("/lists/items/", {"show": "closed", "status": "issued"}).context["page"].paginator.count == 0


def test_the_item_list_filtered_to_a_unit_shows_the_same_items(client_for, across, office, outsider):
    dept_a = Item.objects.first().responsible_unit
    for user, count in ((office, 4), (outsider, 3)):
        page = client_for(user).get("/lists/items/", {"unit": dept_a.pk})
        assert page.context["page"].paginator.count == count


def test_the_load_shows_only_the_viewers_units_and_counts_lists_received_as_a_co_unit(across, office, outsider):
    """County B's department helps on the city's list to county A's department: county B sees its own
    department with one list received and no items, and nothing of county A; the city sees both."""

    def load(user):
        return [(r.unit.code, r.lists, r.items) for r in figures.load(user.org_unit)[0]]

    assert load(outsider) == [("B-D1", 1, 0)]
    assert load(office) == [("A-D1", 2, 4)]
    assert load(across) == [("A-D1", 2, 4), ("B-D1", 1, 0)]


def test_the_figures_link_to_the_items_they_count_not_to_the_lists_helped_on(client_for, across, office, outsider):
    """County B's department helps on the city's list: county B sees its 3 items in the item list,
    but its figures count none of them, and the figures' links open exactly the items counted."""
    assert client_for(outsider).get("/lists/items/").context["page"].paginator.count == 3
    for user in (outsider, office, across):
        for group in ("unit", "month"):
            total, rows = figures.table(user.org_unit, group)
            client = client_for(user)
            for row in (total, *rows):
                page = client.get("/lists/items/", row.filters("issued"))
                assert page.context["page"].paginator.count == row.issued, (user, group, row.label)
    assert figures.table(outsider.org_unit, "unit")[0].issued == 0


def test_an_office_above_is_named_in_the_item_list_when_its_lists_are_seen(client_for, across, city, office, county_a):
    """The city's row of the figures by issuing office links to ``office=<city>``: the county clerk
    sees which office the items are filtered by, though the city lies above the county."""
    page = client_for(office).get("/lists/items/", {"office": city.pk})
    assert page.context["page"].paginator.count == 3
    assert page.context["figure_filters"] == [("office", str(city.pk), "下达单位：示范市总工会")]
    stranger = client_for(
        UserFactory(username="b-office", org_unit=county_a.parent.children.get(code="B"), roles=[Role.OFFICE])
    )
    assert stranger.get("/lists/items/", {"office": county_a.pk}).context["figure_filters"] == []


def test_a_month_at_the_end_of_the_calendar_is_ignored(client_for, across, office):
    for url in ("/lists/items/", "/lists/items/export/"):
        assert client_for(office).get(url, {"month": "9999-12"}).status_code == 200

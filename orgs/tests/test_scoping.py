import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs import services
from orgs.models import OrgKind, OrgUnit
from orgs.queries import subtree, visible_units
from orgs.tests.factories import OrgUnitFactory
from qingdan.actors import SYSTEM

pytestmark = pytest.mark.django_db


def test_office_of_other_county_gets_404_for_unit_page(client_for, outsider, dept_a):
    response = client_for(outsider).get(f"/orgs/{dept_a.pk}/")
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()


def test_office_sees_own_subtree_unit_page(client_for, office, dept_a):
    page = client_for(office).get(f"/orgs/{dept_a.pk}/").content.decode()
    assert "县交通运输局" in page


def test_unit_list_shows_only_the_subtree(client_for, office, dept_a, dept_b):
    page = client_for(office).get("/orgs/").content.decode()
    assert "县交通运输局" in page and "临河县交通运输局" not in page and "示范市总工会" not in page


def test_unit_list_query_count_does_not_grow_with_rows(client_for, office, county_a):
    client = client_for(office)
    with CaptureQueriesContext(connection) as few:
        client.get("/orgs/")
    for i in range(30):
        OrgUnitFactory(code=f"X{i}", parent=county_a)
    with CaptureQueriesContext(connection) as many:
        client.get("/orgs/")
    assert len(many) == len(few)


def test_reporter_sees_only_own_unit(reporter, dept_a, county_a):
    assert list(visible_units(reporter)) == [dept_a]


def test_subtree_is_found_at_any_depth(county_a):
    unit = county_a
    chain = []
    for depth in range(8):
        unit = OrgUnitFactory(code=f"L{depth}", parent=unit)
        chain.append(unit)
    assert set(subtree(county_a)) == {county_a, *chain}
    assert chain[-1].depth == county_a.depth + 8


def test_moving_a_unit_moves_its_subtree(county_a, county_b, office, outsider):
    town = OrgUnitFactory(code="T1", kind=OrgKind.TOWN, parent=county_a)
    firm = OrgUnitFactory(code="E1", parent=town)
    town.parent = county_b
    services.save_unit(unit=town, actor=SYSTEM)
    firm.refresh_from_db()
    assert firm.path.startswith(county_b.path) and firm.depth == county_b.depth + 2
    assert firm not in visible_units(office) and firm in visible_units(outsider)


def test_a_unit_cannot_move_under_its_own_child(county_a):
    from django.core.exceptions import ValidationError

    child = OrgUnitFactory(code="CH", parent=county_a)
    county_a.parent = child
    with pytest.raises(ValidationError):
        services.save_unit(unit=county_a, actor=SYSTEM)
    assert OrgUnit.objects.get(pk=county_a.pk).parent_id != child.pk


def test_user_page_of_other_county_is_404_for_security_admin(client_for, secadmin, outsider):
    assert client_for(secadmin).get(f"/users/{outsider.pk}/").status_code == 404


def test_users_page_is_403_for_reporter(client_for, reporter):
    assert client_for(reporter).get("/users/").status_code == 403


def test_users_list_shows_only_the_subtree(client_for, secadmin, office, outsider):
    page = client_for(secadmin).get("/users/").content.decode()
    assert f'href="/users/{office.pk}/"' in page and f'href="/users/{outsider.pk}/"' not in page


def test_pages_need_login(client):
    for url in ("/", "/orgs/", "/users/", "/audit/", "/profile/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_tree_order_sorts_units_by_their_paths_byte_by_byte(county_a, county_b, dept_a, dept_b):
    from django.db import connection

    from orgs.queries import tree_order

    units = OrgUnit.objects.order_by(tree_order())
    assert [u.path for u in units] == sorted(u.path for u in OrgUnit.objects.all())
    assert [u.name for u in units][:3] == ["示范市总工会", "滨海县总工会", "县交通运输局"]  # each unit before its own
    # On PostgreSQL in the "C" collation, whatever the database's own: not by walking the path's index from its start.
    assert ('COLLATE "C"' in str(units.query)) == (connection.vendor == "postgresql")

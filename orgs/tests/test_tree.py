"""The org tree's API (``OrgUnit`` and ``orgs.queries``), the only code that knows how a unit's place is stored."""

import ast

import pytest

from orgs.models import OrgKind, OrgUnit
from orgs.queries import on_the_line_of, placed_within, subtree, within, within_all
from orgs.tests.factories import OrgUnitFactory
from qingdan.actors import SYSTEM
from qingdan.tests.test_clock import ROOT, product_modules

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(county_a):
    return OrgUnitFactory(code="A-T1", name="东坎街道工会", kind=OrgKind.TOWN, parent=county_a)


def test_a_unit_knows_its_line_and_its_head_at_each_depth(city, county_a, town):
    assert town.line_ids == [city.pk, county_a.pk, town.pk]
    assert (town.head_at(0), town.head_at(1), town.head_at(2)) == (city.pk, county_a.pk, town.pk)
    assert town.is_within(county_a) and town.is_within(town) and not county_a.is_within(town)


def test_subtree_line_and_the_smallest_subtree_holding_all(city, county_a, county_b, town):
    units = OrgUnit.objects.all()
    assert set(subtree(county_a)) == set(units.filter(within(county_a))) == {county_a, town}
    assert set(units.filter(on_the_line_of(town))) == {city, county_a, town}
    assert set(units.filter(within_all([town, county_b]))) == {city, county_a, county_b, town}
    assert set(units.filter(within_all([town]))) == {town}


def test_a_copy_of_a_place_is_matched_within_a_subtree(county_a, county_b, town):
    from audit.models import AuditEvent
    from audit.services import record

    record(action="test.here", actor=SYSTEM, org_unit=town)
    record(action="test.there", actor=SYSTEM, org_unit=county_b)
    tests = AuditEvent.objects.filter(action__startswith="test.")
    assert list(tests.filter(placed_within(county_a, "org_path")).values_list("action", flat=True)) == ["test.here"]


PATH_METHODS = {"startswith", "split", "strip", "rstrip", "lstrip", "find", "rfind", "endswith"}


def path_handling(source):
    """Lines of ``source`` that build or split a unit's stored path: a lookup on it, or string work on it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "path__" in node.value:
            found.append(node.lineno)
        elif isinstance(node, ast.keyword) and node.arg and "path__" in node.arg:
            found.append(node.value.lineno)
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in PATH_METHODS
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "path"
            and getattr(node.value.value, "id", None) != "request"
        ):
            found.append(node.lineno)
    return sorted(set(found))


def test_no_module_outside_orgs_builds_or_splits_a_path():
    offenders = [
        f"{module}:{line}"
        for module in product_modules()
        if module.parts[0] != "orgs"
        for line in path_handling((ROOT / module).read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "line",
    [
        "Item.objects.filter(responsible_unit__path__startswith=unit.path)",
        "Q(owner_unit__path__in=paths)",
        'lookup = "unit__path__startswith"',
        'ids = unit.path.strip("/").split("/")',
        "ok = unit.path.startswith(other.path)",
    ],
)
def test_the_scan_finds_each_way_of_handling_a_path(line):
    assert path_handling(line) != []


def test_the_scan_leaves_request_paths_and_tree_order_alone():
    assert path_handling('a = request.path.startswith("/api/")\nb = sorted(units, key=lambda u: u.path)') == []

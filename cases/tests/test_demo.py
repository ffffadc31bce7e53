"""The demo registry of 滨海: 龙岗's 131 enterprises with valid credit codes over the 13 towns, about half with a
union (the 30 enterprises of the tree linked to their own unit), three projects with chains; loading it twice
changes nothing."""

import pytest
from stdnum.cn import uscc

from audit.models import AuditEvent
from cases import demo
from cases.models import Enterprise, Project, Subcontract
from cases.queries import chain
from orgs import demo as org_demo
from orgs.models import OrgKind

pytestmark = pytest.mark.django_db


def test_the_demo_registry_is_there_once_with_valid_codes():
    org_demo.build_units()
    demo.build()
    firms = Enterprise.objects.select_related("org_unit", "union_unit")
    assert firms.count() == 131
    assert all(uscc.is_valid(firm.credit_code) and firm.credit_code[2:8] == "320922" for firm in firms)
    assert {firm.org_unit.kind for firm in firms} == {OrgKind.TOWN}
    assert firms.values("org_unit").distinct().count() == 13
    assert firms.filter(has_union=True).count() == 66
    tree_firms = firms.filter(union_unit__kind=OrgKind.ENTERPRISE)
    assert tree_firms.count() == 30
    assert all(firm.name == firm.union_unit.name and firm.org_unit == firm.union_unit.parent for firm in tree_firms)
    assert firms.filter(union_unit__kind=OrgKind.GRASSROOTS).exists()

    projects = Project.objects.all()
    assert projects.count() == 3
    deepest = max(node.depth for project in projects for node in chain(project))
    assert deepest == 3 and Subcontract.objects.count() == 12

    rows = sorted(Enterprise.objects.values_list("credit_code", "version"))
    events = AuditEvent.objects.count()
    demo.build()
    assert sorted(Enterprise.objects.values_list("credit_code", "version")) == rows
    assert Project.objects.count() == 3 and Subcontract.objects.count() == 12
    assert AuditEvent.objects.count() == events

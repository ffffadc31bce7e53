"""The demo's worker demands: 龙岗's shape (278, 236 resolved: 84.9%), some waiting for 县交通运输局 and 东坎街道工会,
each written through the services; loading twice adds nothing."""

import pytest

from cases import demo, demo_demands, inbox_demands
from cases.models import Demand, DemandStatus
from orgs import demo as org_demo
from orgs.models import OrgUnit, Role
from orgs.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_demands_are_there_once_in_longgangs_shape():
    org_demo.build("Qingdan@2026")
    dongkan = OrgUnit.objects.get(code="320922T001")
    UserFactory(username="dongkan", org_unit=dongkan, roles=[Role.REPORTER])
    demo.build()
    demo_demands.build()
    demands = Demand.objects.all()
    assert demands.count() == 278 and demands.filter(result="resolved").count() == 236
    assert demo_demands.summary() == "278 worker demands in 滨海, 236 resolved (84.9%)"
    assert demands.filter(status=DemandStatus.SUBMITTED).count() == 5
    assert demands.filter(urged__gt=0).exists() and demands.filter(escalated_from__isnull=False).count() == 6
    assert demands.filter(status=DemandStatus.CLOSED).exclude(rating="").count() > 200
    assert all(d.events.exists() for d in demands.filter(status=DemandStatus.CLOSED)[:20])
    from orgs.models import User

    for username in ("reporter", "dongkan"):
        tasks = {item["url"].split("=")[1] for item in inbox_demands.items(User.objects.get(username=username))}
        assert "reply" in tasks, username
    rows = sorted(demands.values_list("import_key", "version"))
    demo_demands.build()
    assert sorted(Demand.objects.values_list("import_key", "version")) == rows

"""The demo's labour disputes: 安吉's shape in 东坎街道 (30+ disputes, 180+ workers, over ¥10 million), every colour,
level and outcome, follow-ups answered yes and no, one waiting to be sent, a case on a contractor chain; loading
again adds nothing. The inbox's queries agree with the flow's predicates on it."""

from decimal import Decimal

import pytest

from cases import demo, demo_disputes, inbox_disputes
from cases import dispute_flow as flow
from cases.models import Dispute, FollowUp, Mediation
from orgs import demo as org_demo
from orgs.models import OrgUnit, Role
from orgs.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def disputes():
    org_demo.build("Qingdan@2026")
    demo.build()
    demo_disputes.build()
    return Dispute.objects.select_related("org_unit")


def test_the_demo_has_anjis_shape_in_one_town_and_loads_once(disputes):
    town = disputes.filter(org_unit__code=demo_disputes.TOWN)
    assert town.count() >= 30
    assert sum(town.values_list("workers", flat=True)) >= 180
    assert sum(town.values_list("amount_claimed", flat=True)) > Decimal(10_000_000)
    assert set(town.values_list("colour", flat=True)) == {"yellow", "orange", "red"}
    assert set(Mediation.objects.values_list("level", flat=True)) == {"enterprise", "village", "town"}
    assert set(town.values_list("status", flat=True)) == {
        "registered", "mediating", "agreed", "closed", "referred", "withdrawn",
    }  # fmt: skip
    assert set(town.exclude(outcome="").values_list("outcome", flat=True)) == {
        "agreement", "arbitration", "court", "withdrawn",
    }  # fmt: skip
    assert town.filter(colour="red", status__in=flow.OPEN).count() >= 3
    assert FollowUp.objects.filter(paid_in_full=True).exists()
    assert town.filter(reopened=1, status="mediating").exists()
    assert FollowUp.objects.filter(paid_in_full=False).count() == 1
    assert FollowUp.objects.filter(issued_at__isnull=True, answered_at__isnull=True).exists()
    assert town.filter(subcontract__isnull=False).exists()
    count = disputes.count()
    demo_disputes.build()
    assert Dispute.objects.count() == count


def test_the_inbox_queries_agree_with_the_predicates_on_the_demo(disputes):
    town = OrgUnit.objects.get(code=demo_disputes.TOWN)
    people = [
        UserFactory(username="dk", org_unit=town, roles=[Role.REPORTER]),
        UserFactory(username="of", org_unit=town.parent, roles=[Role.OFFICE]),
        UserFactory(username="ld", org_unit=town.parent, roles=[Role.LEADER]),
        UserFactory(username="other", org_unit=OrgUnit.objects.get(code="320922T002"), roles=[Role.REPORTER]),
    ]
    for user in people:
        handled = set(Dispute.objects.filter(flow.handled_filter(user)).values_list("pk", flat=True))
        assert handled == {d.pk for d in disputes if flow.handles(user, d)}, user.username
        red = set(Dispute.objects.filter(inbox_disputes.task_filter(user, "red")).values_list("pk", flat=True))
        assert red == {d.pk for d in disputes if flow.handles(user, d) and d.colour == "red" and d.status in flow.OPEN}
        waiting = set(
            Dispute.objects.filter(inbox_disputes.task_filter(user, "to_mediate")).values_list("pk", flat=True)
        )
        assert waiting == {d.pk for d in disputes if flow.can_start_mediation(user, d)}
    assert inbox_disputes.items(people[0])[0]["label"] == "劳动争议红色预警"
    assert inbox_disputes.items(people[2]) == []

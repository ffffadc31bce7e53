"""The to-do filters ask only what can change their answer: the applicant's look-up for someone who has applied,
the units' join for an office below the tree's only root."""

from datetime import timedelta

import pytest

from checklists import permissions, workflow
from checklists.models import Item
from orgs.models import Role, User
from orgs.tests.factories import UserFactory
from qingdan import clock

pytestmark = pytest.mark.django_db


def _sql(q):
    return str(Item.objects.filter(q).query)


def test_the_applicant_look_up_is_asked_only_for_someone_who_has_applied(item, reporter, reviewer, county_a):
    """Nobody who never applied can be an item's last applicant, so a reviewer's to-verify list is asked without
    the look-up; a person who applied (here, a reporter who then moved to the county's office as a reviewer) still
    never sees their own application."""
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成。")
    assert "checklists_itemevent" not in _sql(permissions.verifiable(reviewer))
    assert set(Item.objects.filter(permissions.verifiable(reviewer))) == {item}
    reporter.org_unit = county_a
    reporter.save(update_fields=["org_unit"])
    reporter.roles.create(role=Role.REVIEWER)
    moved = User.objects.get(pk=reporter.pk)
    assert "checklists_itemevent" in _sql(permissions.verifiable(moved))
    assert not Item.objects.filter(permissions.verifiable(moved)).exists()
    item.refresh_from_db()
    assert not permissions.can_verify(moved, item) and permissions.can_verify(reviewer, item)


def test_the_only_roots_office_urges_every_late_item_without_the_units_join(item, office, city, county_a):
    """Below the root, the items to urge are those of lists issued within the office's subtree; the tree's only
    root asks for every item, with no join to the units (a province's office)."""
    Item.objects.filter(pk=item.pk).update(deadline=clock.today() - timedelta(days=3))
    assert "orgs_orgunit" in _sql(permissions.urgeable(office))
    assert set(Item.objects.filter(permissions.urgeable(office))) == {item}
    root_office = UserFactory(username="root-office", org_unit=city, roles=[Role.OFFICE])
    assert "orgs_orgunit" not in _sql(permissions.urgeable(root_office))
    assert set(Item.objects.filter(permissions.urgeable(root_office))) == {item}
    assert set(Item.objects.filter(permissions.decidable(root_office))) == set()

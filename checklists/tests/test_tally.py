"""The figures kept ahead of time follow every change in its own transaction; the check after every
test (``kept_figures_checked``) fails when a change forgets to count, and a rebuild mends the tables."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from checklists import tally, workflow
from checklists.models import Item, ItemTally, UnitLoad

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def kept(checklist):
    row = ItemTally.objects.get(responsible_unit=checklist.responsible_unit, month=checklist.issued_on.replace(day=1))
    return {
        name: getattr(row, name) for name in ("issued", "applied", "closed", "first_pass", "urgings", "rectifications")
    }


def received(unit):
    row = UnitLoad.objects.get(unit=unit, month=TODAY().replace(day=1))
    return (row.lists, row.items, row.urgings, row.documents)


def test_each_step_of_the_workflow_changes_the_kept_figures(checklist, item, reporter, reviewer, office, co_reporter):
    zero = {"applied": 0, "closed": 0, "first_pass": 0, "urgings": 0, "rectifications": 0}
    assert kept(checklist) == {"issued": 2, **zero}
    assert received(checklist.responsible_unit) == (1, 2, 0, 0)
    assert received(co_reporter.org_unit) == (1, 0, 0, 0)  # a co-unit receives the list, not its items

    Item.objects.filter(pk=item.pk).update(deadline=TODAY() - timedelta(days=2))  # deadlines are not counted
    workflow.urge(item=item, actor=office)
    assert kept(checklist) == {"issued": 2, **zero, "urgings": 1}
    assert received(checklist.responsible_unit) == (1, 2, 1, 1)  # the notice is an urging and a document

    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成")
    assert kept(checklist) == {"issued": 2, **zero, "urgings": 1, "applied": 1}
    workflow.verify(
        item=item, actor=reviewer, passed=False, opinion="不全", findings="缺台账", fixes="补台账",
        new_deadline=TODAY() + timedelta(days=5),
    )  # fmt: skip
    assert kept(checklist) == {"issued": 2, **zero, "urgings": 1, "applied": 1, "rectifications": 1}
    assert received(checklist.responsible_unit) == (1, 2, 1, 2)  # and a rectification letter

    workflow.apply_for_closeout(item=item, actor=reporter, report="已补充")
    workflow.verify(item=item, actor=reviewer, passed=True, opinion="通过")
    assert kept(checklist) == {
        "issued": 2,
        "applied": 1,
        "closed": 1,
        "first_pass": 0,
        "urgings": 1,
        "rectifications": 1,
    }
    assert received(checklist.responsible_unit) == (1, 2, 1, 3)  # and the close-out confirmation


def test_a_change_that_forgets_to_count_is_found_and_a_rebuild_mends_it(checklist, item):
    assert tally.drift() == []
    Item.objects.filter(pk=item.pk).update(status="closed")  # behind the workflow's back
    key = (checklist.responsible_unit_id, checklist.issuing_unit_id, 0, checklist.issued_on.replace(day=1))
    [(table, where, stored, computed)] = tally.drift()
    assert (table, where, stored[2], computed[2]) == ("tally", key, 0, 1)  # closed: 0 kept, 1 in the records
    out = StringIO()
    call_command("rebuild_tallies", stdout=out)
    assert out.getvalue().strip() == "Figures rows: 1; load rows: 2" and tally.drift() == []
    assert kept(checklist)["closed"] == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writes")
def test_two_items_of_one_row_closed_at_once_both_count(checklist, item, reporter, reviewer):
    other = checklist.items.get(position=2)
    Item.objects.filter(pk=other.pk).update(deep_review_required=False)
    for each in (item, other):
        workflow.apply_for_closeout(item=each, actor=reporter, report="已完成")
    barrier, errors = threading.Barrier(2), []

    def close(each):
        barrier.wait()
        try:
            workflow.verify(item=each, actor=reviewer, passed=True, opinion="通过")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=close, args=(each,)) for each in (item, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert kept(checklist) == {
        "issued": 2,
        "applied": 2,
        "closed": 2,
        "first_pass": 2,
        "urgings": 0,
        "rectifications": 0,
    }

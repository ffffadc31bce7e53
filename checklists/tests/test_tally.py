"""The figures kept ahead of time follow every change in its own transaction; the check after every
test (``kept_figures_checked``) fails when a change forgets to count, and a rebuild mends the tables."""

import importlib
import threading
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection

from checklists import tally, workflow
from checklists.models import Document, DocumentKind, Item, ItemTally, UnitLoad
from qingdan import clock

pytestmark = pytest.mark.django_db
TODAY = clock.today


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
def test_two_items_of_one_row_applied_for_at_once_both_count(checklist, item, reporter):
    """Applying numbers no document, so nothing else makes the two wait: only the upsert's increment
    keeps both counts."""
    other = checklist.items.get(position=2)
    barrier, errors = threading.Barrier(2), []

    def apply(each):
        barrier.wait()
        try:
            workflow.apply_for_closeout(item=each, actor=reporter, report="已完成")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(each,)) for each in (item, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert kept(checklist)["applied"] == 2


def test_a_document_counts_in_the_local_month_it_was_issued(checklist, item, office):
    """16:30 UTC on 31 March is 00:30 on 1 April in China: the notice counts in April, both when it is
    issued and when everything is counted again."""
    document = workflow.issue_document(item=item, kind=DocumentKind.URGING, body={}, actor=office)
    moment = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)
    Document.objects.filter(pk=document.pk).update(created_at=moment)
    UnitLoad.objects.filter(unit=item.responsible_unit, month=TODAY().replace(day=1)).update(urgings=0, documents=0)
    document.refresh_from_db()
    tally.document_issued(document)
    april = UnitLoad.objects.get(unit=item.responsible_unit, month=date(2026, 4, 1))
    assert (april.urgings, april.documents) == (1, 1)
    assert tally.drift() == []


def test_the_migration_counts_the_urgings_about_the_current_deadline(item, office, reporter, reviewer, frozen_clock):
    """Urged twice, failed with a new deadline, urged again: one urging is about the current deadline."""
    Item.objects.filter(pk=item.pk).update(deadline=TODAY() - timedelta(days=20))
    workflow.urge(item=item, actor=office, today=TODAY() - timedelta(days=10))
    workflow.urge(item=item, actor=office, today=TODAY() - timedelta(days=2))
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成")
    workflow.verify(
        item=item, actor=reviewer, passed=False, opinion="不全", findings="缺台账", fixes="补台账",
        new_deadline=TODAY() + timedelta(days=1),
    )  # fmt: skip
    Item.objects.filter(pk=item.pk).update(deadline=TODAY() - timedelta(days=1), last_urged_on=None)
    frozen_clock.shift(timedelta(hours=1))  # urged after the failed verification, not at the same instant
    assert workflow.urge(item=item, actor=office) is not None
    Item.objects.filter(pk=item.pk).update(deadline_urgings=0)
    migration = importlib.import_module("checklists.migrations.0004_deadline_urgings")
    migration.count(django_apps, None)
    assert Item.objects.values_list("urgings", "deadline_urgings").get(pk=item.pk) == (3, 1)


def test_a_fresh_database_migrates_without_the_live_counting_code(monkeypatch):
    """Migration 0003 fills the kept figures only when there are items to count: a new database never runs
    today's ``tally``, so a later change to it cannot break a fresh ``migrate``."""

    def changed_since(*args, **kwargs):
        raise AssertionError("the migration ran the live counting code")

    monkeypatch.setattr(tally, "rebuild", changed_since)
    migration = importlib.import_module("checklists.migrations.0003_kept_figures")
    migration.fill(django_apps, None)
    assert not ItemTally.objects.exists()

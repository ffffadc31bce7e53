"""The audit trail proves it is whole: rows removed or changed behind the platform's back, by someone who can
get past the append-only triggers (the tables' owner, or anyone holding the SQLite file), are found by
``manage.py verify_audit``, which names the first broken row."""

import io
import threading
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from audit import chain
from audit.models import AuditEvent
from audit.services import record

pytestmark = pytest.mark.django_db

SQLITE_TRIGGER = """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"""


@contextmanager
def past_the_triggers():
    """A cursor as the tables' owner would use it, with the append-only triggers out of the way."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the ALTER refuses to run with checks pending
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute(SQLITE_TRIGGER)


def verify():
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def broken():
    with pytest.raises(CommandError) as failed:
        verify()
    assert failed.value.returncode == 1
    return str(failed.value)


@pytest.fixture
def trail(office):
    return [record(action=f"test.step_{n}", actor=office, after={"n": n, "share": 0.5, "whole": 2.0}) for n in range(5)]


def test_each_row_carries_the_hash_of_the_row_before_it(trail):
    assert AuditEvent.objects.order_by("id").first().prev_hash == chain.GENESIS
    for earlier, later in zip(trail, trail[1:], strict=False):
        assert later.prev_hash == earlier.hash and len(later.hash) == 64
    assert f"head {trail[-1].hash}" in verify()


def test_the_stored_rows_hash_as_they_were_written(trail):
    """What the database gives back (times, JSON numbers, addresses) hashes as what was written."""
    for event in AuditEvent.objects.filter(pk__in=[e.pk for e in trail]):
        assert chain.digest({name: getattr(event, name) for name in chain.HASHED}) == event.hash


def _when(event):
    return timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize("how", ["raw SQL", "_raw_delete"])
def test_a_row_deleted_behind_the_platforms_back_is_found(trail, how):
    victim, next_row = trail[2], trail[3]
    with past_the_triggers() as cursor:
        if how == "raw SQL":
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
        else:
            AuditEvent.objects.filter(pk=victim.pk)._raw_delete(connection.alias)
    assert not AuditEvent.objects.filter(pk=victim.pk).exists()
    message = broken()
    assert f"row {next_row.pk} ({_when(next_row)}, test.step_3)" in message
    assert f"does not follow row {trail[1].pk}" in message


def test_a_row_edited_by_raw_sql_is_found(trail):
    with past_the_triggers() as cursor:
        cursor.execute("UPDATE audit_auditevent SET message = %s WHERE id = %s", ["一切正常", trail[1].pk])
    message = broken()
    assert f"row {trail[1].pk} ({_when(trail[1])}, test.step_1)" in message
    assert "does not match its hash" in message


def test_a_row_edited_with_its_hash_written_again_breaks_the_next_link(trail):
    edited = AuditEvent.objects.filter(pk=trail[1].pk).values("id", "hash", *chain.HASHED).get()
    edited["message"] = "一切正常"
    with past_the_triggers() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET message = %s, hash = %s WHERE id = %s",
            ["一切正常", chain.digest(edited), trail[1].pk],
        )
    assert f"row {trail[2].pk} (" in broken()


def test_rows_cut_from_the_start_are_found(trail):
    with past_the_triggers() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id <= %s", [trail[0].pk])
    assert "does not follow the start of the trail" in broken()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite lets one writer in at a time")
@pytest.mark.django_db(transaction=True)
def test_two_transactions_recording_at_once_do_not_fork_the_chain(county_a):
    first_recorded, release = threading.Event(), threading.Event()

    def slow():
        try:
            with transaction.atomic():
                record(action="test.slow", org_unit=county_a)
                first_recorded.set()
                release.wait(10)
        finally:
            connections.close_all()

    def quick():
        try:
            record(action="test.quick", org_unit=county_a)
        finally:
            connections.close_all()

    slow_thread = threading.Thread(target=slow)
    slow_thread.start()
    assert first_recorded.wait(10)
    quick_thread = threading.Thread(target=quick)
    quick_thread.start()
    quick_thread.join(0.5)
    assert quick_thread.is_alive(), "the second writer waits for the first to end"
    release.set()
    slow_thread.join(10)
    quick_thread.join(10)
    slow_event, quick_event = AuditEvent.objects.filter(action__in=["test.slow", "test.quick"]).order_by("id")
    assert quick_event.prev_hash == slow_event.hash
    assert "The audit trail is whole" in verify()

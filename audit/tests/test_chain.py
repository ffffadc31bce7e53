"""The audit trail proves it is whole: events (or their seals) removed, changed or slipped in behind the platform's
back, by someone who can get past the append-only triggers (the tables' owner, or anyone holding the SQLite file),
are found by ``manage.py verify_audit``, which names the first broken event. The seals are written after the
business transaction commits, so recording takes no lock that a business transaction could wait for."""

import io
import threading
import time
from contextlib import contextmanager, suppress

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test import RequestFactory
from django.utils import timezone

from audit import chain
from audit.models import AppendOnlyError, AuditEvent, AuditSeal
from audit.services import record
from checklists.models import Item
from checklists.tests.conftest import checklist, co_reporter  # noqa: F401 - a list with items to lock

pytestmark = pytest.mark.django_db


POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: SQLite lets one writer in at a time"
)

SQLITE_TRIGGERS = {
    "audit_no_update": """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    "audit_seal_no_update": """CREATE TRIGGER audit_seal_no_update BEFORE UPDATE ON audit_auditseal
BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;""",
}


@contextmanager
def past_the_triggers():
    """A cursor as the tables' owner would use it, with the append-only triggers of the events and the seals out of
    the way."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the ALTER refuses to run with checks pending
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditseal DISABLE TRIGGER USER")
        else:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {name}")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditseal ENABLE TRIGGER USER")
        else:
            for statement in SQLITE_TRIGGERS.values():
                cursor.execute(statement)


def verify(*options):
    out = io.StringIO()
    call_command("verify_audit", *options, stdout=out)
    return out.getvalue()


def broken(*options):
    with pytest.raises(CommandError) as failed:
        verify(*options)
    assert failed.value.returncode == 1
    return str(failed.value)


def seal_of(event):
    return AuditSeal.objects.get(event_id=event.pk)


def head():
    last = AuditSeal.objects.order_by("-seq").first()
    return f"{last.seq}:{last.hash}"


def _when(event):
    return timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def trail(db, django_capture_on_commit_callbacks):
    """Five events of one transaction, sealed as its commit seals them. The test's transaction is a transaction like
    any other: it asks for one seal pass, at its first event, so nothing in it may record before (no fixture that
    makes units or people)."""
    addresses = ["2001:0db8:0000:0000:0000:0000:0000:0001", "10.1.2.3", None, "::ffff:192.0.2.7", "10.1.2.3"]
    with django_capture_on_commit_callbacks(execute=True):
        events = [
            record(
                action=f"test.step_{n}",
                actor_username="office",
                after={"n": n, "share": 0.5, "whole": 2.0, "名称": "滨海县"},
                request=RequestFactory().get("/", REMOTE_ADDR=address) if address else None,
            )
            for n, address in enumerate(addresses)
        ]
    assert list(AuditSeal.objects.order_by("seq").values_list("event_id", flat=True)) == [e.pk for e in events]
    return events


def test_the_events_are_sealed_once_their_transaction_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        events = [record(action=f"test.step_{n}", actor_username="office") for n in range(3)]
        assert not AuditSeal.objects.exists(), "the business transaction writes no seal"
    assert len(callbacks) == 1, "one seal pass per transaction"
    seals = list(AuditSeal.objects.order_by("seq"))
    assert [s.event_id for s in seals] == [e.pk for e in events] and [s.seq for s in seals] == [1, 2, 3]
    assert seals[0].prev_hash == chain.GENESIS
    for earlier, later in zip(seals, seals[1:], strict=False):
        assert later.prev_hash == earlier.hash and len(later.hash) == 64
    assert f"3 events sealed, head {head()}" in verify()


def test_the_seals_hash_the_events_as_they_were_written(trail):
    """What the database gives back (times, JSON numbers, addresses) hashes as what was written."""
    assert trail[0].client_ip == "2001:db8::1"
    for event in trail:
        written = {name: getattr(event, name) for name in chain.CONTENT} | {"result": str(event.result)}
        assert chain.event_digest(written) == seal_of(event).event_hash


def test_an_event_recorded_after_part_of_the_transaction_rolled_back_is_sealed(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with suppress(RuntimeError), transaction.atomic():
            record(action="test.undone")  # asks for the seal pass, and the rollback takes that back
            raise RuntimeError
        kept = record(action="test.kept")
    assert list(AuditSeal.objects.values_list("event_id", flat=True)) == [kept.pk]


def test_the_orm_refuses_to_change_or_delete_a_seal(trail):
    seal = seal_of(trail[0])
    seal.event_hash = "0" * 64
    with pytest.raises(AppendOnlyError):
        seal.save()
    with pytest.raises(AppendOnlyError):
        seal.delete()
    with pytest.raises(AppendOnlyError):
        AuditSeal.objects.filter(pk=seal.pk).update(event_hash="0" * 64)
    with pytest.raises(AppendOnlyError):
        AuditSeal.objects.all().delete()
    assert seal_of(trail[0]).event_hash != "0" * 64


def test_the_database_refuses_to_change_a_seal_by_raw_sql(trail):
    seal = seal_of(trail[0])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditseal SET event_hash = 'x' WHERE seq = %s", [seal.seq])
    assert seal_of(trail[0]).event_hash == seal.event_hash


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's test flush deletes rows; see migration 0002")
def test_the_database_refuses_to_delete_a_seal_by_raw_sql(trail):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal WHERE seq = %s", [seal_of(trail[0]).seq])
    assert AuditSeal.objects.filter(event_id=trail[0].pk).exists()


@pytest.mark.parametrize("how", ["raw SQL", "_raw_delete"])
def test_an_event_deleted_behind_the_platforms_back_is_found_by_its_seal(trail, how):
    victim = trail[2]
    with past_the_triggers() as cursor:
        if how == "raw SQL":
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
        else:
            AuditEvent.objects.filter(pk=victim.pk)._raw_delete(connection.alias)
    assert not AuditEvent.objects.filter(pk=victim.pk).exists()
    message = broken()
    assert f"broken at event {victim.pk} (missing): it was deleted" in message
    assert f"({seal_of(victim).seq - 1} seals before it hold)" in message


def test_an_event_deleted_with_its_seal_breaks_the_next_link(trail):
    victim = trail[2]
    with past_the_triggers() as cursor:
        cursor.execute("DELETE FROM audit_auditseal WHERE event_id = %s", [victim.pk])
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    message = broken()
    assert f"broken at event {trail[3].pk} ({_when(trail[3])}, test.step_3)" in message
    assert f"does not follow event {trail[1].pk}" in message


def test_an_event_edited_by_raw_sql_is_found(trail):
    with past_the_triggers() as cursor:
        cursor.execute("UPDATE audit_auditevent SET message = %s WHERE id = %s", ["一切正常", trail[1].pk])
    message = broken()
    assert f"event {trail[1].pk} ({_when(trail[1])}, test.step_1)" in message
    assert "does not match its seal" in message


def _edit_and_hash_again(event):
    """Change ``event`` and write its seal's event hash again, as someone who has read ``audit.chain`` would."""
    edited = AuditEvent.objects.filter(pk=event.pk).values(*chain.CONTENT).get() | {"message": "一切正常"}
    seal = AuditSeal.objects.filter(event_id=event.pk).values("hash", *chain.SEALED).get()
    seal["event_hash"] = chain.event_digest(edited)
    with past_the_triggers() as cursor:
        cursor.execute("UPDATE audit_auditevent SET message = %s WHERE id = %s", ["一切正常", event.pk])
        cursor.execute("UPDATE audit_auditseal SET event_hash = %s WHERE seq = %s", [seal["event_hash"], seal["seq"]])
    return seal


def test_an_event_edited_with_its_event_hash_written_again_breaks_its_seal(trail):
    _edit_and_hash_again(trail[1])
    message = broken()
    assert f"event {trail[1].pk} ({_when(trail[1])}, test.step_1)" in message
    assert "its seal does not match its own hash" in message


def test_an_event_edited_with_its_seal_written_again_breaks_the_next_link(trail):
    seal = _edit_and_hash_again(trail[1])
    with past_the_triggers() as cursor:
        cursor.execute("UPDATE audit_auditseal SET hash = %s WHERE seq = %s", [chain.seal_digest(seal), seal["seq"]])
    message = broken()
    assert f"event {trail[2].pk} ({_when(trail[2])}, test.step_2)" in message
    assert f"does not follow event {trail[1].pk}" in message


def test_a_chain_written_again_from_an_edited_event_on_differs_from_the_head_kept(trail):
    kept = verify().split("head ")[1].rstrip(".\n")
    seal = _edit_and_hash_again(trail[1])
    previous = seal["prev_hash"]
    with past_the_triggers() as cursor:
        for row in AuditSeal.objects.filter(seq__gte=seal["seq"]).order_by("seq").values("hash", *chain.SEALED):
            row["prev_hash"] = previous
            previous = chain.seal_digest(row)
            cursor.execute(
                "UPDATE audit_auditseal SET prev_hash = %s, hash = %s WHERE seq = %s",
                [row["prev_hash"], previous, row["seq"]],
            )
    assert "The audit trail is whole" in verify(), "a chain written again holds on its own"
    message = broken("--kept-head", kept)
    assert f"seal {kept.split(':')[0]} has another hash" in message


def test_events_cut_from_the_start_are_found(trail):
    with past_the_triggers() as cursor:
        cursor.execute("DELETE FROM audit_auditseal WHERE event_id <= %s", [trail[1].pk])
        cursor.execute("DELETE FROM audit_auditevent WHERE id <= %s", [trail[1].pk])
    message = broken()
    assert f"event {trail[2].pk} (" in message and "does not follow the start of the trail" in message


def test_events_cut_from_the_end_are_found_by_the_head_kept(trail):
    kept = head()
    with past_the_triggers() as cursor:
        cursor.execute("DELETE FROM audit_auditseal WHERE event_id >= %s", [trail[3].pk])
        cursor.execute("DELETE FROM audit_auditevent WHERE id >= %s", [trail[3].pk])
    assert f"{seal_of(trail[2]).seq} events sealed" in verify()
    assert f"seal {kept.split(':')[0]} is gone" in broken("--kept-head", kept)
    assert verify("--kept-head", head())


def test_the_head_of_an_empty_trail_is_held_and_no_other_seal_0_is():
    """A backup of an empty trail kept the head (0, GENESIS), which the restore finds in any trail."""
    assert chain.check(kept=(0, chain.GENESIS)).kept_head is None
    assert chain.check(kept=(0, "a" * 64)).kept_head == "gone"
    assert "seal 0 is gone" in broken("--kept-head", "0:" + "a" * 64)


def test_an_event_slipped_in_below_the_sealed_ones_is_found(trail, monkeypatch):
    monkeypatch.setattr(chain, "LOOKBACK", 2)
    forged_id = 0  # below every event's number, and more than LOOKBACK below the newest sealed
    AuditEvent.objects.bulk_create(  # an INSERT, which the application's role may make
        [AuditEvent(id=forged_id, action="orgs.roles_changed", actor_username="office", created_at=trail[0].created_at)]
    )
    message = broken()
    assert f"event {forged_id} ({_when(trail[0])}, orgs.roles_changed): it has no seal" in message


@pytest.mark.django_db(transaction=True)
def test_an_event_whose_seal_never_ran_is_sealed_by_the_next_commit(office, monkeypatch):
    earlier = record(action="test.earlier", actor=office)
    with monkeypatch.context() as dying:
        dying.setattr(chain, "seal_pending", lambda **kwargs: None)  # the process is killed after the commit
        lost = record(action="test.lost", actor=office)
    assert not AuditSeal.objects.filter(event_id=lost.pk).exists()
    monkeypatch.setattr(chain, "LOOKBACK", 0)  # found as what follows the newest seal
    with transaction.atomic():
        following = record(action="test.following", actor=office)
    assert list(AuditSeal.objects.order_by("seq").values_list("event_id", flat=True))[-3:] == [
        earlier.pk,
        lost.pk,
        following.pk,
    ]
    assert "The audit trail is whole" in verify()


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_locks_a_row_then_records_and_one_that_records_then_locks_it_both_finish(
    checklist,  # noqa: F811 - the fixture
):
    """T1 locks an item and then records (urging, a failed verification, the deadline scan); T2 records and then
    locks the same item (closing a poll records and then numbers the evaluation; an application records its
    evidence and then locks the item). When ``record()`` took the chain's lock and held it to the commit, as the
    first chain did, T1 waited in ``record()`` for T2's transaction to end while T2 waited for T1's row: PostgreSQL
    found the deadlock after ``deadlock_timeout`` and aborted one of them, whose user got an error and whose change
    was lost (run against that chain, this scenario ended with T1's "deadlock detected: … waits for ExclusiveLock on
    advisory lock …; … waits for ShareLock on transaction …"). Now recording waits for no one; both commit, and both
    events are sealed after their commits."""
    item = checklist.items.get(position=1)
    locked, recorded, t2_pid, errors = threading.Event(), threading.Event(), [], []

    def t2_waits_for_the_row():
        with connections["default"].cursor() as cursor:
            for _ in range(100):
                cursor.execute("SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted", [t2_pid[0]])
                if cursor.fetchone():
                    return
                time.sleep(0.05)
        raise AssertionError("T2 never waited for the item")

    def t1():
        try:
            with transaction.atomic():
                Item.objects.select_for_update().get(pk=item.pk)
                locked.set()
                assert recorded.wait(10)
                record(action="test.t1_after_lock", obj=item)  # the first chain's lock made this wait for T2
                t2_waits_for_the_row()  # T1 commits only once the two cross
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(("T1", error))
        finally:
            connections.close_all()

    def t2():
        try:
            assert locked.wait(10)
            with transaction.atomic():
                connection.ensure_connection()
                t2_pid.append(connection.connection.info.backend_pid)
                record(action="test.t2_before_lock", obj=item)
                recorded.set()
                Item.objects.select_for_update().get(pk=item.pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(("T2", error))
            recorded.set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=t1), threading.Thread(target=t2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    events = AuditEvent.objects.filter(action__in=["test.t1_after_lock", "test.t2_before_lock"])
    assert events.count() == 2
    assert AuditSeal.objects.filter(event_id__in=events.values("id")).count() == 2, "sealed after each commit"
    assert "The audit trail is whole" in verify()


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_writers_recording_at_once_make_one_chain(county_a):
    writers, transactions, barrier, errors = 4, 10, threading.Barrier(4), []

    def write(n):
        try:
            barrier.wait(10)
            for t in range(transactions):
                with transaction.atomic():
                    record(action=f"test.writer_{n}", org_unit=county_a, after={"t": t, "i": 1})
                    record(action=f"test.writer_{n}", org_unit=county_a, after={"t": t, "i": 2})
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    written = AuditEvent.objects.filter(action__startswith="test.writer_")
    assert written.count() == writers * transactions * 2
    seals = AuditSeal.objects.filter(event_id__in=written.values("id"))
    assert seals.count() == written.count(), "every event sealed, once, by the commits alone"
    prev_hashes = list(AuditSeal.objects.values_list("prev_hash", flat=True))
    assert len(prev_hashes) == len(set(prev_hashes)), "no two seals follow the same seal: the chain did not fork"
    assert "The audit trail is whole" in verify()


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_commits_after_a_later_one_is_sealed_at_its_commit(county_a, monkeypatch):
    """Ids are taken when a row is inserted, seals when a transaction commits: the earlier id may come later."""
    monkeypatch.setattr(chain, "LOOKBACK", 0)  # only the committing transaction's own events are looked for
    recorded, release, errors = threading.Event(), threading.Event(), []

    def slow():
        try:
            with transaction.atomic():
                record(action="test.slow", org_unit=county_a)
                recorded.set()
                assert release.wait(10)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    slow_thread = threading.Thread(target=slow)
    slow_thread.start()
    assert recorded.wait(10)
    quick = record(action="test.quick", org_unit=county_a)
    assert seal_of(quick).seq == AuditSeal.objects.count()
    release.set()
    slow_thread.join(10)
    assert errors == []
    slow_event = AuditEvent.objects.get(action="test.slow")
    assert slow_event.pk < quick.pk and seal_of(slow_event).seq == seal_of(quick).seq + 1
    assert "The audit trail is whole" in verify()

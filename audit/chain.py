"""The audit trail as a hash chain. Each event gets one seal (``AuditSeal``): the SHA-256 of the event's content,
and a hash over that, the seal's place and the hash of the seal before it. An event removed or edited, a seal
removed, edited or slipped in anywhere but at the very end breaks the chain at that place, whoever had the rights
to do it; ``manage.py verify_audit`` walks it. Whoever may append to the trail (the application's role may) can
append events and seals at its end, so the chain proves that what was sealed is still there as it was; seals cut
off the end are found by comparing the head with one kept elsewhere.

The chain is kept out of the business transaction. ``record()`` inserts the event in the transaction of the
change, with no lock of the chain's, and asks for ``seal_pending`` once that transaction has committed; sealing
runs in a short transaction of its own under the chain's lock (a PostgreSQL advisory lock; SQLite's write lock),
reads the events and writes the seals, and takes no other lock. Holding the chain's lock from ``record()`` to the
commit, as the first version of the chain did, deadlocked a transaction that records and then locks a row (closing
a poll, then numbering its evaluation) with one that locks that row and then records (urging the item).

Seals follow the order of the commits, events the order of their ids: a transaction that took its id first may
commit last. Sealing therefore looks for events with no seal from a little below the newest event sealed
(``LOOKBACK``) or from the committing transaction's first event, whichever is lower, so a transaction that
committed out of order, or whose sealing never ran (its process killed after the commit), is sealed by the next
one. An event found with no seal further back than that was slipped in with the number of an earlier one, or its
seal was removed: ``verify`` names it.

The canonical forms are part of the stored data: changing them makes every seal written before fail verification.
Migration 0004 seals the events written before the chain existed with these same functions.
"""

import hashlib
import json
from datetime import UTC, datetime

from django.db import connections, router, transaction
from django.db.models import Exists, OuterRef

from qingdan import clock

# The content of an event a seal covers, by column.
CONTENT = (
    "id",
    "created_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "org_unit_id",
    "org_path",
    "result",
    "before",
    "after",
    "message",
    "client_ip",
)
# What a seal's own hash covers.
SEALED = ("seq", "event_id", "event_hash", "prev_hash", "sealed_at")

# The first seal's prev_hash.
GENESIS = ""

# pg_advisory_xact_lock key of the chain's head ("QDAU"): one transaction seals at a time.
LOCK_KEY = 0x51444155

# How far below the newest sealed event (in event ids) sealing looks for events still without a seal.
LOOKBACK = 1000

# Events sealed per transaction: the lock is held for one batch at a time.
BATCH = 500


def _plain(value):
    """JSON values as PostgreSQL's jsonb gives them back: a whole float may come back as an integer."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def canonical(values, names):
    """The bytes a hash is taken over: the ``names`` of ``values`` as JSON with sorted keys, no spaces, times in UTC
    to the microsecond."""
    data = {}
    for name in names:
        value = values[name]
        if isinstance(value, datetime):
            data[name] = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        else:
            data[name] = _plain(value)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_digest(values):
    """The hash of an event's content (``CONTENT``, as read from the database)."""
    return hashlib.sha256(canonical(values, CONTENT)).hexdigest()


def seal_digest(values):
    """The hash of a seal: its place, its event's hash and the hash of the seal before it."""
    return hashlib.sha256(canonical(values, SEALED)).hexdigest()


def _models(event_model, seal_model):
    if event_model is None or seal_model is None:
        from audit.models import AuditEvent, AuditSeal

        return AuditEvent, AuditSeal
    return event_model, seal_model


def lock_chain(using):
    """Make this transaction the only one sealing until it ends. On PostgreSQL a transaction-level advisory lock;
    SQLite's transactions (begun IMMEDIATE, see settings) take the database's write lock already.

    On PostgreSQL the same statement tells the planner, for this transaction only, to go by the indexes: a seal pass
    runs after every commit and must never read the whole trail, whatever the statistics say (a table not analysed
    yet, as after the migration that seals the events already there, looks small to the planner)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s), set_config('enable_seqscan', 'off', true), "
                "set_config('enable_hashjoin', 'off', true)",
                [LOCK_KEY],
            )


def _unsealed(Event, Seal, using):  # noqa: N803 - model classes
    return Event.objects.using(using).filter(~Exists(Seal.objects.filter(event_id=OuterRef("pk"))))


# A seal's columns in the order a seal pass inserts them.
COLUMNS = ("seq", "event_id", "event_hash", "prev_hash", "hash", "sealed_at")


def _statements(Event, Seal, connection):  # noqa: N803 - model classes
    """The SQL of a seal pass, written by hand: it runs after every commit that records, and building the same
    queries with the ORM took longer than running them."""
    name = connection.ops.quote_name
    events, seals, id_ = name(Event._meta.db_table), name(Seal._meta.db_table), name(Event._meta.pk.column)
    column = {field: name(Seal._meta.get_field(field).column) for field in COLUMNS}
    seq, event_id = column["seq"], column["event_id"]
    # Only the models' own tables and columns, quoted, go into the text; every value is a parameter.
    return {
        "head": (
            f"SELECT {seq}, {column['hash']}, (SELECT MAX({event_id}) FROM {seals}) FROM {seals} "  # noqa: S608
            f"ORDER BY {seq} DESC LIMIT 1"
        ),
        # The bound on both sides lets PostgreSQL merge two short index ranges.
        "pending": (
            f"SELECT e.* FROM {events} e WHERE e.{id_} > %s AND NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {seals} s WHERE s.{event_id} = e.{id_} AND s.{event_id} > %s) ORDER BY e.{id_} LIMIT %s"
        ),
        "insert": (
            f"INSERT INTO {seals} ({', '.join(column.values())}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(COLUMNS))})"
        ),
    }


def seal_pending(*, since=None, using=None, event_model=None, seal_model=None):
    """Seal the committed events that have no seal yet, in id order, a batch per short transaction, and return how
    many were sealed. It looks from ``LOOKBACK`` events below the newest one sealed, or from ``since`` (the first
    event of the transaction that just committed) if that is lower; with no seal yet, from the first event.

    ``record()`` has it run after each commit that wrote to the trail; ``verify_audit`` runs it first. It takes the
    chain's lock and no other, so it waits for nothing but another sealer. The model arguments are for the
    migration that seals the events already there."""
    Event, Seal = _models(event_model, seal_model)  # noqa: N806 - model classes
    using = using or router.db_for_write(Seal)
    connection = connections[using]
    sql = _statements(Event, Seal, connection)
    sealed, floor = 0, None
    while True:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            lock_chain(using)
            cursor.execute(sql["head"])
            seq, previous, newest = cursor.fetchone() or (0, GENESIS, None)
            if floor is None:
                floor = -(2**63) if newest is None else newest - LOOKBACK
                if since is not None:
                    floor = min(floor, since - 1)
            # raw() reads the columns as the ORM does (times, JSON), so they hash as verify_audit reads them.
            rows = list(Event.objects.using(using).raw(sql["pending"], [floor, floor, BATCH]))
            now = clock.now()
            stored_now = connection.ops.adapt_datetimefield_value(now)
            seals = []
            for row in rows:
                seq += 1
                content = {name: getattr(row, name) for name in CONTENT}
                seal = {"seq": seq, "event_id": row.id, "event_hash": event_digest(content), "prev_hash": previous}
                seal["sealed_at"] = now
                seal["hash"] = previous = seal_digest(seal)
                seals.append([seal[name] for name in COLUMNS[:-1]] + [stored_now])
            if seals:
                cursor.executemany(sql["insert"], seals)
        sealed += len(rows)
        if len(rows) < BATCH:
            return sealed
        floor = rows[-1].id


def seal_after_commit(event):
    """Have ``seal_pending`` run once the transaction that wrote ``event`` commits (at once outside a transaction):
    once per transaction, from its first event. A seal that fails is logged and left to the next one; the change
    and its event are committed already."""
    using = event._state.db
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        for _savepoints, callback, _robust in connection.run_on_commit:
            since = getattr(callback, "audit_seal_since", None)
            if since is not None:  # an earlier event of this transaction asked (and no savepoint took it back)
                since[0] = min(since[0], event.pk)
                return
    since = [event.pk]

    def seal_audit_trail():
        seal_pending(since=since[0], using=using)

    seal_audit_trail.audit_seal_since = since
    transaction.on_commit(seal_audit_trail, using=using, robust=True)


class Break:
    """The first place the chain does not hold: the event, and why."""

    def __init__(self, event_id, reason, event=None):
        self.id, self.reason = event_id, reason
        self.created_at = event["created_at"] if event else None
        self.action = event["action"] if event else None

    def __str__(self):
        if self.created_at is None:
            return f"event {self.id} (missing): {self.reason}"
        from django.utils import timezone

        moment = timezone.localtime(self.created_at).strftime("%Y-%m-%d %H:%M:%S")
        return f"event {self.id} ({moment}, {self.action}): {self.reason}"


class Verdict:
    """What ``verify`` found: the seals that hold, the last good one (its ``seq`` and ``hash``) and the first
    ``Break`` or None."""

    def __init__(self, count, head_seq, head_hash, broken):
        self.count, self.head_seq, self.head_hash, self.broken = count, head_seq, head_hash, broken
        self.kept_head = None  # set by ``check`` when it was given a kept head that is not there


def _check(seal, event, expected_seq, previous, previous_event):
    """Why ``seal`` and its ``event`` break the chain, or None."""
    if seal["seq"] != expected_seq or seal["prev_hash"] != previous:
        if previous_event is None:
            return "does not follow the start of the trail: the events before it were removed"
        return (
            f"does not follow event {previous_event}: an event sealed after event {previous_event} was removed, "
            f"or event {previous_event}'s seal was rewritten"
        )
    if seal_digest(seal) != seal["hash"]:
        return "its seal does not match its own hash: the seal was rewritten after it was written"
    if event is None:
        return f"it was deleted; its seal {seal['seq']} remains"
    if event_digest(event) != seal["event_hash"]:
        return "its content does not match its seal: it was altered after it was written"
    return None


def verify(*, using=None, chunk=2000):
    """Walk the seals in ``seq`` order: each follows the one before it and matches its own hash, and its event is
    there and matches it; then look for events left with no seal. Call it after ``seal_pending``."""
    Event, Seal = _models(None, None)  # noqa: N806 - model classes
    using = using or router.db_for_read(Seal)
    count, previous, previous_seq, previous_event = 0, GENESIS, 0, None
    while True:
        seals = list(
            Seal.objects.using(using).filter(seq__gt=previous_seq).order_by("seq").values("hash", *SEALED)[:chunk]
        )
        events = {
            row["id"]: row
            for row in Event.objects.using(using).filter(id__in=[seal["event_id"] for seal in seals]).values(*CONTENT)
        }
        for seal in seals:
            event = events.get(seal["event_id"])
            reason = _check(seal, event, previous_seq + 1, previous, previous_event)
            if reason is not None:
                return Verdict(count, previous_seq, previous, Break(seal["event_id"], reason, event))
            count, previous, previous_seq, previous_event = count + 1, seal["hash"], seal["seq"], seal["event_id"]
        if seals:
            continue
        lost = _unsealed(Event, Seal, using).order_by("id").values(*CONTENT).first()
        if lost is None:
            return Verdict(count, previous_seq, previous, None)
        # A transaction that committed while the seals were walked is sealed now, and its seals walked next.
        if not seal_pending(using=using):
            reason = (
                "it has no seal: it was slipped in behind the platform's back below the sealed events, or its seal "
                f"was removed (or its commit's seal pass never ran and more than {LOOKBACK} events were sealed since)"
            )
            return Verdict(count, previous_seq, previous, Break(lost["id"], reason, lost))


def check(*, kept=None, using=None):
    """The one check of the trail, what ``manage.py verify_audit``, the backup and the restore ask: seal the events
    committed since the last seal (as their commits would have), walk the chain (``verify``) and, given ``kept`` =
    ``(seq, hash)``, a head printed or backed up earlier, look that the chain still holds it. Seals cut off the
    end, or a chain written again from an earlier place, are found only so. Returns the ``Verdict``; when the
    chain holds but not the kept head, its ``kept_head`` says why: ``"gone"`` (no seal ``seq``) or ``"changed"``
    (another hash)."""
    seal_pending(using=using)
    verdict = verify(using=using)
    if kept is None or verdict.broken is not None or tuple(kept) == (0, GENESIS):  # the empty trail's head
        return verdict
    seq, wanted = kept
    _Event, Seal = _models(None, None)  # noqa: N806 - model classes
    seals = Seal.objects.using(using or router.db_for_read(Seal))
    found = seals.filter(seq=seq).values_list("hash", flat=True).first()
    if found != wanted:
        verdict.kept_head = "gone" if found is None else "changed"
    return verdict

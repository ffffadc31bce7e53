"""The audit trail as a hash chain: each row carries the SHA-256 of its own content together with the hash of
the row before it (``prev_hash``), so a row removed, edited or slipped in anywhere but at the very end breaks
the chain at that place, whoever had the rights to do it. ``manage.py verify_audit`` walks it.

The canonical form is part of the stored data: changing it makes every row written before fail verification.
Migration 0004 chains the rows written before the chain existed with these same functions.
"""

import hashlib
import json
from datetime import UTC

from django.db import connection

# The content a row's hash covers, by column (the row's id is not known before it is inserted; the chain
# orders the rows instead).
HASHED = (
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
    "prev_hash",
)

# The first row's prev_hash.
GENESIS = ""

# pg_advisory_xact_lock key of the chain's head ("QDAU"): one transaction appends to the chain at a time.
LOCK_KEY = 0x51444155


def _plain(value):
    """JSON values as PostgreSQL's jsonb gives them back: a whole float may come back as an integer."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def canonical(values):
    """The bytes a row's hash is taken over: its ``HASHED`` columns as JSON with sorted keys, no spaces, the time
    in UTC to the microsecond."""
    data = {name: _plain(values[name]) for name in HASHED}
    data["created_at"] = values["created_at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(values):
    return hashlib.sha256(canonical(values)).hexdigest()


def lock_head():
    """Make this transaction the only one appending to the chain until it ends. On PostgreSQL a transaction-level
    advisory lock; SQLite's transactions (begun IMMEDIATE, see settings) take the database's write lock already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def head_hash():
    """The hash of the last row of the chain (call it holding ``lock_head``)."""
    from audit.models import AuditEvent

    return AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS


class Break:
    """The first place the chain does not hold: the row, and why."""

    def __init__(self, row, reason):
        self.id, self.created_at, self.action, self.reason = row["id"], row["created_at"], row["action"], reason

    def __str__(self):
        from django.utils import timezone

        moment = timezone.localtime(self.created_at).strftime("%Y-%m-%d %H:%M:%S")
        return f"row {self.id} ({moment}, {self.action}): {self.reason}"


def verify(rows):
    """Walk ``rows`` (dicts of ``HASHED``, ``id`` and ``hash``, in id order). Returns ``(count, head, break)``:
    the rows that hold, the last good hash, and the first ``Break`` or None."""
    previous, previous_id, count = GENESIS, None, 0
    for row in rows:
        if row["prev_hash"] != previous:
            if previous_id is None:
                reason = "does not follow the start of the trail: the rows before it were removed"
            else:
                reason = (
                    f"does not follow row {previous_id}: a row after row {previous_id} was removed, "
                    f"or row {previous_id} was rewritten"
                )
            return count, previous, Break(row, reason)
        if digest(row) != row["hash"]:
            return (
                count,
                previous,
                Break(row, "its content does not match its hash: it was altered after it was written"),
            )
        previous, previous_id, count = row["hash"], row["id"], count + 1
    return count, previous, None

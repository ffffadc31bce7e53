"""The public pages' throttles (the open poll link, the workers' demands, the hardship application and the public
notice's objections): how many were accepted per key in a sliding window, kept in the ``polls`` cache (the database
cache, shared by every app server, never a process's own memory).

A key holds the moments of what was accepted within the window. ``check`` refuses when a key has its fill,
``count`` adds the moment now, and ``admit`` does both at once. Keys hold a keyed hash of the client's address,
never the address itself.

Each of them takes its keys for the rest of the transaction it runs in (``transaction.atomic``; a transaction of
its own when called outside one): a second request with the same key waits until the first has committed, then
reads what the first counted. So a burst of requests sent at once is counted one by one, none lost. A door that
counts only some outcomes (a wrong receipt code, a demand that was stored) calls ``check``, does its work and calls
``count`` inside one ``transaction.atomic``.
"""

import math

from django.core.cache import caches
from django.db import connections, router, transaction

from qingdan import clock
from qingdan.errors import Refused

CACHE = "polls"  # its table is made by the surveys migration 0004, so that ``migrate`` alone prepares it
LOCK_SPACE = 7346  # PostgreSQL advisory locks (LOCK_SPACE, hash of the key); jobs.services uses 7345


class Throttled(Refused):
    """Too many just now: nothing was stored; the same may be sent again after ``retry_after`` seconds."""

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


def _database():
    return router.db_for_write(caches[CACHE].cache_model_class)


def _take(keys, using):
    """Hold ``keys`` until the transaction ends. On PostgreSQL an advisory lock per key, taken in sorted order so
    that two requests sharing keys cannot deadlock; SQLite's transactions begin IMMEDIATE (see settings) and hold
    the database's write lock already."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for key in sorted(set(keys)):
                cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LOCK_SPACE, key])


def _recent(keys, window, stamp):
    found = caches[CACHE].get_many(keys)
    return {key: sorted(t for t in found.get(key, ()) if t > stamp - window) for key in keys}


def check(limits, *, window, explain, now=None):
    """``limits``: (key, limit, reason) triples. Raise ``Throttled`` for the first key that has had ``limit`` in
    the last ``window`` seconds, worded by ``explain(reason, seconds to wait)``; returns what each key holds."""
    stamp = (now or clock.now()).timestamp()
    keys = [key for key, _limit, _reason in limits]
    using = _database()
    with transaction.atomic(using=using):
        _take(keys, using)
        recent = _recent(keys, window, stamp)
    for key, limit, reason in limits:
        if len(recent[key]) >= limit:
            wait = recent[key][-limit] + window - stamp  # until the oldest one that fills the limit drops out
            raise Throttled(explain(reason, wait), retry_after=max(1, math.ceil(wait)))
    return recent


def count(keys, *, window, now=None, recent=None):
    """Add the moment ``now`` under each key (``recent``: what ``check`` returned in this transaction, saving a
    read)."""
    stamp = (now or clock.now()).timestamp()
    using = _database()
    with transaction.atomic(using=using):
        _take(keys, using)
        recent = recent if recent is not None else _recent(keys, window, stamp)
        caches[CACHE].set_many({key: [*recent[key], stamp] for key in keys}, timeout=window)


def admit(limits, *, window, explain, now=None):
    """``check`` then ``count`` under every key of ``limits``, in one transaction."""
    now = now or clock.now()
    with transaction.atomic(using=_database()):
        recent = check(limits, window=window, explain=explain, now=now)
        count([key for key, _limit, _reason in limits], window=window, now=now, recent=recent)

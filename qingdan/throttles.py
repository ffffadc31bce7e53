"""The public pages' throttles (the open poll link, the workers' demands, the hardship application and the public
notice's objections): how many were accepted per key in a sliding window, kept in the ``polls`` cache (the database
cache, shared by every app server, never a process's own memory).

A key holds the moments of what was accepted within the window. ``check`` refuses when a key has its fill,
``count`` adds the moment now, and ``admit`` does both at once. Keys hold a keyed hash of the client's address,
never the address itself.
"""

import math

from django.core.cache import caches

from qingdan import clock
from qingdan.errors import Refused

CACHE = "polls"  # its table is made by the surveys migration 0004, so that ``migrate`` alone prepares it


class Throttled(Refused):
    """Too many just now: nothing was stored; the same may be sent again after ``retry_after`` seconds."""

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


def _recent(keys, window, stamp):
    found = caches[CACHE].get_many(keys)
    return {key: sorted(t for t in found.get(key, ()) if t > stamp - window) for key in keys}


def check(limits, *, window, explain, now=None):
    """``limits``: (key, limit, reason) triples. Raise ``Throttled`` for the first key that has had ``limit`` in
    the last ``window`` seconds, worded by ``explain(reason, seconds to wait)``; returns what each key holds."""
    stamp = (now or clock.now()).timestamp()
    recent = _recent([key for key, _limit, _reason in limits], window, stamp)
    for key, limit, reason in limits:
        if len(recent[key]) >= limit:
            wait = recent[key][-limit] + window - stamp  # until the oldest one that fills the limit drops out
            raise Throttled(explain(reason, wait), retry_after=max(1, math.ceil(wait)))
    return recent


def count(keys, *, window, now=None, recent=None):
    """Add the moment ``now`` under each key (``recent``: what ``check`` returned, saving a read)."""
    stamp = (now or clock.now()).timestamp()
    recent = recent if recent is not None else _recent(keys, window, stamp)
    caches[CACHE].set_many({key: [*recent[key], stamp] for key in keys}, timeout=window)


def admit(limits, *, window, explain, now=None):
    """``check`` then ``count`` under every key of ``limits``."""
    now = now or clock.now()
    recent = check(limits, window=window, explain=explain, now=now)
    count([key for key, _limit, _reason in limits], window=window, now=now, recent=recent)

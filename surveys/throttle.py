"""The open poll link's throttle: answers accepted per poll and client address, and per poll, in a sliding window
(``QINGDAN_POLL_WINDOW_SECONDS``, limits ``QINGDAN_POLL_ANSWERS_PER_ADDRESS`` and ``_PER_POLL``; see the
settings for why those numbers).

The counts are the moments of the answers accepted, kept in the ``polls`` cache (the database cache, shared by
every app server). ``admit`` runs under the poll's row lock, in the transaction that stores the answer: two
answers to one poll never read and write the counts at once, and with the database cache an answer that is not
stored is not counted either. Keys hold the poll's slug and the address's keyed hash, never the address.
"""

import math

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qingdan.errors import Refused

CACHE = "polls"


class Throttled(Refused):
    """Too many answers just now: nothing was stored; the same answers may be sent again after ``retry_after``
    seconds."""

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


def _wait_message(text, seconds):
    minutes = max(1, math.ceil(seconds / 60))
    retry = ngettext(
        "Your answers are still on this page: please tap “Submit” again in %(n)d minute.",
        "Your answers are still on this page: please tap “Submit” again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}
    # Two sentences: a space between them in English, none after Chinese full-width punctuation.
    return _("%(reason)s %(retry)s") % {"reason": text, "retry": retry}


def admit(*, poll, address, now):
    """Count one more answer to ``poll`` from ``address`` (a keyed hash; empty when unknown) at ``now``, or raise
    ``Throttled`` when the poll or the address has had its fill of answers in the last window. Call it under the
    poll's row lock, once the answer is about to be stored."""
    cache = caches[CACHE]
    window = settings.QINGDAN_POLL_WINDOW_SECONDS
    # (key, limit, what the worker is told) for the poll as a whole, then for this address.
    limits = [
        (
            f"poll-answers:{poll.slug}",
            settings.QINGDAN_POLL_ANSWERS_PER_POLL,
            _("Too many people are answering this poll just now, so your answer has not been sent yet."),
        )
    ]
    if address:
        limits.append(
            (
                f"poll-answers:{poll.slug}:{address}",
                settings.QINGDAN_POLL_ANSWERS_PER_ADDRESS,
                _("Too many answers came from your network just now, so yours has not been sent yet."),
            )
        )
    stamp = now.timestamp()
    found = cache.get_many([key for key, _limit, _text in limits])
    recent = {key: sorted(t for t in found.get(key, ()) if t > stamp - window) for key, _limit, _text in limits}
    for key, limit, text in limits:
        if len(recent[key]) >= limit:
            wait = recent[key][-limit] + window - stamp  # until the oldest answer that fills the limit drops out
            raise Throttled(_wait_message(text, wait), retry_after=max(1, math.ceil(wait)))
    cache.set_many({key: [*times, stamp] for key, times in recent.items()}, timeout=window)

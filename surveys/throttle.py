"""The open poll link's throttle: answers accepted per poll and client address, and per poll, in a sliding window
(``QINGDAN_POLL_WINDOW_SECONDS``, limits ``QINGDAN_POLL_ANSWERS_PER_ADDRESS`` and ``_PER_POLL``; see the
settings for why those numbers).

The counts are the moments of the answers accepted (``qingdan.throttles``, the database cache shared by every
app server). ``admit`` runs under the poll's row lock, in the transaction that stores the answer: two
answers to one poll never read and write the counts at once, and with the database cache an answer that is not
stored is not counted either. Keys hold the poll's slug and the address's keyed hash, never the address.
"""

import math

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qingdan import throttles


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
    throttles.admit(limits, window=settings.QINGDAN_POLL_WINDOW_SECONDS, explain=_wait_message, now=now)

"""The one clock of the product: every "now" and "today" is read here, in the federation's time zone
(``QINGDAN_TIME_ZONE``), and nowhere else (``qingdan/tests/test_clock.py`` keeps it so).

Two things can set it. The tests freeze the machine's clock underneath (time-machine, from
``QINGDAN_TEST_NOW``; see ``conftest.py``). The demo and a replay run a stretch of work as of a moment
with ``at()``: every service, every field default and every document number made inside reads that
moment, so a history can be written on its own days.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.utils import timezone

_moment: ContextVar[datetime | None] = ContextVar("qingdan_clock_moment", default=None)


def now() -> datetime:
    """The current moment, timezone-aware."""
    moment = _moment.get()
    return moment if moment is not None else timezone.now()


def outside_now() -> datetime:
    """The moment outside every ``at()`` block: the machine's (the tests' frozen) clock. The demo writes no step of
    its history later than this."""
    return timezone.now()


def today() -> date:
    """Today's date in the federation's time zone."""
    return timezone.localdate(now())


def local_now() -> datetime:
    """The current moment in the federation's time zone, for forms that offer a time of day."""
    return timezone.localtime(now())


@contextmanager
def at(moment: datetime):
    """Run the block as of ``moment`` (aware, or naive in the federation's time zone). Blocks nest: the
    innermost moment wins until its block ends."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    token = _moment.set(moment)
    try:
        yield moment
    finally:
        _moment.reset(token)

"""The public pages' sliding-window throttle (qingdan.throttles), shared by the poll link, the workers' demands and
the hardship archive's two public doors."""

import threading
import time
from datetime import datetime, timedelta

import pytest
from django.core.cache import caches
from django.db import connection, transaction

from qingdan import throttles
from qingdan.throttles import Throttled

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 9, 16, 10, 0).astimezone()
LIMITS = [("door:a", 2, "太多了")]


@pytest.fixture(autouse=True)
def _empty():
    caches[throttles.CACHE].clear()


def said(reason, wait):
    return f"{reason}（{round(wait)}秒后再试）"


def admit(at, limits=LIMITS):
    throttles.admit(limits, window=3600, explain=said, now=T0 + timedelta(seconds=at))


def test_the_limit_is_counted_in_a_sliding_window_and_the_refusal_says_how_long_to_wait():
    admit(0)
    admit(600)
    with pytest.raises(Throttled) as refused:
        admit(1200)
    # The oldest of the two that fill the limit drops out at 3,600 s: 2,400 s from the refused moment.
    assert (refused.value.message, refused.value.retry_after) == ("太多了（2400秒后再试）", 2400)
    admit(3601)  # the first has left the window
    with pytest.raises(Throttled):
        admit(3700)  # 600 and 3,601 are still in it


def test_a_refusal_counts_nothing_and_check_alone_counts_nothing():
    admit(0)
    throttles.check(LIMITS, window=3600, explain=said, now=T0 + timedelta(seconds=1))
    admit(2)
    for at in (3, 4, 5):
        with pytest.raises(Throttled):
            admit(at)
    assert len(caches[throttles.CACHE].get("door:a")) == 2


def test_every_key_must_have_room_and_the_first_full_one_is_named():
    two = [("door:poll", 3, "这份测评"), ("door:poll:addr", 1, "你的网络")]
    admit(0, two)
    with pytest.raises(Throttled) as refused:
        admit(1, two)
    assert refused.value.message.startswith("你的网络")
    assert len(caches[throttles.CACHE].get("door:poll")) == 1  # the poll's own count did not move either
    admit(1, [("door:poll", 3, "这份测评"), ("door:poll:other", 1, "你的网络")])
    assert len(caches[throttles.CACHE].get("door:poll")) == 2


def _in_thread(work):
    """Run ``work`` in a thread of its own (its own database connection) and return the thread, started."""

    def run():
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


SERIALISED = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's transactions begin IMMEDIATE: one writer at a time already"
)


@SERIALISED
@pytest.mark.django_db(transaction=True)
def test_a_request_with_the_same_key_waits_for_the_first_to_commit_and_reads_its_count():
    """Two answers sent at the same moment: the second is refused, not let through on a count read before the
    first was stored (what a burst of requests from one script did before the keys were taken)."""
    limits = [("door:burst", 1, "太多了")]
    first_counted, seen = threading.Event(), []

    def first():
        with transaction.atomic():  # as a door does: its own work follows the count in the same transaction
            throttles.admit(limits, window=3600, explain=said, now=T0)
            first_counted.set()
            time.sleep(0.5)  # the first request's work, while the second one arrives

    def second():
        first_counted.wait(5)
        try:
            throttles.admit(limits, window=3600, explain=said, now=T0 + timedelta(seconds=1))
            seen.append("admitted")
        except Throttled as refused:
            seen.append(refused.message)

    threads = [_in_thread(first), _in_thread(second)]
    for thread in threads:
        thread.join(20)
    assert seen == ["太多了（3599秒后再试）"]
    assert len(caches[throttles.CACHE].get("door:burst")) == 1


@SERIALISED
@pytest.mark.django_db(transaction=True)
def test_a_burst_at_once_is_counted_one_by_one_and_none_is_lost(at_once):
    limits = [("door:many", 5, "太多了")]

    def one():
        try:
            throttles.admit(limits, window=3600, explain=said, now=T0)
        except Throttled:
            return "refused"
        return "admitted"

    assert sorted(at_once(one, 12)) == ["admitted"] * 5 + ["refused"] * 7
    assert len(caches[throttles.CACHE].get("door:many")) == 5

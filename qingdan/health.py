"""``GET /healthz/`` for the proxy and the monitoring, and ``GET /livez/``: no log-in, and nothing in either answer
about a person or the federation's work.

``/livez/`` only says the process answers (a restart is what helps when it does not). ``/healthz/`` says whether
this app server can serve: each check with its status and the milliseconds it took, HTTP 200 when every check
that applies passes, 503 when one fails (a check that does not apply to this deployment is ``skipped``):

- ``database``: ``SELECT 1`` on the default database, and ``database_replica`` on ``DATABASES["replica"]`` when
  one is configured: on PostgreSQL, a standby whose WAL receiver is streaming;
- ``redis``: a ping of ``QINGDAN_REDIS_URL``;
- ``queue``: the Redis broker of ``QINGDAN_BROKER_URL`` answers, with the length of the jobs' queue
  (``CELERY_TASK_DEFAULT_QUEUE``, ``qingdan``);
- ``disk``: free space of the media root (when files are kept on this machine's disk) and of the SQLite file's
  folder, each at least ``QINGDAN_HEALTH_MIN_FREE_MB``.

Every check runs in its own thread and the answer waits at most ``QINGDAN_HEALTH_TIMEOUT_MS`` for all of them
together: a database or Redis that does not answer fails its check, it does not hang the probe. A failed check
says only the kind of error, never its message (which may hold a host name or a password of a URL).
"""

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

OK, FAIL, SKIPPED = "ok", "fail", "skipped"


class CheckFailed(Exception):
    """A check's own refusal, with a short reason that holds no personal or business data."""


def _timeout():
    return settings.QINGDAN_HEALTH_TIMEOUT_MS / 1000


def _redis_client(url):
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    seconds = _timeout() * 0.8  # its own error, rather than the probe's timeout, when Redis does not answer
    return redis.Redis.from_url(
        url,
        socket_timeout=seconds,
        socket_connect_timeout=seconds,
        retry=Retry(NoBackoff(), 0),
        retry_on_timeout=False,
        health_check_interval=0,
    )


def check_database(alias="default"):
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            row = cursor.fetchone()
    finally:
        connections[alias].close()  # the check's own connection, opened in its own thread
    if row is None or row[0] != 1:
        raise CheckFailed("unexpected answer")
    return {}


def check_replica():
    """The replica answers and, on PostgreSQL, is a standby receiving the primary's WAL: one that lost its stream
    (the primary recycled WAL it had not received yet) still answers every query, with data that no longer moves."""
    connection = connections["replica"]
    if connection.vendor != "postgresql":
        return check_database("replica")
    try:
        with connection.cursor() as cursor:
            # A role without pg_read_all_stats (the application's own) reads the receiver's pid but not its status.
            cursor.execute(
                "SELECT pg_is_in_recovery(), r.status, r.pid IS NOT NULL"
                " FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver AS r ON true"
            )
            in_recovery, status, running = cursor.fetchone()
    finally:
        connection.close()
    return standby_state(in_recovery, status or ("running" if running else None))


def standby_state(in_recovery, receiving):
    """``receiving``: the WAL receiver's status, "running" when the role may not read it, None without one."""
    if not in_recovery:
        raise CheckFailed("not a standby")
    if receiving not in ("streaming", "running"):
        raise CheckFailed("not streaming from the primary", {"wal_receiver": receiving or "none"})
    return {"wal_receiver": receiving}


def check_redis():
    client = _redis_client(settings.QINGDAN_REDIS_URL)
    try:
        if not client.ping():
            raise CheckFailed("no PONG")
    finally:
        client.close()
    return {}


def check_queue():
    """The broker (Redis: the settings refuse any other) answers, with the length of the jobs' queue."""
    client = _redis_client(settings.QINGDAN_BROKER_URL)
    try:
        return {"queue_length": int(client.llen(_queue_name()))}
    finally:
        client.close()


def _queue_name():
    return settings.CELERY_TASK_DEFAULT_QUEUE


def queue_length():
    """The number of tasks waiting in the Redis broker's default queue, or None without a Redis broker or when it
    does not answer (for the metrics page)."""
    if not settings.QINGDAN_BROKER_URL:
        return None
    client = _redis_client(settings.QINGDAN_BROKER_URL)
    try:
        return int(client.llen(_queue_name()))
    except Exception:
        return None
    finally:
        client.close()


def disk_paths():
    """The folders whose disk must keep free space: the media root when files are kept on this machine, and the
    SQLite database's folder."""
    paths = {}
    if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
        paths["media"] = Path(settings.MEDIA_ROOT)
    database = settings.DATABASES["default"]
    name = str(database.get("NAME") or "")
    if database["ENGINE"].endswith("sqlite3") and name and ":memory:" not in name and not name.startswith("file:"):
        paths["database"] = Path(name).parent
    return paths


def _existing(path):
    """The path or its nearest existing parent: the media root may not be made before the first upload."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk():
    minimum = settings.QINGDAN_HEALTH_MIN_FREE_MB
    free = {label: shutil.disk_usage(_existing(path)).free // (1024 * 1024) for label, path in disk_paths().items()}
    low = sorted(label for label, megabytes in free.items() if megabytes < minimum)
    detail = {"free_mb": free, "min_free_mb": minimum}
    if low:
        raise CheckFailed("low free space: " + ", ".join(low), detail)
    return detail


def checks():
    """The checks that apply to this deployment, by name (a check that does not apply is None)."""
    found = {"database": check_database}
    if "replica" in settings.DATABASES:
        found["database_replica"] = check_replica
    found["redis"] = check_redis if settings.QINGDAN_REDIS_URL else None
    found["queue"] = check_queue if settings.QINGDAN_BROKER_URL else None
    found["disk"] = check_disk
    return found


def _timed(check):
    started = time.perf_counter()
    try:
        result = {"status": OK, **check()}
    except CheckFailed as failure:
        result = {"status": FAIL, "error": failure.args[0]}
        if len(failure.args) > 1:
            result.update(failure.args[1])
    except Exception as error:  # any failure fails the check; only the error's kind is shown
        result = {"status": FAIL, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def run_checks():
    """Every check's result by name, all run at once and waited for at most ``QINGDAN_HEALTH_TIMEOUT_MS``."""
    applicable = checks()
    results = {name: {"status": SKIPPED} for name, check in applicable.items() if check is None}
    running = {name: check for name, check in applicable.items() if check is not None}
    pool = ThreadPoolExecutor(max_workers=len(running), thread_name_prefix="healthz")
    started = time.perf_counter()
    futures = {name: pool.submit(_timed, check) for name, check in running.items()}
    deadline = started + _timeout()
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(0, deadline - time.perf_counter()))
        except FutureTimeout:
            results[name] = {"status": FAIL, "error": "timeout", "ms": round((time.perf_counter() - started) * 1000, 1)}
    pool.shutdown(wait=False, cancel_futures=True)  # a check still hanging finishes (or times out) on its own
    return {name: results[name] for name in applicable}


@require_safe
def healthz(request):
    from qingdan.telemetry import may_read_metrics  # telemetry reads this module's queue length

    results = run_checks()
    healthy = all(result["status"] != FAIL for result in results.values())
    body = {"status": OK if healthy else FAIL}
    if may_read_metrics(request):  # the checks (what is configured, free space) only for the monitoring
        body["checks"] = results
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def livez(request):
    response = HttpResponse("ok\n", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response

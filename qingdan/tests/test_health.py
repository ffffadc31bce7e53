"""``/livez/`` and ``/healthz/``: what the proxy and the monitoring read, with no log-in and no business data; a
failing check is named in a 503, and one that hangs fails rather than hanging the probe."""

import json
import threading
from types import SimpleNamespace

import pytest
import redis
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, override_settings

from qingdan import health

# Nothing listens here (a port of the range this work may use): Redis refuses the connection at once.
CLOSED = "redis://127.0.0.1:8639/3"
LIVE = "redis://127.0.0.1:6379/3"  # the test Redis database of this work


def live_redis():
    try:
        redis.Redis.from_url(LIVE, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return redis.Redis.from_url(LIVE)


def probe(client=None):
    response = (client or Client()).get("/healthz/")
    return response.status_code, json.loads(response.content)


class FakeRedis:
    """A Redis that answers, for the checks' own logic (a live one is used where there is one)."""

    def __init__(self, waiting=0):
        self.waiting = waiting
        self.asked = []

    def ping(self):
        return True

    def llen(self, name):
        self.asked.append(name)
        return self.waiting

    def close(self):
        pass


def test_livez_answers_without_log_in_and_says_only_that_the_process_answers(db):
    response = Client().get("/livez/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


@override_settings(QINGDAN_REDIS_URL="", QINGDAN_BROKER_URL="")
def test_healthz_is_200_with_each_check_and_its_time_and_skips_what_is_not_configured(db):
    status, body = probe()
    assert status == 200
    assert body["status"] == "ok"
    checks = body["checks"]
    assert set(checks) == {"database", "redis", "queue", "disk"}
    assert checks["database"]["status"] == "ok" and checks["database"]["ms"] >= 0
    assert checks["disk"]["status"] == "ok" and set(checks["disk"]["free_mb"]) >= {"media"}
    assert checks["redis"] == {"status": "skipped"}
    assert checks["queue"] == {"status": "skipped"}


def test_healthz_holds_no_personal_or_business_data_even_for_a_signed_in_user(office, client_for):
    client = client_for(office)
    response = client.get("/healthz/")
    text = response.content.decode()
    assert response.status_code == 200
    for secret in (office.username, str(office), office.org_unit.name):
        assert secret not in text
    assert "Set-Cookie" not in response.headers or "sessionid" not in response.headers["Set-Cookie"]


def test_a_visitor_outside_the_monitoring_reads_only_whether_the_site_is_up(db, settings):
    settings.QINGDAN_REDIS_URL = "redis://127.0.0.1:8639/0"  # a failing check: the status still says so
    response = Client(REMOTE_ADDR="10.9.9.9").get("/healthz/")
    assert response.status_code == 503 and json.loads(response.content) == {"status": "fail"}
    status, body = probe()  # from the monitoring's own address: every check
    assert status == 503 and body["checks"]["redis"]["status"] == "fail"


def test_the_separated_duties_may_open_the_monitoring_endpoints(auditor, client_for):
    client = client_for(auditor)
    assert client.get("/healthz/").status_code == 200
    assert client.get("/livez/").status_code == 200
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1


def test_healthz_refuses_a_post(db):
    assert Client().post("/healthz/").status_code == 405


@override_settings(QINGDAN_REDIS_URL=CLOSED, QINGDAN_BROKER_URL="")
def test_a_redis_that_refuses_the_connection_makes_a_503_naming_the_redis_check(db):
    status, body = probe()
    assert status == 503
    assert body["status"] == "fail"
    assert body["checks"]["redis"]["status"] == "fail"
    assert body["checks"]["redis"]["error"] == "ConnectionError"
    assert "8639" not in json.dumps(body)  # the error's message (host, port, a URL's password) is not shown
    assert body["checks"]["database"]["status"] == "ok"


@override_settings(QINGDAN_REDIS_URL=LIVE, QINGDAN_BROKER_URL="")
def test_a_redis_that_answers_passes(db):
    live_redis()
    status, body = probe()
    assert status == 200
    assert body["checks"]["redis"]["status"] == "ok"


@override_settings(QINGDAN_REDIS_URL="", QINGDAN_BROKER_URL="redis://broker.invalid:6379/0")
def test_the_queue_check_reads_the_length_of_the_jobs_queue(db, monkeypatch):
    fake = FakeRedis(waiting=7)
    monkeypatch.setattr(health, "_redis_client", lambda url: fake)
    status, body = probe()
    assert status == 200
    assert body["checks"]["queue"]["status"] == "ok"
    assert body["checks"]["queue"]["queue_length"] == 7
    assert fake.asked == [settings.CELERY_TASK_DEFAULT_QUEUE] == ["qingdan"]


@override_settings(QINGDAN_REDIS_URL="", QINGDAN_BROKER_URL=LIVE)
def test_the_queue_length_is_read_from_a_live_redis_broker(db):
    server, queue = live_redis(), settings.CELERY_TASK_DEFAULT_QUEUE
    server.delete(queue)
    server.rpush(queue, "a", "b", "c")
    try:
        status, body = probe()
    finally:
        server.delete(queue)
    assert status == 200
    assert body["checks"]["queue"] == {"status": "ok", "queue_length": 3, "ms": body["checks"]["queue"]["ms"]}


@override_settings(QINGDAN_REDIS_URL="", QINGDAN_BROKER_URL=CLOSED)
def test_a_broker_that_does_not_answer_makes_a_503_naming_the_queue_check(db):
    status, body = probe()
    assert status == 503
    assert body["checks"]["queue"]["status"] == "fail"
    assert body["checks"]["redis"]["status"] == "skipped"


@override_settings(QINGDAN_HEALTH_MIN_FREE_MB=10**12)
def test_a_disk_threshold_above_the_free_space_makes_a_503_naming_the_disk_check(db):
    status, body = probe()
    assert status == 503
    disk = body["checks"]["disk"]
    assert disk["status"] == "fail"
    assert disk["error"].startswith("low free space: ") and "media" in disk["error"]
    assert disk["min_free_mb"] == 10**12


def test_the_sqlite_files_folder_is_watched_and_the_media_root_only_on_this_disk(monkeypatch, tmp_path):
    def paths(engine, name, storage="django.core.files.storage.FileSystemStorage"):
        databases = {"default": {"ENGINE": f"django.db.backends.{engine}", "NAME": name}}
        fake = SimpleNamespace(DATABASES=databases, STORAGES={"default": {"BACKEND": storage}}, MEDIA_ROOT=tmp_path)
        monkeypatch.setattr(health, "settings", fake)
        return health.disk_paths()

    assert paths("sqlite3", str(tmp_path / "db" / "q.sqlite3")) == {"media": tmp_path, "database": tmp_path / "db"}
    assert paths("postgresql", "qingdan") == {"media": tmp_path}
    assert paths("postgresql", "qingdan", storage="storages.backends.s3.S3Storage") == {}


@pytest.fixture
def replica(monkeypatch, settings):
    """``replica(name)``: a replica database configured at ``name`` (a SQLite file, whatever the default is);
    ``replica(None)``: the test's own database, the primary, configured as the replica."""

    def configure(name):
        if name is None:
            own = {**connections["default"].settings_dict}
            database = {**own, "TEST": {**own.get("TEST", {}), "NAME": own["NAME"]}}
        else:
            database = {"ENGINE": "django.db.backends.sqlite3", "NAME": name, "TEST": {"NAME": name}}
        config = connections.configure_settings({"default": dict(database), "replica": dict(database)})["replica"]
        monkeypatch.setitem(settings.DATABASES, "replica", config)
        monkeypatch.setitem(connections.settings, "replica", config)
        # Django's test case forbids connecting to an alias it did not set up; the replica here is a plain file of
        # this test's own, reached through the original method the test case wraps.
        guarded = BaseDatabaseWrapper.ensure_connection
        cells = [cell.cell_contents for cell in guarded.__closure__ or ()]
        real = next(f for f in cells if getattr(f, "__qualname__", "") == "BaseDatabaseWrapper.ensure_connection")

        def ensure_connection(self, *args, **kwargs):
            return (real if self.alias == "replica" else guarded)(self, *args, **kwargs)

        monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", ensure_connection)

    return configure


def test_a_replica_that_answers_passes(db, replica, tmp_path):
    replica(str(tmp_path / "replica.sqlite3"))
    status, body = probe()
    assert status == 200, body
    assert body["checks"]["database_replica"]["status"] == "ok"


def test_a_replica_that_cannot_be_reached_makes_a_503_naming_it(db, replica, tmp_path):
    replica(str(tmp_path / "no-such-folder" / "replica.sqlite3"))
    status, body = probe()
    assert status == 503
    assert body["checks"]["database_replica"] == {
        "status": "fail",
        "error": "OperationalError",
        "ms": body["checks"]["database_replica"]["ms"],
    }
    assert body["checks"]["database"]["status"] == "ok"


def test_a_postgresql_replica_that_is_not_a_standby_makes_a_503(db, replica):
    if connections["default"].vendor != "postgresql":
        pytest.skip("a standby's state is PostgreSQL's")
    replica(None)  # the primary itself: it answers every query, but no WAL ever reaches it
    status, body = probe()
    assert status == 503
    assert body["checks"]["database_replica"]["status"] == "fail"
    assert body["checks"]["database_replica"]["error"] == "not a standby"


@pytest.mark.parametrize(
    ("in_recovery", "receiving", "error"),
    [
        (True, "streaming", None),
        (True, "running", None),  # a receiver runs; the application's role may not read its status
        (True, None, "not streaming from the primary"),  # the stream was lost: the data no longer moves
        (True, "waiting", "not streaming from the primary"),
        (False, None, "not a standby"),  # promoted, or the URL names the primary
    ],
)
def test_a_standby_passes_only_while_it_streams_from_the_primary(in_recovery, receiving, error):
    if error is None:
        assert health.standby_state(in_recovery, receiving) == {"wal_receiver": receiving}
    else:
        with pytest.raises(health.CheckFailed) as refused:
            health.standby_state(in_recovery, receiving)
        assert refused.value.args[0] == error


@override_settings(QINGDAN_HEALTH_TIMEOUT_MS=100)
def test_a_check_that_hangs_fails_as_a_timeout_and_the_probe_still_answers(db, monkeypatch):
    released = threading.Event()
    monkeypatch.setattr(health, "check_disk", lambda: released.wait(30))
    try:
        status, body = probe()
    finally:
        released.set()
    assert status == 503
    assert body["checks"]["disk"]["status"] == "fail"
    assert body["checks"]["disk"]["error"] == "timeout"
    assert body["checks"]["database"]["status"] == "ok"

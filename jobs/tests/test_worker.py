"""A real Celery worker, started as its own process against Redis (database 1) and the test database, takes a
job from the queue and runs it to success; the job's row says so."""

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from jobs import services
from jobs.models import Job, JobStatus

REDIS_URL = "redis://127.0.0.1:6379/1"
ROOT = Path(__file__).resolve().parents[2]
WAIT_STEPS = 600  # × 0.1 s: the worker has a minute to start and run the job


def _redis_reachable():
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        return False


def _database_for_the_worker(tmp_path):
    """The worker's QINGDAN_DATABASE_URL and a way to read a job's status from it. PostgreSQL: the test database
    itself. SQLite's test database lives in this process's memory: a copy in a file, made after the job's row is
    written."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        url = f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        return url, None, lambda pk: Job.objects.get(pk=pk).status
    path = tmp_path / "worker.sqlite3"

    def copy():
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()

    def status(pk):
        with sqlite3.connect(path) as db:
            return db.execute("SELECT status FROM jobs_job WHERE id = ?", [pk]).fetchone()[0]

    return f"sqlite:///{path}", copy, status


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_the_job_from_redis_and_runs_it(office, tmp_path, settings):
    if not _redis_reachable():
        pytest.skip(f"Redis is unreachable at {REDIS_URL}: this test needs a real broker")
    import redis

    queue = f"qingdan-test-{uuid.uuid4().hex[:8]}"
    settings.QINGDAN_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE = REDIS_URL, queue
    url, copy, status = _database_for_the_worker(tmp_path)
    job = Job.objects.create(kind="test.count", key="worker", owner=office, label="数到五", params={"total": 5})
    if copy:
        copy()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qingdan.test_settings",
        "QINGDAN_DATABASE_URL": url,
        "QINGDAN_BROKER_URL": REDIS_URL,
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "celery", "-A", "qingdan", "worker", "--pool=solo", "-Q", queue, "-I",
         "jobs.tests.kinds", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        services.send(job.pk)
        for _step in range(WAIT_STEPS):
            if status(job.pk) in (JobStatus.SUCCEEDED, JobStatus.FAILED) or worker.poll() is not None:
                break
            time.sleep(0.1)
        seen = status(job.pk)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
        broker = redis.Redis.from_url(REDIS_URL)
        broker.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    assert seen == JobStatus.SUCCEEDED, (tmp_path / "worker.log").read_text()[-3000:]
    if copy is None:  # PostgreSQL: the same rows
        job.refresh_from_db()
        assert (job.done, job.total, job.attempts, job.result["counts"]) == (5, 5, 1, {"数过": 5})

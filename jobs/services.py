"""Starting a background job: the one entry point every area uses (``start``), and the runner that a worker, or
the request itself when no broker is configured, calls to do it (``run``)."""

import contextlib
import logging
import time
import uuid

from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.utils.translation import gettext as _

from audit.services import acting_from
from jobs import registry
from jobs.models import FINISHED, Job, JobStatus
from qingdan import clock
from qingdan.boundary import client_address
from qingdan.errors import Conflict, Refused
from qingdan.files import save_new

log = logging.getLogger("qingdan.jobs")

PROGRESS_SECONDS = 1.0  # a running job writes its progress at most this often
LOCK_SPACE = 7345  # PostgreSQL advisory locks (LOCK_SPACE, job id): one worker runs a job at a time


def new_key():
    """A key for a request that has none of its own: every call makes a new job."""
    return uuid.uuid4().hex


def start(*, kind, owner=None, params=None, key=None, label=None, request=None):
    """Make the job ``kind`` with ``params`` for ``owner`` (None for a scheduled run) and have it run, or return
    the job already made for the same ``kind`` and ``key`` (a double click, a retry, two schedulers): one job.

    A job made before that failed is queued again (its ``attempts`` count on); one queued, running or done is
    returned as it is. With ``QINGDAN_BROKER_URL`` set the job is sent to a worker when the transaction commits;
    without it the job runs here and now, and is finished when this returns."""
    entry = registry.get(kind)
    if entry is None:
        raise ValueError(f"no job kind {kind!r}")
    key = str(key or new_key())[:120]
    label = str(label or entry.label)[:200]
    job = Job.objects.filter(kind=kind, key=key).first()
    if job is None:
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    key=key,
                    owner=owner,
                    label=label,
                    params=params or {},
                    status=JobStatus.QUEUED,
                    client_ip=client_address(request),
                )
        except IntegrityError:  # the same request at the same moment made it first
            job = Job.objects.get(kind=kind, key=key)
            return job
    elif job.status == JobStatus.FAILED:
        updated = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
            status=JobStatus.QUEUED, message="", done=0, total=0, finished_at=None
        )
        job.refresh_from_db()
        if not updated:
            return job
    else:
        return job
    _dispatch(job)
    job.refresh_from_db()
    return job


def _dispatch(job):
    if settings.QINGDAN_BROKER_URL:
        transaction.on_commit(lambda: send(job.pk))
    else:
        run(job.pk)


def send(job_id):
    """Send the job to a worker through the broker of ``QINGDAN_BROKER_URL``.

    When the broker cannot be reached the job fails at once with a message saying so, rather than waiting as
    queued for a message that was never sent: starting it again with its key queues it again."""
    from jobs.tasks import run_job

    try:
        with run_job.app.connection_for_write(settings.QINGDAN_BROKER_URL) as broker:
            run_job.apply_async(args=[job_id], queue=settings.CELERY_TASK_DEFAULT_QUEUE, connection=broker)
    except Exception:
        log.exception("job %s could not be sent to the broker", job_id)
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED,
            finished_at=clock.now(),
            result={"error": "broker"},
            message=_(
                "The job queue cannot be reached at the moment, so the job was not started and nothing was "
                "changed. Please try again in a few minutes."
            ),
        )


class _Progress:
    """``progress(done, total)`` for a job: kept in memory, written to the job's row at most once a second.

    In a worker the job's own transaction is still open while it runs, so the row is written on a second
    connection of its own that commits at once, for the page's bar to see (on PostgreSQL; SQLite allows one
    writer, so there the figures are written when the job ends). In a request nobody watches the bar: the
    figures are written at the end too."""

    def __init__(self, job, side_connection):
        self.job, self.side = job, side_connection
        self.done = self.total = 0
        self._last = 0.0

    def __call__(self, done, total):
        self.done, self.total = int(done), int(total)
        now = time.monotonic()
        if self.side is None or (done < total and now - self._last < PROGRESS_SECONDS):
            return
        self._last = now
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET done = %s, total = %s WHERE id = %s AND status = %s",  # noqa: S608
                [self.done, self.total, self.job.pk, JobStatus.RUNNING],
            )


def _claim(job_id):
    """Re-check the job under its row lock and mark it running; None when there is nothing to run (gone, or
    finished already: a redelivered or duplicate message never runs a finished job twice)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in FINISHED:
            return None
        job.status, job.started_at, job.finished_at = JobStatus.RUNNING, clock.now(), None
        job.attempts += 1
        job.done = job.total = 0
        job.message = ""
        job.save(update_fields=["status", "started_at", "finished_at", "attempts", "done", "total", "message"])
    return job


def _advisory_lock(job_id):
    """On PostgreSQL: hold a session lock on the job while it runs, so a second message for it (sent twice, or
    redelivered while the first worker still lives) is dropped, while one redelivered after its worker died (the
    lock went with the connection) starts it over. True when this process holds it."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, job_id])
        return cursor.fetchone()[0]


def _advisory_unlock(job_id):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, job_id])


def failure_message(error, atomic=True):
    """What the job's owner reads when it failed: the refusal's own words, or a plain sentence (the traceback
    goes to the log only). A kind that commits as it goes (the scans) may have done part of its work."""
    if isinstance(error, Refused | Conflict):
        return str(error.message)[:500]
    if not atomic:
        return _(
            "The job stopped part-way because of an error; what it had finished is kept. Running it again is safe: "
            "it picks up what is left."
        )
    if type(error).__name__ == "SoftTimeLimitExceeded":
        return _("The job took too long and was stopped; nothing was changed. Please try again later.")
    return _("The job failed because of an error; nothing was changed. Please try again, or tell the administrator.")


def run(job_id, *, in_worker=False):
    """Run the job ``job_id`` once: mark it running, call its kind with a ``progress(done, total)`` callback and
    record success (with the result) or failure (with a message for its owner). Returns the job, or None when
    there was nothing to run."""
    if not _advisory_lock(job_id):
        log.info("job %s is being run by another worker; this message is dropped", job_id)
        return None
    side = None
    try:
        job = _claim(job_id)
        if job is None:
            return None
        entry = registry.get(job.kind)
        if in_worker and connection.vendor == "postgresql":
            side = connections.create_connection("default")
        progress = _Progress(job, side)
        try:
            if entry is None:
                raise LookupError(f"no job kind {job.kind!r} is installed")
            with transaction.atomic() if entry.atomic else contextlib.nullcontext(), acting_from(job.client_ip):
                result = entry.run(job, progress) or {}
                _finish(job, JobStatus.SUCCEEDED, progress, result=result)
        except Exception as error:
            log.exception("job %s (%s) failed", job.pk, job.kind)
            kind = "conflict" if isinstance(error, Conflict) else "refused" if isinstance(error, Refused) else "error"
            _finish(
                job,
                JobStatus.FAILED,
                progress,
                result={"error": kind},
                message=failure_message(error, entry is None or entry.atomic),
            )
        return job
    finally:
        if side is not None:
            side.close()
        _advisory_unlock(job_id)


def _finish(job, status, progress, *, result=None, message=""):
    job.status, job.finished_at = status, clock.now()
    job.done, job.total = progress.done, progress.total
    if status == JobStatus.SUCCEEDED:
        job.done = job.total = max(job.total, job.done, 1)
    job.result = result or {}
    job.message = str(message)[:500]
    job.save(update_fields=["status", "finished_at", "done", "total", "result", "message"])


def period_key(every):
    """The key of a scheduled run: one job of a kind per day (``day``) or per ISO week (``week``)."""
    moment = clock.local_now()
    if every == "week":
        year, week, _day = moment.isocalendar()
        return f"week:{year}-W{week:02d}"
    return f"day:{moment:%Y-%m-%d}"


def keep_file(job, content, name):
    """Keep ``content`` (bytes) as the job's file to download under ``name``; returns the result's fields."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    stored = save_new(default_storage, f"job-results/{job.pk}-{uuid.uuid4().hex}.bin", ContentFile(content))
    return {"file": stored, "file_name": name}

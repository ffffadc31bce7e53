"""The job's life: queued → running → succeeded or failed, one job per kind and key, never run twice once
finished, and a redelivered job that a dead worker left running starts over."""

import logging

import pytest
from django.db import transaction

from jobs import services, tasks
from jobs.models import Job, JobStatus
from jobs.tests import kinds
from qingdan import clock

pytestmark = pytest.mark.django_db


def test_without_a_broker_a_job_runs_at_once_and_records_its_success(office):
    job = services.start(kind="test.count", owner=office, params={"total": 4}, label="数到四")
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total, job.percent, job.attempts) == (4, 4, 100, 1)
    assert job.result["counts"] == {"数过": 4} and job.result["seen"] == JobStatus.RUNNING  # running while it ran
    assert job.created_at == job.started_at == job.finished_at == clock.now()
    assert (job.owner, job.label, job.message) == (office, "数到四", "")


def test_with_a_broker_the_job_is_queued_and_sent_when_the_transaction_commits(
    office, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.QINGDAN_BROKER_URL = "redis://127.0.0.1:6379/1"
    sent = []
    monkeypatch.setattr(tasks.run_job, "apply_async", lambda args, queue, **kw: sent.append((args, queue)))
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        job = services.start(kind="test.count", owner=office)
        assert sent == []  # nothing leaves before the commit
    assert len(callbacks) == 1 and sent == [([job.pk], "qingdan")]
    job.refresh_from_db()
    assert (job.status, job.percent, job.started_at) == (JobStatus.QUEUED, 0, None) and kinds.ran == []
    # the worker's side: the task runs it
    tasks.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and kinds.ran == [job.pk]


def test_a_job_the_broker_cannot_take_fails_with_a_message_and_runs_when_started_again(
    office, settings, django_capture_on_commit_callbacks
):
    settings.QINGDAN_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens there: the queue is down
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start(kind="test.count", owner=office, key="export-1")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and kinds.ran == []
    assert "任务队列暂时无法连接" in job.message  # what the owner reads on the job's page, instead of 排队中 for ever
    settings.QINGDAN_BROKER_URL = ""  # the queue is back (here: run in the request)
    again = services.start(kind="test.count", owner=office, key="export-1")
    assert again.pk == job.pk and again.status == JobStatus.SUCCEEDED and kinds.ran == [job.pk]


def test_the_same_key_twice_makes_one_job_and_runs_it_once(office):
    first = services.start(kind="test.count", owner=office, key="form-7")
    second = services.start(kind="test.count", owner=office, key="form-7")
    assert first.pk == second.pk and Job.objects.count() == 1 and kinds.ran == [first.pk]
    # the same key under another kind is another job
    assert services.start(kind="test.file", owner=office, key="form-7").pk != first.pk


def test_a_failing_job_records_a_clear_message_and_leaves_nothing_half_written(office, caplog):
    with caplog.at_level(logging.ERROR, logger="qingdan.jobs"):
        job = services.start(kind="test.crash", owner=office)
    assert job.status == JobStatus.FAILED and job.finished_at == clock.now()
    assert job.message == "任务出错，未作任何更改。请重试，或告知系统管理员。"
    assert "hunter2" not in job.message and job.result == {"error": "error"}
    assert "hunter2" in caplog.text and "ZeroDivisionError" in caplog.text  # the traceback is in the log only
    assert not Job.objects.filter(kind="test.half-written").exists()  # its writes were undone


def test_a_refusal_is_the_failure_message_the_owner_reads(office):
    job = services.start(kind="test.refuse", owner=office)
    assert (job.status, job.message, job.result) == (
        JobStatus.FAILED,
        "考核轮次已发布，请填写更正理由。",
        {"error": "refused"},
    )


def test_a_failed_job_started_again_with_its_key_runs_again(office):
    job = services.start(kind="test.crash", owner=office, key="retry-me")
    assert job.status == JobStatus.FAILED
    Job.objects.filter(pk=job.pk).update(kind="test.count")
    again = services.start(kind="test.count", owner=office, key="retry-me")
    assert again.pk == job.pk and again.status == JobStatus.SUCCEEDED and again.attempts == 2 and again.message == ""


def test_a_finished_job_is_never_run_twice(office):
    job = services.start(kind="test.count", owner=office)
    kinds.ran.clear()
    assert services.run(job.pk) is None  # a duplicate or redelivered message
    tasks.run_job(job.pk)
    assert kinds.ran == []
    assert services.run(999_999) is None  # a message for a job that is gone is dropped


def test_a_job_left_running_by_a_dead_worker_starts_over_when_redelivered(office):
    job = Job.objects.create(kind="test.count", key="k", owner=office, label="x", status=JobStatus.RUNNING, attempts=1)
    Job.objects.filter(pk=job.pk).update(done=2, total=3)
    services.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.done, job.total) == (JobStatus.SUCCEEDED, 2, 3, 3)


def test_scheduled_runs_make_one_job_per_day_or_week(frozen_clock):
    tasks.start_scheduled("test.count", "day")
    tasks.start_scheduled("test.count", "day")  # two schedulers, or beat firing twice
    assert Job.objects.filter(kind="test.count").count() == 1
    job = Job.objects.get(kind="test.count")
    assert job.owner is None and job.key == f"day:{clock.today():%Y-%m-%d}"
    tasks.start_scheduled("test.count", "week")
    assert Job.objects.filter(kind="test.count").count() == 2


def test_an_unknown_kind_is_refused_at_start(office):
    with pytest.raises(ValueError, match="no job kind"):
        services.start(kind="nope", owner=office)


def test_the_beat_schedule_names_installed_kinds_in_china_time(settings):
    from jobs import registry

    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] == "jobs.scheduled" and registry.get(entry["args"][0]) is not None, entry
    assert {e["args"][0] for e in settings.CELERY_BEAT_SCHEDULE.values()} == {
        "checklists.scan_deadlines",
        "cases.scan_demands",
        "cases.scan_disputes",
        "cases.scan_letters",
        "assistance.scan_publicity",
        "assistance.scan_care",
        "overview.send_digest",
    }


def test_a_scan_that_fails_part_way_says_its_finished_part_is_kept():
    assert "已完成的部分予以保留" in services.failure_message(ZeroDivisionError(), atomic=False)
    assert "未作任何更改" in services.failure_message(ZeroDivisionError(), atomic=True)

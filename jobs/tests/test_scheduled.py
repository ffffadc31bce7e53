"""Every kind celery beat starts runs as a job on an empty database and says what it did, in Chinese."""

import pytest
from django.conf import settings

from jobs import services, tasks
from jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db

SCHEDULED = sorted({entry["args"][0] for entry in settings.CELERY_BEAT_SCHEDULE.values()})


@pytest.mark.parametrize("kind", SCHEDULED)
def test_each_scheduled_kind_runs_as_a_job_and_counts_what_it_did(kind, office):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["args"][0] == kind)
    tasks.start_scheduled(*entry["args"])
    job = Job.objects.get(kind=kind)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.owner is None and job.result["counts"]
    assert all(isinstance(n, int) for n in job.result["counts"].values())
    assert all(any("\u4e00" <= c <= "\u9fff" for c in label) for label in job.result["counts"])
    assert services.start(kind=kind, key=job.key).pk == job.pk  # started again for the same period: the same job

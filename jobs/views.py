"""My background jobs: the list, one job with its progress bar (polled with htmx until it is done), its file."""

import mimetypes

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import render

from jobs.models import JobStatus
from jobs.queries import get_own_job, own_jobs
from qingdan.pages import download_response, paginate

STATUS_BADGES = {
    JobStatus.QUEUED: "text-bg-secondary",
    JobStatus.RUNNING: "text-bg-primary",
    JobStatus.SUCCEEDED: "text-bg-success",
    JobStatus.FAILED: "text-bg-danger",
}


def _shown(job):
    job.badge = STATUS_BADGES[job.status]
    job.counts = list(job.result.get("counts", {}).items())
    return job


@login_required
def job_list(request):
    page = paginate(request, own_jobs(request.user))
    for job in page:
        _shown(job)
    return render(request, "jobs/job_list.html", {"page": page})


@login_required
def job_detail(request, pk):
    return render(request, "jobs/job_detail.html", {"job": _shown(get_own_job(request.user, pk))})


@login_required
def job_progress(request, pk):
    """The bar and, once the job is done, its outcome: the fragment the job's page polls every second."""
    return render(request, "jobs/job_progress.html", {"job": _shown(get_own_job(request.user, pk))})


@login_required
def job_file(request, pk):
    job = get_own_job(request.user, pk)
    stored = job.result.get("file") if job.status == JobStatus.SUCCEEDED else None
    if not stored or not default_storage.exists(stored):
        raise Http404
    name = job.result.get("file_name") or "download"
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    with default_storage.open(stored, "rb") as kept:
        return download_response(kept.read(), name, content_type)

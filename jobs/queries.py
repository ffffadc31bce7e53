"""Read paths: a user sees only the jobs they started."""

from django.shortcuts import get_object_or_404

from jobs.models import Job


def own_jobs(user):
    return Job.objects.filter(owner=user) if user.is_authenticated else Job.objects.none()


def get_own_job(user, pk):
    """The job ``pk`` if ``user`` started it; 404 otherwise (another user's job, a scheduled run)."""
    return get_object_or_404(own_jobs(user), pk=pk)

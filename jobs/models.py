"""A background job: one run of a registered kind of long work (``jobs.registry``), its progress and outcome."""

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy

from qingdan import clock


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job", "Queued")
    RUNNING = "running", pgettext_lazy("job", "Running")
    SUCCEEDED = "succeeded", pgettext_lazy("job", "Succeeded")
    FAILED = "failed", pgettext_lazy("job", "Failed")


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Job(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
        help_text="nobody for a scheduled run",
    )
    kind = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=120, help_text="the same request twice (same kind and key) makes one job")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    client_ip = models.GenericIPAddressField(
        null=True, blank=True, help_text="where the request that started it came from, for its audit events"
    )
    created_at = models.DateTimeField(default=clock.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="jobs_one_job_per_kind_and_key")]
        indexes = [models.Index(fields=["owner", "-created_at"], name="jobs_owner_newest")]

    def __str__(self):
        return f"{self.label} ({self.get_status_display()})"

    @property
    def finished(self):
        return self.status in FINISHED

    @property
    def percent(self):
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

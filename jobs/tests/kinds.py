"""Job kinds for the tests only (registered under the ``jobs`` app itself)."""

from django.utils.translation import gettext_lazy as _

from jobs.models import Job
from jobs.registry import job
from qingdan.errors import Refused

ran = []


@job("test.count", _("Background jobs"))
def count(job, progress):
    ran.append(job.pk)
    total = job.params.get("total", 3)
    for done in range(1, total + 1):
        progress(done, total)
    return {"counts": {"数过": total}, "url": "/", "url_label": "返回工作台", "seen": Job.objects.get(pk=job.pk).status}


@job("test.crash", _("Background jobs"))
def crash(job, progress):
    ran.append(job.pk)
    Job.objects.create(kind="test.half-written", key=f"left-by-{job.pk}", label="x")
    progress(1, 2)
    raise ZeroDivisionError("secret internals: password=hunter2")


@job("test.refuse", _("Background jobs"))
def refuse(job, progress):
    raise Refused("考核轮次已发布，请填写更正理由。")


@job("test.file", _("Background jobs"))
def make_file(job, progress):
    from jobs.services import keep_file

    return keep_file(job, "清单,事项\n".encode(), "清单事项.csv")

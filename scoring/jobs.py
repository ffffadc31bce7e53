"""The assessment's background jobs: computing a round's scores from the records (3,000 units take a while)."""

import hashlib

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs import services as jobs
from jobs.registry import job
from scoring import workflow
from scoring.models import Round


@job("scoring.compute", gettext_lazy("Compute the assessment scores"))
def compute(job, progress):
    """``params``: ``round`` (id) and ``reason`` (needed after publication). The owner computes, with the rights
    they have when the job runs."""
    round = Round.objects.get(pk=job.params["round"])
    changed = workflow.compute(round=round, actor=job.owner, reason=job.params.get("reason", ""), progress=progress)
    return {
        "changed": changed,
        "counts": {_("Scores changed"): changed, _("Units assessed"): round.results.count()},
        "url": reverse("scoring:round", args=[round.pk]),
        "url_label": _("Back to the round"),
    }


def compute_key(round, reason):
    """The same compute asked twice before the first one ends (a double click, a retried request) is one job;
    once a compute has finished, the round's new computed time (or a step that moved its version) makes the next
    one a new job."""
    computed = round.computed_at.isoformat() if round.computed_at else "never"
    digest = hashlib.sha256(reason.encode()).hexdigest()[:16]
    return f"round:{round.pk}:v{round.version}:{round.status}:{computed}:{digest}"


def start_compute(round, *, user, request, reason):
    """Start (or find, asked twice) the compute of ``round`` as ``user``: the page's and the API's one way in."""
    return jobs.start(
        kind="scoring.compute",
        owner=user,
        request=request,
        params={"round": round.pk, "reason": reason},
        key=compute_key(round, reason),
        label=_("Compute the scores of %(round)s") % {"round": round.name},
    )

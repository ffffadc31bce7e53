"""The weekly digest as a scheduled background job (celery beat, Monday morning): one digest per person and
week, however often it runs."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.registry import job


@job("overview.send_digest", gettext_lazy("Weekly digest"), atomic=False)
def send_digest(job, progress):
    """``params``: ``week_of`` (YYYY-MM-DD, any day of the week), default the week that ended last Sunday."""
    from datetime import date

    from overview import digest

    week_of = job.params.get("week_of")
    start = digest.week_of(date.fromisoformat(week_of))[0] if week_of else digest.last_week()
    sent, skipped = digest.send_all(start, progress=progress, site_url=settings.QINGDAN_SITE_URL)
    return {"counts": {_("Digests sent"): sent, _("Sent before"): skipped}}

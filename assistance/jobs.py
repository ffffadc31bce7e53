"""The hardship archive's scheduled background jobs: taking down ended public notices and the daily care scan.
Both are safe to run twice, also at once."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.registry import job


@job("assistance.scan_publicity", gettext_lazy("Daily take-down of ended public notices"), atomic=False)
def scan_publicity(job, progress):
    from assistance import publicity

    return {"counts": {_("Public notices taken down"): publicity.scan()}}


@job("assistance.scan_care", gettext_lazy("Daily care scan"), atomic=False)
def scan_care(job, progress):
    from assistance import care

    counts = care.scan()
    return {
        "counts": {
            _("Not visited in time"): counts["not_visited"],
            _("Certificates expired"): counts["expired"],
            _("Yearly reviews due"): counts["review_due"],
            _("Follow-ups due"): counts["follow_up"],
        }
    }

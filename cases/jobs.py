"""The cases' scheduled background jobs: the daily scans of demands, disputes and supervision letters. Each is
safe to run twice, also at once (every record is locked and checked again before it is changed)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.registry import job


@job("cases.scan_demands", gettext_lazy("Daily scan of overdue demands"), atomic=False)
def scan_demands(job, progress):
    from cases import demand_flow

    return {"counts": {_("Demands urged"): demand_flow.scan(progress=progress)}}


@job("cases.scan_disputes", gettext_lazy("Daily scan of labour disputes"), atomic=False)
def scan_disputes(job, progress):
    from cases import dispute_flow

    done = dispute_flow.scan(progress=progress)
    return {
        "counts": {
            _("Mediation levels passed up"): done["escalated"],
            _("County told of late town mediation"): done["county_told"],
            _("Follow-ups opened"): done["follow_ups"],
        }
    }


@job("cases.scan_letters", gettext_lazy("Daily scan of supervision letters"), atomic=False)
def scan_letters(job, progress):
    from cases import letter_flow

    found, noted = letter_flow.scan(progress=progress)
    return {"counts": {_("Letters past their reply date"): found, _("Newly put in the workbench"): noted}}

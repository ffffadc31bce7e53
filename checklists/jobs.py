"""The close-out's background jobs: the daily deadline scan (催办), the import of lists from .xlsx, and the
export of a large item list."""

from django.core.files import File
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checklists import workflow
from checklists.models import Item
from jobs.registry import job
from jobs.services import keep_file
from qingdan.actors import SYSTEM
from qingdan.errors import Refused


def urge_overdue(today=None, progress=None):
    """Issue the urging notice of every item past its deadline with no application; returns how many. Each item
    is urged by ``workflow.urge``, which checks it again under its lock: two scans at once urge it once."""
    due = list(workflow.due_for_urging(today).values_list("pk", flat=True))
    issued = 0
    for done, pk in enumerate(due, start=1):
        try:
            if workflow.urge(item=Item.objects.get(pk=pk), actor=SYSTEM, today=today) is not None:
                issued += 1
        except Refused:
            pass  # applied for (or extended) since the scan began
        if progress:
            progress(done, len(due))
    return issued


@job("checklists.scan_deadlines", gettext_lazy("Daily deadline scan"), atomic=False)
def scan_deadlines(job, progress):
    return {"counts": {_("Urging notices issued"): urge_overdue(progress=progress)}}


@job("checklists.import", gettext_lazy("Import lists from a spreadsheet"))
def import_lists(job, progress):
    """``params``: ``path`` of the kept upload and its ``name``. The file is checked again: nothing is written
    unless every row is valid (``imports.apply_import``)."""
    from pathlib import Path

    from checklists import imports
    from qingdan.spreadsheets import SheetError

    path = Path(job.params["path"])
    if not path.exists():
        raise Refused(_("That upload has expired or was already imported; please upload the file again."))
    try:
        with File(path.open("rb"), name=job.params.get("name", path.name)) as kept:
            plan = imports.apply_import(kept, actor=job.owner, progress=progress)
    except SheetError as problem:
        path.unlink(missing_ok=True)
        raise Refused(problem.message) from None
    except Refused:
        path.unlink(missing_ok=True)
        raise
    if not plan.ok:
        path.unlink(missing_ok=True)
        first = plan.errors[0]
        raise Refused(
            _(
                "The file no longer passes the checks (%(n)d problems; the first: row %(row)d, %(column)s: "
                "%(reason)s); nothing was imported."
            )
            % {"n": len(plan.errors), "row": first.row, "column": first.column, "reason": first.reason}
        )
    path.unlink(missing_ok=True)
    return {
        "lists": plan.created_lists,
        "items": plan.created_items,
        "skipped": len(plan.skipped_lists),
        "counts": {
            _("Lists issued"): plan.created_lists,
            _("Items issued"): plan.created_items,
            _("Lists imported before"): len(plan.skipped_lists),
        },
        "url": reverse("checklists:lists"),
        "url_label": _("Go to the lists"),
    }


@job("checklists.export_items", gettext_lazy("Export list items"))
def export_items(job, progress):
    """``params``: ``query``, the item list's filters as a query string; the owner's view of the items."""
    from checklists.views_items import item_workbook

    content, name, count = item_workbook(job.owner, job.params.get("query", ""), progress=progress)
    return {"counts": {_("Items exported"): count}, **keep_file(job, content, name)}

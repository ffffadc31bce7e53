"""The close-out's background jobs: the daily deadline scan (催办), the import of lists from .xlsx, and the
export of a large item list or figures table."""

from django.core.files import File
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checklists import figures, workflow
from checklists.models import Item
from jobs.registry import job
from jobs.services import keep_file
from qingdan.actors import SYSTEM
from qingdan.errors import Refused
from qingdan.pages import drop_stored_upload


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
    """``params``: the kept upload's name in the shared storage (``stored``) and the file's own ``name``. The file
    is checked again: nothing is written unless every row is valid (``imports.apply_import``). It is deleted once
    the import is done or refused; a job that died on the way finds it again when it is run again."""
    from checklists import imports
    from qingdan.spreadsheets import SheetError

    stored = job.params["stored"]
    if not default_storage.exists(stored):
        raise Refused(_("That upload has expired or was already imported; please upload the file again."))
    try:
        with File(default_storage.open(stored, "rb"), name=job.params["name"]) as kept:
            plan = imports.apply_import(kept, actor=job.owner, progress=progress)
        if not plan.ok:
            first = plan.errors[0]
            raise Refused(
                _(
                    "The file no longer passes the checks (%(n)d problems; the first: row %(row)d, %(column)s: "
                    "%(reason)s); nothing was imported."
                )
                % {"n": len(plan.errors), "row": first.row, "column": first.column, "reason": first.reason}
            )
    except SheetError as problem:
        drop_stored_upload(stored)
        raise Refused(problem.message) from None
    except Refused:
        drop_stored_upload(stored)
        raise
    drop_stored_upload(stored)
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


@job("checklists.export_figures", gettext_lazy("Export close-out figures"))
def export_figures(job, progress):
    """``params``: ``group``, the figures' grouping; the owner's figures."""
    from checklists.views_figures import figures_workbook

    group = job.params.get("group", "")
    content, name, count = figures_workbook(job.owner, group if group in figures.GROUPS else figures.DEFAULT_GROUP,
                                            progress=progress)  # fmt: skip
    return {"counts": {_("Rows exported"): count}, **keep_file(job, content, name)}

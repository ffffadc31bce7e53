"""The demand list as .xlsx: exactly the filtered rows, the worker's name and phone masked (ARCHITECTURE rule 7),
written with openpyxl's write-only mode."""

from django.utils.translation import gettext as _

from audit.masking import mask_phone
from cases.demand_flow import STATUS_LABELS
from qingdan.spreadsheets import write_workbook
from qingdan.text import printable


def mask_name(name):
    """``张三丰`` → ``张**``: the family name, a star for each other character."""
    name = name or ""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def header():
    return [
        _("Received on"),
        _("Enterprise"),
        _("Registered under"),
        _("Source"),
        _("Category"),
        _("Worker"),
        _("Phone"),
        _("Workers in the group"),
        _("Demand"),
        _("Handling unit"),
        _("Reply due"),
        _("Status"),
        _("Result"),
        _("Replied on time"),
        _("Worker's rating"),
        _("Times urged"),
        _("Times reopened"),
    ]


def _row(demand):
    on_time = "" if demand.replied_on_time is None else (_("Yes") if demand.replied_on_time else _("No"))
    return [
        demand.received_on,
        demand.enterprise.name,
        demand.org_unit.name,
        str(demand.get_source_display()),
        str(demand.get_category_display()),
        mask_name(demand.worker_name),
        mask_phone(demand.worker_phone) if demand.worker_phone else "",
        demand.group_size,
        printable(demand.content),
        demand.handling_unit.name if demand.handling_unit_id else "",
        demand.reply_due,
        str(STATUS_LABELS.get(demand.status, demand.status)),
        str(demand.get_result_display()) if demand.result else "",
        on_time,
        str(demand.get_rating_display()) if demand.rating else "",
        demand.urged,
        demand.reopened,
    ]


def demands_xlsx(demands):
    rows = (_row(d) for d in demands.select_related("enterprise", "org_unit", "handling_unit").iterator())
    return write_workbook(_("Worker demands"), header(), rows)

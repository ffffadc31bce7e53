"""The dispute list as .xlsx: exactly the filtered rows, the representative's name and phone masked."""

from django.utils.translation import gettext as _

from audit.masking import mask_phone
from cases.dispute_flow import outcome_label, status_label
from cases.models import Colour
from qingdan.spreadsheets import write_workbook


def _mask_name(name):
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


def header():
    return [
        _("Received on"),
        _("Registered under"),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Construction project"),
        _("Subcontractor"),
        _("Type"),
        _("Source"),
        _("Grid"),
        _("Workers' representative"),
        _("Phone"),
        _("Workers involved"),
        _("Months in arrears"),
        _("Amount claimed (yuan)"),
        _("Warning colour"),
        _("Why this colour"),
        _("Status"),
        _("Mediation level"),
        _("Outcome"),
        _("Amount agreed (yuan)"),
        _("Amount paid (yuan)"),
        _("Agreed on"),
        _("Closed on"),
        _("Times reopened"),
    ]


def _row(d):
    return [
        d.received_on.isoformat(),
        d.org_unit.name,
        d.enterprise.name,
        d.enterprise.credit_code,
        d.project.name if d.project_id else "",
        d.subcontract.contractor.name if d.subcontract_id else "",
        str(d.get_kind_display()),
        str(d.get_source_display()),
        d.grid,
        _mask_name(d.worker_name),
        mask_phone(d.worker_phone) if d.worker_phone else "",
        d.workers,
        float(d.months_in_arrears),
        float(d.amount_claimed),
        str(Colour(d.colour).label),
        d.colour_reason,
        str(status_label(d.status)),
        str(d.get_level_display()) if d.level else "",
        str(outcome_label(d.outcome)),
        float(d.amount_agreed) if d.amount_agreed is not None else "",
        float(d.amount_paid) if d.amount_paid is not None else "",
        d.agreed_on.isoformat() if d.agreed_on else "",
        d.closed_on.isoformat() if d.closed_on else "",
        d.reopened,
    ]


def disputes_xlsx(disputes):
    return write_workbook(_("Labour disputes"), header(), (_row(d) for d in disputes.iterator(chunk_size=2000)))

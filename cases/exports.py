"""The registry as .xlsx in the import's layout, phone numbers masked (ARCHITECTURE rule 7): a sheet that can be
edited and imported back (``cases.imports`` keeps a masked number as the number it masks)."""

from django.utils.translation import gettext as _

from audit.masking import mask_phone
from cases.imports import header
from qingdan.spreadsheets import write_workbook


def _row(enterprise):
    return [
        enterprise.name,
        enterprise.credit_code,
        enterprise.org_unit.code,
        enterprise.community,
        str(enterprise.get_industry_display()),
        enterprise.workers,
        "是" if enterprise.has_union else "否",
        enterprise.union_unit.code if enterprise.union_unit_id else "",
        enterprise.address,
        mask_phone(enterprise.contact_phone) if enterprise.contact_phone else "",
    ]


def enterprises_xlsx(enterprises):
    rows = (_row(e) for e in enterprises.select_related("org_unit", "union_unit").order_by("name", "id").iterator())
    return write_workbook(_("Enterprise registry"), header(), rows)


def template_xlsx():
    return write_workbook(_("Enterprise registry"), header(), [])

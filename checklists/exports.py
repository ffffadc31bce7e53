"""Lists and items as .xlsx in the import layout, so an export can be edited and uploaded again."""

from django.utils import timezone
from django.utils.translation import gettext as _

from checklists import imports
from checklists.models import Item, ItemStatus
from qingdan.spreadsheets import write_sheets, write_workbook

# Columns after the import layout: read by people, ignored by the import.
EXTRA = ("责任单位", "下达单位", "下达日期", "状态", "原定完成时限", "催办次数", "整改次数", "销号时间")


def list_key(checklist):
    return checklist.import_key or f"L{checklist.pk}"


def items_xlsx(checklists):
    """One row per item of ``checklists`` (a filtered queryset of lists), in the import layout."""
    items = (
        Item.objects.filter(checklist__in=checklists.order_by().values("pk"))
        .select_related("checklist__category", "checklist__issuing_unit", "responsible_unit")
        .order_by("checklist__issued_on", "checklist_id", "position", "id")
    )
    co_codes = _co_unit_codes(checklists)
    labels = dict(ItemStatus.choices)

    def rows():
        for item in items.iterator(chunk_size=2000):
            checklist = item.checklist
            yield [
                list_key(checklist),
                checklist.title,
                item.responsible_unit.code,
                "、".join(co_codes.get(checklist.pk, ())),
                checklist.doc_number,
                checklist.category.name if checklist.category_id else "",
                item.content,
                item.standard,
                item.deadline,
                "是" if item.deep_review_required else "否",
                item.person_in_charge,
                item.responsible_unit.name,
                checklist.issuing_unit.name,
                checklist.issued_on,
                str(labels.get(item.status, item.status)),
                item.original_deadline,
                item.urgings,
                item.rectifications,
                timezone.localtime(item.closed_at).date() if item.closed_at else None,
            ]

    return write_workbook(_("Lists"), [*imports.header(), *EXTRA], rows())


def _co_unit_codes(checklists):
    through = checklists.model.co_units.through
    codes = {}
    rows = (
        through.objects.filter(checklist_id__in=checklists.order_by().values("pk"))
        .order_by("checklist_id", "orgunit__code")
        .values_list("checklist_id", "orgunit__code")
    )
    for checklist_id, code in rows.iterator(chunk_size=5000):
        codes.setdefault(checklist_id, []).append(code)
    return codes


def template_xlsx(office, units):
    """The import template: the header, two example rows, and a sheet of the unit codes to use."""
    return write_sheets(
        [
            (_("Lists"), imports.header(), imports.template_rows(office)),
            (_("Unit codes"), ["单位编码", "单位名称"], ([u.code, u.name] for u in units)),
        ]
    )

"""The figures page of the demands and disputes area (统计): key numbers, charts and the table behind each, for a
period, by unit below, enterprise or month; every number links to the list of the records it counts. The export
gives the same tables as .xlsx with their 合计 rows."""

import io
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from cases import figures
from cases.figures import MEASURES, MONEY, RATE
from cases.models.letters import LETTER_ORDER
from orgs.models import Role
from orgs.queries import root_unit
from qingdan import clock, text
from qingdan.pages import PAGE_SIZE, export_stem, xlsx_response
from qingdan.permissions import role_required
from qingdan.templatetags.qd import percent, thousands, yuan

VIEWERS = (Role.OFFICE, Role.LEADER)
KIND_TITLES = {
    "demands": gettext_lazy("Demands"),
    "disputes": gettext_lazy("Labour disputes"),
    "letters": gettext_lazy("Supervision letters"),
}


def _group(request):
    group = request.GET.get("group", "")
    return group if group in figures.GROUPS else figures.DEFAULT_GROUP


def _text(measure, value):
    if measure.kind == RATE:
        return percent(value)
    if measure.kind == MONEY:
        return yuan(value)
    return thousands(value)


class Cell:
    """A figure as the page shows it: its text, the link to its records, and what the link must count (the value
    of a count, the numerator of a rate) or add up (a money figure's field)."""

    def __init__(self, row, kind, name, bases):
        measure = MEASURES[kind][name]
        self.name, self.kind = name, kind
        self.value = row.value(kind, name)
        self.text = _text(measure, self.value)
        self.link = f"{bases[kind]}?{urlencode(row.filters(kind, name))}"
        counted = MEASURES[kind][measure.ratio[0]] if measure.kind == RATE else measure
        self.counted = row.value(kind, counted.name)
        self.summed = counted.summed


def _cells(row, bases):
    row.cells = {kind: [Cell(row, kind, m.name, bases) for m in measures] for kind, measures in figures.MEASURE_LISTS}
    row.cell = {kind: {cell.name: cell for cell in cells} for kind, cells in row.cells.items()}
    return row


def _bases():
    return {kind: reverse(name) for kind, name in figures.LIST_PAGES.items()}


def _compute(request):
    return figures.compute(request.user, root_unit(request.user), request.GET, clock.today(), _group(request))


@role_required(*VIEWERS)
def figures_page(request):
    result = _compute(request)
    bases = _bases()
    _cells(result.total, bases)
    # Units and months are shown all at once (a chart bar each); enterprises a page at a time.
    if result.group == "enterprise":
        page = Paginator(result.rows, PAGE_SIZE).get_page(request.GET.get("page"))
        shown = list(page)
    else:
        page, shown = None, result.rows
    for row in shown:
        _cells(row, bases)
    spreads = [
        (name, title, [(choice, n, f"{bases['disputes']}?{urlencode({**result.period.params, name: choice.value})}")
                       for choice, n in counts])
        for name, title, counts in result.spreads
    ]  # fmt: skip
    params = request.GET.copy()
    params.pop("page", None)
    period = result.period
    return render(
        request,
        "cases/figures/figures.html",
        {
            "figures": result,
            "total": result.total,
            "rows": shown,
            "page": page,
            "query": params.urlencode(),
            "group": result.group,
            "groups": list(figures.GROUPS.items()),
            "group_label": figures.GROUPS[result.group],
            "period": period,
            "period_query": urlencode({**period.params, "group": result.group}),
            "years": figures.years(),
            "spreads": spreads,
            "charts": figures.chart_data(result, shown),
            "period_params": urlencode(period.params),
            "tables": [
                (
                    kind,
                    KIND_TITLES[kind],
                    measures,
                    [(row.label, row.cells[kind]) for row in shown],
                    result.total.cells[kind],
                )
                for kind, measures in figures.MEASURE_LISTS
            ],
            "letter_kinds": [
                (
                    kind.label,
                    result.total.cell["letters"][f"issued_{kind}"],
                    result.total.cell["letters"][f"answered_{kind}"],
                )
                for kind in LETTER_ORDER
            ],
            "agreed_wan": figures.wan(result.total.value("disputes", "agreed")),
            "paid_wan": figures.wan(result.total.value("disputes", "paid")),
            "may_import": request.user.has_role(Role.OFFICE),
        },
    )


# --- the export ----------------------------------------------------------------------------------------------

PERCENT_FORMAT = "0.0%"
MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"


def _xlsx_cell(sheet, value, measure=None, bold=False):
    if isinstance(value, str):
        value = text.printable(value)
        if value.startswith("="):
            value = "'" + value
    cell = WriteOnlyCell(sheet, value=float(value) if measure is not None and value is not None else value)
    if measure is not None:
        cell.number_format = {RATE: PERCENT_FORMAT, MONEY: MONEY_FORMAT}.get(measure.kind, COUNT_FORMAT)
    if bold:
        cell.font = Font(bold=True)
    return cell


def workbook(result):
    """The figures as .xlsx: a sheet per kind of record by group with a 合计 row, and the disputes' spread.
    Rates are numbers formatted as percentages, amounts as yuan with two decimals."""
    book = Workbook(write_only=True)
    group_title = str(figures.GROUPS[result.group])
    for kind, measures in figures.MEASURE_LISTS:
        sheet = book.create_sheet(title=str(KIND_TITLES[kind])[:31])
        sheet.append([_xlsx_cell(sheet, f"{KIND_TITLES[kind]} · {result.period}", bold=True)])
        sheet.append(
            [_xlsx_cell(sheet, group_title, bold=True), *(_xlsx_cell(sheet, str(m.title), bold=True) for m in measures)]
        )
        for row in [*result.rows, result.total]:
            bold = row is result.total
            label = _("Total") if bold else row.label
            sheet.append(
                [
                    _xlsx_cell(sheet, label, bold=bold),
                    *(_xlsx_cell(sheet, row.value(kind, m.name), m, bold) for m in measures),
                ]
            )
    sheet = book.create_sheet(title=str(_("Disputes by category"))[:31])
    count = figures.Measure("n", "", figures.COUNT)
    for _name, title, counts in result.spreads:
        sheet.append([_xlsx_cell(sheet, str(title), bold=True), _xlsx_cell(sheet, _("Disputes"), bold=True)])
        for choice, n in counts:
            sheet.append([_xlsx_cell(sheet, str(choice.label)), _xlsx_cell(sheet, n, count)])
        sheet.append(
            [_xlsx_cell(sheet, _("Total"), bold=True), _xlsx_cell(sheet, sum(n for _c, n in counts), count, True)]
        )
        sheet.append([])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@role_required(*VIEWERS)
def figures_export(request):
    result = _compute(request)
    by = _("by %(group)s") % {"group": figures.GROUPS[result.group]}
    stem = export_stem(root_unit(request.user), _("Demand and dispute figures"), str(result.period), by)
    return xlsx_response(workbook(result), stem)

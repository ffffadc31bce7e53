"""The figures page (统计): key numbers, charts and the table behind them, grouped by unit,
category, issuing office or month; every number links to the items it counts. And the load
each unit carries (基层减负)."""

from html import escape  # Django's escape without its lazy-string wrapper: the same text, 500 times a page
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from checklists import figures, views_items
from orgs.models import Role
from orgs.queries import root_unit
from qingdan import clock, spreadsheets
from qingdan.pagecache import kept
from qingdan.pages import PAGE_SIZE, XLSX_CONTENT_TYPE, download_response, export_stem
from qingdan.permissions import role_required
from qingdan.spreadsheets import write_workbook
from qingdan.templatetags.qd import percent, thousands

VIEWERS = (Role.OFFICE, Role.LEADER, Role.REVIEWER)
LOAD_ROWS = 20
# The figures of a row, in table order: (figure, title).
COLUMNS = (
    ("issued", "下达事项"),
    ("applied", "申请销号"),
    ("closed", "已销号"),
    ("close_rate", "销号率"),
    ("first_pass", "一次通过"),
    ("first_pass_rate", "一次通过率"),
    ("overdue", "当前逾期"),
    ("urgings", "催办次数"),
    ("rectifications", "整改次数"),
    ("satisfaction", "平均满意度"),
)
RATES = {"close_rate", "first_pass_rate", "satisfaction"}


def _group(request):
    group = request.GET.get("group", "")
    return group if group in figures.GROUPS else figures.DEFAULT_GROUP


# Each figure's own item-list filters, as a query string (the group's come before them).
_FIGURE_QUERIES = {name: urlencode(figures.FIGURE_FILTERS[name]) for name, _title in COLUMNS}


def _cells(row, base):
    """``[(figure, text, link to the items behind it)]`` in table order; ``row.html`` holds the row's cells
    as the table draws them, built here once rather than by the template, cell by cell (50 rows of 10)."""
    group = urlencode(row.params)
    cells = []
    for name, _title in COLUMNS:
        own = _FIGURE_QUERIES[name]
        if set(row.params) & set(figures.FIGURE_FILTERS[name]):  # a figure's filter replaces the group's
            query = urlencode(row.filters(name))
        else:
            query = f"{group}&{own}" if group and own else group or own
        value = getattr(row, name)
        text = percent(value) if name in RATES else thousands(value)
        cells.append((name, text, f"{base}?{query}" if query else base))
    row.link = {name: link for name, _text, link in cells}
    row.text = {name: text for name, text, _link in cells}
    row.html = mark_safe(  # noqa: S308 - every part is escaped here
        "".join(
            f'<td class="text-end"><a href="{escape(link)}" data-figure="{name}">{escape(text)}</a></td>'
            for name, text, link in cells
        )
    )
    return cells


def _period(request):
    period = request.GET.get("period", "")
    return period if period in figures.LOAD_PERIODS else figures.DEFAULT_LOAD_PERIOD


@role_required(*VIEWERS)
@kept
def figures_page(request):
    group = _group(request)
    today = clock.today()
    # The load on units comes in a request of its own (figures_load), once the figures are shown.
    total, rows = figures.table(root_unit(request.user), group, today)
    base = reverse("checklists:items")
    total.cells = _cells(total, base)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.cells = _cells(row, base)
    params = request.GET.copy()
    params.pop("page", None)
    # The chart shows the units behind (one screen); "show all" draws every group, as tall as it takes.
    every = request.GET.get("chart") == "all"
    charts = figures.chart_data(rows, group, None if every else figures.CHART_UNITS, today)
    return render(
        request,
        "checklists/figures.html",
        {
            "group": group,
            "groups": list(figures.GROUPS.items()),
            "group_label": figures.GROUPS[group],
            "total": total,
            "page": page,
            "query": params.urlencode(),
            "charts": charts,
            "chart_all": every,
            "chart_toggle": group != "month" and len(rows) > figures.CHART_UNITS,
            "chart_most": figures.CHART_MOST,
            "period": _period(request),
            "columns": COLUMNS,
        },
    )


@role_required(*VIEWERS)
def figures_load(request):
    """The load on units: the figures page fetches it with htmx once the figures are shown; without
    JavaScript it is a page of its own."""
    period = _period(request)
    load, units = figures.load(root_unit(request.user), period, clock.today(), LOAD_ROWS)
    template = (
        "checklists/figures_load.html" if request.headers.get("HX-Request") else "checklists/figures_load_page.html"
    )
    return render(
        request,
        template,
        {
            "group": _group(request),
            "load": load,
            "load_units": units,
            "period": period,
            "periods": [(key, label) for key, (label, _first, _last) in figures.LOAD_PERIODS.items()],
        },
    )


@role_required(*VIEWERS)
def figures_export(request):
    """The figures table as .xlsx: at once, or by a background job when it has more rows than a request should
    write (a province's figures by unit are tens of thousands of rows)."""
    group = _group(request)
    table = figures.table(root_unit(request.user), group, clock.today())
    _total, rows = table
    if len(rows) > views_items.EXPORT_IN_REQUEST_ROWS:
        from jobs import services as jobs

        job = jobs.start(
            kind="checklists.export_figures",
            owner=request.user,
            request=request,
            params={"group": group},
            label=_("Export close-out figures"),
        )
        return redirect("jobs:detail", pk=job.pk)
    content, name, _count = figures_workbook(request.user, group, table=table)
    return download_response(content, name, XLSX_CONTENT_TYPE)


def figures_workbook(user, group, *, progress=None, table=None):
    """``(content, file name, rows)``: the .xlsx of ``user``'s figures grouped by ``group``. A background job
    calls it with its ``progress``; the export view passes the ``table`` (total, rows) it has already read."""
    unit = root_unit(user)
    total, rows = table or figures.table(unit, group, clock.today())
    total.label = _("Total")
    count = len(rows)

    def cells(row, bold=False):
        # Rates as numbers shown as 85.0% (satisfaction is a rate too), counts with separators.
        values = [
            (spreadsheets.percent if name in RATES else spreadsheets.count)(getattr(row, name), bold)
            for name, _title in COLUMNS
        ]
        return [spreadsheets.total_label(row.label) if bold else row.label, *values]

    def every_row():
        for done, row in enumerate(rows, start=1):
            yield cells(row)
            if progress and (done % 500 == 0 or done == count):
                progress(done, count)
        yield cells(total, True)

    header = [str(figures.GROUPS[group]), *(title for _n, title in COLUMNS)]
    content = write_workbook(_("Figures"), header, every_row())
    by = _("by %(group)s") % {"group": figures.GROUPS[group]}
    return content, f"{export_stem(unit, _('Close-out figures'), by)}-{clock.today():%Y%m%d}.xlsx", count

"""The archive's figures page (帮扶统计): key numbers, charts and the table behind them, by unit, county or year;
every number links to the masked household list filtered to exactly the households it counts. And its export."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from assistance import figures
from assistance.scope import visible_households
from orgs.models import Role
from orgs.queries import root_unit
from qingdan import clock, spreadsheets
from qingdan.pages import PAGE_SIZE, export_stem, xlsx_response
from qingdan.permissions import role_required
from qingdan.spreadsheets import write_sheets
from qingdan.templatetags.qd import percent, thousands, yuan

VIEWERS = (Role.OFFICE, Role.LEADER)
# (figure, title) in table order; the amount is money, the rates are ratios, the rest household counts.
COLUMNS = (
    ("held", "在档户数"),
    ("new", "当年新建档"),
    ("exited_year", "当年脱困"),
    ("exit_rate_year", "当年脱困率"),
    ("exited", "累计脱困"),
    ("exit_rate", "累计脱困率"),
    ("deep", "深度困难"),
    ("permanent", "兜底保障"),
    ("aided", "当年受助户数"),
    ("aid_times", "帮扶次数"),
    ("aid_amount", "帮扶金额（元）"),
    ("review_due", "逾期未复核"),
    ("not_visited", "超期未走访"),
)
RATES = {"exit_rate_year", "exit_rate"}
YEAR_ONLY = {"held", "exit_rate", "exited", "deep", "permanent", "review_due", "not_visited"}  # states, not events


def _group(request):
    group = request.GET.get("group", "")
    return group if group in figures.GROUPS else figures.DEFAULT_GROUP


def _year(request):
    value = request.GET.get("year", "")
    choices = figures.years()
    return int(value) if value.isdigit() and int(value) in choices else choices[0]


def _text(name, value):
    if name in RATES:
        return percent(value)
    if name == "aid_amount":
        return yuan(value)
    return thousands(value)


def _cells(row, base, group):
    cells = []
    for name, _title in COLUMNS:
        if group == "year" and row.key is not None and name in YEAR_ONLY:
            cells.append((name, "", ""))  # a state of today, not of a past year: in the total only
            continue
        params = row.filters(name)
        cells.append((name, _text(name, getattr(row, name)), f"{base}?{urlencode(params)}"))
    row.link = {name: link for name, _text, link in cells}
    row.text = {name: text for name, text, _link in cells}
    return cells


def _tables(request):
    unit = root_unit(request.user)
    group, year = _group(request), _year(request)
    households = visible_households(request.user)
    total, rows = figures.table(unit, households, group, year, clock.today())
    kinds = figures.aid_by_kind(households, year) if unit is not None else []
    return unit, group, year, total, rows, kinds


@role_required(*VIEWERS)
def figures_page(request):
    unit, group, year, total, rows, kinds = _tables(request)
    base = reverse("assistance:households")
    total.cells = _cells(total, base, "unit")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.cells = _cells(row, base, group)
    kind_rows = [
        {
            "label": label,
            "aided": aided,
            "times": times,
            "amount": amount,
            "link": f"{base}?{urlencode({'aid_year': year, 'aid_kind': kind})}",
        }
        for kind, label, aided, times, amount in kinds
    ]
    return render(
        request,
        "assistance/figures/figures.html",
        {
            "group": group,
            "may_import": request.user.has_role(Role.OFFICE),
            "groups": list(figures.GROUPS.items()),
            "group_label": figures.GROUPS[group],
            "year": year,
            "years": figures.years(),
            "total": total,
            "page": page,
            "query": urlencode({"group": group, "year": year}),
            "columns": COLUMNS,
            "kinds": kind_rows,
            "kind_total": {
                "aided": total.aided,
                "times": sum(k["times"] for k in kind_rows),
                "amount": sum((k["amount"] for k in kind_rows), 0),
            },
            "amount_wan": figures.wan(total.aid_amount),
            "charts": figures.chart_data(rows, kinds, group),
        },
    )


def _plain(name, value, bold=False):
    if name in RATES:
        return spreadsheets.percent(value, bold)
    if name == "aid_amount":
        return spreadsheets.money(value or 0, bold)
    return spreadsheets.count(value, bold)


@role_required(*VIEWERS)
def figures_export(request):
    """The table as shown (every group, not one page) with a 合计 row, and the aid by kind with its 合计 row."""
    unit, group, year, total, rows, kinds = _tables(request)

    def cells(row, label=None):
        bold = label is not None
        values = [
            ""
            if group == "year" and row.key is not None and name in YEAR_ONLY
            else _plain(name, getattr(row, name), bold)
            for name, _title in COLUMNS
        ]
        return [spreadsheets.total_label(label) if bold else row.label, *values]

    header = [str(figures.GROUPS[group]), *(title for _n, title in COLUMNS)]
    kind_rows = [
        [str(label), spreadsheets.count(aided), spreadsheets.count(times), spreadsheets.money(amount)]
        for _k, label, aided, times, amount in kinds
    ]
    kind_total = [
        spreadsheets.total_label("合计"),
        spreadsheets.count(total.aided, True),
        spreadsheets.count(sum(times for _k, _l, _a, times, _m in kinds), True),
        spreadsheets.money(sum((amount for *_x, amount in kinds), 0), True),
    ]
    content = write_sheets(
        [
            (f"帮扶统计{year}", header, [*(cells(r) for r in rows), cells(total, "合计")]),
            (f"帮扶类别{year}", ["帮扶类别", "受助户数", "帮扶次数", "帮扶金额（元）"], [*kind_rows, kind_total]),
        ]
    )
    by = _("by %(group)s") % {"group": figures.GROUPS[group]}
    return xlsx_response(content, export_stem(unit, _("Hardship assistance figures"), str(year), by))

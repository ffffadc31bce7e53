"""The results table of a round: its columns, filters and sort orders (one definition for the page and
the .xlsx, so the download holds exactly the rows the page shows, in the same order), and the .xlsx."""

from decimal import Decimal

from django.utils.translation import gettext as _

from qingdan.spreadsheets import POINTS_FORMAT, Figure, count, money, total_label, write_workbook
from scoring.explain import grade_word
from scoring.models import Grade

ZERO = Decimal(0)
LAST = 10**9  # a unit not ranked yet sorts after every ranked one

# Each column's first direction when clicked: ranks and names from the top, points highest first.
FIRST_DESCENDING = {"rank": False, "unit": False, "total": True}


def top_sections(nodes):
    """The top-level sections of ``rubrics.tree()`` nodes: the table's section columns."""
    return [section for section, _criteria, _children in nodes]


def section_points(result, section):
    return Decimal(result.section_points.get(str(section.pk), "0"))


def sort_keys(sections):
    return ["rank", "unit", "total", *(f"s{s.pk}" for s in sections)]


def parse_sort(value, sections):
    """``(key, descending)`` from the GET ``sort`` (``total``, ``-total``, ``s12`` …); rank by default."""
    value = value or ""
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key not in sort_keys(sections):
        return "rank", False
    return key, descending


def toggle(key, current, descending):
    """The ``sort`` value a column header links to: the other direction when it is the current column."""
    if key == current:
        return key if descending else f"-{key}"
    first = FIRST_DESCENDING.get(key, True)
    return f"-{key}" if first else key


def sort_results(results, key, descending, sections):
    """Results in the order asked for; ties keep rank order (then the tree order of units)."""
    ordered = sorted(results, key=lambda r: (r.rank if r.rank is not None else LAST, r.unit.path))
    if key == "rank":
        return ordered[::-1] if descending else ordered
    columns = {f"s{s.pk}": s for s in sections}
    values = {"unit": lambda r: r.unit.name, "total": lambda r: r.total}
    value = values.get(key) or (lambda r: section_points(r, columns[key]))
    return sorted(ordered, key=value, reverse=descending)


def filter_results(results, *, grade="", vetoed=False):
    if grade in Grade.values:
        results = [r for r in results if r.grade == grade]
    if vetoed:
        results = [r for r in results if r.vetoed]
    return results


def header(sections):
    return [
        _("Rank"),
        _("Unit"),
        *(s.name for s in sections),
        _("Total points"),
        _("Grade"),
        _("One-vote veto"),
        _("Fund subsidy (yuan)"),
        _("Calculation"),
    ]


def _points(value, bold=False):
    return Figure(value, POINTS_FORMAT, bold)


def row(result, sections):
    return [
        result.rank,
        result.unit.name,
        *(_points(section_points(result, s)) for s in sections),
        _points(result.total),
        grade_word(result.grade) if result.grade else "",
        _("Yes") if result.vetoed else "",
        money(result.fund_amount) if result.fund_amount is not None else "",
        result.fund_note,
    ]


def mean(values):
    values = [Decimal(v) for v in values if v is not None]
    return (sum(values, ZERO) / len(values)).quantize(Decimal("0.01")) if values else None


def total_rows(results, sections):
    """Under the units: the mean of each section's and of the total points (points are not added up across
    units, so the row says it is a mean), then the 合计 of what adds up: units, vetoes, fund subsidies."""
    if len(results) < 2:  # one unit's row (what an assessed unit exports) has nothing to add up
        return []
    units = _("%(n)s units in all") % {"n": len(results)}
    means = [
        total_label(_("Mean points")),
        total_label(units),
        *(_points(mean(section_points(r, s) for r in results), True) for s in sections),
        _points(mean(r.total for r in results), True),
        "",
        "",
        "",
        "",
    ]
    funds = [r.fund_amount for r in results if r.fund_amount is not None]
    sums = [
        total_label(_("Total")),
        total_label(units),
        *("" for _s in sections),
        "",
        "",
        count(sum(1 for r in results if r.vetoed), True),
        money(sum(funds, ZERO), True) if funds else "",
        "",
    ]
    return [means, sums]


def workbook(results, sections):
    """The results as .xlsx bytes, with a row of means and a 合计 row; names and notes are written as text,
    never as formulas; points and amounts as numbers with their formats."""
    results = list(results)
    rows = [*(row(r, sections) for r in results), *total_rows(results, sections)]
    return write_workbook(_("Results"), header(sections), rows)

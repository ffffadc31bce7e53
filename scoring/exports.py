"""The results table of a round: its columns, filters and sort orders (one definition for the page and
the .xlsx, so the download holds exactly the rows the page shows, in the same order), and the .xlsx."""

from decimal import Decimal

from django.utils.translation import gettext as _

from qingdan.spreadsheets import write_workbook
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


def row(result, sections):
    return [
        result.rank,
        result.unit.name,
        *(section_points(result, s) for s in sections),
        result.total,
        grade_word(result.grade) if result.grade else "",
        _("Yes") if result.vetoed else "",
        result.fund_amount if result.fund_amount is not None else "",
        result.fund_note,
    ]


def workbook(results, sections):
    """The results as .xlsx bytes; names and notes are written as text, never as formulas."""
    return write_workbook(_("Results"), header(sections), (row(r, sections) for r in results))

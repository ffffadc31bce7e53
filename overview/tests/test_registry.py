"""The card registry: every area offers its cards; the overview reads only the registry, never an area's tables."""

import ast
from pathlib import Path

from qingdan import cards

AREAS = ("checklists", "surveys", "scoring", "cases", "assistance")
OVERVIEW = Path(__file__).resolve().parent.parent
# What the overview may use of an area: the close-out's own service to issue a 督办, and its read path to find
# the one issued before.
ALLOWED = {"checklists.services", "checklists.queries"}


def test_every_area_offers_its_cards_in_order():
    found = cards.available()
    assert [c.key for c in found] == [
        "close_out",
        "overdue_items",
        "survey_completeness",
        "satisfaction",
        "ranking",
        "demand_resolution",
        "red_disputes",
        "hardship_exit",
        "reviews_overdue",
    ]
    assert {c.area for c in found} == set(AREAS)
    assert {c.key for c in found if c.trend_of} == {
        "close_out",
        "survey_completeness",
        "demand_resolution",
        "hardship_exit",
    }
    assert {c.key for c in found if c.exceptions_of} == {"overdue_items", "red_disputes", "reviews_overdue"}
    assert cards.get("close_out").ranking_of is not None


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_the_overview_imports_no_area_model_and_only_the_close_out_service():
    sources = [
        p for p in OVERVIEW.rglob("*.py") if not {"tests", "management"} & set(p.parts) and "digest" not in p.name
    ]
    assert sources
    for path in sources:
        for name in _imports(path):
            top = name.split(".")[0]
            if top in AREAS:
                assert ".models" not in name, (path.name, name)
                assert any(name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED), (path, name)


def test_every_month_is_drawn_with_zero_when_empty():
    from datetime import date

    months = cards.last_months(date(2026, 3, 15), 4)
    assert months == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert cards.every_month(months, {date(2026, 1, 1): 5}) == [
        (date(2025, 12, 1), 0),
        (date(2026, 1, 1), 5),
        (date(2026, 2, 1), 0),
        (date(2026, 3, 1), 0),
    ]

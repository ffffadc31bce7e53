"""The status badge, supervision colour and late flag every item page shows (``checklists/templatetags/
item_marks.py``): UI.md's colours, always with the words, in both languages."""

import pytest
from django.template import engines
from django.utils.translation import override

from checklists.models import Item, ItemStatus
from checklists.queries import Colour, Late
from checklists.views_items import _colour_of

ENGINE = engines["django"]

# UI.md: grey issued, blue applied, orange rectifying, purple deep review, green closed.
STATUS_COLOURS = {
    ItemStatus.ISSUED: ("#6c757d", "已下达"),
    ItemStatus.APPLIED: ("#0d6efd", "已申请销号"),
    ItemStatus.RECTIFYING: ("#fd7e14", "整改中"),
    ItemStatus.DEEP_REVIEW: ("#6f42c1", "深度验收中"),
    ItemStatus.CLOSED: ("#198754", "已销号"),
}


def _render(source, **context):
    return ENGINE.from_string("{% load item_marks %}" + source).render(context)


@pytest.mark.parametrize("status", ItemStatus.values)
def test_the_status_badge_has_its_colour_and_its_word(status):
    colour, word = STATUS_COLOURS[status]
    tag = _render("{% item_badge item %}", item=Item(status=status))
    assert f'data-status="{status}"' in tag and f"background:{colour}" in tag and f">{word}</span>" in tag
    with override("en"):
        assert ">Closed out<" in _render("{% item_badge item %}", item=Item(status=ItemStatus.CLOSED))


@pytest.mark.parametrize(
    ("colour", "background"), [(Colour.BLUE, "#0d6efd"), (Colour.YELLOW, "#ffc107"), (Colour.RED, "#dc3545")]
)
def test_the_supervision_colour_has_its_colour_and_its_word(colour, background, monkeypatch):
    item = Item(status=ItemStatus.ISSUED)
    monkeypatch.setattr("checklists.views_items.supervision_colour", lambda _item, _today: colour)
    _colour_of(item, None)
    tag = _render("{% item_colour item %}", item=item)
    assert f'data-colour="{colour}"' in tag and f"background:{background}" in tag
    assert f">{item.colour_name}</span>" in tag and item.colour_name and f'title="{item.colour_label}"' in tag


def test_an_item_without_a_colour_computed_shows_none():
    assert _render("{% item_colour item %}", item=Item(status=ItemStatus.CLOSED)) == "\n"


@pytest.mark.parametrize("kind", list(Late.LABELS))
def test_the_late_flag_is_red_while_open_and_outlined_once_closed(kind):
    late = Late(kind, 3)
    tag = _render("{% item_late late %}", late=late)
    assert f'data-late="{kind}"' in tag and f">{late}</span>" in tag
    assert ("text-bg-danger" in tag) == late.open and ("border-danger" in tag) == (not late.open)
    assert _render("{% item_late late %}", late=None) == "\n"


def _issue(office, unit, count):
    from datetime import timedelta

    from checklists import services
    from qingdan import clock

    today = clock.today()
    items = [
        {"content": f"第{n}项", "standard": "完成", "deadline": today + timedelta(days=n + 1)} for n in range(count)
    ]
    services.issue_checklist(actor=office, responsible_unit=unit, title=f"清单{count}", items=items)


@pytest.mark.django_db
def test_the_item_lists_queries_do_not_grow_with_its_rows(client_for, office, checklist, dept_a):
    """The rows' badges, colours, late flags and links cost no query: 2 rows or 27, the same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(office)
    client.get("/lists/items/?show=all")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/lists/items/?show=all").content.decode()
    assert page.count('data-testid="mine"') == 0 and page.count("<tr") == 3
    _issue(office, dept_a, 25)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/lists/items/?show=all").content.decode()
    assert page.count("<tr") == 28
    assert len(many.captured_queries) == len(few.captured_queries)

"""The item list's status badge, colour and late flag (``checklists/templatetags/item_marks.py``) read
exactly as the templates the other pages include: same words, colours and attributes, in both languages."""

import pytest
from django.template import engines
from django.utils.translation import override

from checklists.models import Item, ItemStatus
from checklists.queries import Colour, Late
from checklists.views_items import _colour_of

ENGINE = engines["django"]


def _render(source, **context):
    return ENGINE.from_string(source).render(context)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("status", ItemStatus.values)
def test_the_status_badge_is_the_templates(status, language):
    item = Item(status=status)
    with override(language):
        tag = _render("{% load item_marks %}{% item_badge item %}", item=item)
        assert tag == _render('{% include "checklists/item_badge.html" %}', item=item)
    assert f'data-status="{status}"' in tag


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("colour", [None, Colour.BLUE, Colour.YELLOW, Colour.RED])
def test_the_supervision_colour_is_the_templates(colour, language, monkeypatch):
    item = Item(status=ItemStatus.ISSUED)
    monkeypatch.setattr("checklists.views_items.supervision_colour", lambda _item, _today: colour)
    _colour_of(item, None)
    with override(language):
        tag = _render("{% load item_marks %}{% item_colour item %}", item=item)
        assert tag == _render('{% include "checklists/item_colour.html" %}', item=item)
    assert (f'data-colour="{colour}"' in tag) == bool(colour)


def test_an_item_without_a_colour_computed_shows_none():
    item = Item(status=ItemStatus.CLOSED)
    assert _render("{% load item_marks %}{% item_colour item %}", item=item) == "\n"
    assert _render('{% include "checklists/item_colour.html" %}', item=item) == "\n"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("late", [None, *(Late(kind, 3) for kind in Late.LABELS)])
def test_the_late_flag_is_the_templates(late, language):
    with override(language):
        tag = _render("{% load item_marks %}{% item_late late %}", late=late)
        assert tag == _render('{% include "checklists/item_late.html" with late=late %}', late=late)
    if late:
        assert f'data-late="{late.kind}"' in tag


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

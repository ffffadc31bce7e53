"""A long item list is paged on the items' ids first (``qingdan.pages.paginate``, ``rows``): the same rows, in the
same order, with the same marks as the page read in one query."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from orgs.models import User
from qingdan import pages


def _shown(username, query):
    client = Client()
    client.force_login(User.objects.get(username=username))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/lists/items/?{query}")
    assert response.status_code == 200
    page = response.context["page"]
    rows = [(item.pk, item.is_mine, item.applied_at, item.responsible_unit.name, item.checklist.title) for item in page]
    return rows, page.paginator.count, [q["sql"] for q in queries.captured_queries]


def _ids_first(sql):
    return [s for s in sql if s.startswith('SELECT "checklists_item"."id" AS "pk" FROM') and "LIMIT" in s]


@pytest.mark.parametrize(
    ("username", "query"),
    [
        ("office", "show=all"),
        ("office", "show=all&page=3"),
        ("office", "show=all&sort=-deadline&page=2"),
        ("office", "show=closed&page=2"),
        ("reviewer", "show=open"),
        ("city", "show=all&page=4"),
    ],
)
def test_a_page_found_by_its_ids_is_the_page_read_at_once(demo_loaded, monkeypatch, username, query):
    at_once, count, sql = _shown(username, query)
    assert not _ids_first(sql)  # the demo's lists are short: one query
    monkeypatch.setattr(pages, "BY_IDS_FROM", 0)
    by_ids, count_by_ids, sql = _shown(username, query)
    assert len(_ids_first(sql)) == 1
    assert by_ids == at_once and count_by_ids == count
    assert len(at_once) > 5  # a page of real rows, not two empty ones

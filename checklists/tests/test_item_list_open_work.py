"""The item list opens on open work (what waits for the user and what is late first, closed items
hidden), its quick switch, and the late flag kept through the application; the timeline names
who acted for which unit."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checklists import services, workflow
from checklists.models import EventKind, Item, ItemEvent
from checklists.queries import Late, lateness, with_applied_at
from qingdan import clock
from qingdan.actors import SYSTEM

pytestmark = pytest.mark.django_db
TODAY = clock.today


def _page(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _rows(page):
    """The item contents in the order of the table rows."""
    table = page[page.index('data-testid="items"') : page.index("</table>")]
    return sorted((c for c in ("甲事项", "乙事项", "丙事项", "丁事项") if c in table), key=table.index), table


@pytest.fixture
def four(office, dept_a, reporter, reviewer):
    """Four items of one list: far off (甲), overdue (乙), applied in time (丙), closed (丁)."""
    checklist = services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="排序清单",
        items=[
            {"content": "甲事项", "deadline": TODAY() + timedelta(days=5)},
            {"content": "乙事项", "deadline": TODAY() + timedelta(days=40)},
            {"content": "丙事项", "deadline": TODAY() + timedelta(days=20)},
            {"content": "丁事项", "deadline": TODAY() + timedelta(days=1)},
        ],
    )
    a, b, c, d = checklist.items.order_by("position")
    Item.objects.filter(pk=b.pk).update(deadline=TODAY() - timedelta(days=3))
    workflow.apply_for_closeout(item=c, actor=reporter, report="已完成。")
    workflow.apply_for_closeout(item=d, actor=reporter, report="已完成。")
    workflow.verify(item=d, actor=reviewer, passed=True, opinion="通过")
    return a, b, c, d


def test_default_puts_my_work_and_late_items_first_and_hides_closed(client_for, reviewer, reporter, four):
    rows, table = _rows(_page(client_for(reviewer).get("/lists/items/")))
    assert rows == ["乙事项", "丙事项", "甲事项"]  # the late one and the one to verify, by deadline; then the rest
    assert "丁事项" not in table and 'data-testid="mine"' in table
    rows, _table = _rows(_page(client_for(reporter).get("/lists/items/")))
    assert rows[0] == "乙事项"  # overdue first, then the deadline
    assert rows[1:] == ["甲事项", "丙事项"]


def test_each_switch(client_for, reviewer, four):
    client = client_for(reviewer)
    assert _rows(_page(client.get("/lists/items/", {"show": "mine"})))[0] == ["丙事项"]
    assert _rows(_page(client.get("/lists/items/", {"show": "late"})))[0] == ["乙事项"]
    assert _rows(_page(client.get("/lists/items/", {"show": "closed"})))[0] == ["丁事项"]
    page = _page(client.get("/lists/items/", {"show": "all"}))
    assert _rows(page)[0] == ["乙事项", "丁事项", "甲事项", "丙事项"]  # the old view: every item by deadline
    for word in ("未销号", "待我处理", "已逾期", "已销号", "全部"):
        assert word in page[page.index('data-testid="switch"') :]
    # A link with a filter and no switch (a figure's, the workbench's) still finds every item it counts.
    assert "丁事项" in _rows(_page(client.get("/lists/items/", {"q": "事项"})))[1]
    # The filter bar keeps the switch in force.
    page = _page(client.get("/lists/items/", {"show": "late"}))
    assert 'name="show" value="late"' in page


def test_the_list_queries_stay_bounded(client_for, office, dept_a, four):
    client = client_for(office)
    client.get("/lists/items/")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/lists/items/").status_code == 200
        return len(ctx)

    few = count()
    services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="批量清单",
        items=[{"content": f"事项{n}", "deadline": TODAY() + timedelta(days=n + 1)} for n in range(40)],
    )
    Item.objects.filter(content__startswith="事项1").update(deadline=TODAY() - timedelta(days=2))
    assert count() == few


def _late(item):
    return lateness(with_applied_at(Item.objects.filter(pk=item.pk)).get())


def test_the_late_flag_survives_the_application_and_the_close_out(reporter, reviewer, four):
    a, b, c, d = four
    assert _late(b).kind == Late.OVERDUE and str(_late(b)) == "已逾期 3 天"
    workflow.apply_for_closeout(item=b, actor=reporter, report="迟交。")
    assert _late(b).kind == Late.APPLIED_LATE and str(_late(b)) == "逾期申请，已逾期 3 天"
    assert _late(c) is None  # applied in time, deadline ahead
    # Applied in time, still waiting past the deadline.
    ItemEvent.objects.filter(item=c, kind=EventKind.APPLIED).update(at=clock.now() - timedelta(days=5))
    Item.objects.filter(pk=c.pk).update(deadline=TODAY() - timedelta(days=1))
    assert _late(c).kind == Late.WAITING
    workflow.verify(item=Item.objects.get(pk=b.pk), actor=reviewer, passed=True, opinion="通过")
    assert _late(b).kind == Late.CLOSED_LATE and "逾期销号" in str(_late(b))
    assert _late(d) is None  # closed in time


def test_the_reviewer_sees_the_late_flag_on_the_item_page_and_in_the_list(client_for, reporter, reviewer, four):
    _a, b, _c, _d = four
    workflow.apply_for_closeout(item=b, actor=reporter, report="迟交。")
    page = _page(client_for(reviewer).get(f"/lists/items/{b.pk}/"))
    assert 'data-late="applied_late"' in page and "逾期申请，已逾期 3 天" in page
    assert "逾期申请，已逾期 3 天" in _page(client_for(reviewer).get("/lists/items/"))


def test_the_timeline_names_the_person_and_unit_of_each_event(client_for, reporter, reviewer, office, four):
    _a, b, c, _d = four
    page = _page(client_for(reviewer).get(f"/lists/items/{c.pk}/"))
    timeline = page[page.index('data-testid="timeline"') :]
    assert f"{reporter.display_name} · {reporter.org_unit.name}" in timeline  # the application
    assert f"{office.display_name} · {office.org_unit.name}" in timeline  # the issue
    assert ">系统<" not in timeline
    workflow.urge(item=Item.objects.get(pk=b.pk), actor=SYSTEM)
    page = _page(client_for(reviewer).get(f"/lists/items/{b.pk}/"))
    assert "系统（每日逾期扫描）" in page  # the deadline scan is the one event with no person


def test_the_reviewers_inbox_line_says_how_many_applications_are_late(reporter, reviewer, four):
    from checklists import inbox

    _a, b, _c, _d = four
    assert [t["label"] for t in inbox.items(reviewer)] == ["待验收"]
    workflow.apply_for_closeout(item=b, actor=reporter, report="迟交。")
    (line,) = inbox.items(reviewer)
    assert line["label"] == "待验收（其中 1 项已逾期）" and line["overdue"] and line["count"] == 2

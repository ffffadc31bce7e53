"""The reporter's workbench (工作台): "暂无待办" when nothing waits, the unit's own items by status (each count
the rows behind its link), the next deadline, and to-do lines that name the one item they open."""

import re
from datetime import timedelta

import pytest

from checklists import inbox, workflow
from checklists.models import Item
from qingdan import clock

pytestmark = pytest.mark.django_db


def _overdue(item, days=3):
    Item.objects.filter(pk=item.pk).update(deadline=clock.today() - timedelta(days=days))


def _figure(page, key):
    return int(re.search(rf'data-testid="unit-items-{key}">\s*<span[^>]*>([\d,]+)</span>', page).group(1))


def test_a_reporter_with_nothing_due_sees_no_to_dos_and_the_units_items_by_status(
    client_for, reporter, item, deep_item
):
    for each in (item, deep_item):
        workflow.apply_for_closeout(item=each, actor=reporter, report="已完成。")
    page = client_for(reporter).get("/").content.decode()
    assert 'data-testid="no-tasks"' in page and "暂无待办" in page
    assert "县交通运输局的事项" in page
    figures = {key: _figure(page, key) for key in ("todo", "rectifying", "applied", "closed", "overdue")}
    assert figures == {"todo": 0, "rectifying": 0, "applied": 2, "closed": 0, "overdue": 0}
    assert 'data-testid="unit-items-deep_review"' not in page  # shown only when an item is in deep review
    assert "本单位暂无待完成的事项" in page  # no next deadline: both wait for verification


def test_each_status_count_is_the_number_of_items_behind_its_link(client_for, reporter, item, deep_item):
    _overdue(deep_item)
    rows = {row["key"]: row for row in inbox.unit_summary(reporter)}
    assert (rows["todo"]["count"], rows["overdue"]["count"], rows["closed"]["count"]) == (1, 1, 0)
    client = client_for(reporter)
    for key, shown, hidden in (("todo", item, deep_item), ("overdue", deep_item, item)):
        listing = client.get(rows[key]["url"]).content.decode()
        assert shown.content in listing and hidden.content not in listing, key
    assert rows["overdue"]["overdue"] and rows["applied"]["url"].endswith(f"unit={reporter.org_unit_id}&status=applied")


def test_the_next_deadline_names_the_item_its_date_and_the_working_days_left(client_for, reporter, item, deep_item):
    page = client_for(reporter).get("/").content.decode()
    block = page[page.index('data-testid="next-deadline"') :]
    block = block[: block.index("</div>")]
    # deep_item falls due first (in 10 days)
    assert "开展职工技能竞赛" in block and f"{deep_item.deadline:%Y-%m-%d}" in block
    assert re.search(r"还剩 \d+ 个工作日", block)
    found = inbox.next_deadline(reporter)
    assert found["item"] == deep_item and found["url"] == f"/lists/items/{deep_item.pk}/" and found["days_left"] > 0


def test_the_overdue_to_do_names_the_item(client_for, reporter, item, deep_item):
    _overdue(deep_item)
    tasks = {t["label"]: t for t in inbox.items(reporter)}
    assert tasks["已逾期"]["subject"] == "开展职工技能竞赛" and tasks["待申请销号"]["subject"] == "改善技术人才居住条件"
    page = client_for(reporter).get("/").content.decode()
    assert "已逾期：开展职工技能竞赛" in page and "待申请销号：改善技术人才居住条件" in page


def test_other_roles_keep_their_workbench(client_for, office, reviewer, leader, item):
    for user in (office, reviewer, leader):
        page = client_for(user).get("/").content.decode()
        assert 'data-testid="unit-items"' not in page and 'data-testid="unit-count"' in page


def test_the_unit_count_counts_the_units_below_not_the_unit_itself(client_for, office, leader, item):
    # 滨海县总工会 with 县交通运输局 and 县人社局 (the fixtures) below it: 2, not 3
    page = client_for(leader).get("/").content.decode()
    assert re.search(r'data-testid="unit-count">2<', page)


def test_the_reporters_to_do_lines_and_unit_figures_come_from_one_query(
    reporter, item, deep_item, django_assert_num_queries
):
    inbox.workbench(reporter)  # the user's roles, read once per request
    with django_assert_num_queries(1):  # two items to apply for: no line opens a single item
        lines, figures = inbox.workbench(reporter)
    assert [(line["label"], line["count"]) for line in lines] == [("待申请销号", 2)]
    assert {row["key"]: row["count"] for row in figures} == {
        "todo": 2,
        "rectifying": 0,
        "applied": 0,
        "closed": 0,
        "overdue": 0,
    }

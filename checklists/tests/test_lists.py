"""The list pages: categories, the filtered list of lists with its export, issuing one list
(with the load warning), a list's items and its closed state; other county → 404."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from audit.models import AuditEvent
from checklists import services, tally, workflow
from checklists.models import Category, Checklist, ItemStatus
from qingdan import clock

pytestmark = pytest.mark.django_db
TODAY = clock.today


def later(days=30):
    return (TODAY() + timedelta(days=days)).isoformat()


def issue(office, unit, title="职工之家建设清单", n=1, category=None, doc_number=""):
    return services.issue_checklist(
        actor=office,
        responsible_unit=unit,
        title=title,
        category=category,
        doc_number=doc_number,
        items=[{"content": f"事项{i}", "deadline": TODAY() + timedelta(days=30)} for i in range(n)],
    )


# --- categories ------------------------------------------------------------------------------


def test_office_adds_and_renames_categories_of_its_own_unit(client_for, office, outsider):
    client = client_for(office)
    response = client.post("/lists/categories/", {"action": "add", "name": "产业工人队伍建设"}, follow=True)
    assert "类别已添加" in response.content.decode()
    category = Category.objects.get(owner_unit=office.org_unit)
    again = client.post("/lists/categories/", {"action": "add", "name": "产业工人队伍建设"})
    assert "已有同名类别" in again.content.decode() and Category.objects.count() == 1
    renamed = client.post(
        "/lists/categories/", {"action": "rename", "category": category.pk, "name": "技术工人队伍建设"}, follow=True
    )
    assert "类别已改名" in renamed.content.decode()
    category.refresh_from_db()
    assert category.name == "技术工人队伍建设"
    assert AuditEvent.objects.filter(action="checklists.category_renamed", object_id=str(category.pk)).exists()
    # Another county's office neither sees nor renames it.
    other = client_for(outsider)
    assert "技术工人队伍建设" not in other.get("/lists/categories/").content.decode()
    assert (
        other.post("/lists/categories/", {"action": "rename", "category": category.pk, "name": "x"}).status_code == 404
    )


def test_renaming_to_an_existing_name_is_refused(client_for, office):
    first = services.category(office_unit=office.org_unit, name="甲", actor=office)
    services.category(office_unit=office.org_unit, name="乙", actor=office)
    response = client_for(office).post(
        "/lists/categories/", {"action": "rename", "category": first.pk, "name": "乙"}, follow=True
    )
    assert "已有同名类别" in response.content.decode()
    first.refresh_from_db()
    assert first.name == "甲"


def test_only_office_staff_keep_the_catalogue_and_issue(client_for, reporter):
    client = client_for(reporter)
    assert client.get("/lists/categories/").status_code == 403
    assert client.get("/lists/new/").status_code == 403


# --- the lists page --------------------------------------------------------------------------


def test_the_lists_page_shows_visible_lists_with_progress_and_filters(client_for, office, dept_a, dept_b, outsider):
    category = services.category(office_unit=office.org_unit, name="产业工人队伍建设", actor=office)
    done = issue(office, dept_a, "技术工人队伍建设责任清单", n=2, category=category, doc_number="滨产改办〔2026〕3号")
    issue(office, dept_a, "职工之家建设清单")
    issue(outsider, dept_b, "临河县清单")
    item = done.items.first()
    item.status = ItemStatus.CLOSED  # the figures only: set directly, as the workflow would
    item.save()
    tally.rebuild()
    client = client_for(office)
    text = client.get("/lists/").content.decode()
    assert "技术工人队伍建设责任清单" in text and "职工之家建设清单" in text and "临河县清单" not in text
    assert "滨产改办〔2026〕3号" in text and "1 / 2" in text
    filtered = client.get("/lists/", {"category": category.pk}).content.decode()
    assert "技术工人队伍建设责任清单" in filtered and "职工之家建设清单" not in filtered
    by_number = client.get("/lists/", {"q": "3号"}).content.decode()
    assert "技术工人队伍建设责任清单" in by_number and "职工之家建设清单" not in by_number
    by_unit = client.get("/lists/", {"unit": "A-D1", "state": "open"}).content.decode()
    assert by_unit.count('data-testid="list-row"') == 2
    assert client.get("/lists/", {"state": "closed"}).content.decode().count('data-testid="list-row"') == 0


def test_the_lists_page_takes_the_same_queries_for_5_or_50_lists(client_for, office, dept_a):
    client = client_for(office)
    for i in range(5):
        issue(office, dept_a, f"清单{i}", n=3)
    client.get("/lists/")
    with CaptureQueriesContext(connection) as few:
        client.get("/lists/")
    for i in range(45):
        issue(office, dept_a, f"更多清单{i}", n=2)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/lists/")
    assert response.content.decode().count('data-testid="list-row"') == 50
    assert len(many) == len(few) <= 8


def test_the_export_holds_exactly_the_filtered_lists(client_for, office, dept_a):
    issue(office, dept_a, "甲清单", n=2)
    issue(office, dept_a, "乙清单", n=1)
    response = client_for(office).get("/lists/export/", {"q": "甲"})
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:11] == [
        "清单编号",
        "清单标题",
        "责任单位编码",
        "协办单位编码",
        "文号",
        "类别",
        "事项内容",
        "完成标准",
        "完成时限",
        "需深度验收",
        "责任人",
    ]
    assert [(r[1], r[6], r[14]) for r in rows[1:]] == [("甲清单", "事项0", "已下达"), ("甲清单", "事项1", "已下达")]


# --- issuing one list ------------------------------------------------------------------------


def _form(unit_code, items, **extra):
    data = {
        "responsible_unit": unit_code,
        "title": "技术工人队伍建设责任清单",
        "doc_number": "滨产改办〔2026〕3号",
        "issued_on": TODAY().isoformat(),
        "items-TOTAL_FORMS": str(len(items) + 1),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for i, (content, deadline) in enumerate(items):
        data.update({f"items-{i}-content": content, f"items-{i}-standard": "达标", f"items-{i}-deadline": deadline})
    return data


def test_office_issues_a_list_in_the_form(client_for, office, dept_a, co_reporter):
    category = services.category(office_unit=office.org_unit, name="产业工人队伍建设", actor=office)
    client = client_for(office)
    assert client.get("/lists/new/").status_code == 200
    data = _form(
        "A-D1",
        [("改善技术人才居住条件", later()), ("开展职工技能竞赛", later(40))],
        co_units=["A-D2"],
        category=category.pk,
        **{"items-1-deep_review_required": "on", "items-0-person_in_charge": "张三"},
    )
    response = client.post("/lists/new/", data, follow=True)
    text = response.content.decode()
    checklist = Checklist.objects.get()
    assert "已下达给县交通运输局，共 2 项事项" in text
    assert (checklist.responsible_unit, checklist.category, list(checklist.co_units.all())) == (
        dept_a,
        category,
        [co_reporter.org_unit],
    )
    items = list(checklist.items.order_by("position"))
    assert [(i.content, i.deep_review_required, i.person_in_charge) for i in items] == [
        ("改善技术人才居住条件", False, "张三"),
        ("开展职工技能竞赛", True, ""),
    ]


@pytest.mark.parametrize(
    ("items", "extra", "message"),
    [
        ([], {}, "清单至少需要一个事项"),
        ([("事项", later()), ("事项", later())], {}, "本清单中该事项重复"),
        ([("事项", (TODAY() - timedelta(days=1)).isoformat())], {}, "早于下达日期"),
        ([("事项", later())], {"co_units": ["A-D1"]}, "责任单位不能同时作为协办单位"),
    ],
)
def test_a_bad_list_is_refused_with_the_reason(client_for, office, dept_a, items, extra, message):
    response = client_for(office).post("/lists/new/", _form("A-D1", items, **extra))
    text = response.content.decode()
    assert response.status_code == 200 and message in text, text[text.find("alert") :][:600]
    assert not Checklist.objects.exists()


def test_an_outside_unit_cannot_be_chosen(client_for, office, dept_b):
    response = client_for(office).post("/lists/new/", _form("B-D1", [("事项", later())]))
    assert response.context["form"].errors["responsible_unit"]
    assert not Checklist.objects.exists()


def test_issuing_past_the_load_line_needs_an_explicit_confirmation(client_for, office, dept_a, rule):
    rule("closeout.unit_load_warning", 3)
    issue(office, dept_a, "早先的清单", n=2)
    client = client_for(office)
    data = _form("A-D1", [("新事项一", later()), ("新事项二", later())])
    warned = client.post("/lists/new/", data)
    text = warned.content.decode()
    assert 'data-testid="load-warning"' in text
    assert "该单位本月已收到2项，加上本次2项，超过3项的提示线" in text and "已知悉，仍然下达" in text
    assert Checklist.objects.count() == 1
    confirmed = client.post("/lists/new/", {**data, "confirm_load": "on"}, follow=True)
    assert "已下达给县交通运输局" in confirmed.content.decode()
    assert Checklist.objects.count() == 2
    assert services.unit_load(dept_a) == 4


def test_within_the_load_line_no_confirmation_is_asked(client_for, office, dept_a, rule):
    rule("closeout.unit_load_warning", 3)
    response = client_for(office).post("/lists/new/", _form("A-D1", [("事项", later())]), follow=True)
    assert "提示线" not in response.content.decode() and Checklist.objects.count() == 1


# --- a list's page ---------------------------------------------------------------------------


def test_the_list_page_shows_its_items_and_is_closed_when_all_are(client_for, checklist, reporter, reviewer, office):
    client = client_for(office)
    text = client.get(f"/lists/{checklist.pk}/").content.decode()
    for item in checklist.items.all():
        assert f'href="/lists/items/{item.pk}/"' in text
    assert "改善技术人才居住条件" in text and "县人社局" in text and "0 / 2" in text
    assert 'data-testid="list-state">未销号' in text
    for item in checklist.items.all():
        workflow.apply_for_closeout(item=item, actor=reporter, report="已完成。")
        if item.deep_review_required:
            item.refresh_from_db()
            item.status = ItemStatus.CLOSED  # deep review is tested in test_workflow
            item.save()
            tally.rebuild()
        else:
            workflow.verify(item=item, actor=reviewer, passed=True, opinion="通过。")
    text = client.get(f"/lists/{checklist.pk}/").content.decode()
    assert "2 / 2" in text and 'data-testid="list-state">已销号' in text


def test_the_unit_sees_its_list_and_another_county_gets_404(client_for, checklist, reporter, outsider):
    assert client_for(reporter).get(f"/lists/{checklist.pk}/").status_code == 200
    other = client_for(outsider)
    assert other.get(f"/lists/{checklist.pk}/").status_code == 404
    assert "技术工人队伍建设责任清单" not in other.get("/lists/").content.decode()
    exported = load_workbook(io.BytesIO(other.get("/lists/export/").content), read_only=True).worksheets[0]
    assert len(list(exported.iter_rows())) == 1  # the header only

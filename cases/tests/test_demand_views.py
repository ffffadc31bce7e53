"""The staff's demand pages: list, filters, export, registering with the slip, the detail page's actions, masking
and the audited full view, the QR poster, the workbench counts."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from audit.models import AuditEvent
from cases import demand_flow, inbox_demands
from cases.models import Demand, DemandStatus, JointMeeting
from qingdan.pages import PAGE_SIZE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sept16")]
LIST = "/cases/demands/"


def _at(frozen, day):
    frozen.move_to(datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Asia/Shanghai")))


def _text(response):
    return response.content.decode()


def test_list_masks_the_worker_and_marks_overdue_in_words(client_for, office, make_demand, sept16):
    make_demand()
    _at(sept16, date(2026, 9, 22))
    page = _text(client_for(office).get(LIST))
    assert "张**" in page and "张三丰" not in page and "13812345678" not in page
    assert "逾期" in page and "text-danger" in page


def test_list_pages_by_fifty_in_few_queries(client_for, office, make_demand, django_assert_max_num_queries):
    for n in range(PAGE_SIZE + 5):
        make_demand(content=f"诉求{n}")
    client = client_for(office)
    with django_assert_max_num_queries(14):
        response = client.get(LIST)
    assert _text(response).count('data-testid="demand-row"') == PAGE_SIZE


def test_filters_and_export_give_exactly_the_same_rows(client_for, office, make_demand, reporter):
    demand, _c = make_demand(category="safety")
    make_demand(category="wages")
    demand_flow.reply_demand(demand=demand, actor=reporter, version=demand.version, reply="好", result="resolved")
    client = client_for(office)
    page = _text(client.get(LIST, {"status": "replied"}))
    assert page.count('data-testid="demand-row"') == 1
    response = client.get("/cases/demands/export/", {"status": "replied"})
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][5] == "张**" and rows[1][6] == "138****5678" and rows[1][4] == "安全生产"


def test_another_countys_office_gets_404(client_for, outsider, make_demand):
    demand, _c = make_demand()
    client = client_for(outsider)
    assert client.get(f"{LIST}{demand.pk}/").status_code == 404
    assert client.post(f"{LIST}{demand.pk}/reply/", {"reply-reply": "x", "reply-result": "resolved"}).status_code == 404
    assert 'data-testid="demand-row"' not in _text(client.get(LIST))


def test_full_view_of_the_worker_is_for_the_registering_staff_and_audited(client_for, office, reporter, make_demand):
    demand, _c = make_demand()
    page = _text(client_for(office).get(f"{LIST}{demand.pk}/"))
    assert "张**" in page and "138****5678" in page and 'data-testid="show-full"' in page
    page = _text(client_for(office).post(f"{LIST}{demand.pk}/"))
    assert "张三丰" in page and "13812345678" in page
    assert AuditEvent.objects.filter(action="cases.demand_worker_viewed", object_id=str(demand.pk)).count() == 1
    # The handling department replies without the worker's full name: no button, and a post is refused.
    client = client_for(reporter)
    assert 'data-testid="show-full"' not in _text(client.get(f"{LIST}{demand.pk}/"))
    assert client.post(f"{LIST}{demand.pk}/").status_code == 403


def test_registering_shows_the_receipt_code_once(client_for, office, firm_a, dept_a):
    client = client_for(office)
    response = client.post(
        "/cases/demands/new/",
        {
            "enterprise": firm_a.pk,
            "source": "hotline",
            "category": "wages",
            "worker_name": "王五",
            "worker_phone": "13900001111",
            "group_size": "12",
            "content": "加班费未按规定支付",
            "handling_unit": dept_a.pk,
            "received_on": "2026-09-16",
        },
    )
    demand = Demand.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{LIST}{demand.pk}/slip/"
    slip = _text(client.get(response["Location"]))
    assert 'data-testid="receipt-code"' in slip
    code = slip.split('data-testid="receipt-code">')[1].split("<")[0]
    assert demand_flow.find_by_code(code) == demand and demand.group_size == 12
    again = _text(client.get(response["Location"]))
    assert 'data-testid="receipt-code"' not in again and "回执码已在登记时显示过一次" in again


def test_register_form_refuses_a_unit_of_another_county_with_a_clear_message(client_for, office, firm_a, dept_b):
    response = client_for(office).post(
        "/cases/demands/new/",
        {"enterprise": firm_a.pk, "source": "walk_in", "category": "wages", "worker_name": "王五", "group_size": "0",
         "content": "x", "handling_unit": dept_b.pk, "received_on": "2026-09-16"},
    )  # fmt: skip
    page = _text(response)
    assert "该单位不在本县范围内，请选择本县的部门、镇（街道）或园区、社区工会。" in page
    assert "涉及职工人数至少为 1 人。" in page
    assert not Demand.objects.exists()


def test_a_reporter_of_a_department_cannot_register(client_for, reporter):
    assert client_for(reporter).get("/cases/demands/new/").status_code == 403


def test_joint_meeting_link_fills_the_enterprise_and_source(client_for, office, firm_a, county_a, dept_a):
    meeting = JointMeeting.objects.create(
        enterprise=firm_a, org_unit=county_a, held_on=date(2026, 9, 10), title="季度联席会", participants="双方"
    )
    client = client_for(office)
    page = _text(client.get("/cases/demands/new/", {"meeting": meeting.pk}))
    assert 'data-testid="meeting"' in page and firm_a.name in page
    client.post(
        f"/cases/demands/new/?meeting={meeting.pk}",
        {"category": "welfare", "worker_name": "赵六", "group_size": "30", "content": "食堂伙食差",
         "handling_unit": dept_a.pk, "received_on": "2026-09-10", "meeting": meeting.pk},
    )  # fmt: skip
    demand = Demand.objects.get()
    assert demand.meeting == meeting and demand.source == "meeting" and demand.enterprise == firm_a


def test_actions_shown_are_those_the_user_may_take(client_for, office, reporter, make_demand):
    demand, _c = make_demand()
    page = _text(client_for(reporter).get(f"{LIST}{demand.pk}/"))
    assert 'data-testid="action-reply"' in page and 'data-testid="action-call_back"' not in page
    assert 'data-testid="action-accept"' not in page


def test_reply_through_the_page_then_the_timeline_shows_it(client_for, reporter, make_demand):
    demand, _c = make_demand()
    client = client_for(reporter)
    response = client.post(
        f"{LIST}{demand.pk}/reply/",
        {"reply-reply": "企业已承诺月底前补发", "reply-result": "resolved", "reply-version": demand.version},
    )
    assert response.status_code == 302
    page = _text(client.get(f"{LIST}{demand.pk}/"))
    assert "企业已承诺月底前补发" in page and 'data-testid="event-replied"' in page


def test_closing_without_a_reply_says_why(client_for, office, make_demand):
    demand, _c = make_demand()
    response = client_for(office).post(
        f"{LIST}{demand.pk}/call_back/", {"call_back-note": "已回访", "call_back-version": demand.version}
    )
    assert response.status_code == 422
    assert "该诉求尚未答复，承办单位答复后才能回访办结。" in _text(response)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.ASSIGNED


def test_a_stale_form_says_the_demand_changed(client_for, reporter, make_demand):
    demand, _c = make_demand()
    response = client_for(reporter).post(
        f"{LIST}{demand.pk}/reply/",
        {"reply-reply": "好", "reply-result": "resolved", "reply-version": demand.version + 1},
    )
    assert response.status_code == 422 and "该诉求在您打开后已被他人修改，请刷新后重试。" in _text(response)


def test_private_notes_are_not_shown_to_a_leader(client_for, reporter, leader, make_demand):
    demand, _c = make_demand()
    client_for(reporter).post(f"{LIST}{demand.pk}/note/", {"note-text": "企业老板态度强硬"})
    assert "企业老板态度强硬" in _text(client_for(reporter).get(f"{LIST}{demand.pk}/"))
    assert "企业老板态度强硬" not in _text(client_for(leader).get(f"{LIST}{demand.pk}/"))


def test_poster_draws_the_qr_code_locally(client_for, office, firm_a):
    page = _text(client_for(office).get(f"/cases/enterprises/{firm_a.pk}/demand-poster/"))
    assert "<svg" in page and "/w/demand/" in page and "https://cdn" not in page


@pytest.mark.parametrize("task", [t for t, _label, _overdue in inbox_demands.Task.ALL])
def test_workbench_counts_equal_the_rows_behind_their_links(
    task, client_for, office, reporter, town_reporter, make_demand, firm_a, sept16, town_a
):
    make_demand()
    make_demand()
    replied, _c = make_demand()
    demand_flow.reply_demand(demand=replied, actor=reporter, version=replied.version, reply="好", result="resolved")
    demand_flow.submit_demand(enterprise=firm_a, category="wages", content="欠薪", worker_name="甲")
    make_demand(actor=town_reporter, org_unit=town_a)
    _at(sept16, date(2026, 9, 21))
    make_demand()  # due later: not overdue
    for user in (office, reporter, town_reporter):
        client = client_for(user)
        items = {item["url"]: item["count"] for item in inbox_demands.items(user)}
        url = f"{LIST}?task={task}"
        rows = _text(client.get(url)).count('data-testid="demand-row"')
        assert items.get(url, 0) == rows, (user.username, task)
    counts = {item["url"].split("=")[1]: item["count"] for item in inbox_demands.items(office)}
    assert counts == {"overdue": 3, "accept": 1, "call_back": 1}
    counts = {item["url"].split("=")[1]: item["count"] for item in inbox_demands.items(reporter)}
    assert counts == {"overdue": 3, "reply": 1}

"""The disputes pages: the list with its filters, red first, and its export; registering and the grid leader's
phone form; the detail page's actions, shown only when allowed; the worker's follow-up page; other county → 404."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from cases import dispute_flow as flow
from cases.models import Dispute

pytestmark = pytest.mark.django_db


def fresh(dispute):
    return Dispute.objects.get(pk=dispute.pk)


def test_the_list_shows_red_first_with_names_and_phones_masked(office, client_for, make_dispute):
    make_dispute(months_in_arrears="0.5", worker_name="李四光")
    red = make_dispute(months_in_arrears="3", worker_name="张三丰")
    page = client_for(office).get("/cases/disputes/").content.decode()
    assert page.index(f"/cases/disputes/{red.pk}/") < page.index("李**")
    assert "张**" in page and "138****5678" in page
    assert "张三丰" not in page and "13812345678" not in page
    assert "红色" in page and "黄色" in page


def test_the_list_pages_by_fifty_in_a_bounded_number_of_queries(
    office, client_for, make_dispute, django_assert_max_num_queries
):
    for n in range(55):
        make_dispute(workers=n + 1)
    client = client_for(office)
    with django_assert_max_num_queries(14):
        page = client.get("/cases/disputes/")
    assert page.content.decode().count('data-testid="dispute-row"') == 50


def test_the_filter_bar_and_the_export_give_the_same_rows(office, client_for, make_dispute):
    make_dispute(months_in_arrears="0.5")
    make_dispute(months_in_arrears="3", worker_phone="13900001111")
    client = client_for(office)
    page = client.get("/cases/disputes/?colour=red").content.decode()
    assert page.count('data-testid="dispute-row"') == 1
    sheet = load_workbook(io.BytesIO(client.get("/cases/disputes/export/?colour=red").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and the one red dispute
    assert "139****1111" in rows[1] and "张**" in rows[1] and "红色" in rows[1]


def test_another_countys_user_gets_404_everywhere(outsider, client_for, make_dispute, firm_a):
    dispute = make_dispute()
    client = client_for(outsider)
    for url in (
        f"/cases/disputes/{dispute.pk}/",
        f"/cases/disputes/{dispute.pk}/edit/",
        f"/cases/enterprises/{firm_a.pk}/disputes/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/cases/disputes/{dispute.pk}/start/", {"level": "enterprise", "mediator": "x"}).status_code == 404
    )
    assert client.post(f"/cases/disputes/{dispute.pk}/follow-up/").status_code == 404
    assert "张" not in client.get("/cases/disputes/").content.decode()
    assert fresh(dispute).status == "registered"


def test_office_registers_a_dispute_on_the_page(office, client_for, firm_a, town_a):
    response = client_for(office).post(
        "/cases/disputes/new/",
        {
            "unit": town_a.pk, "enterprise": firm_a.pk, "kind": "wages", "source": "walk_in", "summary": "欠薪",
            "worker_name": "王五", "worker_phone": "", "workers": "31", "months_in_arrears": "1.5",
            "amount_claimed": "60,000", "version": "",
        },
    )  # fmt: skip
    dispute = Dispute.objects.get()
    assert response.status_code == 302 and dispute.colour == "red" and dispute.amount_claimed == 60000


def test_a_negative_amount_on_the_page_is_refused_in_chinese(office, client_for, firm_a, town_a):
    page = client_for(office).post(
        "/cases/disputes/new/",
        {
            "unit": town_a.pk, "enterprise": firm_a.pk, "kind": "wages", "source": "walk_in", "summary": "欠薪",
            "worker_name": "王五", "workers": "3", "months_in_arrears": "1", "amount_claimed": "-5",
        },
    )  # fmt: skip
    assert "涉及金额不能为负数" in page.content.decode()
    assert not Dispute.objects.exists()


def test_a_grid_leader_below_the_town_reports_from_a_phone_and_gets_a_receipt(grid_leader, client_for, firm_a):
    client = client_for(grid_leader)
    assert "网格上报" in client.get("/cases/disputes/").content.decode()
    form = client.get("/cases/disputes/grid/").content.decode()
    assert "东坎街道工会" in form
    page = client.post(
        "/cases/disputes/grid/",
        {"enterprise": firm_a.pk, "grid": "向阳社区第三网格", "workers": "35", "months_in_arrears": "3",
         "amount_claimed": "1250000", "summary": "三个月未发工资"},
    ).content.decode()  # fmt: skip
    assert "已送达东坎街道工会" in page and "红色" in page
    assert Dispute.objects.get().source == "grid"


def test_the_town_reporter_mediates_on_the_page_and_skipping_a_level_is_refused(
    town_reporter, client_for, make_dispute
):
    dispute = make_dispute()
    client = client_for(town_reporter)
    page = client.post(
        f"/cases/disputes/{dispute.pk}/start/", {"level": "village", "mediator": "陈", "version": 0}, follow=True
    )
    assert "调解须从企业层级开始" in page.content.decode()
    assert fresh(dispute).status == "registered"
    client.post(f"/cases/disputes/{dispute.pk}/start/", {"level": "enterprise", "mediator": "王", "version": 0})
    assert fresh(dispute).level == "enterprise"
    stale = client.post(
        f"/cases/disputes/{dispute.pk}/session/", {"held_on": "2026-09-16", "note": "x", "version": 0}, follow=True
    )
    assert "已被他人修改" in stale.content.decode()
    detail = client.get(f"/cases/disputes/{dispute.pk}/").content.decode()
    assert "调解未成：上交村/社区调解" in detail and "2026-10-13" in detail


def test_a_leader_sees_the_dispute_but_no_action(leader, client_for, make_dispute):
    page = client_for(leader).get(f"/cases/disputes/{make_dispute().pk}/").content.decode()
    assert 'data-testid="timeline"' in page and 'data-testid="actions"' not in page


def test_the_full_phone_is_shown_on_request_and_audited(town_reporter, client_for, make_dispute):
    from audit.models import AuditEvent

    dispute = make_dispute()
    page = client_for(town_reporter).post(f"/cases/disputes/{dispute.pk}/").content.decode()
    assert "13812345678" in page
    assert AuditEvent.objects.filter(action="cases.dispute_contact_viewed").count() == 1


def test_the_follow_up_link_is_shown_once_and_the_worker_answers_on_a_phone(
    town_reporter, client_for, make_dispute, frozen_clock
):
    dispute = make_dispute()
    flow.record_agreement(dispute=dispute, actor=town_reporter, version=0, amount_agreed="20000")
    frozen_clock.move_to(datetime(2026, 10, 16, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    flow.scan()
    staff = client_for(town_reporter)
    assert "待发送的职工回访" in staff.get("/").content.decode()
    link_page = staff.post(f"/cases/disputes/{dispute.pk}/follow-up/").content.decode()
    assert "<svg" in link_page and "只显示一次" in link_page
    url = link_page.split('data-testid="follow-up-url">')[1].split("<")[0]
    path = url.split("testserver", 1)[1]
    from django.test import Client

    worker = Client()
    question = worker.get(path)
    assert question.status_code == 200 and "是否已足额拿到款项？" in question.content.decode()
    thanks = worker.post(path, {"answer": "yes"})
    assert "谢谢，您的答复已记录" in thanks.content.decode()
    assert fresh(dispute).status == "closed"
    again = worker.get(path)
    assert again.status_code == 410 and "此链接已使用" in again.content.decode()
    unknown = worker.get("/w/f/ABCDEFGHJK/")
    assert unknown.status_code == 404 and "无法识别此链接" in unknown.content.decode()


def test_the_enterprise_page_shows_its_risk_history(office, client_for, make_dispute, firm_a):
    make_dispute(months_in_arrears="3")
    client = client_for(office)
    assert "risk-history-slot" in client.get(f"/cases/enterprises/{firm_a.pk}/").content.decode()
    history = client.get(f"/cases/enterprises/{firm_a.pk}/disputes/").content.decode()
    assert "共1件，红色1件" in history


def test_the_navigation_shows_disputes_to_town_reporters_not_to_department_reporters(
    town_reporter, reporter, client_for
):
    assert "劳动争议" in client_for(town_reporter).get("/").content.decode()
    assert "劳动争议" not in client_for(reporter).get("/").content.decode()


def test_the_representatives_name_is_masked_for_a_reader_who_may_not_see_the_worker(
    leader, town_reporter, client_for, make_dispute
):
    # The attack: a leader (who reads but does not work on the dispute) opens its page to learn the worker's name,
    # which the list, the export and the API mask.
    dispute = make_dispute()
    page = client_for(leader).get(f"/cases/disputes/{dispute.pk}/").content.decode()
    # The leader sees “张** · 138****5678” and no button to show more.
    assert "张三丰" not in page and "张**" in page and "138****5678" in page
    assert 'data-testid="show-phone"' not in page
    # The town reporter working on it sees the masked name too until asking for the full view (audited).
    client = client_for(town_reporter)
    page = client.get(f"/cases/disputes/{dispute.pk}/").content.decode()
    assert "张三丰" not in page and 'data-testid="show-phone"' in page and "查看完整姓名和电话" in page
    page = client.post(f"/cases/disputes/{dispute.pk}/").content.decode()
    assert "张三丰" in page and "13812345678" in page

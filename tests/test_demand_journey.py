"""A worker sends a demand from the enterprise's QR poster on a phone and keeps the receipt code; the county office
accepts it and sends it to 县交通运输局; the department's reporter replies; the worker reads the reply with the code
and rates it."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.journeys import sign_in
from tests.test_phone import PHONE, page_overflow


@pytest.fixture
def firm(demo):
    from cases import services
    from cases.models import Industry
    from orgs.models import OrgUnit
    from qingdan.actors import SYSTEM

    return services.create_enterprise(
        actor=SYSTEM,
        name="滨海顺达物流有限公司",
        credit_code="91110000600037341L",
        org_unit=OrgUnit.objects.get(code="320922"),
        community="",
        industry=Industry.G,
        workers=120,
        has_union=False,
        union_unit=None,
        address="",
        contact_name="",
        contact_phone="",
    )


def _staff_page(browser, browser_context_args, site, username):
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": 1280, "height": 900}})
    page = context.new_page()
    page.goto(f"{site}/")
    sign_in(page, site, username)
    return page


def test_worker_sends_by_qr_staff_accept_department_replies_worker_rates(
    browser, browser_context_args, live_server, firm, screenshots_dir
):
    from cases.models import Demand
    from cases.views_demands import poster_key

    site = live_server.url
    phone = browser.new_context(**{**browser_context_args, **PHONE}).new_page()
    phone.goto(f"{site}/w/demand/{poster_key(firm)}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("向工会反映诉求")
    phone.get_by_label("诉求类别").select_option("wages")
    phone.get_by_label("您的诉求").fill("司机两个月的出车补贴没有发放")
    phone.get_by_label("您的姓名").fill("钱进")
    phone.get_by_label("您的电话（便于回访）").fill("13912345678")
    phone.get_by_label("涉及多少名职工？").fill("6")
    assert page_overflow(phone) <= 0
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("诉求已提交")
    code = phone.get_by_test_id("receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code)
    phone.screenshot(path=str(screenshots_dir / "demand-worker-sent.png"), full_page=True)

    office: Page = _staff_page(browser, browser_context_args, site, "office")
    office.get_by_role("link", name=re.compile("待受理的职工诉求")).click()
    office.get_by_role("link", name="滨海顺达物流有限公司").first.click()
    from orgs.models import OrgUnit

    transport = OrgUnit.objects.get(code="320922D008")
    assert transport.name == "县交通运输局"
    office.get_by_label("承办单位").select_option(str(transport.pk))
    office.get_by_role("button", name="受理", exact=True).click()
    expect(office.get_by_text("诉求已受理并交办给县交通运输局。")).to_be_visible()

    reporter: Page = _staff_page(browser, browser_context_args, site, "reporter")
    reporter.get_by_role("link", name=re.compile("待答复的诉求")).click()
    reporter.get_by_role("link", name="滨海顺达物流有限公司").first.click()
    reporter.get_by_label("正式答复（职工可见）").fill("经协调，企业已于本周补发出车补贴。")
    reporter.get_by_label("结果").select_option("resolved")
    reporter.get_by_role("button", name="保存答复").click()
    expect(reporter.get_by_test_id("reply")).to_have_text("经协调，企业已于本周补发出车补贴。")

    phone.goto(f"{site}/w/demand/")
    phone.get_by_label("回执码").fill(code.lower())
    phone.get_by_role("button", name="查询").click()
    expect(phone.get_by_test_id("reply")).to_contain_text("经协调，企业已于本周补发出车补贴。")
    expect(phone.get_by_test_id("handling-unit")).to_have_text("县交通运输局")
    assert "孙丽娟" not in phone.content()
    phone.get_by_label("非常满意").check()
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_test_id("notice")).to_have_text("谢谢，您的评价已保存。")
    assert page_overflow(phone) <= 0
    phone.screenshot(path=str(screenshots_dir / "demand-worker-rated.png"), full_page=True)
    assert Demand.objects.get().rating == "very_satisfied"

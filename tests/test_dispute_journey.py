"""The labour dispute journey (劳动争议, seed 004's 安吉): a grid leader reports a red wage-arrears case from a phone;
东坎街道工会's reporter finds it first in her workbench, mediates at the enterprise level (which fails), then the
village level (which fails), then the town level, where an agreement is reached; thirty days later the worker
answers the follow-up question on a phone, and the counts move."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.journeys import DEMO_PASSWORD, sign_in
from tests.test_phone import PHONE, page_overflow

DESKTOP = {"width": 1366, "height": 768}
ENTERPRISE = "滨海鑫达纺织有限公司"
GRID = "向阳社区第三网格"


@pytest.fixture
def people(demo):
    """东坎街道工会's reporter (dongkan), a grid leader of an enterprise union below it, and a firm of the town."""
    from cases import services as registry
    from cases.tests.conftest import valid_code
    from orgs import services as org_services
    from orgs.models import OrgUnit, Role
    from qingdan.actors import SYSTEM

    town = OrgUnit.objects.get(code="320922T001")
    firm_unit = OrgUnit.objects.get(code="320922E001")  # 江苏苏盐阀门机械有限公司, below 东坎街道
    for username, name, unit, phone in (
        ("dongkan", "陈晓梅", town, "13805150200"),
        ("grid", "李网格", firm_unit, "13905150300"),
    ):
        org_services.create_user(
            username=username, full_name=name, org_unit=unit, roles=[Role.REPORTER], password=DEMO_PASSWORD,
            phone=phone, actor=SYSTEM,
        )  # fmt: skip
    registry.create_enterprise(
        actor=SYSTEM, name=ENTERPRISE, credit_code=valid_code(77), org_unit=town, community="向阳社区",
        industry="C", workers=120, has_union=False, union_unit=None, address="", contact_name="", contact_phone="",
    )  # fmt: skip
    return town


def open_context(browser: Browser, browser_context_args, **device):
    context = browser.new_context(**{**browser_context_args, **device})
    return context, context.new_page()


def act(page: Page, name: str, fields: dict, submit: str | None = None):
    """Open the action's small form on the detail page, fill it and send it."""
    box = page.get_by_test_id(f"act-{name}")
    box.locator("summary").click()
    for field, value in fields.items():
        box.locator(f"[name={field}]").fill(value)
    box.locator("button[type=submit]").click()


def message(page: Page):
    return page.locator(".alert").first


def figures(page: Page, site: str):
    """The county's figures of the year: (agreements, amount paid in 万元)."""
    page.goto(f"{site}/cases/figures/")
    agreements = int(page.get_by_test_id("card-disputes-agreements").inner_text().replace(",", ""))
    paid = float(page.get_by_test_id("card-disputes-paid").inner_text().replace("万元", "").replace(",", ""))
    return agreements, paid


def test_grid_report_to_town_mediation_agreement_and_the_workers_answer(
    browser: Browser, browser_context_args, live_server, people, screenshots_dir
):
    from cases import dispute_flow
    from cases.models import Dispute
    from orgs.models import Notification

    site = live_server.url
    grid_context, phone = open_context(browser, browser_context_args, **PHONE)
    town_context, desk = open_context(browser, browser_context_args, viewport=DESKTOP)
    worker_context, worker = open_context(browser, browser_context_args, **PHONE)
    county_context, county = open_context(browser, browser_context_args, viewport=DESKTOP)
    try:
        county.goto(f"{site}/")
        sign_in(county, site, "office")
        agreements_before, paid_before = figures(county, site)
        # 1. The grid leader reports from the phone: a short form, one column.
        phone.goto(f"{site}/cases/disputes/grid/")
        sign_in(phone, site, "grid")
        expect(phone.get_by_role("heading", level=1)).to_have_text("上报欠薪风险")
        phone.get_by_label("企业").select_option(label=ENTERPRISE)
        phone.get_by_label("所在网格").fill(GRID)
        phone.get_by_label("涉及职工人数").fill("35")
        phone.get_by_label("欠薪月数").fill("3")
        phone.get_by_label("欠薪金额（元）").fill("1250000")
        phone.get_by_label("情况说明").fill("厂区停工，35名职工三个月工资未发，情绪激动。")
        assert page_overflow(phone) == 0
        phone.screenshot(path=screenshots_dir / "dispute-grid-phone.png", full_page=True)
        phone.get_by_test_id("grid-submit").click()
        expect(phone.get_by_test_id("grid-thanks")).to_contain_text("红色")
        expect(phone.get_by_test_id("grid-thanks")).to_contain_text("东坎街道工会")
        assert page_overflow(phone) == 0
        dispute = Dispute.objects.get(grid=GRID)
        assert dispute.colour == "red" and dispute.source == "grid"
        told = set(Notification.objects.filter(text__startswith="红色预警").values_list("user__username", flat=True))
        assert {"dongkan", "office"} <= told

        # 2. The town's reporter finds it first in her workbench.
        desk.goto(f"{site}/")
        sign_in(desk, site, "dongkan")
        first = desk.get_by_test_id("inbox").locator("li").first
        expect(first).to_contain_text("劳动争议红色预警")
        first.get_by_role("link").click()
        expect(desk.get_by_test_id("task")).to_contain_text("劳动争议红色预警")
        desk.get_by_role("link", name=ENTERPRISE).first.click()
        expect(desk.get_by_test_id("colour-reason")).to_contain_text("红色预警")

        # 3. Mediation, one level at a time: the enterprise level fails, then the village level fails.
        act(desk, "start", {"mediator": "企业工会主席 王建华"})
        expect(message(desk)).to_contain_text("已受理企业层级调解")
        expect(desk.get_by_test_id("level-enterprise")).to_contain_text("王建华")
        act(desk, "session", {"note": "企业负责人称资金紧张，无法一次性支付。"})
        act(desk, "fail", {"note": "企业拒绝分期方案。", "mediator": "社区调解委员会 陈国平"})
        expect(message(desk)).to_contain_text("村/社区调解已受理")
        act(desk, "fail", {"note": "双方对金额分歧较大。", "mediator": "街道调解中心 孙志强"})
        expect(message(desk)).to_contain_text("乡镇（街道）调解已受理")
        expect(desk.get_by_test_id("level-town")).to_contain_text("孙志强")
        act(desk, "agree", {"amount_agreed": "1,200,000"})
        expect(message(desk)).to_contain_text("调解协议已登记")
        expect(desk.get_by_test_id("amount-agreed")).to_have_text("¥1,200,000.00")
        expect(desk.get_by_test_id("status")).to_have_text("已达成协议")
        act(desk, "pay", {"amount": "1200000"})
        expect(desk.get_by_test_id("amount-paid")).to_have_text("¥1,200,000.00")
        desk.screenshot(path=screenshots_dir / "dispute-detail-desktop.png", full_page=True)

        # 4. Thirty days after the agreement the scan opens the follow-up; the staff make the one-time link.
        dispute.refresh_from_db()
        assert dispute_flow.scan(dispute.agreed_on + timedelta(days=30))["follow_ups"] == 1
        desk.reload()
        desk.get_by_test_id("make-link").click()
        url = desk.get_by_test_id("follow-up-url").inner_text()
        assert re.search(r"/w/f/[0-9A-Z]{10}/$", url)
        expect(desk.locator("svg.qd-qr")).to_be_visible()

        # 5. The worker answers on a phone, without signing in.
        worker.goto(url)
        expect(worker.get_by_role("heading", level=1)).to_have_text("是否已足额拿到款项？")
        assert page_overflow(worker) == 0
        worker.screenshot(path=screenshots_dir / "dispute-follow-up-phone.png", full_page=True)
        worker.get_by_test_id("answer-yes").click()
        expect(worker.get_by_test_id("follow-up-thanks")).to_contain_text("已办结")
        worker.goto(url)
        expect(worker.get_by_test_id("follow-up-used")).to_be_visible()

        # 6. The counts move: the list shows the dispute closed, and no red one open.
        desk.goto(f"{site}/cases/disputes/?status=closed")
        expect(desk.get_by_test_id("dispute-row")).to_have_count(1)
        desk.goto(f"{site}/cases/disputes/?colour=red&open=1")
        expect(desk.get_by_test_id("dispute-row")).to_have_count(0)
        # 7. The county's figures move: one agreement more, ¥1,200,000.00 (120.00万元) more paid to workers.
        agreements, paid = figures(county, site)
        assert agreements == agreements_before + 1
        assert round(paid - paid_before, 2) == 120.00
    finally:
        for context in (grid_context, town_context, worker_context, county_context):
            context.close()

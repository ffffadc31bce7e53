"""The archive journey in a real browser: a town union's reporter files a hardship application on a phone; the
county's office takes it through the first check, the home visit with the signed authorisation, the checks by the
departments and the 公示 — whose public page shows a masked name while open and nothing personal once ended — to
archived."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from stdnum.cn import ric

from tests.journeys import DEMO_PASSWORD, sign_in

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
FIRST17 = "32092219780312041"
ID_NUMBER = FIRST17 + ric.calc_check_digit(FIRST17 + "0")
PDF = b"%PDF-1.4\n% signed authorisation\n%%EOF\n"


@pytest.fixture
def archive_demo(demo):
    from assistance import decisions
    from orgs.models import OrgUnit, Role
    from orgs.tests.factories import UserFactory
    from qingdan.actors import SYSTEM

    county = OrgUnit.objects.get(name="滨海县总工会")
    decisions.set_standard(unit=county, year=2026, monthly=Decimal("800"), actor=SYSTEM)
    town = OrgUnit.objects.get(name="东坎街道工会")
    UserFactory(username="dongkan_rep", org_unit=town, roles=[Role.REPORTER])
    return town


def _overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _sign_in(page, site, username, password=DEMO_PASSWORD):
    page.goto(f"{site}/login/")
    sign_in(page, site, username, password)
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")


def _figures(page, site):
    """The county's figures of the year: (files archived now, aid given in 万元)."""
    page.goto(f"{site}/assistance/figures/")
    held = int(page.get_by_test_id("card-held").inner_text().replace(",", ""))
    aid = float(page.get_by_test_id("card-aid-amount").inner_text().replace("万元", "").replace(",", ""))
    return held, aid


def _act(page, action):
    page.wait_for_load_state("load")
    page.get_by_test_id(f"btn-{action}").click()
    page.get_by_test_id(f"confirm-{action}").click()


def test_a_reporter_files_on_a_phone_and_the_county_archives_it(
    browser, site, archive_demo, frozen_clock, tmp_path: Path, screenshots_dir
):
    from orgs.tests.factories import PASSWORD

    phone = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    _sign_in(phone, site, "dongkan_rep", PASSWORD)
    phone.goto(f"{site}/assistance/households/")
    phone.get_by_test_id("new-household").click()
    phone.locator("[name=head_name]").fill("胡秀兰")
    phone.locator("[name=head_id_number]").fill(ID_NUMBER)
    phone.locator("[name=address]").fill("滨海县东坎街道幸福路9号")
    phone.locator("[name=phone]").fill("13905150001")
    phone.locator("[name=annual_income]").fill("18000")
    assert _overflow(phone) <= 0, "the application form scrolls sideways on a phone"
    phone.get_by_test_id("save").click()
    expect(phone.get_by_test_id("status")).to_have_text("已申请")
    number = phone.get_by_role("heading", level=1).inner_text().split()[0]
    body = phone.get_by_role("main").inner_text()
    assert ID_NUMBER not in body and "13905150001" not in body  # masked for the reporter
    assert _overflow(phone) <= 0
    phone.screenshot(path=screenshots_dir / "archive-journey-phone.png", full_page=True)

    page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    _sign_in(page, site, "office")
    page.goto(f"{site}/assistance/households/?q={number}")
    page.get_by_role("link", name=number).first.click()
    _act(page, "pass_first_check")
    expect(page.get_by_test_id("status")).to_have_text("初审通过")
    # The visit: refused without the signed authorisation, recorded with it. The page's scripts must have run
    # before the button unfolds its form (a busy machine loads them late), and the refusal is the page after the post.
    page.wait_for_load_state("load")
    page.get_by_test_id("btn-record_visit").click()
    page.get_by_label("入户走访情况").fill("入户走访，家中两人，户主患慢性病")
    with page.expect_navigation():
        page.locator("#act-record_visit button[type=submit]").click()
    expect(page.locator(".alert-danger").filter(has_text="授权书").first).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("初审通过")
    authorisation = tmp_path / "授权书.pdf"
    authorisation.write_bytes(PDF)
    page.get_by_test_id("btn-record_visit").click()
    page.get_by_label("入户走访情况").fill("入户走访，家中两人，户主患慢性病")
    page.get_by_label("家庭经济状况核对授权书").set_input_files(str(authorisation))
    page.locator("#act-record_visit button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text("已入户走访")
    _act(page, "send_checks")
    expect(page.get_by_test_id("status")).to_have_text("部门核对中")
    expect(page.get_by_test_id("sent")).to_contain_text("加密校验值")
    for n in range(11):
        page.locator("[data-testid^=answer-]").first.click()  # the first unanswered row each time
        expect(page.get_by_test_id("checks").locator(".text-bg-success")).to_have_count(n + 1)
    _act(page, "publicise")
    expect(page.get_by_test_id("status")).to_have_text("公示中")
    slug_url = page.get_by_test_id("notice-link").get_attribute("href")

    public = browser.new_context(**PHONE, locale="zh-CN").new_page()
    public.goto(f"{site}{slug_url}")
    expect(public.get_by_test_id("notice-name")).to_have_text("胡**")
    text = public.locator("body").inner_text()
    for secret in ("胡秀兰", ID_NUMBER, "13905150001", "幸福路"):
        assert secret not in text
    assert _overflow(public) <= 0
    public.screenshot(path=screenshots_dir / "archive-journey-notice.png", full_page=True)

    # Archiving while the notice is open is refused.
    page.reload()
    _act(page, "archive")
    expect(page.locator("[role=alert]").first).to_contain_text("公示期至")

    # Eight days later the daily scan has taken the notice down; the page says so and shows nothing personal.
    frozen_clock.move_to(datetime.datetime(2026, 9, 24, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    call_command("scan_publicity")
    public.reload()
    expect(public.get_by_test_id("notice-ended")).to_be_visible()
    text = public.locator("body").inner_text()
    for secret in ("胡", "深度困难", "相对困难", ID_NUMBER):
        assert secret not in text

    _sign_in(page, site, "office")
    held_before, aid_before = _figures(page, site)
    page.goto(f"{site}/assistance/households/?q={number}")
    page.get_by_role("link", name=number).first.click()
    _act(page, "archive")
    expect(page.get_by_test_id("status")).to_have_text("已建档")
    expect(page.get_by_test_id("timeline")).to_contain_text(re.compile("建档"))

    # The archived family gets aid from its page, and the county's figures show the new file and the aid.
    household_url = page.url
    page.get_by_test_id("household-aid").get_by_role("link", name="登记帮扶").click()
    page.get_by_label("帮扶类别").select_option(label="助学")
    page.get_by_label("金额（元）").fill("3000")
    page.get_by_label("资金来源").fill("县总工会帮扶资金")
    page.get_by_label("送达人").fill("程华")
    page.get_by_role("button", name="登记帮扶").click()
    page.goto(household_url)
    expect(page.get_by_test_id("household-aid")).to_contain_text("¥3,000.00")
    page.screenshot(path=screenshots_dir / "archive-journey-aided.png", full_page=True)
    held, aid = _figures(page, site)
    assert held == held_before + 1
    assert round(aid - aid_before, 2) == 0.30  # 万元

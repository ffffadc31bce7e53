"""The figures of demands and disputes in a real browser: the seeds' numbers on the cards, the charts drawn with no
Content-Security-Policy block, a figure's link opening the list it counts, and a phone screen that does not scroll
sideways."""

import pytest
from playwright.sync_api import Page, expect

from tests.journeys import sign_in

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def seeded(site):
    """The 131 enterprises of 滨海 with 龙岗's demands and 仙桃's disputes."""
    from cases import demo as cases_demo
    from cases.models import Enterprise
    from cases.tests import factories_cases as make

    cases_demo.build()
    firms = list(Enterprise.objects.order_by("id"))
    make.longgang(firms)
    make.xiantao(firms)
    return site


def test_the_office_reads_the_seeds_figures_and_follows_a_number(page: Page, seeded, screenshots_dir):
    page.goto(f"{seeded}/login/")
    sign_in(page, seeded, "office")
    page.goto(f"{seeded}/cases/figures/")
    expect(page.get_by_test_id("card-demands-resolution_rate")).to_have_text("84.9%")
    expect(page.get_by_test_id("card-disputes-paid")).to_have_text("104.00万元")
    expect(page.locator("#chart-demands canvas")).to_have_count(1)
    page.screenshot(path=screenshots_dir / "case-figures-desktop.png", full_page=True)
    with page.expect_request(lambda r: "/cases/demands/?" in r.url) as opened:
        page.locator('a[data-figure="demands-resolved"]').first.click()
    assert "result=resolved" in opened.value.url


@pytest.mark.browser_context_args(**PHONE)
def test_the_figures_fit_a_phone(page: Page, seeded, screenshots_dir):
    page.goto(f"{seeded}/login/")
    sign_in(page, seeded, "leader")
    page.goto(f"{seeded}/cases/figures/?group=month")
    expect(page.get_by_test_id("card-demands-accepted")).to_have_text("278")
    page.screenshot(path=screenshots_dir / "case-figures-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

"""The platform on a phone: reporters in the units often have nothing else."""

import pytest
from playwright.sync_api import Page, expect

from tests.journeys import sign_in

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}


def page_overflow(page: Page):
    """How many CSS pixels the page is wider than the screen (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.browser_context_args(**PHONE)
def test_reporter_on_a_phone_sees_their_unit_on_a_home_page_that_fits_the_screen(page: Page, site, screenshots_dir):
    page.goto(f"{site}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    assert page_overflow(page) <= 0, "the log-in page scrolls sideways on a phone"

    sign_in(page, site, "reporter")

    expect(page).to_have_url(f"{site}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    expect(page.get_by_test_id("home-unit")).to_have_text("县交通运输局")
    expect(page.get_by_test_id("home-unit")).to_be_in_viewport()
    assert page.evaluate("window.innerWidth") == 390
    page.screenshot(path=screenshots_dir / "home-phone.png", full_page=True)
    assert page_overflow(page) <= 0, "the home page scrolls sideways on a phone"
    # The sign-out button stays reachable in the top bar.
    expect(page.get_by_role("button", name="退出登录")).to_be_in_viewport()


@pytest.mark.browser_context_args(**PHONE)
def test_reporter_on_a_phone_opens_the_org_tree_from_the_menu(page: Page, site):
    page.goto(f"{site}/login/")
    sign_in(page, site, "reporter")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")

    # On a phone the side menu is folded away behind the menu button.
    org_tree_link = page.locator("#qd-nav").get_by_role("link", name="组织机构")
    expect(org_tree_link).not_to_be_visible()
    page.wait_for_load_state("load")  # the menu button works once Bootstrap's deferred script has run
    page.locator("header button[data-bs-target='#qd-nav']").click()
    expect(org_tree_link).to_be_in_viewport()
    org_tree_link.click()

    expect(page).to_have_url(f"{site}/orgs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("组织机构")
    expect(page.get_by_role("main")).to_contain_text("县交通运输局")
    assert page_overflow(page) <= 0, "the org tree scrolls sideways on a phone"

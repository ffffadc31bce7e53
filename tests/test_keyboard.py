"""The keyboard user: a skip link past the top bar and the menu, and a focus that can always be seen."""

import pytest
from playwright.sync_api import Page, expect

from tests.journeys import sign_in
from tests.test_phone import PHONE


def _sign_in(page: Page, site):
    page.goto(f"{site}/login/")
    sign_in(page, site, "office")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    page.wait_for_load_state("load")


def test_the_first_tab_stop_skips_to_the_content_and_every_focus_is_outlined(page: Page, site, screenshots_dir):
    page.set_viewport_size({"width": 1366, "height": 900})
    _sign_in(page, site)

    skip = page.get_by_role("link", name="跳到正文")
    assert skip.bounding_box()["width"] <= 1  # out of sight until it has the focus
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["width"] > 40
    page.screenshot(path=screenshots_dir / "skip-link.png")
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    # The next Tab lands inside the content, not back in the menu.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('content').contains(document.activeElement)")

    # The top bar's buttons: a focused button shows a ring and keeps readable text (dark on white).
    sign_out = page.get_by_role("button", name="退出登录")
    sign_out.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(sign_out).to_be_focused()
    expect(sign_out).to_have_css("outline-style", "solid")
    expect(sign_out).to_have_css("outline-width", "3px")
    expect(sign_out).to_have_css("color", "rgb(5, 44, 101)")
    expect(sign_out).to_have_css("background-color", "rgb(255, 255, 255)")  # once Bootstrap's transition is over
    page.locator("header").screenshot(path=screenshots_dir / "topbar-focus.png")


@pytest.mark.browser_context_args(**PHONE)
def test_on_a_phone_the_menu_shows_its_sections(page: Page, site, screenshots_dir):
    _sign_in(page, site)
    page.locator("header button[data-bs-target='#qd-nav']").click()
    menu = page.locator("#qd-nav")  # a dialog while it is open over the page
    expect(menu.get_by_role("list", name="清单督办").get_by_role("link", name="事项")).to_be_in_viewport()
    expect(menu.get_by_role("list", name="设置").get_by_role("link", name="工作日历")).to_be_visible()
    page.screenshot(path=screenshots_dir / "menu-phone.png")

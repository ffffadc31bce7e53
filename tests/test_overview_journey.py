"""The 驾驶舱 in a real browser on the whole demo: the leader follows a card's number to the area page showing the
same number; the office issues a 督办 from the exceptions panel; the wall display fills a 1920×1080 screen."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.journeys import sign_in


@pytest.fixture
def full_demo(site):
    call_command("load_demo")
    return site


def test_leader_follows_a_card_office_issues_a_supervision_and_the_wall_fills_a_screen(
    page: Page, full_demo, screenshots_dir, browser
):
    site = full_demo
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{site}/login/")
    sign_in(page, site, "leader")
    page.get_by_role("link", name="驾驶舱").first.click()
    expect(page.get_by_test_id("overview-cards")).to_be_visible()
    expect(page.locator("#trend-close_out canvas")).to_have_count(1)
    page.screenshot(path=screenshots_dir / "overview-leader-desktop.png", full_page=True)
    figure = page.get_by_test_id("figure-close_out")
    rate = figure.inner_text()
    assert rate.endswith("%")
    figure.click()
    expect(page).to_have_url(f"{site}/lists/figures/")
    expect(page.get_by_test_id("card-close-rate")).to_have_text(rate)
    expect(page.get_by_test_id("supervise")).to_have_count(0)

    office = browser.new_page(viewport={"width": 1366, "height": 900})
    office.goto(f"{site}/login/")
    sign_in(office, site, "office")
    office.goto(f"{site}/overview/")
    row = office.get_by_test_id("exception").filter(has=office.get_by_test_id("supervise")).first
    unit = row.locator("strong").first.inner_text()
    office.once("dialog", lambda dialog: dialog.accept())
    row.get_by_test_id("supervise").click()
    expect(office.get_by_role("alert").first).to_contain_text(f"已向{unit}下发督办事项")
    office.get_by_test_id("supervision-link").click()
    expect(office.locator("body")).to_contain_text("督办：")
    office.close()

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{site}/overview/")
    rate = page.get_by_test_id("figure-close_out").inner_text()  # one more item since the 督办
    page.get_by_test_id("wall-link").click()
    expect(page.get_by_test_id("wall-close_out")).to_contain_text(rate)
    page.screenshot(path=screenshots_dir / "overview-wall-1920.png")

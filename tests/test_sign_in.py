"""Signing in and out, in Chinese and in English."""

import re

from playwright.sync_api import Page, expect

from tests.journeys import login_path, sign_in


def test_demo_user_signs_in_sees_chinese_home_switches_to_english_and_signs_out(page: Page, site):
    # Not signed in: the workbench sends the visitor to the log-in page, in Chinese.
    page.goto(f"{site}/")
    expect(page).to_have_url(f"{site}/login/?next=/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")

    sign_in(page, site, "office")

    # The workbench, with the user's unit and name, in Chinese.
    expect(page).to_have_url(f"{site}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    expect(page.get_by_test_id("home-unit")).to_have_text("滨海县总工会")
    expect(page.get_by_test_id("user-unit")).to_contain_text("滨海县总工会")
    expect(page.get_by_test_id("user-name")).to_contain_text("程华")
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    expect(page.get_by_role("link", name="组织机构")).to_be_visible()

    # Switch to English: same page, English labels, same person.
    page.get_by_test_id("language-switch").get_by_role("button", name="English").click()
    expect(page).to_have_url(f"{site}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Workbench")
    expect(page.get_by_role("link", name="Org tree")).to_be_visible()
    expect(page.get_by_test_id("language-switch").get_by_role("button", name="English")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_test_id("user-name")).to_contain_text("程华")
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()

    # Sign out: back on the log-in page (still in English), told so.
    sign_out.click()
    expect(page).to_have_url(f"{site}/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("alert")).to_have_text("You have signed out.")
    expect(page.get_by_test_id("user-name")).to_have_count(0)

    # The session is gone: the workbench asks for a log-in again.
    page.goto(f"{site}/")
    expect(page).to_have_url(f"{site}/login/?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_wrong_password_shows_chinese_error_and_stays_on_login(page: Page, site):
    page.goto(f"{site}/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")

    sign_in(page, site, "office", password="Wrong@2026x")

    expect(page.get_by_test_id("login-error")).to_have_text("用户名或密码错误。连续失败多次后，须等待 30 分钟再试。")
    expect(page).to_have_url(f"{site}/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    # The user name is kept, the password is not.
    expect(page.locator("input[name=username]")).to_have_value("office")
    expect(page.locator("input[name=password]")).to_have_value("")

    # Still not signed in.
    page.goto(f"{site}/")
    expect(page).to_have_url(login_path(site))
    expect(page.get_by_test_id("user-name")).to_have_count(0)


def test_sign_in_returns_to_the_page_asked_for(page: Page, site):
    page.goto(f"{site}/orgs/")
    expect(page).to_have_url(re.compile(re.escape(f"{site}/login/?next=") + r"(/|%2F)orgs(/|%2F)$"))

    sign_in(page, site, "office")

    expect(page).to_have_url(f"{site}/orgs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("组织机构")

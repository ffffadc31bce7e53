"""Steps shared by the browser tests."""

import re

from playwright.sync_api import Page, expect

DEMO_PASSWORD = "Qingdan@2026"


def login_path(site):
    """A URL on the log-in page, with or without a ?next= query."""
    return re.compile(re.escape(f"{site}/login/") + r"(\?.*)?$")


def sign_in(page: Page, site: str, username: str, password: str = DEMO_PASSWORD):
    """Fill in and send the log-in form on the page that is open (which must be the log-in page)."""
    expect(page).to_have_url(login_path(site))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()

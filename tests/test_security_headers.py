"""The Content-Security-Policy in a real browser: a script injected into a page does not run, and the tests'
listener sees the block (every other browser test fails on any block it sees)."""

from playwright.sync_api import Page, expect

from tests.conftest import CSP_VIOLATIONS
from tests.journeys import sign_in


def test_an_injected_inline_script_is_blocked_and_reported(page: Page, site):
    page.goto(f"{site}/")
    sign_in(page, site, "office")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.injected = 1";
                   document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert any("script-src" in v for v in CSP_VIOLATIONS), CSP_VIOLATIONS
    CSP_VIOLATIONS.clear()  # the block was the point of this test

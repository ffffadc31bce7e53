"""Browser tests: a real Chromium (Debian's /usr/bin/chromium) against Django's live server.

Run from the project folder:

    QINGDAN_DATABASE_URL="sqlite:///$PWD/var/test-browser.sqlite3" .venv/bin/python -m pytest tests
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.journeys import DEMO_PASSWORD

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls
# from a thread with a running loop unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"

# Expect assertions retry until this many milliseconds have passed (CI machines are shared and slow).
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite, the test database is a file beside the configured one, not Django's in-memory default: with an
    in-memory database the live server's threads (one per browser connection) and the test share one connection,
    which Django's documentation warns fails at random. With a file each thread has its own, as in production."""
    from django.conf import settings

    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("sqlite3"):
        default.setdefault("TEST", {})["NAME"] = str(Path(default["NAME"]).with_suffix(".test.sqlite3"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """The system Chromium, never a downloaded one."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


# Every page a test opens reports what the Content-Security-Policy blocked; a test that saw a block fails.
CSP_VIOLATIONS = []
LISTEN_FOR_CSP = """document.addEventListener("securitypolicyviolation", (e) =>
  window.qdCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} in ${e.sourceFile}:${e.lineNumber}`));"""


@pytest.fixture(scope="session")
def browser(browser):
    """Each new browser context (the tests' own and pytest-playwright's) listens for CSP violations."""
    new_context = browser.new_context

    def listening(**kwargs):
        context = new_context(**kwargs)
        context.expose_function("qdCspViolation", lambda text: CSP_VIOLATIONS.append(text))
        context.add_init_script(LISTEN_FOR_CSP)
        return context

    browser.new_context = listening
    return browser


@pytest.fixture(autouse=True)
def no_csp_violation():
    CSP_VIOLATIONS.clear()
    yield
    assert CSP_VIOLATIONS == [], "the Content-Security-Policy blocked: " + "; ".join(CSP_VIOLATIONS)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A browser set to English in China's time zone: the pages must still come in Chinese
    until the user picks English (office PCs often run an English system)."""
    return {**browser_context_args, "locale": "en-US", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def demo(transactional_db):
    """The demo org tree and users (``orgs.demo``), in the database the live server reads."""
    from orgs.demo import build

    build(DEMO_PASSWORD)


@pytest.fixture
def site(live_server, demo):
    """The live server's base URL, with the demo data in place."""
    return live_server.url


@pytest.fixture
def screenshots_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS

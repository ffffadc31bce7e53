"""Every demo user walks every page they can reach by a GET link: no server error, no link to a page that
refuses them, and (in Chromium, one page per URL pattern) no WCAG 2.1 A/AA violation found by axe-core and
nothing wider than a 390 px phone.

The status walk uses Django's test client (fast); the browser check opens one representative page per URL
pattern per set of roles, so the whole test stays within a few minutes on a 2-core CI machine."""

import time

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Browser

from tests.crawl import PHONE_WIDTH, axe_violations, crawl, overflow, pattern_of, summary

USERS = [
    "office",
    "reporter",
    "reviewer",
    "evaluator",
    "leader",
    "city",
    "office2",
    "dongkan",
    "admin",
    "security",
    "auditor",
]

# Known failures, each with its URL pattern and the reason; none is left today, and a new entry needs its reason.
KNOWN_REFUSED_LINKS = {}  # (linking page's pattern, refused page's pattern): reason
KNOWN_AXE = {}  # (page's pattern, axe rule): reason
KNOWN_WIDE = {}  # page's pattern: reason


def _status_getter(client):
    def get(path):
        response = client.get(path)
        html = response.status_code == 200 and "text/html" in response.headers.get("Content-Type", "")
        return (
            response.status_code,
            response.headers,
            response.content.decode() if html else "",
            response.get("Location"),
        )

    return get


@pytest.fixture
def demo_data(transactional_db):
    """The whole demo (``load_demo``): every area's records, so each page has rows and details to link."""
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 (closed with the process)


def test_every_demo_user_reaches_only_pages_they_may_open_and_each_is_accessible_and_fits_a_phone(
    browser: Browser, live_server, demo_data
):
    from orgs.models import User

    started = time.monotonic()
    crawls, sessions = [], {}
    for username in USERS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        crawls.append(crawl(_status_getter(client), username))
        sessions[username] = client.cookies["sessionid"].value
    walked = time.monotonic()

    problems = []
    for c in crawls:
        problems += [
            f"{c.username}: {path} answered {status} (linked from {ref})" for ref, path, status in c.server_errors
        ]
        for ref, path, status in c.refused_links:
            if (pattern_of(ref or "/"), pattern_of(path)) not in KNOWN_REFUSED_LINKS:
                problems.append(f"{c.username}: {ref} links {path}, which answers {status}")

    # A page renders by the reader's roles: a pattern checked for one user is not checked again for another
    # holding the same roles (office and city, the town reporters), which keeps the browser part to minutes.
    checked, seen = {}, set()
    for c in crawls:
        roles = tuple(sorted(User.objects.get(username=c.username).roles.values_list("role", flat=True)))
        context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, locale="zh-CN")
        context.add_cookies([{"name": "sessionid", "value": sessions[c.username], "url": live_server.url}])
        page = context.new_page()
        # The menu and top bar at desktop width once per user (on a phone they are folded away).
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(live_server.url + "/")
        problems += [f"{c.username}: / at 1366 px: axe {v['id']} {v['nodes']}" for v in axe_violations(page)]
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
        for pattern, path in sorted(c.representatives().items(), key=lambda kv: str(kv[0])):
            if (roles, pattern) in seen:
                continue
            seen.add((roles, pattern))
            page.goto(live_server.url + path, wait_until="load")
            checked.setdefault(c.username, []).append(pattern)
            for v in axe_violations(page):
                if (pattern, v["id"]) not in KNOWN_AXE:
                    problems.append(f"{c.username}: {path} ({pattern}): axe {v['id']} {v['help']} at {v['nodes']}")
            wider = overflow(page)
            if wider > 0 and pattern not in KNOWN_WIDE:
                problems.append(f"{c.username}: {path} ({pattern}) is {PHONE_WIDTH + wider} px wide on a phone")
        context.close()

    print(
        f"\nCrawl: {sum(len(c.statuses) for c in crawls)} pages walked in {walked - started:.0f} s, "
        f"{sum(len(v) for v in checked.values())} pages checked in Chromium in {time.monotonic() - walked:.0f} s"
    )
    print(summary(crawls, checked))
    assert problems == [], "\n".join(problems)

"""Walking the site as one signed-in user: every page reachable by a GET link, its status, and the links the
user is shown but refused. Used by ``tests/test_crawl.py`` (Django's test client) and runnable by hand
against a demo server through ``requests`` (see ``__main__``)."""

import os
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

from django.urls import Resolver404, resolve

# Never followed: signing out, the language switch, and anything that downloads a file rather than shows a
# page (exports, import templates, .xlsx/.docx/.pdf, evidence files, printed slips). Downloads are also
# recognised by their Content-Disposition when a URL slips through.
SKIP_PATH = re.compile(r"^/(logout|i18n|static|media|api)/|\.(xlsx|docx|pdf|zip|csv)$|/admin/logout/")
SKIP_URL_NAME = re.compile(r"export|template|xlsx|docx|download|poster|slip|^evidence:file$|_file$")
# A user sees at most this many pages of one URL pattern (a list's pages, filters and sorts, or the detail
# pages of many records): pages of one pattern share their template, and the crawl must stay bounded.
# QINGDAN_CRAWL_PER_PATTERN=0 walks every reachable page (about 2,700 on the demo data, several minutes).
PER_PATTERN = int(os.environ.get("QINGDAN_CRAWL_PER_PATTERN", "4")) or 10**9


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_in(html, base):
    """The same-origin paths (with their query) linked from a page."""
    parser = _Links()
    parser.feed(html)
    paths = []
    for href in parser.hrefs:
        if href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        url = urldefrag(urljoin(base, href)).url
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != urlsplit(base).netloc:
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def pattern_of(path):
    """The URL pattern a path resolves to (namespace:name), or None outside the URLconf."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


@dataclass
class Crawl:
    username: str
    statuses: dict = field(default_factory=dict)  # path -> status
    refused_links: list = field(default_factory=list)  # (linking page, path, status)
    server_errors: list = field(default_factory=list)  # paths answering 5xx
    pattern_pages: dict = field(default_factory=dict)  # pattern -> paths seen with it (200, HTML)

    def representatives(self):
        """One page per URL pattern: the first one met (the menu's and lists' plainest link)."""
        return {pattern: paths[0] for pattern, paths in self.pattern_pages.items()}


def crawl(get, username, start="/", base="http://testserver"):
    """Breadth-first over GET links from ``start``. ``get(path)`` returns (status, headers, text, location)."""
    result = Crawl(username)
    queue = deque([(None, start)])
    seen = {start}
    per_pattern = {}
    while queue:
        referrer, path = queue.popleft()
        pattern = pattern_of(path)
        if pattern and SKIP_URL_NAME.search(pattern):
            continue
        if per_pattern.get(pattern, 0) >= PER_PATTERN:
            continue
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        status, headers, text, location = get(path)
        result.statuses[path] = status
        if status >= 500:
            result.server_errors.append((referrer, path, status))
            continue
        if status in (401, 403, 404, 405, 410) or (status in (301, 302) and "/login/" in (location or "")):
            result.refused_links.append((referrer, path, status))
            continue
        targets = []
        if status in (301, 302, 303, 307, 308) and location:
            targets = [location]
        elif status == 200:
            disposition = headers.get("Content-Disposition", "")
            if "attachment" in disposition or "text/html" not in headers.get("Content-Type", ""):
                continue
            result.pattern_pages.setdefault(pattern, []).append(path)
            targets = links_in(text, base + path)
        for target in targets:
            target = urldefrag(urljoin(base + path, target)).url.removeprefix(base)
            if target in seen or SKIP_PATH.search(urlsplit(target).path) or not target.startswith("/"):
                continue
            seen.add(target)
            queue.append((path, target))
    return result


def summary(crawls, patterns_checked=None):
    lines = []
    for c in crawls:
        checked = (
            f", {len(patterns_checked.get(c.username, ()))} patterns checked in Chromium" if patterns_checked else ""
        )
        lines.append(f"{c.username:<10} {len(c.statuses):>5} pages, {len(c.pattern_pages):>3} URL patterns{checked}")
    return "\n".join(lines)


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Run through the DevTools protocol, so the page's Content-Security-Policy neither blocks axe nor reports it.
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}));
}"""
PHONE_WIDTH = 390


def axe_violations(page):
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page that is open."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    return page.evaluate(AXE_RUN, WCAG_AA)


def overflow(page):
    """How many CSS pixels the page is wider than the viewport (0 or less when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

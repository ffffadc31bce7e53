"""Load test: a province's day on Qingdan, against the data of bench/province.py.

    .venv/bin/locust -f bench/locustfile.py --host http://127.0.0.1:8681 --headless -u 50 -r 1 --run-time 3m
    (or bench/load_test.sh, which also summarises the figures per page)

It reads the users and items to work on from the generator's fixture (``QINGDAN_LOAD_FIXTURE``, by default
var/province/qingdan_province_s01.json) and mixes, by weight:

  reporters   on phones: the workbench, an item, the application form, then apply for close-out with a small
              PNG as evidence (each item applied for once; when a reporter's items run out, they only read)
  reviewers   the workbench, the applied items, an item, then verify it (pass)
  office      a county's (or the province's) office: the items list, the close-out figures, the cases and
              hardship figures, and now and then an export of the figures or of the overdue items
  leaders     the overview (驾驶舱) and its wall screen
  workers     a satisfaction poll's public link (no log-in): open it, answer it
  importer    now and then one list import (upload → preview → confirm) by the first county's office
  baseline    GET /login/ anonymously: the cheap reference every run has (the /bench/ pages are not deployed)

Cookies: the deployed settings mark the session and CSRF cookies Secure; over plain HTTP to a local gunicorn
python-requests would then never send them back, so the jar here sends them whatever the scheme (a test
client's choice, not the server's). Every POST carries the CSRF token and a same-origin Referer.
"""

import io
import json
import os
import random
import re
import secrets
from collections import deque
from datetime import date, timedelta
from pathlib import Path

from locust import HttpUser, between, task
from requests.cookies import RequestsCookieJar

FIXTURE = Path(
    os.environ.get(
        "QINGDAN_LOAD_FIXTURE",
        Path(__file__).resolve().parent.parent / "var" / "province" / "qingdan_province_s01.json",
    )
)
DATA = json.loads(FIXTURE.read_text()) if FIXTURE.exists() else {}
PASSWORD = os.environ.get("QINGDAN_DEMO_PASSWORD") or DATA.get("password", "Qingdan@2026")
# The same users each run (which reporters, which offices: the province's office is two of the 102 names), so that
# two runs compare the server, not the draw. QINGDAN_LOAD_SEED picks another draw.
random.seed(int(os.environ.get("QINGDAN_LOAD_SEED", "2026")))
# The items left to act on, shared by every simulated user of this process (an item is applied for once).
REPORTER_ITEMS = {r["username"]: deque(r["items"]) for r in DATA.get("reporters", [])}
REVIEWER_ITEMS = {r["username"]: deque(r["items"]) for r in DATA.get("reviewers", [])}
# A 1×1 PNG: the evidence a reporter photographs.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
TOKEN = re.compile(r'name="token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="token"')
RADIO = re.compile(r'name="(q\d+)"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="(q\d+)"')


class AnySchemeCookies(RequestsCookieJar):
    """Keeps every cookie as not Secure, so it is sent over plain HTTP too (see the module's note). requests
    copies the session's cookies into a fresh jar for each request, so a cookie policy would not survive."""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


# deploy/local.sh's nginx speaks HTTPS with a certificate made on this machine: that one certificate is trusted.
LOCAL_CA = Path(__file__).resolve().parent.parent / "var" / "deploy" / "tls" / "local.crt"


def _prepare(user):
    """A fresh cookie jar, and the local certificate trusted when the host is deploy/local.sh's HTTPS front."""
    user.client.cookies = AnySchemeCookies()
    if user.host.startswith("https://") and LOCAL_CA.exists():
        user.client.verify = str(LOCAL_CA)


def _first(match):
    return next(g for g in match.groups() if g) if match else None


class Visitor(HttpUser):
    abstract = True
    wait_time = between(2, 8)
    role = ""

    def on_start(self):
        _prepare(self)
        self.username = None

    def csrf(self):
        return self.client.cookies.get("csrftoken", "")

    def post(self, path, data, name, files=None, allow=(200, 302)):
        data = {**data, "csrfmiddlewaretoken": self.csrf()}
        headers = {"Referer": self.host.rstrip("/") + path}
        with self.client.post(
            path, data=data, files=files, headers=headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code not in allow:
                response.failure(f"HTTP {response.status_code}")
            return response

    def get(self, path, name=None):
        with self.client.get(path, name=name or path, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            return response

    def sign_in(self, username):
        self.client.cookies.clear()
        self.get("/login/", name="/login/ (before signing in)")
        response = self.post("/login/", {"username": username, "password": PASSWORD}, name="/login/ POST", allow=(302,))
        self.username = username if response.status_code == 302 else None


class Reporter(Visitor):
    """A unit's reporter on a phone, applying for close-out."""

    weight = 30

    def on_start(self):
        super().on_start()
        self.sign_in(random.choice(list(REPORTER_ITEMS) or ["reporter"]))

    @task(3)
    def workbench(self):
        self.get("/", name="/ (workbench)")

    @task(2)
    def my_items(self):
        self.get("/lists/items/", name="/lists/items/ (reporter)")

    @task(4)
    def apply(self):
        items = REPORTER_ITEMS.get(self.username)
        if not items:
            return self.my_items()
        pk = items.popleft()
        self.get(f"/lists/items/{pk}/", name="/lists/items/[id]/")
        form = self.get(f"/lists/items/{pk}/apply/", name="/lists/items/[id]/apply/ GET")
        version = _first(VERSION.search(form.text or ""))
        if version is None:
            return None
        self.post(
            f"/lists/items/{pk}/apply/",
            {"report": "已按要求完成整改，台账和现场照片已上传。", "version": version},
            name="/lists/items/[id]/apply/ POST",
            files={"files": (f"现场照片{pk}.png", io.BytesIO(PNG + secrets.token_bytes(8)), "image/png")},
        )
        return None


class Reviewer(Visitor):
    """A county's reviewer verifying applied items."""

    weight = 8

    def on_start(self):
        super().on_start()
        self.sign_in(random.choice(list(REVIEWER_ITEMS) or ["reviewer"]))

    @task(2)
    def workbench(self):
        self.get("/", name="/ (workbench)")

    @task(2)
    def applied(self):
        self.get("/lists/items/?status=applied", name="/lists/items/?status=applied")

    @task(3)
    def verify(self):
        items = REVIEWER_ITEMS.get(self.username)
        if not items:
            return self.applied()
        pk = items.popleft()
        page = self.get(f"/lists/items/{pk}/", name="/lists/items/[id]/")
        version = _first(VERSION.search(page.text or ""))
        if version is None:
            return None
        self.post(
            f"/lists/items/{pk}/verify/",
            {"decision": "pass", "opinion": "经验收，材料齐全，同意销号。", "version": version},
            name="/lists/items/[id]/verify/ POST",
        )
        return None


class Office(Visitor):
    """A county's (or the province's) office reading figures and exporting."""

    weight = 8

    def on_start(self):
        super().on_start()
        self.sign_in(random.choice(DATA.get("offices") or ["office"]))

    @task(4)
    def items(self):
        self.get("/lists/items/", name="/lists/items/ (office)")

    @task(2)
    def overdue(self):
        self.get("/lists/items/?status=issued&page=2", name="/lists/items/?status=issued&page=2")

    @task(4)
    def figures(self):
        self.get("/lists/figures/")

    @task(2)
    def case_figures(self):
        self.get("/cases/figures/")

    @task(2)
    def hardship_figures(self):
        self.get("/assistance/figures/")

    @task(1)
    def export_figures(self):
        self.get("/lists/figures/export/")

    @task(1)
    def export_items(self):
        self.get("/lists/items/export/?status=issued", name="/lists/items/export/?status=issued")


class Leader(Visitor):
    """A county leader on the overview."""

    weight = 5

    def on_start(self):
        super().on_start()
        self.sign_in(random.choice(DATA.get("leaders") or ["leader"]))

    @task(3)
    def overview(self):
        self.get("/overview/")

    @task(1)
    def wall(self):
        self.get("/overview/wall/")


class Worker(HttpUser):
    """A worker scanning a poll's QR code: no log-in, a new phone each time."""

    weight = 15
    wait_time = between(5, 15)

    def on_start(self):
        _prepare(self)

    @task
    def answer(self):
        slugs = DATA.get("polls") or []
        if not slugs:
            return
        self.client.cookies.clear()
        path = f"/p/{random.choice(slugs)}/"
        with self.client.get(path, name="/p/[poll]/ GET", catch_response=True) as page:
            if page.status_code != 200:
                page.failure(f"HTTP {page.status_code}")
                return
            fields = {}
            for match in RADIO.finditer(page.text):
                name, value = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
                fields.setdefault(name, []).append(value)
        answers = {name: random.choice(values) for name, values in fields.items()}
        answers["csrfmiddlewaretoken"] = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            path, data=answers, headers={"Referer": self.host.rstrip("/") + path}, name="/p/[poll]/ POST",
            allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}")


class Importer(Visitor):
    """Now and then, the first county's office imports a list of a few items for its departments."""

    weight = 1
    wait_time = between(30, 60)

    def on_start(self):
        super().on_start()
        self.sign_in("bench_county")

    @task
    def run_import(self):
        from openpyxl import Workbook

        self.get("/lists/import/")
        codes = DATA.get("import_units") or []
        if not codes:
            return
        book = Workbook()
        sheet = book.active
        sheet.append(["清单编号", "清单标题", "责任单位编码", "事项内容", "完成标准", "完成时限"])
        key = f"LT{secrets.token_hex(4)}"
        deadline = (date.today() + timedelta(days=60)).isoformat()  # noqa: DTZ011 - a date in the file, not the app's
        for n in range(random.randint(5, 30)):
            code = codes[n % len(codes)]
            sheet.append([f"{key}-{code}", f"压测清单{key}", code, f"压测事项{n + 1}", "按期完成", deadline])
        upload = io.BytesIO()
        book.save(upload)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        preview = self.post("/lists/import/", {}, name="/lists/import/ upload",
                            files={"file": (f"{key}.xlsx", upload.getvalue(), mime)}, allow=(200,))  # fmt: skip
        token = _first(TOKEN.search(preview.text or ""))
        if token is None:
            preview.failure("no confirmation token in the preview")
            return
        self.post("/lists/import/", {"confirm": "1", "token": token}, name="/lists/import/ confirm", allow=(302,))


class Baseline(HttpUser):
    """The cheap reference page: the log-in form, anonymous."""

    weight = 3
    wait_time = between(2, 8)

    def on_start(self):
        _prepare(self)

    @task
    def login_page(self):
        self.client.get("/login/", name="/login/ (baseline)")

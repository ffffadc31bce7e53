"""Close-out benchmark: the figures and item-list pages on 2,000,000 items, and the bulk issue from .xlsx.

Run from the project root:  .venv/bin/python bench/closeout_bench.py [--requests 30] [--keep]

It (re)creates its own PostgreSQL database (default qingdan_closeout_bench on 127.0.0.1), migrates
it and fills it with bench/closeout_data.py (300,000 org units, 2,000,000 items; ``--keep`` reuses
the data of an earlier run). Then, in one process, with Django's test client:

  pages         the figures page (/lists/figures/) of one county's office user and of the province's
                office user, and the item list filtered to one unit (/lists/items/?unit=ID) of the
                county's office user: the server time of each request (around client.get), p50 and p95
  hand-written  the same figures in one raw GROUP BY query over the items joined to the org units by
                path prefix; the same item-list page in two raw queries (count and first page)

both sides alternating, and prints the ratios (goals: figures within 2× of the hand-written query,
every page under 300 ms at p95). Both sides must give the same numbers, or the run fails.

Bulk issue: a 100,000-row .xlsx in the layout of checklists.imports (COLUMNS) is read with
qingdan.spreadsheets.read_rows alone, then imported by checklists.imports.apply_import as the county
office user (rolled back afterwards): rows per second of each, and their ratio (goal ≥ 1/3).

Exit status 0 when every goal holds, 1 when one does not, 2 when setting up failed or the results differ.
"""

import argparse
import contextlib
import logging
import math
import os
import platform
import random
import statistics
import sys
import time
import unicodedata
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import closeout_data, pg  # noqa: E402 - needs the path above
from bench.pg import BenchError  # noqa: E402

FIGURES_RATIO_GOAL = 2.0
PAGE_P95_GOAL_MS = 300.0
IMPORT_SHARE_GOAL = 1 / 3
MEASURES = ("issued", "applied", "closed", "first_pass", "overdue", "urgings", "rectifications", "satisfaction")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests of each target (default 30)")
    parser.add_argument(
        "--seconds", type=float, default=90, help="stop a target after this many seconds of its own time (default 90)"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="share of the full data set (default 1.0; 0.01 to try)"
    )
    parser.add_argument("--database", default=closeout_data.DEFAULT_URL, help="PostgreSQL URL of the bench database")
    parser.add_argument("--keep", action="store_true", help="reuse the database and its data if present")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the generated data")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the bulk-issue .xlsx (default 100000)")
    parser.add_argument("--reads", type=int, default=3, help="timed reads of the .xlsx (default 3)")
    parser.add_argument("--imports", type=int, default=1, help="timed imports of the .xlsx, rolled back (default 1)")
    parser.add_argument("--no-import", action="store_true", help="skip the bulk-issue part")
    parser.add_argument(
        "--timeout", type=float, default=60, help="statement timeout of every query, in seconds (default 60)"
    )
    parser.add_argument("--plan", action="store_true", help="print the whole plan of each page's slowest query")
    args = parser.parse_args()
    if args.requests < 1 or args.reads < 1 or args.imports < 1 or args.rows < 10:
        parser.error("--requests, --reads and --imports must be at least 1, --rows at least 10")
    if not 0 < args.scale <= 10:
        parser.error("--scale must lie in (0, 10]")
    return args


# --- the hand-written side ------------------------------------------------------------------------------

# The figures of checklists/figures.py for every responsible unit of a subtree, in one pass: conditional
# counts over the items joined to their units by path prefix, the units' codes and names joined to the
# groups afterwards. A plain GROUP BY can run in parallel workers; GROUPING SETS for the total (tried
# first) cannot and took twice as long over the whole province. The total is summed from the groups.
SQL_FIGURES = """
SELECT g.*, u.code, u.name FROM (
    SELECT i.responsible_unit_id,
           count(*) AS issued,
           count(*) FILTER (WHERE i.applications > 0) AS applied,
           count(*) FILTER (WHERE i.status = 'closed') AS closed,
           count(*) FILTER (WHERE i.status = 'closed' AND i.rectifications = 0) AS first_pass,
           count(*) FILTER (WHERE i.status IN ('issued', 'rectifying') AND i.deadline < %(today)s) AS overdue,
           sum(i.urgings) AS urgings,
           sum(i.rectifications) AS rectifications,
           sum(i.satisfaction) AS satisfaction_sum,
           count(i.satisfaction) AS rated
    FROM checklists_item i
    JOIN orgs_orgunit u ON u.id = i.responsible_unit_id
    WHERE u.path LIKE %(prefix)s
    GROUP BY i.responsible_unit_id
) g
JOIN orgs_orgunit u ON u.id = g.responsible_unit_id
"""

# The item list of one unit: how many, and the first page in deadline order with its list and unit.
SQL_ITEMS_COUNT = "SELECT count(*) FROM checklists_item WHERE responsible_unit_id = %(unit)s"
SQL_ITEMS_PAGE = """
SELECT i.id, i.content, i.deadline, i.status, i.urgings, i.applications, c.title, c.doc_number, u.name
FROM checklists_item i
JOIN checklists_checklist c ON c.id = i.checklist_id
JOIN orgs_orgunit u ON u.id = i.responsible_unit_id
WHERE i.responsible_unit_id = %(unit)s
ORDER BY i.deadline, i.id
LIMIT %(size)s
"""


def hand_figures(unit, today):
    """``(total, {unit id: figures})``, the figures in the order of MEASURES, with the units' code and name."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(SQL_FIGURES, {"prefix": unit.path + "%", "today": today})
        rows = cursor.fetchall()
    groups, sums = {}, [0] * 9
    for pk, *counts, satisfaction, rated, code, name in rows:
        groups[pk] = (*counts, satisfaction / rated if rated else None, code, name)
        for i, value in enumerate((*counts, satisfaction or 0, rated)):
            sums[i] += value
    total = (*sums[:7], sums[7] / sums[8] if sums[8] else None)
    return total, groups


def hand_items(unit_id):
    from django.db import connection

    from qingdan.pages import PAGE_SIZE

    with connection.cursor() as cursor:
        cursor.execute(SQL_ITEMS_COUNT, {"unit": unit_id})
        count = cursor.fetchone()[0]
        cursor.execute(SQL_ITEMS_PAGE, {"unit": unit_id, "size": PAGE_SIZE})
        return count, cursor.fetchall()


# --- the app's side ---------------------------------------------------------------------------------------


def module_figures(user, today):
    """What the figures page computes for its cards, charts and first page: checklists.figures.table
    of the user's subtree (the kept rows and the items overdue now), and its first page of groups."""
    from checklists import figures
    from orgs.queries import root_unit
    from qingdan.pages import PAGE_SIZE

    total, rows = figures.table(root_unit(user), "unit", today)
    rows[:PAGE_SIZE]
    return total, rows


def _close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def compare_figures(label, app, hand):
    """Raise BenchError naming the first figure where the module and the hand-written query differ."""
    total, groups = app
    hand_total, hand_groups = hand
    app_groups = {g.key: (*(getattr(g, m) for m in MEASURES), g.code, g.label) for g in groups}
    if app_groups.keys() != hand_groups.keys():
        raise BenchError(
            f"{label}: the figures group {len(app_groups):,} units, the hand-written query {len(hand_groups):,}"
        )
    pairs = [("total", tuple(getattr(total, m) for m in MEASURES), hand_total)]
    pairs += [(f"unit #{pk}", values, hand_groups[pk]) for pk, values in app_groups.items()]
    for name, mine, theirs in pairs:
        if not all(a == b if isinstance(a, str) else _close(a, b) for a, b in zip(mine, theirs, strict=True)):
            raise BenchError(f"{label}, {name}: figures {mine}, hand-written {tuple(theirs)}")
    return hand_total[0], len(hand_groups)


# --- timing -----------------------------------------------------------------------------------------------


def pad(text, width):
    """``text`` left-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


def percentile(values, share):
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class TimedOut(Exception):
    """A query ran past the statement timeout."""


def timed_out(error):
    """Whether ``error`` (raised through a page or a query) is PostgreSQL's statement timeout."""
    import psycopg

    while error is not None:
        if isinstance(error, psycopg.errors.QueryCanceled):
            return True
        error = error.__cause__ or error.__context__
    return False


def guarded(function):
    """``function`` raising TimedOut instead of the database error when a query runs too long."""

    def run():
        try:
            return function()
        except Exception as error:
            if timed_out(error):
                raise TimedOut from error
            raise

    return run


class Target:
    def __init__(self, key, label, run):
        self.key, self.label, self.run = key, label, guarded(run)
        self.times = []
        self.timed_out = False

    @property
    def p50(self):
        return percentile(self.times, 0.5) * 1000 if self.times else math.inf

    @property
    def p95(self):
        return percentile(self.times, 0.95) * 1000 if self.times else math.inf

    def done(self, requests, seconds):
        return self.timed_out or len(self.times) >= requests or sum(self.times) >= seconds


def time_targets(targets, requests, seconds):
    """Each target ``requests`` times, or until it has used ``seconds``; the order rotates every round.
    A target whose query runs past the statement timeout is not timed again."""
    from qingdan.progress import TerminalProgress

    progress = TerminalProgress("Timing", width=20)
    total = requests * len(targets)
    for round_number in range(requests):
        shift = round_number % len(targets)
        for target in targets[shift:] + targets[:shift]:
            if target.done(requests, seconds):
                continue
            begin = time.perf_counter()
            try:
                target.run()
            except TimedOut:
                target.timed_out = True
                continue
            target.times.append(time.perf_counter() - begin)
        progress(sum(requests if t.done(requests, seconds) else len(t.times) for t in targets), total)


def baseline(target, timeout):
    """The hand-written side's result; it must finish, or nothing can be compared."""
    try:
        return target.run()
    except TimedOut:
        raise BenchError(f"{target.label.strip()} ran past the {timeout:g} s statement timeout") from None


def page_getter(client, url, headers=None):
    def get():
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}")
        return response

    return get


def page_queries(get):
    """The page's queries in one more request, slowest first, as (seconds, sql); a query cut short by
    the statement timeout is among them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured, contextlib.suppress(TimedOut):
        get()
    return sorted(((float(q["time"]), q["sql"]) for q in captured.captured_queries), reverse=True)


def explain(sql_text, whole, analyze=True):
    """The top node, sequential scans, sub-plans and timings of the plan (all of it when ``whole``);
    without ``analyze``, the estimated plan only (for a query that does not finish)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ") + sql_text)
        lines = [row[0] for row in cursor.fetchall()]
    if whole:
        return lines
    keep = ("Planning Time", "Execution Time", "Seq Scan", "Parallel Seq Scan", "SubPlan", "Filter: ((SubPlan")
    return [lines[0]] + [line.strip() for line in lines[1:] if line.strip().lstrip("-> ").startswith(keep)]


def set_statement_timeout(seconds):
    """Every connection of the run stops a query after ``seconds`` (a page that never ends would hang it)."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    def apply(connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")

    connection_created.connect(apply, weak=False)
    connection.ensure_connection()
    apply(connection)


def server_settings():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        version = cursor.fetchone()[0]
        values = []
        for name in ("shared_buffers", "work_mem", "jit", "max_parallel_workers_per_gather"):
            cursor.execute("SELECT current_setting(%s)", [name])
            values.append(f"{name}={cursor.fetchone()[0]}")
    return version, ", ".join(values)


# --- bulk issue -------------------------------------------------------------------------------------------


def bulk_file(office_unit, rows, seed, today):
    """A valid .xlsx of ``rows`` items in the import layout, about 10 items a list, to units below the office."""
    from checklists import imports
    from checklists.demo import CATEGORIES, CONTENTS
    from orgs.models import OrgUnit
    from qingdan.spreadsheets import write_workbook

    rng = random.Random(seed)  # noqa: S311 - benchmark data
    codes = list(
        OrgUnit.objects.filter(path__startswith=office_unit.path)
        .exclude(pk=office_unit.pk)
        .order_by("id")
        .values_list("code", flat=True)
    )
    departments = [code for code in codes if "-D" in code]
    keys = imports.header_keys() if hasattr(imports, "header_keys") else [k for k, _c, _o in imports.COLUMNS]
    lines, n, list_number = [], 0, 0
    while n < rows:
        list_number += 1
        size = min(rows - n, rng.randint(5, 15))
        unit = rng.choice(codes)
        category = rng.choice(CATEGORIES)
        co = rng.choice([d for d in departments if d != unit]) if departments and rng.random() < 0.1 else ""
        deadline = (today + timedelta(days=rng.choice((30, 60, 90, 120, 180)))).isoformat()
        first = {
            "key": f"BENCH-{list_number:06d}",
            "title": f"{category}责任清单（第{list_number}号）",
            "unit": unit,
            "co_units": co,
            "doc_number": f"滨工〔{today.year}〕{list_number}号",
            "category": category,
        }
        for position in range(size):
            content, standard = CONTENTS[(list_number + position) % len(CONTENTS)]
            row = dict(first) if position == 0 else {"key": first["key"]}
            row.update(
                content=f"{content}（第{position + 1}项）",
                standard=standard,
                deadline=deadline,
                deep="是" if rng.random() < 0.08 else "否",
                person="张伟",
            )
            lines.append([row.get(key, "") for key in keys])
        n += size
    header = imports.header()
    return write_workbook("清单", header, lines), list_number


def upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bench-lists.xlsx", data, content_type="application/octet-stream")


def read_only(data):
    from django.conf import settings

    from checklists import imports
    from qingdan.spreadsheets import read_rows

    titles = {key: (chinese, *others) for key, chinese, others in imports.COLUMNS}
    required = {key: titles[key] for key in imports.REQUIRED}
    optional = {key: value for key, value in titles.items() if key not in required}
    return read_rows(upload(data), headers=required, optional=optional, max_bytes=settings.QINGDAN_MAX_IMPORT_BYTES)


def import_rolled_back(data, actor):
    """apply_import in a transaction that is rolled back; the deferred foreign-key checks are run
    first (SET CONSTRAINTS ALL IMMEDIATE), as the commit would. Returns (seconds, plan)."""
    from django.db import connection, transaction

    from checklists import imports

    with transaction.atomic():
        begin = time.perf_counter()
        plan = imports.apply_import(upload(data), actor=actor)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - begin
        transaction.set_rollback(True)
    return seconds, plan


def bulk_issue(args, office, today):
    """Read and import timings; returns True when the import rate reaches the goal."""
    from checklists import imports

    begin = time.perf_counter()
    data, lists = bulk_file(office.org_unit, args.rows, args.seed, today)
    made = time.perf_counter() - begin
    print()
    print(
        f"Bulk issue: {args.rows:,} rows ({lists:,} lists) to units of {office.org_unit.name},"
        f" .xlsx of {len(data) / 1048576:.1f} MB written in {made:.1f} s"
    )
    read_only(data)  # once unmeasured: imports, caches
    reads = []
    for _ in range(args.reads):
        begin = time.perf_counter()
        rows = read_only(data)
        reads.append(time.perf_counter() - begin)
    if len(rows) != args.rows:
        raise BenchError(f"read_rows gave {len(rows):,} rows, not {args.rows:,}")
    begin = time.perf_counter()
    checked = imports.read_and_check(upload(data), actor=office, today=today)
    check_seconds = time.perf_counter() - begin
    if not checked.ok:
        raise BenchError("the bench file does not pass the import's checks: " + "; ".join(map(str, checked.errors[:5])))
    runs = []
    for _ in range(args.imports):
        seconds, plan = import_rolled_back(data, office)
        if not plan.ok or plan.created_items != args.rows:
            raise BenchError(f"the import wrote {plan.created_items:,} items of {args.rows:,}: {plan.errors[:5]}")
        runs.append(seconds)
    read_s, import_s = statistics.median(reads), statistics.median(runs)
    share = read_s / import_s
    print(f"{'':34}{'seconds':>9}{'rows/s':>10}")
    print(f"{'read_rows alone (median of ' + str(args.reads) + ')':34}{read_s:9.1f}{args.rows / read_s:10,.0f}")
    print(f"{'read and check, writing nothing':34}{check_seconds:9.1f}{args.rows / check_seconds:10,.0f}")
    label = f"full import (median of {args.imports})"
    print(f"{label:34}{import_s:9.1f}{args.rows / import_s:10,.0f}")
    verdict = "meets" if share >= IMPORT_SHARE_GOAL else "does NOT meet"
    print(f"Import rate / read rate: {share:.2f} ({verdict} the goal of at least 1/3 = 0.33)")
    return share >= IMPORT_SHARE_GOAL


# --- the run ----------------------------------------------------------------------------------------------


def run(args):
    # 100,000 rows make about 5 MB; let larger --rows pass the 10 MB upload limit too.
    os.environ.setdefault("QINGDAN_MAX_IMPORT_BYTES", str(64 * 1024 * 1024))
    started = time.perf_counter()
    scope, generated = closeout_data.ensure_data(args.database, args.scale, args.seed, args.keep, sys.stdout)
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from checklists.models import Item
    from orgs.models import OrgUnit, User

    version, settings_line = server_settings()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    units, lists, items, documents, closed = closeout_data.summary()
    print(f"Close-out benchmark · database {args.database.rsplit('/', 1)[-1]} · PostgreSQL {version}")
    print(f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, load average {load}")
    print(f"Server: {settings_line}")
    print(
        f"Data{'' if generated else ' (kept from an earlier run)'}: {units:,} org units, {lists:,} lists,"
        f" {items:,} items ({closed / max(items, 1):.1%} closed), {documents:,} documents"
    )

    today = timezone.localdate()
    county_user = User.objects.select_related("org_unit").get(username=scope.county_office)
    province_user = User.objects.select_related("org_unit").get(username=scope.province_office)
    county, province = county_user.org_unit, province_user.org_unit
    busiest = (
        Item.objects.filter(responsible_unit__path__startswith=county.path)
        .values("responsible_unit")
        .annotate(n=Count("id"))
        .order_by("-n", "responsible_unit")
        .first()
    )
    unit = OrgUnit.objects.get(pk=busiest["responsible_unit"])
    set_statement_timeout(args.timeout)
    # A page cut short by the timeout is reported in the table; Django's log of its 500 is noise here.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    clients = {}
    for user in (county_user, province_user):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    county_page = page_getter(clients[county_user.pk], "/lists/figures/")
    province_page = page_getter(clients[province_user.pk], "/lists/figures/")
    items_page = page_getter(clients[county_user.pk], f"/lists/items/?unit={unit.pk}")
    # The load on units, which the figures page fetches with htmx in a request of its own.
    htmx = {"HX-Request": "true"}
    county_load = page_getter(clients[county_user.pk], "/lists/figures/load/", htmx)
    province_load = page_getter(clients[province_user.pk], "/lists/figures/load/", htmx)
    province_quarter = page_getter(clients[province_user.pk], "/lists/figures/load/?period=quarter", htmx)

    targets = [
        Target("county", f"figures page · {county.name}", county_page),
        Target("county_module", "  figures module alone", lambda: module_figures(county_user, today)),
        Target("county_sql", "  hand-written query", lambda: hand_figures(county, today)),
        Target("province", f"figures page · {province.name}", province_page),
        Target("province_module", "  figures module alone", lambda: module_figures(province_user, today)),
        Target("province_sql", "  hand-written query", lambda: hand_figures(province, today)),
        Target("items", f"item list · {unit.name}", items_page),
        Target("items_sql", "  hand-written queries", lambda: hand_items(unit.pk)),
        Target("county_load", f"load on units · {county.name}", county_load),
        Target("province_load", f"load on units · {province.name}", province_load),
        Target("province_load_quarter", f"load on units · {province.name} · 近三个月", province_quarter),
    ]
    by_key = {t.key: t for t in targets}

    # Warm up every target once and check that both sides agree.
    print()
    for key, user in (("county", county_user), ("province", province_user)):
        rows = baseline(by_key[f"{key}_sql"], args.timeout)
        try:
            app = by_key[f"{key}_module"].run()
        except TimedOut:
            by_key[f"{key}_module"].timed_out = by_key[key].timed_out = True
            print(f"not checked: the figures of {user.org_unit.name} ran past the {args.timeout:g} s timeout")
            continue
        issued, groups = compare_figures(key, app, rows)
        try:
            content = by_key[key].run().content.decode()
        except TimedOut:
            by_key[key].timed_out = True
            content = f">{issued:,}<"
        if f">{issued:,}<" not in content:
            raise BenchError(f"the {key} figures page does not show the {issued:,} items issued")
        print(f"results agree: {user.org_unit.name} figures, {issued:,} items in {groups:,} responsible units")
    count, first_page = baseline(by_key["items_sql"], args.timeout)
    try:
        content = by_key["items"].run().content.decode()
    except TimedOut:
        by_key["items"].timed_out = True
        print(f"not checked: the item list ran past the {args.timeout:g} s timeout")
    else:
        missing = [row[0] for row in first_page if f'href="/lists/items/{row[0]}/"' not in content]
        if missing or f"{count:,}" not in content:
            raise BenchError(f"the item list of {unit.name} does not show its {count:,} items or items {missing[:5]}")
        print(f"results agree: item list of {unit.name} (the busiest unit of the county), {count:,} items")

    for key in ("county_load", "province_load", "province_load_quarter"):  # warm up; nothing to compare
        try:
            by_key[key].run()
        except TimedOut:
            by_key[key].timed_out = True

    time_targets(targets, args.requests, args.seconds)
    print()
    print(f"{'':40}{'n':>4}{'p50':>9}{'p95':>9}{'max':>9}   ms, server time; page ÷ hand-written")
    for target in targets:
        line = pad(target.label, 40)
        if not target.times:
            print(f"{line}   0   timed out: a query ran past the {args.timeout:g} s statement timeout")
            continue
        line += f"{len(target.times):4}{target.p50:9.1f}{target.p95:9.1f}{max(target.times) * 1000:9.1f}"
        if "_load" in target.key:
            pass  # no hand-written side: only the 300 ms goal
        elif not target.key.endswith(("_sql", "_module")):
            hand = by_key[f"{target.key}_sql"]
            line += f"   {target.p50 / hand.p50:6.1f}× p50 {target.p95 / hand.p95:6.1f}× p95"
        elif target.key.endswith("_module"):
            hand = by_key[target.key.replace("_module", "_sql")]
            line += f"   {target.p50 / hand.p50:6.1f}× p50"
        if target.timed_out:
            line += "  (then timed out)"
        print(line)
    short = [t.label.strip() for t in targets if t.times and not t.timed_out and len(t.times) < args.requests]
    if short:
        print(f"(stopped after {args.seconds:.0f} s of their own time: {', '.join(short)})")

    ok = True
    print()
    for key in ("county", "province"):
        ratio = by_key[key].p50 / by_key[f"{key}_sql"].p50
        holds = ratio <= FIGURES_RATIO_GOAL and not by_key[key].timed_out
        ok &= holds
        print(
            f"Figures page · {by_key[key].label.split(' · ')[1]}: {ratio:.1f}× the hand-written query at p50"
            f" ({'within' if holds else 'NOT within'} the {FIGURES_RATIO_GOAL:.0f}× goal)"
        )
    for key in ("county", "province", "items", "county_load", "province_load", "province_load_quarter"):
        holds = by_key[key].p95 < PAGE_P95_GOAL_MS and not by_key[key].timed_out
        ok &= holds
        print(
            f"{by_key[key].label}: p95 {by_key[key].p95:.0f} ms"
            f" ({'under' if holds else 'NOT under'} the {PAGE_P95_GOAL_MS:.0f} ms goal)"
        )

    print()
    for key in ("county", "province", "items", "county_load", "province_load", "province_load_quarter"):
        queries = page_queries(by_key[key].run)
        print(
            f"{by_key[key].label}: {len(queries)} queries, {sum(t for t, _s in queries) * 1000:.0f} ms in the"
            " database; the slowest:"
        )
        for seconds, sql_text in queries[:3]:
            print(f"  {seconds * 1000:7.0f} ms  {' '.join(sql_text.split())[:120]}…")
        finishes = queries[0][0] < args.timeout * 0.99
        print(
            f"  EXPLAIN {'(ANALYZE, BUFFERS) ' if finishes else '(estimates only: it does not finish) '}of the slowest:"
        )
        for line in explain(queries[0][1], args.plan, analyze=finishes):
            print("    " + line)

    if not args.no_import:
        ok &= bulk_issue(args, county_user, today)
    print()
    print(f"Run time {time.perf_counter() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(pg.main(run, parse_args))

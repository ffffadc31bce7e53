"""Figures of demands and disputes at a province's scale against hand-written SQL (PostgreSQL).

Run from the project root:  .venv/bin/python bench/cases_bench.py [--demands 100000] [--disputes 100000] [--repeat 5]

It (re)creates its own database (default qingdan_cases_bench on 127.0.0.1), migrates it and writes with COPY:
the org tree of bench/closeout_data.py (a province, 13 cities, 120 counties, per county 20 departments and 15
towns, grassroots unions and enterprises below; ``--units`` in all), office users for the province and every city
and county, ``--enterprises`` registered enterprises spread over the towns, and the demands, disputes and letters
(``--letters``) received over eighteen months up to the end of the measured year, in states that fit each other
(accepted, replied on time or late, rated; disputes with colours, levels, outcomes, amounts agreed and paid).

Then, with a warm cache, it times ``--repeat`` times each, alternating:

  app           cases.figures.compute(...) for the province and for one county, grouped by the units below
                (what the figures page computes before it renders)
  hand-written  one SQL statement per kind of record (GROUPING SETS: the units below and the total) and one for
                the disputes' spread, on the same connection, rows fetched but not turned into objects

checks both give the same numbers, and prints the medians and their ratio (app ÷ hand-written). Nothing here is a
test: no goal fails the run; compare ratios between runs, never the raw milliseconds.
"""

import argparse
import os
import platform
import random
import secrets
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import closeout_data as data  # noqa: E402 - needs the path above
from bench.pg import main, prepare_database  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/qingdan_cases_bench"
YEAR = 2026
FIRST_DAY, LAST_DAY = date(YEAR - 1, 7, 1), date(YEAR, 12, 31)
CHUNK = 10_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demands", type=int, default=100_000, help="demands to generate (default 100000)")
    parser.add_argument("--disputes", type=int, default=100_000, help="disputes to generate (default 100000)")
    parser.add_argument("--letters", type=int, default=20_000, help="letters to generate (default 20000)")
    parser.add_argument("--enterprises", type=int, default=20_000, help="enterprises (default 20000)")
    parser.add_argument("--units", type=int, default=30_000, help="org units in all (default 30000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each side (default 5)")
    parser.add_argument("--database", default=DEFAULT_URL, help=f"PostgreSQL URL (default {DEFAULT_URL})")
    parser.add_argument("--seed", type=int, default=2026, help="random seed")
    args = parser.parse_args()
    if min(args.demands, args.disputes, args.letters, args.enterprises, args.repeat) < 1 or args.units < 5000:
        parser.error("counts must be at least 1, --units at least 5000")
    return args


# --- data ------------------------------------------------------------------------------------------------------


def _day(rng):
    return FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))


def _moment(day, hour=10):
    return f"{day.isoformat()} {hour:02d}:00:00+08"


def generate(args, progress):
    from django.db import connection, transaction

    from orgs.models import OrgKind, OrgUnit, Role
    from orgs.services import create_user, save_unit
    from qingdan.actors import SYSTEM

    rng = random.Random(args.seed)  # noqa: S311 - benchmark data, not security
    with transaction.atomic():
        province = save_unit(
            unit=OrgUnit(code=data.PROVINCE_CODE, name="东海省总工会", kind=OrgKind.PROVINCE, document_prefix="东工"),
            actor=SYSTEM,
        )
        office = create_user(
            username="bench_province", full_name="省督办", org_unit=province, roles=[Role.OFFICE],
            password=data.PASSWORD, actor=SYSTEM,
        )  # fmt: skip
    with connection.cursor() as cursor, transaction.atomic():
        tree = data.write_tree(cursor, rng, province, data.CITIES, data.COUNTIES, args.units)
        data.write_users(tree, office)
        firms = _enterprises(cursor, rng, tree, args.enterprises)
    total = args.demands + args.disputes + args.letters
    done = 0
    for writer, count in ((_demands, args.demands), (_disputes, args.disputes), (_letters, args.letters)):
        for start in range(0, count, CHUNK):
            n = min(CHUNK, count - start)
            with connection.cursor() as cursor, transaction.atomic():
                writer(cursor, rng, tree, firms, start, n)
            done += n
            progress(done, total)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return tree


def _enterprises(cursor, rng, tree, count):
    """``count`` firms registered under the towns: ``[(id, town, county)]``."""
    towns = [(county, town) for county in tree.counties for town in tree.towns[county.pk]]
    first = data.reserve_ids(cursor, "cases_enterprise", count)
    lines, firms = [], []
    for n in range(count):
        county, town = towns[n % len(towns)]
        pk = first + n
        code = f"91{n:016d}"
        name = f"{town.name.removesuffix('总工会')}{data.ENTERPRISE_KINDS[n % 8]}{n}"
        lines.append(
            f"{pk}\t{name}\t{code}\t{town.pk}\t\tC\t{rng.randint(10, 2000)}\tf\t\\N\t\t\t\t"
            f"2024-01-01 10:00:00+08\t\\N\t2024-01-01 10:00:00+08\t\\N\t0\n"
        )
        firms.append((pk, town, county))
    data.copy_rows(
        cursor,
        "COPY cases_enterprise (id, name, credit_code, org_unit_id, community, industry, workers, has_union,"
        " union_unit_id, address, contact_name, contact_phone, created_at, created_by_id, updated_at,"
        " updated_by_id, version) FROM STDIN",
        lines,
    )
    return firms


def _registered_under(rng, tree, town, county):
    """A town union registers most cases; a grassroots union or the county itself the rest."""
    roll = rng.random()
    if roll < 0.15:
        return county
    if roll < 0.3:
        below = tree.grassroots[county.pk]
        return below[rng.randrange(len(below))] if below else town
    return town


def _demands(cursor, rng, tree, firms, start, n):
    lines = []
    sources = ["meeting", "hotline", "walk_in", "grid", "phone"]
    categories = ["wages", "hours", "safety", "contracts", "insurance", "welfare", "management", "other"]
    for _ in range(n):
        pk_firm, town, county = firms[rng.randrange(len(firms))]
        unit = _registered_under(rng, tree, town, county)
        handler = tree.departments[county.pk][rng.randrange(len(tree.departments[county.pk]))]
        day = _day(rng)
        roll = rng.random()
        status = "submitted" if roll < 0.03 else "declined" if roll < 0.05 else "assigned" if roll < 0.15 else (
            "replied" if roll < 0.3 else "closed")  # fmt: skip
        replied = status in ("replied", "closed")
        result = rng.choice(["resolved"] * 17 + ["partly", "unresolved", "beyond"]) if replied else ""
        on_time = ("t" if rng.random() < 0.9 else "f") if replied else "\\N"
        rating = (
            rng.choice(["very_satisfied", "satisfied", "satisfied", "fairly", "dissatisfied", ""]) if replied else ""
        )
        reply_at = _moment(day + timedelta(days=2)) if replied else "\\N"
        lines.append(
            "\t".join(
                [
                    str(pk_firm),
                    str(unit.pk),
                    str(handler.pk),
                    "\\N",
                    rng.choice(sources),
                    rng.choice(categories),
                    "王伟",
                    "13812345678",
                    "1",
                    "加班费未按规定计发",
                    status,
                    day.isoformat(),
                    (day + timedelta(days=5)).isoformat(),
                    "{}",
                    "已答复" if replied else "",
                    result,
                    reply_at,
                    on_time,
                    "\\N",
                    "\\N",
                    "",
                    rating,
                    reply_at if rating else "\\N",
                    _moment(day + timedelta(days=9)) if status == "closed" else "\\N",
                    "0",
                    "0",
                    "\\N",
                    secrets.token_hex(32),
                    "",
                    _moment(day),
                    "\\N",
                    "0",
                ]
            )  # fmt: skip
            + "\n"
        )
    data.copy_rows(
        cursor,
        "COPY cases_demand (enterprise_id, org_unit_id, handling_unit_id, meeting_id, source, category, worker_name,"
        " worker_phone, group_size, content, status, received_on, reply_due, rules, reply, result, replied_at,"
        " replied_on_time, escalated_from_id, called_back_at, callback_note, rating, rated_at, closed_at, reopened,"
        " urged, last_urged_at, receipt_hash, import_key, created_at, created_by_id, version) FROM STDIN",
        lines,
    )


def _disputes(cursor, rng, tree, firms, start, n):
    lines = []
    for _ in range(n):
        pk_firm, town, county = firms[rng.randrange(len(firms))]
        unit = _registered_under(rng, tree, town, county)
        day = _day(rng)
        roll = rng.random()
        colour = rng.choice(["yellow", "yellow", "orange", "red"])
        if roll < 0.3:
            status, level, outcome = "closed", rng.choice(["enterprise", "village", "town"]), "agreement"
        elif roll < 0.4:
            status, level, outcome = "agreed", rng.choice(["enterprise", "village", "town"]), "agreement"
        elif roll < 0.5:
            status, level, outcome = "referred", "town", rng.choice(["arbitration", "court"])
        elif roll < 0.55:
            status, level, outcome = "withdrawn", "", "withdrawn"
        elif roll < 0.8:
            status, level, outcome = "mediating", rng.choice(["enterprise", "village", "town"]), ""
        else:
            status, level, outcome = "registered", "", ""
        claimed = Decimal(rng.randrange(1000, 2_000_000)) / 100 * 100
        agreed = paid = "\\N"
        if outcome == "agreement":
            agreed_value = (claimed * Decimal(rng.randint(60, 100)) / 100).quantize(Decimal("0.01"))
            agreed = str(agreed_value)
            paid = str(agreed_value if status == "closed" else (agreed_value / 2).quantize(Decimal("0.01")))
        lines.append(
            "\t".join(
                [
                    str(unit.pk),
                    str(pk_firm),
                    "\\N",
                    "\\N",
                    "\\N",
                    "wages",
                    "walk_in",
                    "",
                    "拖欠工资",
                    "李红梅",
                    "13912345678",
                    str(rng.randint(1, 60)),
                    str(rng.choice([0.5, 1, 1.5, 2, 3, 6])),
                    str(claimed),
                    agreed,
                    paid,
                    colour,
                    "按规则计算",
                    status,
                    level,
                    outcome,
                    "f",
                    "",
                    day.isoformat(),
                    (day + timedelta(days=10)).isoformat() if outcome == "agreement" else "\\N",
                    (day + timedelta(days=40)).isoformat() if status in ("closed", "referred", "withdrawn") else "\\N",
                    "0",
                    "{}",
                    "\\N",
                    "",
                    _moment(day),
                    "0",
                ]
            )  # fmt: skip
            + "\n"
        )
    data.copy_rows(
        cursor,
        "COPY cases_dispute (org_unit_id, enterprise_id, project_id, subcontract_id, demand_id, kind, source, grid,"
        " summary, worker_name, worker_phone, workers, months_in_arrears, amount_claimed, amount_agreed, amount_paid,"
        " colour, colour_reason, status, level, outcome, judicial_confirmation, outcome_note, received_on, agreed_on,"
        " closed_on, reopened, rules, reported_by_id, import_key, created_at, version) FROM STDIN",
        lines,
    )


def _letters(cursor, rng, tree, firms, start, n):
    lines = []
    for i in range(start, start + n):
        pk_firm, town, county = firms[rng.randrange(len(firms))]
        unit = county if rng.random() < 0.5 else town
        day = _day(rng)
        kind = rng.choice(["notice"] * 7 + ["opinion", "opinion", "proposal"])
        status = rng.choice(["issued", "delivered", "answered", "answered", "escalated", "lapsed"])
        delivered = day.isoformat() if status != "issued" else "\\N"
        answered = (day + timedelta(days=7)).isoformat() if status == "answered" else "\\N"
        lines.append(
            "\t".join(
                [
                    str(unit.pk),
                    str(pk_firm),
                    "企业",
                    "\\N",
                    "\\N",
                    "\\N",
                    kind,
                    f"东工函〔{day.year}〕{i + 1}号",
                    day.isoformat(),
                    "未足额支付工资",
                    "限期整改",
                    (day + timedelta(days=21)).isoformat(),
                    delivered,
                    "\\N",
                    answered,
                    "已整改" if answered != "\\N" else "",
                    status,
                    "{}",
                    "\\N",
                    _moment(day),
                    "0",
                ]
            )  # fmt: skip
            + "\n"
        )
    data.copy_rows(
        cursor,
        "COPY cases_letter (issuing_unit_id, enterprise_id, addressee, dispute_id, demand_id, escalated_from_id, kind,"
        " number, issued_on, problem, request, reply_due, delivered_on, receipt_id, answered_on, answer, status,"
        " rules, created_by_id, created_at, version) FROM STDIN",
        lines,
    )


# --- the hand-written side -------------------------------------------------------------------------------------

# Each: the units below the root (the first PATH_DIGITS + 1 characters after its path) and the total, in one
# statement; a row registered at the root itself is the group of the root's own path.
SQL_DEMANDS = """
SELECT CASE WHEN GROUPING(g.child) = 1 THEN 'total' ELSE g.child END AS child,
       count(*) FILTER (WHERE g.status IN ('assigned', 'replied', 'closed')) AS accepted,
       count(*) FILTER (WHERE g.result = 'resolved') AS resolved,
       count(*) FILTER (WHERE g.replied_at IS NOT NULL) AS replied,
       count(*) FILTER (WHERE g.replied_on_time) AS on_time,
       count(*) FILTER (WHERE g.rating <> '') AS rated,
       count(*) FILTER (WHERE g.rating IN ('very_satisfied', 'satisfied')) AS satisfied
FROM (
  SELECT d.*, CASE WHEN u.path LIKE %(prefix)s THEN left(u.path, %(width)s) END AS child
  FROM cases_demand d
  JOIN orgs_orgunit u ON u.id = d.org_unit_id
  LEFT JOIN orgs_orgunit h ON h.id = d.handling_unit_id
  WHERE d.received_on >= %(start)s AND d.received_on < %(end)s
    AND (u.path LIKE %(prefix)s OR h.path LIKE %(prefix)s)
) g
GROUP BY GROUPING SETS ((g.child), ())
"""
SQL_DISPUTES = """
SELECT CASE WHEN GROUPING(left(u.path, %(width)s)) = 1 THEN 'total' ELSE left(u.path, %(width)s) END AS child,
       count(*) AS accepted,
       count(*) FILTER (WHERE d.outcome = 'agreement') AS agreements,
       coalesce(sum(d.amount_agreed) FILTER (WHERE d.outcome = 'agreement'), 0) AS agreed,
       coalesce(sum(d.amount_paid) FILTER (WHERE d.outcome = 'agreement'), 0) AS paid,
       coalesce(sum(d.workers), 0) AS workers,
       count(*) FILTER (WHERE d.colour = 'red' AND d.status IN ('registered', 'mediating')) AS red_open
FROM cases_dispute d JOIN orgs_orgunit u ON u.id = d.org_unit_id
WHERE d.received_on >= %(start)s AND d.received_on < %(end)s AND u.path LIKE %(prefix)s
GROUP BY GROUPING SETS ((left(u.path, %(width)s)), ())
"""
SQL_LETTERS = """
SELECT CASE WHEN GROUPING(left(u.path, %(width)s)) = 1 THEN 'total' ELSE left(u.path, %(width)s) END AS child,
       count(*) FILTER (WHERE l.kind = 'notice') AS issued_notice,
       count(*) FILTER (WHERE l.kind = 'notice' AND l.status = 'answered') AS answered_notice,
       count(*) FILTER (WHERE l.kind = 'opinion') AS issued_opinion,
       count(*) FILTER (WHERE l.kind = 'opinion' AND l.status = 'answered') AS answered_opinion,
       count(*) FILTER (WHERE l.kind = 'proposal') AS issued_proposal,
       count(*) FILTER (WHERE l.kind = 'proposal' AND l.status = 'answered') AS answered_proposal,
       count(*) AS issued,
       count(*) FILTER (WHERE l.status = 'answered') AS answered
FROM cases_letter l JOIN orgs_orgunit u ON u.id = l.issuing_unit_id
WHERE l.issued_on >= %(start)s AND l.issued_on < %(end)s AND u.path LIKE %(prefix)s
GROUP BY GROUPING SETS ((left(u.path, %(width)s)), ())
"""
SQL_SPREAD = """
SELECT d.colour, d.level, d.kind, d.outcome, count(*)
FROM cases_dispute d JOIN orgs_orgunit u ON u.id = d.org_unit_id
WHERE d.received_on >= %(start)s AND d.received_on < %(end)s AND u.path LIKE %(prefix)s
GROUP BY 1, 2, 3, 4
"""


def hand_written(unit, start, end):
    from django.db import connection

    from orgs.services import PATH_DIGITS

    params = {"prefix": unit.path + "%", "width": len(unit.path) + PATH_DIGITS + 1, "start": start, "end": end}
    result = {}
    with connection.cursor() as cursor:
        for kind, sql in (("demands", SQL_DEMANDS), ("disputes", SQL_DISPUTES), ("letters", SQL_LETTERS)):
            cursor.execute(sql, params)
            names = [c[0] for c in cursor.description]
            result[kind] = {row[0]: dict(zip(names[1:], row[1:], strict=True)) for row in cursor.fetchall()}
        cursor.execute(SQL_SPREAD, params)
        result["spread"] = cursor.fetchall()
    return result


def same_numbers(app, hand, unit):
    """Compare the app's figures with the hand-written ones; returns the differences."""
    from cases import figures

    numbers = figures.as_numbers(app)
    problems = []
    by_child = {}
    for kind in ("demands", "disputes", "letters"):
        for child, values in hand[kind].items():
            key = "total" if child == "total" else (str(unit.pk) if child == unit.path else str(int(child[-9:-1])))
            by_child.setdefault(key, {})[kind] = values
    for key, kinds in by_child.items():
        mine = numbers["total"] if key == "total" else numbers["rows"].get(key)
        if mine is None:
            problems.append(f"group {key}: not in the app's rows")
            continue
        for kind, values in kinds.items():
            for name, value in values.items():
                if Decimal(mine[kind][name]) != Decimal(value or 0):
                    problems.append(f"group {key} {kind}.{name}: app {mine[kind][name]} ≠ SQL {value}")
    return problems[:10]


# --- the run ---------------------------------------------------------------------------------------------------


def setup(url):
    os.environ.update(
        QINGDAN_DATABASE_URL=url,
        QINGDAN_DEBUG="false",
        QINGDAN_SECRET_KEY=secrets.token_urlsafe(50),
        QINGDAN_ALLOWED_HOSTS="testserver",
        QINGDAN_SECURE_SSL_REDIRECT="false",
        DJANGO_SETTINGS_MODULE="bench.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    # cases.0002 links to the evidence table that checklists.0001 creates, without depending on it: on PostgreSQL
    # (which checks the link, unlike SQLite) the close-out area's migrations must come first.
    call_command("migrate", "checklists", verbosity=0, interactive=False)
    call_command("migrate", verbosity=0, interactive=False)


def run(args):
    prepare_database(args.database, keep=False)
    setup(args.database)
    import django
    from django.db import connection

    from cases import figures
    from orgs.models import User
    from orgs.queries import root_unit
    from qingdan.progress import TerminalProgress

    begin = time.perf_counter()
    generate(args, TerminalProgress("生成诉求、劳动争议和函件"))
    print(f"Generated in {time.perf_counter() - begin:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM orgs_orgunit), (SELECT count(*) FROM cases_enterprise),"
            " (SELECT count(*) FROM cases_demand), (SELECT count(*) FROM cases_dispute),"
            " (SELECT count(*) FROM cases_letter), version(),"
            " current_setting('shared_buffers'), current_setting('work_mem'), current_setting('jit')"
        )
        units, firms, demands, disputes, letters, pg_version, buffers, work_mem, jit = cursor.fetchone()
    print(
        f"Data: {units:,} org units, {firms:,} enterprises, {demands:,} demands, {disputes:,} disputes, {letters:,} letters"
    )
    print(f"Python {platform.python_version()}, Django {django.get_version()}, {pg_version.split(',')[0]}")
    print(
        f"shared_buffers={buffers} work_mem={work_mem} jit={jit}; {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"
    )

    params = {"year": str(YEAR)}
    period = figures.period_of(params, date(YEAR, 12, 31))
    targets = [
        ("province", User.objects.get(username="bench_province")),
        ("county", User.objects.get(username="bench_county")),
    ]
    worst = 0.0
    print(f"\n{'target':<10} {'app ms (median, min–max)':>28} {'SQL ms (median, min–max)':>28} {'ratio':>7}")
    for label, user in targets:
        unit = root_unit(user)

        def app(user=user, unit=unit):
            return figures.compute(user, unit, params, date(YEAR, 12, 31), "unit")

        def sql(unit=unit):
            return hand_written(unit, period.start, period.end)

        problems = same_numbers(app(), sql(), unit)
        if problems:
            print(f"{label}: results differ:\n  " + "\n  ".join(problems))
            return 2
        times = {"app": [], "sql": []}
        for n in range(args.repeat):
            for side, func in (("app", app), ("sql", sql)) if n % 2 == 0 else (("sql", sql), ("app", app)):
                began = time.perf_counter()
                func()
                times[side].append((time.perf_counter() - began) * 1000)
        app_ms, sql_ms = statistics.median(times["app"]), statistics.median(times["sql"])
        ratio = app_ms / sql_ms
        worst = max(worst, ratio)
        print(
            f"{label:<10} {app_ms:>10.1f} ({min(times['app']):.1f}–{max(times['app']):.1f})"
            f"{'':>6}{sql_ms:>10.1f} ({min(times['sql']):.1f}–{max(times['sql']):.1f}){'':>6}{ratio:>6.2f}×"
        )
    print("\nresults agree; ratio = app ÷ hand-written SQL (lower is better; compare between runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main(run, parse_args))

"""Hardship archive benchmark: the figures page's computation over a province's files against hand-written SQL.

Run from the project root:  .venv/bin/python bench/hardship_bench.py [--households 50000] [--repeat 5]

It (re)creates its own PostgreSQL database (default qingdan_hardship_bench on 127.0.0.1), migrates it and
generates a province: 13 cities, 120 county federations, 5 town unions under each, and N household files spread
over them (bulk-created with their members — ID numbers sealed, hashed and masked as the import does — live
persons, aid, pairings and contacts), with a progress bar.

Then, with a warm cache, it times ``--repeat`` times each, alternating:

  app           assistance.figures.table(province, group) + aid_by_kind, as the figures page calls them
  hand-written  two SQL statements computing the same figures per group (households, aid)

for the grouping by unit (the 13 cities) and by county (120 rows), prints the medians and their ratio, and checks
that both give the same numbers (else the run fails). No timed assertion: the ratio is for reading. Only 127.0.0.1
(or the --database URL) is contacted.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pg  # noqa: E402 - needs the path above
from bench.pg import prepare_database  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/qingdan_hardship_bench"
CITIES, COUNTIES, TOWNS = 13, 120, 5
CHUNK = 2000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=50000, help="household files to generate (default 50000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each side (default 5)")
    parser.add_argument("--database", default=DEFAULT_URL, help=f"PostgreSQL URL (default {DEFAULT_URL})")
    parser.add_argument("--keep", action="store_true", help="reuse the database and its data if present")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.households < 1 or args.repeat < 1:
        parser.error("--households and --repeat must be at least 1")
    return args


def setup_django(url):
    os.environ["QINGDAN_DATABASE_URL"] = url
    os.environ["QINGDAN_DEBUG"] = "true"
    os.environ["DJANGO_SETTINGS_MODULE"] = "qingdan.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- data ------------------------------------------------------------------------------------------------


def _id_number(n, region):
    from stdnum.cn import ric

    first17 = f"{region}{date(1950, 1, 1) + timedelta(days=n // 1000):%Y%m%d}{n % 1000:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def generate(count, seed):
    from django.db import transaction

    from assistance import identity
    from assistance.models import (
        Aid,
        AidKind,
        Category,
        Cause,
        Contact,
        FileStatus,
        Household,
        LivePerson,
        Member,
        Pairing,
        Relation,
    )  # fmt: skip
    from orgs.models import OrgKind, OrgUnit, Role
    from orgs.services import create_user, save_unit
    from qingdan import clock
    from qingdan.actors import SYSTEM
    from qingdan.progress import TerminalProgress
    from qingdan.protect import lookup_hash

    rng = random.Random(seed)
    today = clock.today()
    province = save_unit(unit=OrgUnit(code="ZJ", name="浙江省总工会", kind=OrgKind.PROVINCE), actor=SYSTEM)
    cities = [
        save_unit(
            unit=OrgUnit(code=f"ZJ-{i:02d}", name=f"第{i}市总工会", kind=OrgKind.CITY, parent=province), actor=SYSTEM
        )
        for i in range(1, CITIES + 1)
    ]
    counties, towns = [], []
    for i in range(1, COUNTIES + 1):
        city = cities[(i - 1) % CITIES]
        county = save_unit(
            unit=OrgUnit(code=f"ZJ-C{i:03d}", name=f"第{i}县总工会", kind=OrgKind.COUNTY, parent=city), actor=SYSTEM
        )
        counties.append(county)
        for t in range(1, TOWNS + 1):
            towns.append(save_unit(
                unit=OrgUnit(code=f"ZJ-C{i:03d}-T{t}", name=f"第{i}县第{t}街道工会", kind=OrgKind.TOWN, parent=county),
                actor=SYSTEM,
            ))  # fmt: skip
    office = create_user(username="bench_hardship", full_name="帮扶干部", org_unit=province, roles=[Role.OFFICE],
                         password="Bench-Qd-2026!", actor=SYSTEM)  # fmt: skip
    places = counties + towns
    statuses = [FileStatus.ARCHIVED] * 60 + [FileStatus.PERMANENT] * 8 + [FileStatus.EXITED] * 25
    statuses += [FileStatus.PUBLICISED] * 5 + [FileStatus.TEMPORARY] * 2
    categories = [Category.DEEP, Category.RELATIVE, Category.RELATIVE, Category.ACCIDENT]
    progress = TerminalProgress("Generating households")
    person = 0
    for first in range(0, count, CHUNK):
        size = min(CHUNK, count - first)
        with transaction.atomic():
            households = []
            for n in range(first, first + size):
                unit = places[n % len(places)]
                status = rng.choice(statuses)
                archived = date(2020, 1, 1) + timedelta(days=rng.randrange((today - date(2020, 1, 1)).days))
                households.append(Household(
                    org_unit=unit, number=f"ZJ-{n + 1:07d}", status=status, category=rng.choice(categories),
                    head_name=f"王{n}", address=f"人民路{n}号", phone=f"139{n:08d}",
                    phone_hash=lookup_hash(f"139{n:08d}", "phone"), bank_account=f"6228480{n:012d}",
                    main_cause=rng.choice(list(Cause)), annual_income=rng.randrange(5000, 60000),
                    applied_on=archived - timedelta(days=30),
                    archived_on=None if status == FileStatus.PUBLICISED else archived,
                    exited_on=archived + timedelta(days=rng.randrange(180, 900)) if status == FileStatus.EXITED else None,
                    reviewed_on=archived + timedelta(days=rng.randrange(0, 700)) if rng.random() < 0.7 else None,
                ))  # fmt: skip
            households = Household.objects.bulk_create(households, batch_size=1000)
            members = []
            for household in households:
                region = f"33{household.org_unit_id % 10000:04d}"
                for i in range(rng.randint(1, 4)):
                    person += 1
                    number = _id_number(person, region)
                    born, region_code, masked, hashed = identity.facts(number)
                    members.append(Member(
                        household=household, name=household.head_name if i == 0 else f"{household.head_name}之{i}",
                        relation=Relation.HEAD if i == 0 else Relation.CHILD, id_number=number, id_hash=hashed,
                        id_masked=masked, birth_date=born, region_code=region_code,
                    ))  # fmt: skip
            members = Member.objects.bulk_create(members, batch_size=2000)
            LivePerson.objects.bulk_create((LivePerson(id_hash=m.id_hash, member=m) for m in members), batch_size=2000)
            aid, pairings, contacts = [], [], []
            for household in households:
                if household.status in (FileStatus.ARCHIVED, FileStatus.PERMANENT, FileStatus.EXITED):
                    for _time in range(rng.randint(0, 3)):
                        aid.append(Aid(
                            household=household, org_unit=household.org_unit, kind=rng.choice(list(AidKind)),
                            amount=rng.choice((500, 800, 1000, 2000, 3000, 5000)),
                            given_on=household.archived_on + timedelta(days=rng.randrange(0, 700)),
                            source="工会帮扶资金", delivered_by="张三",
                        ))  # fmt: skip
                if household.status in (FileStatus.ARCHIVED, FileStatus.PERMANENT) and rng.random() < 0.6:
                    pairings.append(Pairing(cadre=office, household=household, since=household.archived_on))
                    if rng.random() < 0.7:
                        contacts.append(Contact(household=household, cadre=office, kind=Contact.Kind.VISIT,
                                                on=today - timedelta(days=rng.randrange(0, 200)), note="走访"))  # fmt: skip
            Aid.objects.bulk_create([a for a in aid if a.given_on <= today], batch_size=2000)
            Pairing.objects.bulk_create(pairings, batch_size=2000)
            Contact.objects.bulk_create(contacts, batch_size=2000)
        progress(first + size, count)
    return province


# --- the two sides -------------------------------------------------------------------------------------------


def app_side(province, group, year):
    from assistance import figures
    from assistance.models import Household

    households = Household.objects.all()  # the province's office sees every file
    total, rows = figures.table(province, households, group, year)
    figures.aid_by_kind(households, year)
    return {row.code: _numbers(row) for row in rows}


def _numbers(row):
    return (row.held, row.new, row.exited_year, row.exited, row.deep, row.permanent, row.aided, row.review_due,
            row.not_visited, row.aid_times, float(row.aid_amount))  # fmt: skip


HAND_HOUSEHOLDS = """
WITH aided AS (SELECT DISTINCT household_id FROM assistance_aid WHERE given_on >= %(y0)s AND given_on < %(y1)s),
     paired AS (SELECT DISTINCT household_id FROM assistance_pairing WHERE until IS NULL),
     seen AS (SELECT DISTINCT household_id FROM assistance_contact WHERE "on" > %(visit_line)s)
SELECT substr(u.path, 1, %(cut)s) AS head,
       count(*) FILTER (WHERE h.status IN ('archived', 'permanent')),
       count(*) FILTER (WHERE h.archived_on >= %(y0)s AND h.archived_on < %(y1)s),
       count(*) FILTER (WHERE h.status = 'exited' AND h.exited_on >= %(y0)s AND h.exited_on < %(y1)s),
       count(*) FILTER (WHERE h.status = 'exited'),
       count(*) FILTER (WHERE h.status IN ('archived', 'permanent') AND h.category = 'deep'),
       count(*) FILTER (WHERE h.status = 'permanent'),
       count(*) FILTER (WHERE a.household_id IS NOT NULL),
       count(*) FILTER (WHERE h.status IN ('archived', 'permanent')
                          AND (h.reviewed_on <= %(review_line)s
                               OR (h.reviewed_on IS NULL AND h.archived_on <= %(review_line)s))),
       count(*) FILTER (WHERE h.status IN ('archived', 'permanent') AND p.household_id IS NOT NULL
                          AND s.household_id IS NULL)
FROM assistance_household h
JOIN orgs_orgunit u ON u.id = h.org_unit_id
LEFT JOIN aided a ON a.household_id = h.id
LEFT JOIN paired p ON p.household_id = h.id
LEFT JOIN seen s ON s.household_id = h.id
WHERE u.path LIKE %(prefix)s
GROUP BY 1
"""
HAND_AID = """
SELECT substr(u.path, 1, %(cut)s), count(*), sum(a.amount)
FROM assistance_aid a JOIN assistance_household h ON h.id = a.household_id JOIN orgs_orgunit u ON u.id = h.org_unit_id
WHERE a.given_on >= %(y0)s AND a.given_on < %(y1)s AND u.path LIKE %(prefix)s
GROUP BY 1
"""
HAND_KINDS = """
SELECT kind, count(DISTINCT household_id), count(*), sum(amount) FROM assistance_aid
WHERE given_on >= %(y0)s AND given_on < %(y1)s GROUP BY kind
"""


def hand_side(province, group, year, codes):
    from django.db import connection

    from assistance import rules
    from orgs.services import PATH_DIGITS
    from qingdan import clock

    today = clock.today()
    depth = 1 if group == "unit" else 2  # cities are one level below the province, counties two
    params = {
        "y0": date(year, 1, 1), "y1": date(year + 1, 1, 1), "prefix": province.path + "%",
        "cut": len(province.path) + depth * (PATH_DIGITS + 1),
        "visit_line": today - timedelta(days=rules.VISIT_DAYS.default),
        "review_line": today - timedelta(days=rules.REVIEW_DAYS.default),
    }  # fmt: skip
    rows = {}
    with connection.cursor() as cursor:
        cursor.execute(HAND_HOUSEHOLDS, params)
        for head, *counts in cursor.fetchall():
            rows[head] = [*counts, 0, 0.0]
        cursor.execute(HAND_AID, params)
        for head, times, amount in cursor.fetchall():
            rows.setdefault(head, [0] * 9 + [0, 0.0])[9:] = [times, float(amount)]
        cursor.execute(HAND_KINDS, params)
        cursor.fetchall()
    return {codes[head]: tuple(values) for head, values in rows.items() if head in codes}


def timed(run, repeat):
    times = []
    for _step in range(repeat):
        begin = time.perf_counter()
        run()
        times.append(time.perf_counter() - begin)
    return times


def run(args):
    name = prepare_database(args.database, args.keep)
    setup_django(args.database)
    from django.db import connection

    from assistance.models import Aid, Household, Member
    from orgs.models import OrgUnit
    from qingdan import clock

    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        version = cursor.fetchone()[0]
    print(f"Hardship figures benchmark · database {name} · PostgreSQL {version}")
    print(f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, load average {load}")
    province = OrgUnit.objects.filter(code="ZJ").first() if args.keep else None
    if province is None:
        begin = time.perf_counter()
        province = generate(args.households, args.seed)
        generated = time.perf_counter() - begin
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        print(f"Generated the data in {generated:.1f} s")
    print(
        f"{Household.objects.count():,} households, {Member.objects.count():,} members, {Aid.objects.count():,} aid, "
        f"{OrgUnit.objects.count():,} units"
    )
    year = clock.today().year
    failed = False
    for group in ("unit", "county"):
        heads = OrgUnit.objects.filter(parent=province) if group == "unit" else OrgUnit.objects.filter(kind="county")
        codes = {unit.path: unit.code for unit in heads}
        app = app_side(province, group, year)
        hand = hand_side(province, group, year, codes)
        app = {code: numbers for code, numbers in app.items() if code in hand or any(numbers)}
        if app != hand:
            wrong = sorted(code for code in set(app) | set(hand) if app.get(code) != hand.get(code))[:5]
            print(f"  by {group}: the two sides differ for {wrong}: app {app.get(wrong[0])} hand {hand.get(wrong[0])}")
            failed = True
        app_times, hand_times = [], []
        for _round in range(args.repeat):  # alternate, so a neighbour's burst of load hits both alike
            app_times += timed(lambda g=group: app_side(province, g, year), 1)
            hand_times += timed(lambda g=group, c=codes: hand_side(province, g, year, c), 1)
        a, h = statistics.median(app_times), statistics.median(hand_times)
        print(
            f"  by {group:6} ({len(hand):3} rows): app {a * 1000:8.1f} ms · hand-written SQL {h * 1000:8.1f} ms · "
            f"ratio {a / h:5.2f}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(pg.main(run, parse_args))

"""A province's worth of data in one database, for the pages, the load test and the benchmarks.

Run from the project root:

    .venv/bin/python bench/province.py --database-url postgresql://postgres@127.0.0.1:5432/qingdan_province [--scale 1.0]
    .venv/bin/python bench/province.py --database-url sqlite:///$PWD/var/province.sqlite3 --scale 0.001 --check

It drops and re-creates the database (PostgreSQL) or the file (SQLite), migrates it and fills it, at
``--scale 1.0``, with:

  org units   300,000: 东海省总工会 → 13 city federations → 100 county federations → per county 20 competent
              departments and 15 town unions → grassroots unions and enterprises under the towns, paths and depths
              as orgs.services builds them (bench/closeout_data.write_tree)
  users       an office user per city and county and at the province, a reviewer and a leader per county, an
              evaluator per city, a reporter per department and town, and the demo's names (office, reviewer,
              reporter, leader, city) at the province and the first county; all with the demo password
  items       2,000,000 in about 200,000 lists issued over the past year, at every step of the close-out, with
              their timelines (ItemEvent), urging notices and rectification letters (closeout_data.write_items),
              then the kept figures (checklists.tally.rebuild)
  surveys     200,000 responses: a unit survey answered by units below the towns and a satisfaction poll of
              every town's workers, plus one open poll (a public link) for the load test; recorded events
  cases       100,000 demands and disputes about 20,000 registered enterprises (bench/cases_bench)
  households  50,000 hardship files with their members, ID numbers and phones sealed by qingdan.protect through
              the models' own SealedField, hashed and masked as the import does, and their aid
  assessment  a rubric of 30 criteria and a round over 3,000 units (departments and towns), computed

On PostgreSQL every big table is written with COPY (psycopg 3) in batches, then VACUUM (ANALYZE); on SQLite the same rows
go through executemany (meant for ``--scale 0.001`` checks). A progress bar per table; counts and times at the
end. The audit trail holds only the events of the app functions called here (the province, its first office
user, the questionnaires, the rubric and the round), recorded by audit.services.record, so its hash chain is
valid; rows written in bulk have no audit events.

The keys that seal personal data, and the secret key, are kept in var/province/keys.env (made on the first run,
reused after): a server reading this database must source that file (bench/load_test.sh does). At the end the
generator writes var/province/<database>.json, the users and items the load test (bench/locustfile.py) works on.
"""

import argparse
import base64
import os
import re
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import closeout_data as data  # noqa: E402 - needs the path above
from bench.pg import BenchError, prepare_database  # noqa: E402

VAR = ROOT / "var" / "province"
KEYS = VAR / "keys.env"
DEMO_PASSWORD = "Qingdan@2026"  # noqa: S105 - the documented demo password (orgs/demo.py)
COUNTIES = 100
ALLOWED_HOSTS = "testserver,127.0.0.1,localhost"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgresql://… (its own database) or sqlite:///…")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full size (default 1.0)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--no-compute", action="store_true", help="create the assessment round without computing it")
    parser.add_argument("--check", action="store_true", help="open /lists/items/ and /overview/ as office after")
    parser.add_argument(
        "--fixture-only",
        action="store_true",
        help="generate nothing: write the load test's users and items again from the data there (after a run used them)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 2:
        parser.error("--scale must lie in (0, 2]")
    if urlsplit(args.database_url).scheme not in ("postgres", "postgresql", "sqlite"):
        parser.error("--database-url must be postgresql://… or sqlite:///…")
    return args


# --- settings --------------------------------------------------------------------------------------------------


def server_keys():
    """The deployment's keys (secret key, sealing and lookup keys) from var/province/keys.env, made once."""
    if not KEYS.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        KEYS.write_text(
            f"export QINGDAN_SECRET_KEY='{secrets.token_urlsafe(50)}'\n"
            f"export QINGDAN_DATA_KEYS='p1:{base64.b64encode(secrets.token_bytes(32)).decode()}'\n"
            f"export QINGDAN_LOOKUP_KEY='{base64.b64encode(secrets.token_bytes(32)).decode()}'\n"
        )
        KEYS.chmod(0o600)
    return dict(re.findall(r"^export (\w+)='([^']*)'$", KEYS.read_text(), re.MULTILINE))


def setup_django(url):
    """Deployed settings (DEBUG off, bench.settings), the keys of keys.env, this database; migrate."""
    os.environ.update(
        server_keys(),
        QINGDAN_DATABASE_URL=url,
        QINGDAN_DEBUG="false",
        QINGDAN_ALLOWED_HOSTS=ALLOWED_HOSTS,
        QINGDAN_SECURE_SSL_REDIRECT="false",
        QINGDAN_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="bench.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def prepare(url):
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = Path(parts.path)
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.stem
    return prepare_database(url, keep=False)


# --- SQLite: the COPY lines of the PostgreSQL path, through executemany ---------------------------------------

COPY = re.compile(r"COPY (\w+) \(([^)]*)\) FROM STDIN")


class SqliteCursor:
    """What bench/closeout_data and bench/cases_bench ask of a psycopg cursor, on SQLite: ``copy()`` parses the
    tab-separated COPY lines and inserts them with executemany (booleans and time stamps converted as Django
    stores them); the sequence functions count from the table's highest id; PostgreSQL-only settings and the
    index catalogue are answered with nothing."""

    reserved = {}  # table → the last id handed out

    def __init__(self, cursor):
        self.cursor, self.result = cursor, None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cursor.close()

    def execute(self, sql, params=()):
        self.result = None
        if sql.startswith(("SET session_replication_role", "SELECT i.indexname")):
            self.result = []
        elif sql.startswith("SELECT pg_get_serial_sequence"):
            self.result = [(params[0],)]
        elif sql.startswith("SELECT nextval"):
            table = params[0]
            self.cursor.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"')  # noqa: S608 - our table names
            self.reserved[table] = max(self.reserved.get(table, 0), self.cursor.fetchone()[0]) + 1
            self.result = [(self.reserved[table],)]
        elif sql.startswith("SELECT setval"):
            table = re.search(r"'(\w+)'", sql).group(1) if "pg_get_serial_sequence(" in sql else params[0]
            self.reserved[table] = params[-1]
            self.result = [(params[-1],)]
        else:
            self.cursor.execute(sql, params)

    def fetchone(self):
        return self.result[0] if self.result is not None else self.cursor.fetchone()

    def fetchall(self):
        return self.result if self.result is not None else self.cursor.fetchall()

    def copy(self, statement):
        return _SqliteCopy(self.cursor, statement)


class _SqliteCopy:
    def __init__(self, cursor, statement):
        table, columns = COPY.match(statement).groups()
        self.cursor, self.table = cursor, table
        self.columns = [c.strip() for c in columns.split(",")]
        self.chunks = []

    def __enter__(self):
        return self

    def write(self, text):
        self.chunks.append(text)

    def __exit__(self, exc_type, *exc):
        if exc_type is not None:
            return
        from django.db import connection

        kinds = _column_kinds(self.table)
        convert = [kinds.get(column) for column in self.columns]
        rows = []
        for line in "".join(self.chunks).splitlines():
            row = []
            for value, kind in zip(line.split("\t"), convert, strict=True):
                if value == "\\N":
                    value = None
                elif kind == "BooleanField":
                    value = value == "t"
                elif kind == "DateTimeField":
                    from django.utils.dateparse import parse_datetime

                    value = connection.ops.adapt_datetimefield_value(parse_datetime(value))
                row.append(value)
            rows.append(row)
        marks = ", ".join(["%s"] * len(self.columns))
        names = ", ".join(f'"{c}"' for c in self.columns)
        self.cursor.executemany(f'INSERT INTO "{self.table}" ({names}) VALUES ({marks})', rows)  # noqa: S608


def _column_kinds(table):
    from django.apps import apps

    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table == table:
            return {field.column: field.get_internal_type() for field in model._meta.concrete_fields}
    raise BenchError(f"no model has the table {table}")


class SqliteConnection:
    """Django's connection with a cursor() that gives SqliteCursor (closeout_data.write_items takes a connection)."""

    def cursor(self):
        from django.db import connection

        return SqliteCursor(connection.cursor())


def bulk_connection():
    """The connection the COPY writers get: Django's on PostgreSQL, the executemany stand-in on SQLite."""
    from django.db import connection

    return connection if connection.vendor == "postgresql" else SqliteConnection()


# --- the run ----------------------------------------------------------------------------------------------------


class Stages:
    """Times each stage and counts the tables it wrote, for the summary at the end."""

    def __init__(self):
        self.rows = []

    def run(self, name, tables, function, *args, **kwargs):
        begin = time.perf_counter()
        result = function(*args, **kwargs)
        seconds = time.perf_counter() - begin
        self.rows.append((name, {table: count_rows(table) for table in tables}, seconds))
        print(f"{name}: {seconds:.1f} s", file=sys.stderr)
        return result

    def print(self, stream=sys.stdout):
        print(f"{'stage':<22} {'seconds':>8}  rows", file=stream)
        for name, counts, seconds in self.rows:
            rows = ", ".join(f"{table} {count:,}" for table, count in counts.items())
            print(f"{name:<22} {seconds:8.1f}  {rows}", file=stream)
        print(f"{'total':<22} {sum(s for _n, _c, s in self.rows):8.1f}", file=stream)


def count_rows(table):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our table names
        return cursor.fetchone()[0]


def tree_and_users(rng, scale):
    """The province (through save_unit, audited), the tree (COPY), the users and the categories."""
    from django.db import transaction

    from bench import province_parts as parts
    from orgs.models import OrgKind, OrgUnit, Role
    from orgs.services import create_user, save_unit
    from qingdan.actors import SYSTEM

    spread = min(1.0, scale * 10)
    cities = max(2, round(data.CITIES * spread))
    counties = max(4, round(COUNTIES * spread))
    with transaction.atomic():
        province = save_unit(
            unit=OrgUnit(code=data.PROVINCE_CODE, name="东海省总工会", kind=OrgKind.PROVINCE, document_prefix="东工"),
            actor=SYSTEM,
        )
        office = create_user(
            username="bench_province", full_name="省督办", org_unit=province, roles=[Role.OFFICE],
            password=DEMO_PASSWORD, actor=SYSTEM,
        )  # fmt: skip
    with bulk_connection().cursor() as cursor, transaction.atomic():
        tree = data.write_tree(cursor, rng, province, cities, counties, max(counties * 40, round(data.UNITS * scale)))
        users = data.write_users(tree, office)
        parts.more_users(tree, office)
        categories = data.write_categories(cursor, tree)
    return tree, users, categories, office


def generate(args):
    import random

    from bench import cases_bench
    from bench import province_parts as parts

    rng = random.Random(args.seed)  # noqa: S311 - benchmark data
    stages = Stages()
    tree, users, categories, office = stages.run(
        "org tree and users",
        ["orgs_orgunit", "orgs_user", "orgs_userrole", "checklists_category"],
        tree_and_users,
        rng,
        args.scale,
    )
    items = max(200, round(data.ITEMS * args.scale))
    stages.run(
        "lists and items",
        ["checklists_checklist", "checklists_item", "checklists_itemevent", "checklists_document"],
        _in_one_transaction_on_sqlite(data.write_items),
        bulk_connection(),
        rng,
        tree,
        users,
        categories,
        items,
        sys.stderr,
    )
    from checklists import tally

    stages.run("kept figures", ["checklists_itemtally", "checklists_unitload"], tally.rebuild)
    stages.run(
        "surveys",
        ["surveys_target", "surveys_response", "surveys_answer", "surveys_poll", "scoring_recordedevent"],
        parts.surveys,
        bulk_connection(),
        rng,
        tree,
        office,
        args.scale,
    )
    stages.run(
        "demands and disputes",
        ["cases_enterprise", "cases_demand", "cases_dispute"],
        parts.cases,
        bulk_connection(),
        cases_bench,
        rng,
        tree,
        args.scale,
    )
    stages.run(
        "households",
        ["assistance_household", "assistance_member", "assistance_aid"],
        parts.households,
        rng,
        tree,
        args.scale,
    )
    stages.run(
        "assessment round",
        ["scoring_result", "scoring_score"],
        parts.assessment,
        office,
        max(1, round(3000 * min(1.0, args.scale * 10))),
        not args.no_compute,
    )
    stages.run("analyze", [], analyze)
    return stages


def _in_one_transaction_on_sqlite(function):
    """On SQLite, ``function`` in one transaction (in autocommit every inserted row would be a commit); on
    PostgreSQL as it is (each COPY is its own)."""
    from django.db import connection, transaction

    def run(*args, **kwargs):
        if connection.vendor == "postgresql":
            return function(*args, **kwargs)
        with transaction.atomic():
            return function(*args, **kwargs)

    return run


def analyze():
    """VACUUM (ANALYZE) on PostgreSQL: the statistics, and the visibility map autovacuum keeps on a database in use,
    without which the planner prices an index-only read (the open items by unit) as a read of the table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")


def audit_chain():
    """The audit trail's hash chain holds (the events of the app functions called above, sealed)."""
    from audit import chain

    verdict = chain.check()
    if verdict.broken is not None:
        raise BenchError(f"the audit chain breaks at event {verdict.broken.id}: {verdict.broken.reason}")
    print(f"Audit chain: {verdict.count:,} sealed events, unbroken")


def check_pages(username):
    """The office user's item list and overview open (HTTP 200) on the generated data."""
    from django.test import Client

    from orgs.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    for path in ("/lists/items/", "/overview/", "/lists/figures/", "/"):
        begin = time.perf_counter()
        response = client.get(path)
        print(f"  GET {path} as {username}: HTTP {response.status_code} ({time.perf_counter() - begin:.2f} s)")
        if response.status_code != 200:
            raise BenchError(f"{path} answered {response.status_code} to {username}")


def main(argv=None):
    args = parse_args(argv)
    try:
        if args.fixture_only:
            setup_django(args.database_url)
            from bench import province_parts as parts

            path = VAR / f"{Path(urlsplit(args.database_url).path).stem}.json"
            parts.write_fixture(path, DEMO_PASSWORD)
            print(f"Load-test users and items: {path}")
            return 0
        name = prepare(args.database_url)
        setup_django(args.database_url)
        begin = time.perf_counter()
        stages = generate(args)
        from bench import province_parts as parts

        fixture = VAR / f"{name}.json"
        parts.write_fixture(fixture, DEMO_PASSWORD)
        print(f"\nGenerated at --scale {args.scale} in {time.perf_counter() - begin:.1f} s:")
        stages.print()
        print(f"Load-test users and items: {fixture}; server keys: {KEYS}")
        audit_chain()
        if args.check:
            check_pages("office")
            check_pages("bench_county")
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

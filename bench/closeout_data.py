"""Scale data for the close-out benchmark: a province of 300,000 org units and 2,000,000 items.

Run from the project root:  .venv/bin/python bench/closeout_data.py [--scale 1.0] [--keep]

It (re)creates its own PostgreSQL database (default qingdan_closeout_bench on 127.0.0.1), migrates
it and writes, with COPY straight into the Django tables:

  org tree   province → 13 city federations → 120 county federations → per county 20 competent
             departments and 15 towns → grassroots unions and enterprises under the towns,
             300,000 units in all, with paths and depths exactly as orgs.services builds them
  users      an office user (督办) per city and county and at the province, a reviewer per county,
             an evaluator per city (one password hash, computed once by orgs.services.create_user)
  categories the 26 reform contents of the demo, for every issuing office
  lists      about 200,000, issued over the past year: 90 % by the counties to units of their
             subtree, 8 % by the cities to their counties, 2 % by the province; 10 % with co-units
  items      2,000,000 (3 to 17 a list), about 90 % closed, the others issued, applied,
             rectifying or in deep review; deadlines over the year, some extended; overdue
             items urged every 7 days; rectifications and deep reviews with satisfaction
  documents  one numbered urging notice (催办通知书) per urging and one rectification letter
             (整改意见书) per rectification, as checklists.workflow.issue_document numbers them

Item timelines (ItemEvent) are not written: no figure reads them. ``--scale 0.01`` makes a
hundredth of it in a few seconds. bench/closeout_bench.py imports this module.
"""

import argparse
import base64
import os
import random
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pg import BenchError, prepare_database  # noqa: E402 - needs the path above

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/qingdan_closeout_bench"
PROVINCE_CODE = "BQ"
PASSWORD = "Bench-Qd-2026!"  # noqa: S105 - the benchmark's throw-away accounts
UNITS, ITEMS = 300_000, 2_000_000
CITIES, COUNTIES, DEPARTMENTS, TOWNS = 13, 120, 20, 15
CHUNK = 20_000  # items per COPY round and progress update

CITY_NAMES = ["海州", "云港", "青川", "临江", "东平", "安澜", "泰丰", "宁远", "清河", "永安", "长乐", "华阳", "金山"]
COUNTY_NAMES = ["滨海", "东城", "西城", "南湖", "北山", "临湖", "新安", "平阳", "长宁", "丰乐", "石门", "白沙"]
DEPARTMENT_NAMES = [
    "人社局", "发改委", "工信局", "教育局", "住建局", "卫健委", "财政局", "商务局", "民政局", "司法局",
    "交通局", "水利局", "农业农村局", "文旅局", "应急局", "市场监管局", "科技局", "自然资源局", "生态环境局", "统计局",
]  # fmt: skip
ENTERPRISE_KINDS = ["机械厂", "电子公司", "纺织厂", "物流公司", "建筑公司", "食品公司", "化工厂", "商贸公司"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "建华"]


@dataclass
class Scope:
    """What the benchmark measures: the measured county with its users, the province office."""

    province_id: int
    county_id: int
    county_office: str  # user names
    county_reviewer: str
    province_office: str


# --- database -------------------------------------------------------------------------------------------


def setup_django(url):
    """Deployed settings (DEBUG off) through bench.settings, plain HTTP, the bench database; migrate."""
    os.environ.update(
        QINGDAN_DATABASE_URL=url,
        QINGDAN_DEBUG="false",
        QINGDAN_SECRET_KEY=secrets.token_urlsafe(50),
        QINGDAN_DATA_KEYS="b1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        QINGDAN_LOOKUP_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        QINGDAN_ALLOWED_HOSTS="testserver",
        QINGDAN_SECURE_SSL_REDIRECT="false",
        DJANGO_SETTINGS_MODULE="bench.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def reserve_ids(cursor, table, count):
    """The first of ``count`` consecutive fresh primary keys of ``table`` (this database is ours alone)."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    if count > 1:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def copy_rows(cursor, statement, lines):
    """COPY text-format ``lines`` (tab-separated, \\N for NULL) into a table."""
    if lines:
        with cursor.copy(statement) as copy:
            copy.write("".join(lines))


# --- data ------------------------------------------------------------------------------------------------


def find_scope():
    """The Scope of data generated before, or None."""
    from orgs.models import OrgUnit, User

    province = OrgUnit.objects.filter(code=PROVINCE_CODE).first()
    office = User.objects.filter(username="bench_county").select_related("org_unit").first()
    if province is None or office is None:
        return None
    return Scope(province.pk, office.org_unit_id, "bench_county", "bench_reviewer", "bench_province")


def generate(scale=1.0, seed=2026, stream=None):
    """Write the whole data set; returns its Scope. ``stream`` gets one line per stage."""
    from django.db import connection, transaction

    from orgs.models import OrgKind, OrgUnit, Role
    from orgs.services import create_user, save_unit
    from qingdan.actors import SYSTEM

    stream = stream or sys.stderr
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    spread = min(1.0, scale * 10)  # small scales thin the tree out too
    cities = max(2, round(CITIES * spread))
    counties = max(4, round(COUNTIES * spread))

    with transaction.atomic():
        province = save_unit(
            unit=OrgUnit(code=PROVINCE_CODE, name="东海省总工会", kind=OrgKind.PROVINCE, document_prefix="东工"),
            actor=SYSTEM,
        )
        office = create_user(
            username="bench_province",
            full_name="省督办",
            org_unit=province,
            roles=[Role.OFFICE],
            password=PASSWORD,
            actor=SYSTEM,
        )
    begin = time.perf_counter()
    with connection.cursor() as cursor, transaction.atomic():
        tree = write_tree(cursor, rng, province, cities, counties, max(counties, round(UNITS * scale)))
        users = write_users(tree, office)
        categories = write_categories(cursor, tree)
    stream.write(
        f"Org tree: {tree.count:,} units, {len(users.office):,} offices with users ({time.perf_counter() - begin:.1f} s)\n"
    )
    begin = time.perf_counter()
    items, documents, events = write_items(
        connection, rng, tree, users, categories, max(100, round(ITEMS * scale)), stream
    )
    stream.write(
        f"Lists and items: {items:,} items, {documents:,} documents, {events:,} timeline events"
        f" ({time.perf_counter() - begin:.1f} s)\n"
    )
    county = tree.counties[0]
    return Scope(province.pk, county.pk, "bench_county", "bench_reviewer", "bench_province")


@dataclass
class Unit:
    pk: int
    code: str
    name: str
    path: str
    depth: int
    parent: "Unit | None" = None
    prefix: str = ""  # document number prefix


@dataclass
class Tree:
    province: Unit
    cities: list
    counties: list
    departments: dict  # county pk → [Unit]
    towns: dict  # county pk → [Unit]
    grassroots: dict  # county pk → [Unit] (everything under the county's towns)
    count: int


def write_tree(cursor, rng, root, cities, counties, total):
    """Cities, counties, departments, towns, and the rest as grassroots unions and enterprises."""
    from orgs.models import OrgKind
    from orgs.services import PATH_DIGITS

    province = Unit(root.pk, root.code, root.name, root.path, root.depth, prefix=root.document_prefix)
    fixed = cities + counties * (1 + DEPARTMENTS + TOWNS)
    leaves = max(counties * TOWNS, total - 1 - fixed)
    first = reserve_ids(cursor, "orgs_orgunit", fixed + leaves)
    ids = iter(range(first, first + fixed + leaves))
    lines = []

    def add(parent, code, name, kind, prefix=""):
        pk = next(ids)
        unit = Unit(pk, code, name, f"{parent.path}{pk:0{PATH_DIGITS}d}/", parent.depth + 1, parent, prefix)
        lines.append(f"{pk}\t{code}\t{name}\t{kind}\t{parent.pk}\t{prefix}\t{unit.path}\t{unit.depth}\n")
        return unit

    city_units = [
        add(province, f"BQ{c + 1:02d}", f"{CITY_NAMES[c % 13]}市总工会", OrgKind.CITY, f"{CITY_NAMES[c % 13]}工")
        for c in range(cities)
    ]
    county_units, departments, towns, grassroots = [], {}, {}, {}
    for k in range(counties):
        city = city_units[k % cities]
        number = k // cities
        stem = COUNTY_NAMES[number % len(COUNTY_NAMES)] + ("" if number < len(COUNTY_NAMES) else str(number))
        county = add(city, f"{city.code}-{number + 1:02d}", f"{stem}县总工会", OrgKind.COUNTY, f"{stem}工")
        county_units.append(county)
        departments[county.pk] = [
            add(county, f"{county.code}-D{d + 1:02d}", f"{stem}县{DEPARTMENT_NAMES[d % 20]}", OrgKind.DEPARTMENT)
            for d in range(DEPARTMENTS)
        ]
        towns[county.pk] = [
            add(county, f"{county.code}-T{t + 1:02d}", f"{stem}县第{t + 1}镇总工会", OrgKind.TOWN) for t in range(TOWNS)
        ]
        grassroots[county.pk] = []
    all_towns = [(county, town) for county in county_units for town in towns[county.pk]]
    for n in range(leaves):
        county, town = all_towns[n % len(all_towns)]
        serial = n // len(all_towns) + 1
        if rng.random() < 0.6:
            name, kind = f"{town.name.removesuffix('总工会')}{ENTERPRISE_KINDS[n % 8]}{serial}工会", OrgKind.ENTERPRISE
        else:
            name, kind = f"{town.name.removesuffix('总工会')}第{serial}基层工会", OrgKind.GRASSROOTS
        grassroots[county.pk].append(add(town, f"{town.code}-{serial:04d}", name, kind))
    copy_rows(
        cursor, "COPY orgs_orgunit (id, code, name, kind, parent_id, document_prefix, path, depth) FROM STDIN", lines
    )
    return Tree(province, city_units, county_units, departments, towns, grassroots, 1 + len(lines))


@dataclass
class Users:
    office: dict  # office unit pk → user pk
    reviewer: dict  # county pk → user pk
    evaluator: dict  # city pk → user pk


def write_users(tree, first_office):
    """An office user per office, a reviewer per county, an evaluator per city, all with the password
    hash of the first (hashing is slow on purpose; computing it 250 times would take minutes)."""
    from orgs.models import Role, User, UserRole

    people, roles = [], []
    office = {tree.province.pk: first_office.pk}

    def person(username, full_name, unit, role):
        people.append(User(username=username, full_name=full_name, org_unit_id=unit.pk, password=first_office.password))
        roles.append(role)

    for i, city in enumerate(tree.cities):
        person(f"bench_city{i + 1:02d}", f"{city.name}督办", city, Role.OFFICE)
        person(f"bench_evaluator{i + 1:02d}", f"{city.name}第三方评估", city, Role.EVALUATOR)
    for i, county in enumerate(tree.counties):
        prefix = "bench_county" if i == 0 else f"bench_county{i + 1:03d}"
        person(prefix, f"{county.name}督办", county, Role.OFFICE)
        reviewer = "bench_reviewer" if i == 0 else f"bench_reviewer{i + 1:03d}"
        person(reviewer, f"{county.name}验收", county, Role.REVIEWER)
    created = User.objects.bulk_create(people)
    UserRole.objects.bulk_create(UserRole(user=u, role=r) for u, r in zip(created, roles, strict=True))
    users = Users(office, {}, {})
    for user, role in zip(created, roles, strict=True):
        {Role.OFFICE: users.office, Role.REVIEWER: users.reviewer, Role.EVALUATOR: users.evaluator}[role][
            user.org_unit_id
        ] = user.pk
    return users


def write_categories(cursor, tree):
    """The 26 reform contents for every office: office pk → [category pk]."""
    from checklists.demo import CATEGORIES

    offices = [tree.province, *tree.cities, *tree.counties]
    first = reserve_ids(cursor, "checklists_category", len(offices) * len(CATEGORIES))
    lines, result, pk = [], {}, first
    for office in offices:
        result[office.pk] = []
        for position, name in enumerate(CATEGORIES, start=1):
            lines.append(f"{pk}\t{office.pk}\t{name}\t{position}\n")
            result[office.pk].append(pk)
            pk += 1
    copy_rows(cursor, "COPY checklists_category (id, owner_unit_id, name, position) FROM STDIN", lines)
    return result


ITEM_COLUMNS = (
    "id, checklist_id, responsible_unit_id, position, content, standard, deadline, original_deadline,"
    " deep_review_required, person_in_charge, status, applications, rectifications, urgings, deadline_urgings,"
    " last_urged_on,"
    " evaluator_id, satisfaction, closed_at, version"
)
NULL = "\\N"
MARKS = {"urging": "催", "rectification": "改", "confirmation": "销"}
OPINIONS = {
    "applied": "已按要求完成，佐证材料已上传",
    "failed": "佐证材料不完整，请补充后重新申请",
    "deep_review": "材料齐全，转第三方深度验收",
    "evaluated": "听汇报、查台账、看现场、座谈会均已完成，职工满意",
    "closed": "经验收，同意销号",
}


def write_items(connection, rng, tree, users, categories, total, stream):
    """Lists, their co-units, items with their timelines and documents, in COPY rounds of CHUNK items.

    The load runs with triggers off (``session_replication_role = replica``), so the foreign keys,
    right by construction, are not checked row by row; the indexes of the big tables are dropped
    first and built once at the end, by sorting, as a bulk load does."""
    from django.utils import timezone

    from checklists.demo import CATEGORIES, CONTENTS
    from qingdan.progress import TerminalProgress

    today = timezone.localdate()
    year_ago = today - timedelta(days=365)
    progress = TerminalProgress("Generating items")
    list_numbers = {}  # office pk → the last list number of its 文号

    def pick_list():
        """(issuing office, responsible unit, co-units) of one list."""
        r = rng.random()
        if r < 0.02:
            return tree.province, rng.choice(tree.cities + tree.counties), ()
        county = rng.choice(tree.counties)
        if r < 0.10:
            return county.parent, county, ()
        r = rng.random()
        if r < 0.4:
            unit = rng.choice(tree.departments[county.pk])
        elif r < 0.7:
            unit = rng.choice(tree.towns[county.pk])
        else:
            unit = rng.choice(tree.grassroots[county.pk])
        co = ()
        if rng.random() < 0.1:
            co = rng.sample([d for d in tree.departments[county.pk] if d is not unit], rng.randint(1, 2))
        return county, unit, co

    tables = ("checklists_checklist", "checklists_item", "checklists_document", "checklists_itemevent")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
        items = ItemWriter(rng, today, users, first_document=reserve_ids(cursor, "checklists_document", 1))
        done = 0
        while done < total:
            round_total = min(CHUNK, total - done)
            list_lines, co_lines = [], []
            sizes = []
            while sum(sizes) < round_total:
                sizes.append(min(rng.randint(3, 17), round_total - sum(sizes)))
            list_id = reserve_ids(cursor, "checklists_checklist", len(sizes))
            item_id = reserve_ids(cursor, "checklists_item", round_total)
            for size in sizes:
                office, unit, co = pick_list()
                issued = year_ago + timedelta(days=rng.randrange(360))
                category = rng.randrange(len(CATEGORIES))
                list_numbers[office.pk] = list_numbers.get(office.pk, 0) + 1
                title = f"{unit.name}{CATEGORIES[category]}责任清单"
                doc_number = f"{office.prefix}〔{issued.year}〕{list_numbers[office.pk]}号"
                list_lines.append(
                    f"{list_id}\t{office.pk}\t{unit.pk}\t{title}\t{doc_number}\t{issued.isoformat()}\t"
                    f"{categories[office.pk][category]}\t\t{users.office[office.pk]}\t{_at(issued, 9)}\t{RULES}\n"
                )
                co_lines.extend(f"{list_id}\t{c.pk}\n" for c in co)
                span = rng.choice((30, 45, 60, 90, 90, 120, 180))
                for position in range(1, size + 1):
                    content, standard = CONTENTS[rng.randrange(len(CONTENTS))]
                    items.add(item_id, list_id, office, unit, position, issued, span, f"{content}\t{standard}")
                    item_id += 1
                list_id += 1
            copy_rows(
                cursor,
                "COPY checklists_checklist (id, issuing_unit_id, responsible_unit_id, title, doc_number, issued_on,"
                " category_id, import_key, created_by_id, created_at, rules) FROM STDIN",
                list_lines,
            )
            copy_rows(cursor, "COPY checklists_checklist_co_units (checklist_id, orgunit_id) FROM STDIN", co_lines)
            items.flush(cursor)
            done += round_total
            progress(done, total)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('checklists_document', 'id'), %s)", [items.next_document - 1]
        )
        # The notices' numbers go into the register, as the numbering service would have kept them.
        cursor.execute(
            "INSERT INTO documents_issuednumber (issuing_unit_id, kind, year, sequence, number, created_at)"
            " SELECT issuing_unit_id, 'checklists.' || kind, year, sequence, number, created_at FROM checklists_document"
        )
        begin = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        stream.write(f"Rebuilt {len(indexes)} indexes in {time.perf_counter() - begin:.1f} s\n")
        cursor.execute("SELECT (SELECT count(*) FROM checklists_document), (SELECT count(*) FROM checklists_itemevent)")
        return done, *cursor.fetchone()


# Every list carries the close-out rules it was issued under: the defaults here.
RULES = (
    '{"satisfaction_percent": 80, "poll_min_answers": 10, "poll_tokens": 30, "poll_days": 14, '
    '"urge_interval_days": 7, "due_soon_days": 7, "long_overdue_days": 30, "unit_load_warning": 30}'
)


def _at(day, hour=10):
    return f"{day.isoformat()} {hour:02d}:{(day.toordinal() * 7) % 60:02d}:00+08"


def _city(unit):
    while unit.depth > 1:
        unit = unit.parent
    return unit


class ItemWriter:
    """Makes each item's state, timeline (ItemEvent) and documents agree, as the workflow would have
    left them, and buffers their COPY lines."""

    def __init__(self, rng, today, users, first_document):
        self.rng, self.today, self.users = rng, today, users
        self.next_document = first_document
        self.sequences = {}  # (office pk, kind, year) → last sequence, as workflow.issue_document numbers
        self.items, self.documents, self.events = [], [], []

    def document(self, item_pk, office, kind, day, hour, body):
        key = (office.pk, kind, day.year)
        sequence = self.sequences[key] = self.sequences.get(key, 0) + 1
        pk = self.next_document
        self.next_document += 1
        number = f"{office.prefix}{MARKS[kind]}〔{day.year}〕{sequence}号"
        self.documents.append(
            f"{pk}\t{item_pk}\t{kind}\t{office.pk}\t{day.year}\t{sequence}\t{number}\t{body}\t{_at(day, hour)}\n"
        )
        return pk

    def event(self, item_pk, kind, actor, day, hour, data="{}", document=None):
        self.events.append(
            f"{item_pk}\t{kind}\t{actor or NULL}\t{_at(day, hour)}\t{OPINIONS.get(kind, '')}\t{data}\t"
            f"{document or NULL}\n"
        )

    def add(self, pk, list_id, office, unit, position, issued, span, text):
        """One item of a list issued on ``issued`` by ``office`` to ``unit``."""
        rng, today = self.rng, self.today
        original = issued + timedelta(days=span + rng.randrange(-5, 6))
        deadline = original + timedelta(days=30) if rng.random() < 0.03 else original  # an approved extension
        late = (today - deadline).days
        closed = rng.random() < (0.99 if late > 60 else 0.92 if late > 0 else 0.75)
        deep = rng.random() < 0.08
        urgings = rectifications = 0
        satisfaction = None
        if closed:
            status = "closed"
            r = rng.random()
            rectifications = 2 if r < 0.03 else 1 if r < 0.15 else 0
            applications = rectifications + 1
            end = issued + timedelta(days=rng.randint(10, max(11, (deadline - issued).days)))
            if rng.random() < 0.1:  # closed late, after being urged
                end = deadline + timedelta(days=rng.randint(1, 30))
            end = min(end, today - timedelta(days=rng.randrange(3)))
            if (end - deadline).days > 0:
                urgings = min(3, 1 + ((end - deadline).days - 1) // 7)
            if deep:
                satisfaction = round(rng.uniform(0.8, 0.99), 3)
        else:
            end = today
            r = rng.random()
            if r < 0.15:
                status, deep = "deep_review", True
                rectifications = 1 if rng.random() < 0.2 else 0
                applications = rectifications + 1
            elif r < 0.35:
                status = "applied"
                rectifications = 1 if rng.random() < 0.2 else 0
                applications = rectifications + 1
            elif r < 0.5:
                status = "rectifying"
                rectifications = 2 if rng.random() < 0.2 else 1
                applications = rectifications
            else:
                status, applications = "issued", 0
            if status in ("issued", "rectifying") and late > 0:  # scan_deadlines urges every 7 days
                urgings = min(5, 1 + (late - 1) // 7)
        evaluator = self.users.evaluator[_city(unit).pk] if deep and status in ("closed", "deep_review") else None
        verifier = self.users.reviewer.get(office.pk) or self.users.office[office.pk]

        self.event(pk, "issued", self.users.office[office.pk], issued, 9)
        for u in range(urgings):
            day = deadline + timedelta(days=1 + 7 * u)
            data = f'{{"urging": {u + 1}, "days_overdue": {1 + 7 * u}}}'
            body = f'{{"deadline": "{deadline.isoformat()}", "days_overdue": {1 + 7 * u}, "urging": {u + 1}}}'
            self.event(pk, "urged", None, day, 8, data, self.document(pk, office, "urging", day, 8, body))
        days = max(2, (end - issued).days)
        for k in range(applications):
            applied = issued + timedelta(days=max(1, days * (2 * k + 1) // (2 * applications)))
            if urgings and k == applications - 1 and status == "closed":  # applied after the urgings
                applied = min(end, max(applied, deadline + timedelta(days=2 + 7 * (urgings - 1))))
            self.event(pk, "applied", None, applied, 10, f'{{"attempt": {k + 1}, "evidence": []}}')
            verified = min(end, applied + timedelta(days=2))
            if k < rectifications:
                body = f'{{"findings": "佐证材料不完整", "fixes": "补充台账", "deadline": "{deadline.isoformat()}"}}'
                document = self.document(pk, office, "rectification", verified, 15, body)
                self.event(pk, "failed", verifier, verified, 15, f'{{"deadline": "{deadline.isoformat()}"}}', document)
            elif deep and status in ("closed", "deep_review"):
                self.event(pk, "deep_review", verifier, verified, 15)
        if status == "closed":
            if deep:
                self.event(
                    pk, "evaluated", evaluator, end, 11, f'{{"conclusion": "pass", "satisfaction": {satisfaction}}}'
                )
            document = self.document(pk, office, "confirmation", end, 16, '{"opinion": "经验收，同意销号"}')
            self.event(pk, "closed", evaluator or verifier, end, 16, "{}", document)
        last_urged = (deadline + timedelta(days=1 + 7 * (urgings - 1))).isoformat() if urgings else NULL
        person = SURNAMES[rng.randrange(len(SURNAMES))] + GIVEN[rng.randrange(len(GIVEN))]
        version = applications + rectifications + urgings + (1 if status == "closed" else 0)
        # urgings twice: every urging here is about the item's current deadline (deadline_urgings)
        self.items.append(
            f"{pk}\t{list_id}\t{unit.pk}\t{position}\t{text}\t{deadline.isoformat()}\t{original.isoformat()}\t"
            f"{'t' if deep else 'f'}\t{person}\t{status}\t{applications}\t{rectifications}\t{urgings}\t{urgings}\t"
            f"{last_urged}\t"
            f"{evaluator or NULL}\t{NULL if satisfaction is None else satisfaction}\t"
            f"{_at(end, 16) if status == 'closed' else NULL}\t{version}\n"
        )

    def flush(self, cursor):
        copy_rows(cursor, f"COPY checklists_item ({ITEM_COLUMNS}) FROM STDIN", self.items)
        copy_rows(
            cursor,
            "COPY checklists_document (id, item_id, kind, issuing_unit_id, year, sequence, number, body, created_at)"
            " FROM STDIN",
            self.documents,
        )
        copy_rows(
            cursor,
            "COPY checklists_itemevent (item_id, kind, actor_id, at, opinion, data, document_id) FROM STDIN",
            self.events,
        )
        self.items, self.documents, self.events = [], [], []


def vacuum():
    from django.db import connection

    begin = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - begin


def summary():
    """Counts of what the database holds, for the report."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM orgs_orgunit), (SELECT count(*) FROM checklists_checklist),"
            " (SELECT count(*) FROM checklists_item), (SELECT count(*) FROM checklists_document),"
            " (SELECT count(*) FILTER (WHERE status = 'closed') FROM checklists_item)"
        )
        return cursor.fetchone()


def ensure_data(url, scale, seed, keep, stream=None):
    """Prepare, migrate and (unless kept data is there) generate; returns (Scope, generated?)."""
    stream = stream or sys.stderr
    prepare_database(url, keep)
    setup_django(url)
    scope = find_scope() if keep else None
    if scope is not None:
        # What autovacuum would have done by now after the last run (its rolled-back import leaves
        # 100,000 dead items) or a migration: left, the dead rows slow the index scans tenfold.
        stream.write(f"VACUUM (ANALYZE) of the kept data took {vacuum():.1f} s\n")
        return scope, False
    begin = time.perf_counter()
    scope = generate(scale, seed, stream)
    generated = time.perf_counter() - begin
    from checklists import tally

    begin = time.perf_counter()
    tallies, loads = tally.rebuild()  # the rows were written with COPY: count the kept figures once
    stream.write(
        f"Kept figures: {tallies:,} rows, load on units: {loads:,} rows ({time.perf_counter() - begin:.1f} s)\n"
    )
    vacuumed = vacuum()
    stream.write(f"Generated the data in {generated:.1f} s; VACUUM (ANALYZE) took {vacuumed:.1f} s\n")
    return scope, True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full size (default 1.0; 0.01 to try)")
    parser.add_argument("--database", default=DEFAULT_URL, help=f"PostgreSQL URL (default {DEFAULT_URL})")
    parser.add_argument("--keep", action="store_true", help="keep the database and its data if present")
    parser.add_argument("--seed", type=int, default=2026, help="random seed")
    args = parser.parse_args()
    if not 0 < args.scale <= 10:
        parser.error("--scale must lie in (0, 10]")
    try:
        _scope, generated = ensure_data(args.database, args.scale, args.seed, args.keep, sys.stdout)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    units, lists, items, documents, closed = summary()
    print(
        f"{'Generated' if generated else 'Kept'}: {units:,} org units, {lists:,} lists, {items:,} items"
        f" ({closed / max(items, 1):.1%} closed), {documents:,} documents"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

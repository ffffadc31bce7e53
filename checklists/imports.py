"""Bulk issue of lists from .xlsx: one row per item, lists grouped by their list key (清单编号).

Every row is checked first (units, dates, duplicates, formulas, lengths, rows of one list that
disagree); nothing is written unless the whole file is valid. The list key is the list's
``import_key``, so the same file uploaded twice creates nothing new.
"""

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from audit.services import record
from checklists import rules as closeout_rules
from checklists import services, tally
from checklists.models import Category, Checklist, EventKind, Item, ItemEvent
from orgs import rules as org_rules
from orgs.models import OrgUnit, Role
from orgs.queries import within
from qingdan import clock
from qingdan.errors import Refused
from qingdan.spreadsheets import RowError, SheetError, find_header, read_rows
from qingdan.text import nfkc

# key, the Chinese title (written in the template and the export), other accepted titles.
COLUMNS = (
    ("key", "清单编号", ("List key",)),
    ("title", "清单标题", ("List title",)),
    ("unit", "责任单位编码", ("Responsible unit code",)),
    ("co_units", "协办单位编码", ("Co-unit codes",)),
    ("doc_number", "文号", ("Document number",)),
    ("category", "类别", ("Category",)),
    ("content", "事项内容", ("Item content", "Content")),
    ("standard", "完成标准", ("Completion standard", "Standard")),
    ("deadline", "完成时限", ("Deadline",)),
    ("deep", "需深度验收", ("需深度验收(是/否)", "需深度验收（是/否）", "Deep verification required")),
    ("person", "责任人", ("Person responsible",)),
)
REQUIRED = ("key", "title", "unit", "content", "deadline")
LIST_FIELDS = ("title", "unit", "co_units", "doc_number", "category")  # the same on every row of one list

KEY_MAX = Checklist._meta.get_field("import_key").max_length
TITLE_MAX = Checklist._meta.get_field("title").max_length
DOC_NUMBER_MAX = Checklist._meta.get_field("doc_number").max_length
CATEGORY_MAX = Category._meta.get_field("name").max_length
PERSON_MAX = Item._meta.get_field("person_in_charge").max_length
CONTENT_MAX = 1000
STANDARD_MAX = 2000
LIMITS = {
    "key": KEY_MAX,
    "title": TITLE_MAX,
    "doc_number": DOC_NUMBER_MAX,
    "category": CATEGORY_MAX,
    "content": CONTENT_MAX,
    "standard": STANDARD_MAX,
    "person": PERSON_MAX,
}

CHUNK = 1000  # lists written per round of bulk inserts
BATCH = 2000  # rows per INSERT
AUDITED_KEYS = 1000  # list keys named in the import's audit event
YES = {"是", "y", "yes", "true", "1", "需要"}
NO = {"否", "n", "no", "false", "0", "不需要", ""}
CODE_SEPARATORS = re.compile(r"[、,，;；\s]+")
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?$")
EXCEL_EPOCH = date(1899, 12, 30)
# A formula element of a worksheet (<f>…</f> or <f t="shared" …/>), not <formula1> of a validation.
FORMULA_XML = re.compile(rb"<(?:\w+:)?f[\s>/]")


def title(key):
    return next(chinese for k, chinese, _other in COLUMNS if k == key)


def header():
    return [chinese for _key, chinese, _other in COLUMNS]


def header_keys():
    return [key for key, _chinese, _other in COLUMNS]


def _headers():
    titles = {key: (chinese, *others) for key, chinese, others in COLUMNS}
    required = {key: titles[key] for key in REQUIRED}
    optional = {key: titles[key] for key in titles if key not in REQUIRED}
    return required, optional


def parse_date(text):
    """An Excel date (read as ``2026-09-30 00:00:00``), a serial number, or text such as 2026-09-30,
    2026/9/30, 2026.9.30, 2026年9月30日, 20260930, also typed full-width (２０２６／９／３０). None when it cannot
    be read."""
    text = nfkc(text)
    if match := DATE_TEXT.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif re.fullmatch(r"\d{8}", text):
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    elif re.fullmatch(r"\d{5}", text) and 20000 <= int(text) <= 80000:
        return EXCEL_EPOCH + timedelta(days=int(text))
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_codes(text):
    return [code for code in CODE_SEPARATORS.split(nfkc(text)) if code]


@dataclass
class PlannedList:
    key: str
    row: int
    title: str
    unit: OrgUnit
    co_units: list
    doc_number: str
    category: str
    items: list = field(default_factory=list)
    exists: bool = False


@dataclass
class LoadWarning:
    unit: OrgUnit
    received: int
    new: int
    limit: int

    @property
    def total(self):
        return self.received + self.new


@dataclass
class Plan:
    rows: int = 0
    lists: dict = field(default_factory=dict)  # key → PlannedList, in file order
    errors: list = field(default_factory=list)
    new_categories: list = field(default_factory=list)
    load_warnings: list = field(default_factory=list)
    created_lists: int = 0
    created_items: int = 0

    @property
    def ok(self):
        return not self.errors

    @property
    def new_lists(self):
        return [p for p in self.lists.values() if not p.exists]

    @property
    def skipped_lists(self):
        return [p for p in self.lists.values() if p.exists]

    @property
    def new_items(self):
        return sum(len(p.items) for p in self.new_lists)

    @property
    def units(self):
        """Units receiving new lists: (unit, lists, items), the most items first."""
        lists, items, by_id = Counter(), Counter(), {}
        for planned in self.new_lists:
            by_id[planned.unit.pk] = planned.unit
            lists[planned.unit.pk] += 1
            items[planned.unit.pk] += len(planned.items)
        return [(by_id[pk], lists[pk], n) for pk, n in items.most_common()]


def formula_cells(data):
    """``{(row number, column key)}`` of real formula cells. Reading with cached values hides a
    formula behind its result, so look for formula elements first and read them only if there are."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(_has_formula(archive, name) for name in sheets):
            return set()
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return set()  # read_rows has already said what is wrong with the file
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        try:
            header_number, header = find_header(rows, _headers()[0])
        except SheetError:
            return set()
        titles = {t: key for key, chinese, others in COLUMNS for t in (chinese, *others)}
        keys = [titles.get(title) for title in header]
        found = set()
        for number, values in enumerate(rows, start=header_number + 1):
            for index, value in enumerate(values):
                if index < len(keys) and keys[index] and isinstance(value, str) and value.startswith("="):
                    found.add((number, keys[index]))
        return found
    finally:
        workbook.close()


def _has_formula(archive, name, chunk=1 << 20):
    """Scan a worksheet's XML a megabyte at a time (a sheet may unpack to far more than its upload)."""
    tail = b""
    with archive.open(name) as stream:
        while block := stream.read(chunk):
            if FORMULA_XML.search(tail + block):
                return True
            tail = block[-16:]
    return False


def read(uploaded):
    """The rows of an upload and its formula cells (SheetError when the file cannot be read)."""
    required, optional = _headers()
    rows = read_rows(uploaded, headers=required, optional=optional, max_bytes=settings.QINGDAN_MAX_IMPORT_BYTES)
    uploaded.seek(0)
    return rows, formula_cells(uploaded.read())


def read_and_check(uploaded, *, actor, today=None):
    rows, formulas = read(uploaded)
    return check_rows(rows, actor=actor, formulas=formulas, today=today)


def _units(codes, office):
    """Units by code for every code in the file, in one query; units outside the office's subtree
    are left out, so they read as unknown (an upload must not reveal what lies outside)."""
    if not codes:
        return {}
    found = OrgUnit.objects.filter(within(office), code__in=codes).only("id", "code", "name", "path")
    return {unit.code: unit for unit in found}


def check_rows(rows, *, actor, formulas=frozenset(), today=None):
    """Check every row against the file and the org tree the actor can see. Writes nothing."""
    plan = Plan(rows=len(rows))
    today = today or clock.today()
    office = actor.org_unit
    codes = set()
    for _number, cells in rows:
        cells["unit"] = nfkc(cells["unit"])  # a code typed full-width (３２０９２２…) is the same code
        codes.add(cells["unit"])
        codes.update(parse_codes(cells["co_units"]))
    units = _units(codes - {""}, office)
    keys = {cells["key"] for _n, cells in rows if cells["key"]}
    existing = set(
        Checklist.objects.filter(issuing_unit=office, import_key__in=keys).values_list("import_key", flat=True)
    )
    firsts = {}  # list key → (row, {field: value})
    contents = {}  # (list key, content) → row
    errors = plan.errors

    def error(number, key, reason):
        errors.append(RowError(number, title(key), reason))

    for number, cells in rows:
        bad, errors_before = set(), len(errors)
        for key, value in cells.items():
            if value.startswith("=") or (number, key) in formulas:
                error(number, key, _("Formulas are not allowed."))
                bad.add(key)
            elif key in LIMITS and len(value) > LIMITS[key]:
                error(number, key, _("Longer than %(n)d characters.") % {"n": LIMITS[key]})
                bad.add(key)
        key = cells["key"]
        if not key and "key" not in bad:
            error(number, "key", _("The list key is empty."))
        if "content" not in bad and not cells["content"]:
            error(number, "content", _("The item content is empty."))
        deep = cells["deep"].strip().lower()
        if "deep" not in bad and deep not in YES | NO:
            error(number, "deep", _("Write 是 or 否."))
        deadline = None
        if "deadline" not in bad:
            deadline = parse_date(cells["deadline"])
            if deadline is None:
                error(
                    number,
                    "deadline",
                    _("“%(value)s” is not a date; write it as 2026-09-30.") % {"value": cells["deadline"]}
                    if cells["deadline"]
                    else _("The deadline is empty."),
                )
            elif deadline < today and key not in existing:
                error(
                    number,
                    "deadline",
                    _("The deadline %(day)s has already passed.") % {"day": deadline.isoformat()},
                )
        # The list's own columns: given on its first row; later rows may leave them empty or repeat them.
        values = {name: cells[name] for name in LIST_FIELDS}
        first = firsts.get(key) if key else None
        if key and first is None:
            firsts[key] = (number, values)
            if not values["title"] and "title" not in bad:
                error(number, "title", _("The list title is empty."))
            if not values["unit"] and "unit" not in bad:
                error(number, "unit", _("The responsible unit code is empty."))
        elif first is not None:
            for name in LIST_FIELDS:
                if values[name] and values[name] != first[1][name] and name not in bad:
                    error(
                        number,
                        name,
                        _("Differs from row %(row)d of the same list (“%(value)s”).")
                        % {"row": first[0], "value": first[1][name]},
                    )
                    bad.add(name)
        if first is None:
            if values["unit"] and "unit" not in bad and values["unit"] not in units:
                error(
                    number,
                    "unit",
                    _("No unit with the code “%(code)s” in your organisation.") % {"code": values["unit"]},
                )
            if "co_units" not in bad:
                for code in parse_codes(values["co_units"]):
                    if code not in units:
                        error(
                            number,
                            "co_units",
                            _("No unit with the code “%(code)s” in your organisation.") % {"code": code},
                        )
                    elif code == values["unit"]:
                        error(number, "co_units", _("The responsible unit cannot also be a co-unit."))
        if key and cells["content"] and "content" not in bad:
            seen = contents.setdefault((key, cells["content"]), number)
            if seen != number:
                error(
                    number,
                    "content",
                    _("The same item already appears in row %(row)d of this list.") % {"row": seen},
                )
        if key and first is None and len(errors) == errors_before:
            plan.lists[key] = PlannedList(
                key=key,
                row=number,
                title=values["title"],
                unit=units[values["unit"]],
                co_units=[units[c] for c in dict.fromkeys(parse_codes(values["co_units"]))],
                doc_number=values["doc_number"],
                category=values["category"],
                exists=key in existing,
            )
        if key in plan.lists and deadline is not None:
            plan.lists[key].items.append(
                {
                    "content": cells["content"],
                    "standard": cells["standard"],
                    "deadline": deadline,
                    "deep_review_required": deep in YES,
                    "person_in_charge": cells["person"],
                }
            )
    errors.sort(key=lambda e: (e.row, [t for _k, t, _o in COLUMNS].index(e.column)))
    if plan.ok:
        known = set(Category.objects.filter(owner_unit=office).values_list("name", flat=True))
        plan.new_categories = sorted({p.category for p in plan.new_lists if p.category and p.category not in known})
        plan.load_warnings = load_warnings(plan, today, office)
    return plan


def load_warnings(plan, today, office):
    limit = org_rules.value(office, closeout_rules.LOAD_WARNING)
    units = plan.units
    loads = services.unit_loads([unit.pk for unit, _lists, _items in units], today)
    warnings = [LoadWarning(unit, loads.get(unit.pk, 0), n, limit) for unit, _lists, n in units]
    return [w for w in warnings if w.total > limit]


def apply_import(uploaded, *, actor, progress=None, request=None, today=None):
    """Check the file again and, only if every row is valid, issue its new lists in one transaction.

    Lists whose key was imported before are skipped. Returns the plan; when ``plan.errors`` is
    not empty nothing was written.
    """
    if not actor.has_role(Role.OFFICE):
        raise Refused(_("Only office staff issue lists."))
    with transaction.atomic():
        plan = read_and_check(uploaded, actor=actor, today=today)
        if not plan.ok:
            return plan
        office = actor.org_unit
        categories = {c.name: c for c in Category.objects.filter(owner_unit=office)}
        for name in plan.new_categories:
            categories[name] = services.category(office_unit=office, name=name, actor=actor)
        try:
            with transaction.atomic():
                _issue(plan, actor, categories, progress, today or clock.today())
        except IntegrityError:
            # The unique list key: another upload of the same file got there first.
            raise Refused(_("The same lists are being imported at this moment; upload the file again.")) from None
        record(
            action="checklists.imported",
            actor=actor,
            object_type="checklists.checklist",
            org_unit=office,
            after={
                "file": getattr(uploaded, "name", ""),
                "lists": plan.created_lists,
                "items": plan.created_items,
                "skipped": len(plan.skipped_lists),
                "keys": [p.key for p in plan.new_lists[:AUDITED_KEYS]],
            },
            request=request,
        )
    return plan


def _issue(plan, actor, categories, progress, today):
    """Write the new lists with bulk inserts, a chunk of lists at a time: the same rows
    ``services.issue_checklist`` writes for one list (list, co-units, items, an "issued" event each)."""
    office, now = actor.org_unit, clock.now()
    rules = org_rules.to_copy(office, closeout_rules.PREFIX)
    closeout_rules.copied(rules)
    new = plan.new_lists
    issued = []  # counted once, at the end: the kept figures' rows stay locked only until the commit
    through = Checklist.co_units.through
    for start in range(0, len(new), CHUNK):
        chunk = new[start : start + CHUNK]
        lists = Checklist.objects.bulk_create(
            Checklist(
                issuing_unit=office,
                responsible_unit=p.unit,
                title=p.title,
                doc_number=p.doc_number,
                category=categories.get(p.category),
                issued_on=today,
                import_key=p.key,
                created_by=actor,
                created_at=now,
                rules=rules,
            )
            for p in chunk
        )
        through.objects.bulk_create(
            through(checklist_id=checklist.pk, orgunit_id=unit.pk)
            for checklist, p in zip(lists, chunk, strict=True)
            for unit in p.co_units
        )
        items = Item.objects.bulk_create(
            (
                Item(
                    checklist=checklist,
                    responsible_unit=p.unit,
                    position=position,
                    content=row["content"],
                    standard=row["standard"],
                    deadline=row["deadline"],
                    original_deadline=row["deadline"],
                    deep_review_required=row["deep_review_required"],
                    person_in_charge=row["person_in_charge"],
                )
                for checklist, p in zip(lists, chunk, strict=True)
                for position, row in enumerate(p.items, start=1)
            ),
            batch_size=BATCH,
        )
        _issued_events([checklist.pk for checklist in lists], actor, now)
        issued.extend((c, len(p.items), {u.pk for u in p.co_units}) for c, p in zip(lists, chunk, strict=True))
        plan.created_lists += len(lists)
        plan.created_items += len(items)
        if progress:
            progress(start + len(chunk), len(new))
    tally.issued(issued)


def _issued_events(list_ids, actor, now):
    """The "issued" event of every item of these lists, written by the database from the items in one
    INSERT … SELECT (built in Python, 100,000 events took a quarter of the import)."""
    quote = connection.ops.quote_name
    event, item = quote(ItemEvent._meta.db_table), quote(Item._meta.db_table)
    empty = "CAST('{}' AS jsonb)" if connection.vendor == "postgresql" else "'{}'"
    marks = ", ".join(["%s"] * len(list_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {event} (item_id, kind, actor_id, at, opinion, data, document_id)"  # noqa: S608 - table names
            f" SELECT id, %s, %s, %s, '', {empty}, NULL FROM {item} WHERE checklist_id IN ({marks})",
            [EventKind.ISSUED.value, actor.pk, connection.ops.adapt_datetimefield_value(now), *list_ids],
        )


def template_rows(office, today=None):
    """Two example rows for the template, with real unit codes below the office."""
    today = today or clock.today()
    units = list(OrgUnit.objects.filter(parent=office).order_by("code").values_list("code", flat=True)[:2])
    first = units[0] if units else "单位编码"
    second = units[1] if len(units) > 1 else first
    deadline = (today + timedelta(days=90)).isoformat()
    return [
        [
            "QD-001",
            "技术工人队伍建设责任清单",
            first,
            second,
            "",
            "产业工人队伍建设",
            "改善技术人才居住条件",
            "人才公寓改造完成并入住",
            deadline,
            "否",
            "张三",
        ],
        ["QD-001", "", "", "", "", "", "开展职工技能竞赛", "全年不少于2场", deadline, "是", "张三"],
    ]

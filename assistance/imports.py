"""Imports of the archive from .xlsx: household files (one row per member, grouped by 档案编号) and aid.

Every row is checked first (ID numbers by their check digit, dates, amounts, a person already in a live file
anywhere in the installation or twice in the file, aid to a household not archived); nothing is written unless
the whole file is valid. The file number is the household's ``import_key`` and an aid row's key is derived from
its content (or its 帮扶编号), so the same file uploaded twice creates nothing new.

A household is written as a finished archive workflow leaves it: ID numbers sealed, hashed and masked
(``identity.facts``), phones and bank accounts sealed, each member's ``LivePerson`` row in the same transaction
(the database refuses a person held by another live file, even one filed at the same moment).
"""

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from assistance import identity
from assistance.models import (
    AIDED_STATUSES,
    MONEY,
    NAME_MAX,
    Aid,
    AidKind,
    Category,
    Cause,
    Event,
    EventKind,
    FileStatus,
    Health,
    Household,
    LivePerson,
    Member,
    Relation,
    Work,
)
from audit.services import record
from orgs.models import OrgUnit, Role
from orgs.queries import within
from qingdan import clock
from qingdan.errors import Refused
from qingdan.protect import lookup_hash
from qingdan.spreadsheets import RowError, read_rows
from qingdan.text import nfkc

BATCH = 2000
EXCEL_EPOCH = date(1899, 12, 30)
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?$")
MONEY_MAX = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])
NUMBER_MAX = Household._meta.get_field("number").max_length
KEY_MAX = Aid._meta.get_field("import_key").max_length

# key, the Chinese title (written in the template), other accepted titles.
HOUSEHOLD_COLUMNS = (
    ("number", "档案编号", ("File number",)),
    ("name", "姓名", ("Name",)),
    ("relation", "与户主关系", ("Relation",)),
    ("id_number", "身份证号", ("身份证号码", "ID number")),
    ("health", "健康状况", ("Health",)),
    ("work", "就业状况", ("Work",)),
    ("income", "个人年收入", ("Income",)),
    ("unit", "管理单位编码", ("Unit code",)),
    ("category", "困难类别", ("Category",)),
    ("cause", "主要致困原因", ("Main cause",)),
    ("address", "家庭住址", ("Address",)),
    ("phone", "联系电话", ("Phone",)),
    ("bank_name", "开户银行", ("Bank",)),
    ("bank_account", "银行账号", ("Bank account",)),
    ("annual_income", "家庭年可支配收入", ("Household income",)),
    ("rigid_expenses", "刚性支出", ("Rigid expenses",)),
    ("applied_on", "申请日期", ("Applied on",)),
    ("archived_on", "建档日期", ("Archived on",)),
    ("employer", "工作单位", ("Employer",)),
)
HOUSEHOLD_REQUIRED = ("number", "name", "relation", "id_number")
HOUSEHOLD_FIELDS = (  # given on the head's row
    "unit", "category", "cause", "address", "phone", "bank_name", "bank_account", "annual_income",
    "rigid_expenses", "applied_on", "archived_on", "employer",
)  # fmt: skip
AID_COLUMNS = (
    ("number", "档案编号", ("File number",)),
    ("kind", "帮扶类别", ("Kind",)),
    ("amount", "金额", ("金额（元）", "Amount")),
    ("given_on", "发放日期", ("Given on",)),
    ("source", "资金来源", ("Source",)),
    ("delivered_by", "经办人", ("Delivered by",)),
    ("note", "备注", ("Note",)),
    ("key", "帮扶编号", ("Aid key",)),
)
AID_REQUIRED = ("number", "kind", "amount", "given_on")
LIMITS = {
    "number": NUMBER_MAX,
    "name": NAME_MAX,
    "address": Household._meta.get_field("address").max_length,
    "bank_name": Household._meta.get_field("bank_name").max_length,
    "employer": Household._meta.get_field("employer").max_length,
    "source": Aid._meta.get_field("source").max_length,
    "delivered_by": Aid._meta.get_field("delivered_by").max_length,
    "note": Aid._meta.get_field("note").max_length,
    "key": KEY_MAX,
}
PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
ACCOUNT = re.compile(r"^\d{12,30}$")


# The words staff write in the sheets (the template's), beside the values and the labels.
WORDS = {
    "relation": (("户主", Relation.HEAD), ("本人", Relation.HEAD), ("配偶", Relation.SPOUSE), ("妻子", Relation.SPOUSE),
                 ("丈夫", Relation.SPOUSE), ("子女", Relation.CHILD), ("儿子", Relation.CHILD), ("女儿", Relation.CHILD),
                 ("父母", Relation.PARENT), ("父亲", Relation.PARENT), ("母亲", Relation.PARENT),
                 ("其他", Relation.OTHER)),
    "health": (("健康", Health.HEALTHY), ("慢性病", Health.CHRONIC), ("重病", Health.SERIOUS), ("大病", Health.SERIOUS),
               ("残疾", Health.DISABLED)),
    "work": (("在职", Work.EMPLOYED), ("就业", Work.EMPLOYED), ("失业", Work.UNEMPLOYED), ("退休", Work.RETIRED),
             ("学生", Work.STUDENT), ("在校", Work.STUDENT), ("无劳动能力", Work.UNABLE), ("丧失劳动能力", Work.UNABLE),
             ("未到劳动年龄", Work.CHILD), ("学龄前", Work.CHILD)),
    "category": (("深度困难", Category.DEEP), ("相对困难", Category.RELATIVE), ("意外致困", Category.ACCIDENT)),
    "cause": (("因病", Cause.ILLNESS), ("患病", Cause.ILLNESS), ("因残", Cause.DISABILITY), ("残疾", Cause.DISABILITY),
              ("因学", Cause.SCHOOLING), ("子女上学", Cause.SCHOOLING), ("失业", Cause.UNEMPLOYMENT),
              ("下岗失业", Cause.UNEMPLOYMENT), ("低收入", Cause.LOW_INCOME), ("收入低", Cause.LOW_INCOME),
              ("因灾", Cause.ACCIDENT), ("意外", Cause.ACCIDENT), ("住房", Cause.HOUSING), ("其他", Cause.OTHER)),
}  # fmt: skip


def _choices(choices, *extra):
    """Accepted words for a choice: its value, its label in Chinese and English, and ``extra`` pairs."""
    from django.utils import translation

    words = {}
    for value, label in choices.choices:
        words[value] = value
        words[str(label).lower()] = value
        with translation.override("zh-hans"):
            words[str(label)] = value
    for word, value in extra:
        words[word] = value
    return words


def _columns(columns, required):
    titles = {key: (chinese, *others) for key, chinese, others in columns}
    return {k: titles[k] for k in required}, {k: titles[k] for k in titles if k not in required}


def title(columns, key):
    return next(chinese for k, chinese, _o in columns if k == key)


def parse_date(text):
    """An Excel date, a serial number or text such as 2026-03-01, 2026/3/1, 2026年3月1日, 20260301; or None."""
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


def parse_money(text, *, positive=False):
    """Yuan with at most two decimals, ≥ 0 (> 0 when ``positive``); None when it is not such an amount."""
    text = nfkc(text).replace(",", "").replace("¥", "").replace("元", "").strip()
    try:
        value = Decimal(text or "0")
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or (positive and value <= 0) or value >= MONEY_MAX:
        return None
    if value != value.quantize(Decimal("0.01")):
        return None
    return value.quantize(Decimal("0.01"))


@dataclass
class PlannedMember:
    row: int
    name: str
    relation: str
    id_number: str
    health: str
    work: str
    income: Decimal


@dataclass
class PlannedHousehold:
    number: str
    row: int
    unit: OrgUnit = None
    facts: dict = field(default_factory=dict)
    members: list = field(default_factory=list)


@dataclass
class HouseholdPlan:
    rows: int = 0
    errors: list = field(default_factory=list)
    households: list = field(default_factory=list)  # new ones
    skipped: list = field(default_factory=list)  # file numbers imported before
    created: int = 0
    members_created: int = 0

    @property
    def ok(self):
        return not self.errors

    @property
    def members(self):
        return sum(len(h.members) for h in self.households)


def _may_import(actor):
    if not actor.has_role(Role.OFFICE) or actor.org_unit is None:
        raise Refused(_("Only office staff import household files."))


def _units(actor, default):
    units = {u.code: u for u in OrgUnit.objects.filter(within(actor.org_unit)).only("code", "path", "name")}
    return units, default or actor.org_unit


def check_households(rows, *, actor, unit=None, today=None):
    """The plan of a household sheet's rows ``[(row, {key: text})]``: new households with their members, the
    file numbers imported before, and every row error."""
    today = today or clock.today()
    plan = HouseholdPlan(rows=len(rows))
    units, default_unit = _units(actor, unit)
    relations = _choices(Relation, *WORDS["relation"])
    health, work = _choices(Health, *WORDS["health"]), _choices(Work, *WORDS["work"])
    categories, causes = _choices(Category, *WORDS["category"]), _choices(Cause, *WORDS["cause"])

    def error(number, key, reason):
        plan.errors.append(RowError(number, title(HOUSEHOLD_COLUMNS, key), reason))

    groups = defaultdict(list)
    for number, cells in rows:
        for key, limit in LIMITS.items():
            if len(cells.get(key, "")) > limit:
                error(number, key, _("Longer than %(n)d characters.") % {"n": limit})
        file_number = nfkc(cells["number"]).strip()
        if not file_number:
            error(number, "number", _("Enter the file number."))
            continue
        groups[file_number].append((number, cells))
    before = set(
        Household.objects.filter(
            import_key__in=list(groups), org_unit__in=list(units.values()) or [default_unit]
        ).values_list("import_key", flat=True)
    )
    taken = set(Household.objects.filter(number__in=list(groups)).values_list("number", flat=True)) - before
    seen_ids = {}
    planned = []
    for file_number, members in groups.items():
        if file_number in before:
            plan.skipped.append(file_number)
            continue
        first_row = members[0][0]
        if file_number in taken:
            error(first_row, "number", _("The file number %(n)s is used by another file.") % {"n": file_number})
        heads = [(n, c) for n, c in members if relations.get(nfkc(c["relation"]).strip()) == Relation.HEAD]
        if len(heads) != 1:
            error(
                first_row,
                "relation",
                _("A household has exactly one head (户主); this one has %(n)d.") % {"n": len(heads)},
            )
        head_row, head = heads[0] if heads else members[0]
        household = PlannedHousehold(number=file_number, row=head_row)
        code = head.get("unit", "").strip()
        household.unit = units.get(code) if code else default_unit
        if household.unit is None:
            error(head_row, "unit", _("No unit with the code “%(code)s” in your organisation.") % {"code": code})
        facts = household.facts
        facts["category"] = categories.get(head.get("category", "").strip())
        if facts["category"] is None:
            error(head_row, "category", _("Give the category: 深度困难, 相对困难 or 意外致困."))
        facts["main_cause"] = causes.get(head.get("cause", "").strip())
        if facts["main_cause"] is None:
            error(head_row, "cause", _("Give the main cause of hardship, e.g. 因病."))
        facts["address"] = head.get("address", "").strip()
        if not facts["address"]:
            error(head_row, "address", _("Enter the address."))
        phone = nfkc(head.get("phone", "")).replace(" ", "")
        if phone and not PHONE.match(phone):
            error(head_row, "phone", _("Not a phone number."))
        account = nfkc(head.get("bank_account", "")).replace(" ", "")
        if account and not ACCOUNT.match(account):
            error(head_row, "bank_account", _("A bank account is 12 to 30 digits."))
        facts.update(phone=phone, bank_account=account, bank_name=head.get("bank_name", "").strip(),
                     employer=head.get("employer", "").strip())  # fmt: skip
        for key in ("annual_income", "rigid_expenses"):
            facts[key] = parse_money(head.get(key, ""))
            if facts[key] is None:
                error(head_row, key, _("Not an amount of yuan of 0 or more with at most two decimals."))
        for key in ("applied_on", "archived_on"):
            text = head.get(key, "")
            facts[key] = parse_date(text) if text else None
            if text and facts[key] is None:
                error(head_row, key, _("Not a date; write it as 2026-03-01."))
            elif facts[key] and facts[key] > today:
                error(head_row, key, _("A date in the future."))
        facts["archived_on"] = facts["archived_on"] or facts["applied_on"] or today
        facts["applied_on"] = facts["applied_on"] or facts["archived_on"]
        if facts["applied_on"] > facts["archived_on"]:
            error(head_row, "applied_on", _("Applied after it was archived."))
        for number, cells in members:
            if number != head_row:
                for key in HOUSEHOLD_FIELDS:
                    if cells.get(key, "").strip() and cells.get(key, "").strip() != head.get(key, "").strip():
                        error(number, key, _("The household's facts are given on the head's row only."))
            member = _member(number, cells, relations, health, work, error)
            if member is None:
                continue
            if member.id_number in seen_ids:
                error(
                    number,
                    "id_number",
                    _("The same person is on row %(row)d of this file.") % {"row": seen_ids[member.id_number]},
                )
                continue
            seen_ids[member.id_number] = number
            household.members.append(member)
        planned.append(household)
    # A person already held by a live file, anywhere in the installation.
    hashes = {lookup_hash(m.id_number, identity.PURPOSE): m for h in planned for m in h.members}
    for held in LivePerson.objects.filter(id_hash__in=list(hashes)).values_list("id_hash", flat=True):
        member = hashes[held]
        error(
            member.row,
            "id_number",
            _("This person is already in a live hardship file; one person is in one file only."),
        )
    plan.households = planned
    plan.errors.sort(key=lambda e: (e.row, e.column))
    return plan


def _member(number, cells, relations, health, work, error):
    name = cells["name"].strip()
    if not name:
        error(number, "name", _("Enter the name."))
    relation = relations.get(nfkc(cells["relation"]).strip())
    if relation is None:
        error(number, "relation", _("Give the relation: 户主, 配偶, 子女, 父母 or 其他."))
    id_number = identity.normalise(cells["id_number"])
    if problem := identity.problem(id_number):
        error(number, "id_number", problem)
        id_number = None
    member_health = health.get(cells.get("health", "").strip() or Health.HEALTHY)
    if member_health is None:
        error(number, "health", _("Give the health: 健康, 慢性病, 重病 or 残疾."))
    member_work = work.get(cells.get("work", "").strip() or Work.EMPLOYED)
    if member_work is None:
        error(number, "work", _("Give the work: 在职, 失业, 退休, 学生 ..."))
    income = parse_money(cells.get("income", ""))
    if income is None:
        error(number, "income", _("Not an amount of yuan of 0 or more with at most two decimals."))
    if (
        not name
        or relation is None
        or id_number is None
        or member_health is None
        or member_work is None
        or income is None
    ):
        return None
    return PlannedMember(number, name, relation, id_number, member_health, member_work, income)


def read_households(uploaded):
    required, optional = _columns(HOUSEHOLD_COLUMNS, HOUSEHOLD_REQUIRED)
    return read_rows(uploaded, headers=required, optional=optional, max_bytes=settings.QINGDAN_MAX_IMPORT_BYTES)


def check_household_file(uploaded, *, actor, unit=None, today=None):
    _may_import(actor)
    return check_households(read_households(uploaded), actor=actor, unit=unit, today=today)


def import_households(uploaded, *, actor, unit=None, progress=None, request=None, today=None):
    """Check the file and, only when every row is valid, create its new households (archived) with their
    members in one transaction. Returns the plan; nothing was written when ``plan.errors`` is not empty."""
    _may_import(actor)
    today = today or clock.today()
    with transaction.atomic():
        plan = check_households(read_households(uploaded), actor=actor, unit=unit, today=today)
        if not plan.ok:
            return plan
        try:
            with transaction.atomic():
                _create_households(plan, actor, progress)
        except IntegrityError:
            raise Refused(
                _(
                    "Another import or application filed the same people or file numbers at this moment; upload the file again."
                )
            ) from None
        record(
            action="assistance.households_imported",
            actor=actor,
            object_type="assistance.household",
            org_unit=actor.org_unit,
            after={"file": getattr(uploaded, "name", ""), "households": plan.created,
                   "members": plan.members_created, "skipped": len(plan.skipped)},
            request=request,
        )  # fmt: skip
    return plan


def _create_households(plan, actor, progress):
    now = clock.now()
    total = len(plan.households)
    for start in range(0, total, BATCH // 4):
        chunk = plan.households[start : start + BATCH // 4]
        households = Household.objects.bulk_create(
            Household(
                org_unit=p.unit,
                number=p.number,
                import_key=p.number,
                status=FileStatus.ARCHIVED,
                head_name=next(m.name for m in p.members if m.relation == Relation.HEAD),
                phone_hash=lookup_hash(p.facts["phone"], "phone") if p.facts["phone"] else "",
                created_by=actor,
                created_at=now,
                updated_at=now,
                **p.facts,
            )
            for p in chunk
        )
        members = []
        for household, p in zip(households, chunk, strict=True):
            for m in p.members:
                born, region, masked, hashed = identity.facts(m.id_number)
                members.append(
                    Member(
                        household=household,
                        name=m.name,
                        relation=m.relation,
                        id_number=m.id_number,
                        id_hash=hashed,
                        id_masked=masked,
                        birth_date=born,
                        region_code=region,
                        health=m.health,
                        work=m.work,
                        annual_income=m.income,
                    )  # fmt: skip
                )
        members = Member.objects.bulk_create(members, batch_size=BATCH)
        LivePerson.objects.bulk_create((LivePerson(id_hash=m.id_hash, member=m) for m in members), batch_size=BATCH)
        Event.objects.bulk_create(
            (Event(household=h, kind=EventKind.ARCHIVED, actor=actor, at=now, note="导入") for h in households),
            batch_size=BATCH,
        )
        plan.created += len(households)
        plan.members_created += len(members)
        if progress:
            progress(start + len(chunk), total)
    if progress and not total:
        progress(0, 0)


# --- aid ----------------------------------------------------------------------------------------


@dataclass
class PlannedAid:
    row: int
    household: Household
    kind: str
    amount: Decimal
    given_on: date
    source: str
    delivered_by: str
    note: str
    key: str


@dataclass
class AidPlan:
    rows: int = 0
    errors: list = field(default_factory=list)
    aid: list = field(default_factory=list)
    skipped: int = 0
    created: int = 0

    @property
    def ok(self):
        return not self.errors

    @property
    def amount(self):
        return sum((a.amount for a in self.aid), Decimal("0.00"))


def aid_key(number, kind, amount, given_on, source, nth):
    """A row's key when it has no 帮扶编号: the same aid twice in one file is told apart by its place."""
    text = f"{number}|{kind}|{amount}|{given_on}|{source}|{nth}"
    return "h" + hashlib.sha256(text.encode()).hexdigest()[:40]


def check_aid(rows, *, actor, today=None):
    from assistance.scope import visible_households

    today = today or clock.today()
    plan = AidPlan(rows=len(rows))
    kinds = _choices(AidKind, ("两节慰问", AidKind.HOLIDAY), ("助学", AidKind.SCHOOLING), ("医疗救助", AidKind.MEDICAL),
                     ("生活救助", AidKind.LIVING), ("就业帮扶", AidKind.EMPLOYMENT), ("四季关爱", AidKind.SEASONS),
                     ("其他", AidKind.OTHER))  # fmt: skip

    def error(number, key, reason):
        plan.errors.append(RowError(number, title(AID_COLUMNS, key), reason))

    numbers = {nfkc(cells["number"]).strip() for _n, cells in rows}
    households = {h.number: h for h in visible_households(actor).filter(number__in=numbers)}
    seen = Counter()
    keys = []
    for number, cells in rows:
        for key, limit in LIMITS.items():
            if key in cells and len(cells.get(key, "")) > limit:
                error(number, key, _("Longer than %(n)d characters.") % {"n": limit})
        file_number = nfkc(cells["number"]).strip()
        household = households.get(file_number)
        if household is None:
            error(number, "number", _("No household file numbered “%(n)s” in your organisation.") % {"n": file_number})
        elif household.status not in AIDED_STATUSES:
            error(number, "number", _("The household %(n)s is not archived (%(status)s): aid goes to archived files only.")
                  % {"n": file_number, "status": household.get_status_display()})  # fmt: skip
        kind = kinds.get(cells["kind"].strip())
        if kind is None:
            error(number, "kind", _("Give the kind: 两节慰问, 助学, 医疗救助, 生活救助, 就业帮扶, 四季关爱 or 其他."))
        amount = parse_money(cells["amount"], positive=True)
        if amount is None:
            error(number, "amount", _("Not an amount of yuan above 0 with at most two decimals."))
        given_on = parse_date(cells["given_on"])
        if given_on is None:
            error(number, "given_on", _("Not a date; write it as 2026-03-01."))
        elif given_on > today:
            error(number, "given_on", _("A date in the future."))
        if None in (household, kind, amount, given_on) or (household and household.status not in AIDED_STATUSES):
            continue
        source = cells.get("source", "").strip() or "工会帮扶资金"
        key = cells.get("key", "").strip()
        if not key:
            content = (file_number, kind, amount, given_on, source)
            seen[content] += 1
            key = aid_key(*content, seen[content])
        elif key in {k for k, _r in keys}:
            error(number, "key", _("The same aid key is on another row of this file."))
            continue
        keys.append((key, number))
        plan.aid.append(PlannedAid(number, household, kind, amount, given_on, source,
                                   cells.get("delivered_by", "").strip() or actor.get_full_name()[:NAME_MAX] or actor.username,
                                   cells.get("note", "").strip(), key))  # fmt: skip
    before = set(
        Aid.objects.filter(org_unit=actor.org_unit, import_key__in=[k for k, _r in keys]).values_list(
            "import_key", flat=True
        )
    )
    plan.skipped = sum(1 for a in plan.aid if a.key in before)
    plan.aid = [a for a in plan.aid if a.key not in before]
    plan.errors.sort(key=lambda e: (e.row, e.column))
    return plan


def read_aid(uploaded):
    required, optional = _columns(AID_COLUMNS, AID_REQUIRED)
    return read_rows(uploaded, headers=required, optional=optional, max_bytes=settings.QINGDAN_MAX_IMPORT_BYTES)


def check_aid_file(uploaded, *, actor, today=None):
    _may_import(actor)
    return check_aid(read_aid(uploaded), actor=actor, today=today)


def import_aid(uploaded, *, actor, progress=None, request=None, today=None):
    """Check the file and, only when every row is valid, record its new aid (given by the actor's unit)."""
    _may_import(actor)
    with transaction.atomic():
        plan = check_aid(read_aid(uploaded), actor=actor, today=today)
        if not plan.ok:
            return plan
        now = clock.now()
        try:
            with transaction.atomic():
                for start in range(0, len(plan.aid), BATCH):
                    chunk = plan.aid[start : start + BATCH]
                    Aid.objects.bulk_create(
                        Aid(
                            household=a.household,
                            org_unit=actor.org_unit,
                            kind=a.kind,
                            amount=a.amount,
                            given_on=a.given_on,
                            source=a.source,
                            delivered_by=a.delivered_by,
                            note=a.note,
                            import_key=a.key,
                            created_by=actor,
                            created_at=now,
                        )  # fmt: skip
                        for a in chunk
                    )
                    Event.objects.bulk_create(
                        Event(
                            household=a.household,
                            kind=EventKind.AID,
                            actor=actor,
                            at=now,
                            data={"kind": a.kind, "amount": str(a.amount), "given_on": a.given_on.isoformat()},
                        )  # fmt: skip
                        for a in chunk
                    )
                    plan.created += len(chunk)
                    if progress:
                        progress(start + len(chunk), len(plan.aid))
        except IntegrityError:
            raise Refused(_("The same aid is being imported at this moment; upload the file again.")) from None
        record(
            action="assistance.aid_imported",
            actor=actor,
            object_type="assistance.aid",
            org_unit=actor.org_unit,
            after={"file": getattr(uploaded, "name", ""), "aid": plan.created, "amount": str(plan.amount),
                   "skipped": plan.skipped},
            request=request,
        )  # fmt: skip
    return plan


def _example_id(born, n):
    from stdnum.cn import ric

    first17 = f"331002{born}{n:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def household_template_rows():
    """Two rows of one made-up household (their ID numbers' check digits right, so the template imports)."""
    return [
        ["KN-2026-0001", "王建国", "户主", _example_id("19800101", 11), "慢性病", "在职", "18000", "", "相对困难", "因病",
         "椒江区人民路1号", "13800000000", "农业银行", "6228480000000000000", "24000", "6000", "2026-03-01",
         "2026-04-15", "椒江化工厂"],
        ["KN-2026-0001", "李秀英", "配偶", _example_id("19820304", 22), "健康", "失业", "0", "", "", "", "", "", "", "",
         "", "", "", "", ""],
    ]  # fmt: skip


def aid_template_rows():
    return [["KN-2026-0001", "两节慰问", "1000", "2026-01-20", "工会帮扶资金", "张三", "", ""]]

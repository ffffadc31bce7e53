"""Import of historic demands and labour disputes from .xlsx (sheets 诉求 and 劳动争议), registered under one unit.

Every row of both sheets is checked first and nothing is written unless all are valid; the case number (案件编号)
is the import key, so the same file imported again adds nothing. Enterprises are named by their credit code and
must be in the importer's organisation. Categories, types and results are written as their Chinese labels. A
dispute's warning colour is computed by the federation's rule (``cases.colours.colour_of``) with its reason; a
demand gets a receipt hash of a random code nobody holds (the worker of a historic case follows it through the
union, not by code). One audit record tells of the whole import."""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from stdnum.cn import uscc

import workdays
from audit.services import record
from cases import colours, receipts, rules, services
from cases.models import (
    Demand,
    DemandCategory,
    DemandEvent,
    DemandEventKind,
    DemandResult,
    DemandSource,
    DemandStatus,
    Dispute,
    DisputeEvent,
    DisputeEventKind,
    DisputeKind,
    DisputeSource,
    DisputeStatus,
    Level,
    Outcome,
    Rating,
)
from cases.models.demands import GROUP_MAX, NAME_MAX, PHONE_MAX, TEXT_MAX
from cases.models.disputes import WORKERS_MAX
from cases.queries import visible_enterprises
from orgs import rules as org_rules
from orgs.models import Role
from qingdan import clock, spreadsheets
from qingdan.spreadsheets import RowError, SheetError
from qingdan.text import nfkc

KEY_MAX = 60
AMOUNT_MAX = Decimal("999999999999.99")
MONTHS_MAX = Decimal("999.9")
CHUNK = 500  # rows per bulk insert and progress update

DEMAND_SHEET = gettext_noop("Demands")
DISPUTE_SHEET = gettext_noop("Labour disputes")

DEMAND_COLUMNS = (
    ("key", gettext_noop("Case number")),
    ("credit_code", gettext_noop("Unified social credit code")),
    ("received_on", gettext_noop("Received on")),
    ("source", gettext_noop("Source")),
    ("category", gettext_noop("Category")),
    ("worker_name", gettext_noop("Worker")),
    ("worker_phone", gettext_noop("Phone")),
    ("group_size", gettext_noop("Workers in the group")),
    ("content", gettext_noop("Demand")),
    ("reply_due", gettext_noop("Reply due")),
    ("replied_on", gettext_noop("Replied on")),
    ("reply", gettext_noop("Reply")),
    ("result", gettext_noop("Result")),
    ("rating", gettext_noop("Worker's rating")),
    ("closed_on", gettext_noop("Closed on")),
)
DEMAND_REQUIRED = ("key", "credit_code", "received_on", "source", "category", "worker_name", "content")

DISPUTE_COLUMNS = (
    ("key", gettext_noop("Case number")),
    ("credit_code", gettext_noop("Unified social credit code")),
    ("received_on", gettext_noop("Received on")),
    ("kind", gettext_noop("Dispute type")),
    ("source", gettext_noop("Source")),
    ("worker_name", gettext_noop("Workers' representative")),
    ("worker_phone", gettext_noop("Phone")),
    ("workers", gettext_noop("Workers involved")),
    ("months", gettext_noop("Months in arrears")),
    ("claimed", gettext_noop("Amount claimed (yuan)")),
    ("summary", gettext_noop("Facts")),
    ("level", gettext_noop("Mediation level")),
    ("outcome", gettext_noop("Outcome")),
    ("agreed_on", gettext_noop("Agreed on")),
    ("agreed", gettext_noop("Amount agreed (yuan)")),
    ("paid", gettext_noop("Amount paid (yuan)")),
    ("closed_on", gettext_noop("Closed on")),
)
DISPUTE_REQUIRED = (
    "key",
    "credit_code",
    "received_on",
    "kind",
    "worker_name",
    "workers",
    "months",
    "claimed",
    "summary",
)


def _chinese(label):
    with override("zh-hans"):
        return _(label)


def _titles(columns, required):
    """``(headers, optional)`` for ``spreadsheets``: key → accepted titles (Chinese first, then English)."""
    titles = {key: (_chinese(label), label) for key, label in columns}
    return (
        {key: t for key, t in titles.items() if key in required},
        {key: t for key, t in titles.items() if key not in required},
    )


def header(columns):
    return [_chinese(label) for _key, label in columns]


def _lookup(choices):
    """A choice by its value, its Chinese or its English label."""
    found = {}
    for choice in choices:
        found[choice.value] = choice.value
        for language in ("zh-hans", "en"):
            with override(language):
                found[str(choice.label)] = found[nfkc(str(choice.label))] = choice.value
    return found


def _names(choices):
    return "、".join(_chinese_label(choice) for choice in choices)


def _chinese_label(choice):
    with override("zh-hans"):
        return str(choice.label)


# --- the template ---------------------------------------------------------------------------------------------


def template_xlsx():
    """The two sheets with their headers and one example row each (a made-up credit code whose check digit is
    right: the file checks as it is, but for the enterprise, which must be one of the importer's registry)."""
    example = "91320922MA0000001" + uscc.calc_check_digit("91320922MA0000001")
    book = Workbook()
    sheet = book.active
    sheet.title = _chinese(DEMAND_SHEET)
    sheet.append(header(DEMAND_COLUMNS))
    sheet.append(
        ["LG-2025-0001", example, "2025-03-02", _chinese_label(DemandSource.MEETING),
         _chinese_label(DemandCategory.WAGES), "张建国", "13812345678", 12, "加班费未按规定计发", "2025-03-05",
         "2025-03-04", "已协调企业补发", _chinese_label(DemandResult.RESOLVED), _chinese_label(Rating.SATISFIED),
         "2025-03-10"]
    )  # fmt: skip
    disputes = book.create_sheet(_chinese(DISPUTE_SHEET))
    disputes.append(header(DISPUTE_COLUMNS))
    disputes.append(
        ["XT-2025-0001", example, "2025-04-01", _chinese_label(DisputeKind.WAGES),
         _chinese_label(DisputeSource.WALK_IN), "李红梅", "13912345678", 8, 2, 96000, "拖欠八名职工两个月工资",
         _chinese_label(Level.TOWN), _chinese_label(Outcome.AGREEMENT), "2025-04-20", 90000, 90000, "2025-05-30"]
    )  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- reading --------------------------------------------------------------------------------------------------


class _OneSheet:
    """What ``spreadsheets`` reads rows from: a workbook of one sheet."""

    def __init__(self, sheet):
        self.worksheets = [sheet]


def read(uploaded):
    """``{"demands": rows, "disputes": rows}`` of the uploaded workbook, each ``[(row number, {key: text})]``; a sheet
    left out reads as no rows. The file is checked as every import's is (size, type, what it unpacks to, rows)."""
    if uploaded.size > settings.QINGDAN_MAX_IMPORT_BYTES:
        raise SheetError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{uploaded.size / 1048576:.1f}", "limit": f"{settings.QINGDAN_MAX_IMPORT_BYTES / 1048576:.0f}"}
        )
    data = uploaded.read()
    if not data.startswith(b"PK"):
        raise SheetError(_("The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again."))
    spreadsheets.inspect(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise SheetError(_("The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again.")) from exc
    try:
        sheets = {name.strip(): book[name] for name in book.sheetnames}
        found = {}
        for key, title, columns, required in (
            ("demands", DEMAND_SHEET, DEMAND_COLUMNS, DEMAND_REQUIRED),
            ("disputes", DISPUTE_SHEET, DISPUTE_COLUMNS, DISPUTE_REQUIRED),
        ):
            sheet = sheets.get(_chinese(title)) or sheets.get(title)
            if sheet is None:
                found[key] = []
                continue
            headers, optional = _titles(columns, required)
            try:
                found[key] = spreadsheets._rows(_OneSheet(sheet), headers, optional)
            except SheetError as problem:
                raise SheetError(f"{_chinese(title)}：{problem.message}") from problem
    finally:
        book.close()
    if not found["demands"] and not found["disputes"]:
        raise SheetError(
            _("No rows found: the workbook needs a sheet named %(demands)s or %(disputes)s with its header row.")
            % {"demands": _chinese(DEMAND_SHEET), "disputes": _chinese(DISPUTE_SHEET)}
        )
    return found


# --- checking -------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    demands: list = field(default_factory=list)  # (row number, facts) to write
    disputes: list = field(default_factory=list)
    skipped_demands: int = 0  # rows whose case number was imported before
    skipped_disputes: int = 0
    errors: list = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self):
        return not self.errors


def _day(text):
    text = nfkc(text).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").removesuffix("日")
    text = text.split(" ")[0].split("T")[0]
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise ValueError(_("“%(v)s” is not a date; write it as 2026-09-30.") % {"v": text}) from None


def _number(text, *, whole=False, most=None):
    value = nfkc(text).replace(",", "").replace("¥", "").replace("￥", "").strip()
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(_("“%(v)s” is not a number.") % {"v": text}) from None
    if not number.is_finite():
        raise ValueError(_("“%(v)s” is not a number.") % {"v": text})
    if number < 0:
        raise ValueError(_("The number cannot be negative."))
    if whole and number != number.to_integral_value():
        raise ValueError(_("The number must be a whole number, not “%(v)s”.") % {"v": text})
    if most is not None and number > most:
        raise ValueError(_("The number is more than %(n)s.") % {"n": f"{most:,}"})
    return int(number) if whole else number


def _amount(text):
    number = _number(text, most=AMOUNT_MAX)
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("An amount has at most two decimals (fen)."))
    return number


class _Row:
    """One row's checks: each problem with its sheet, row and column."""

    def __init__(self, sheet, columns, number, cells, errors):
        self.sheet, self.columns, self.number, self.cells, self.errors = sheet, dict(columns), number, cells, errors

    def refuse(self, key, reason):
        self.errors.append(RowError(self.number, f"{_chinese(self.sheet)} · {_chinese(self.columns[key])}", reason))

    def text(self, key, most, required=False):
        value = self.cells.get(key, "")
        if required and not value:
            self.refuse(key, _("This column is empty."))
        elif len(value) > most:
            self.refuse(key, _("The text is longer than %(n)d characters.") % {"n": most})
            return value[:most]
        return value

    def parse(self, key, parser, required=False, **kwargs):
        value = self.cells.get(key, "")
        if not value:
            if required:
                self.refuse(key, _("This column is empty."))
            return None
        try:
            return parser(value, **kwargs)
        except ValueError as problem:
            self.refuse(key, str(problem))
            return None

    def choice(self, key, choices, lookup, required=False):
        value = self.cells.get(key, "")
        if not value:
            if required:
                self.refuse(key, _("This column is empty."))
            return ""
        found = lookup.get(nfkc(value))
        if found is None:
            self.refuse(
                key, _("Unknown value “%(v)s”; use one of: %(allowed)s.") % {"v": value, "allowed": _names(choices)}
            )
            return ""
        return found


def _enterprises(actor, rows):
    codes = {services.normalise_code(cells.get("credit_code", "")) for _n, cells in rows} - {""}
    found = {}
    codes = sorted(codes)
    for start in range(0, len(codes), 5000):
        for enterprise in visible_enterprises(actor).filter(credit_code__in=codes[start : start + 5000]):
            found[enterprise.credit_code] = enterprise
    return found


def _existing(model, unit, rows):
    keys = sorted({nfkc(cells.get("key", "")) for _n, cells in rows} - {""})
    found = set()
    for start in range(0, len(keys), 5000):
        found |= set(
            model.objects.filter(org_unit=unit, import_key__in=keys[start : start + 5000]).values_list(
                "import_key", flat=True
            )
        )
    return found


def can_import(actor, unit):
    """Office staff import the historic cases of a unit of their own subtree."""
    return actor is not None and actor.has_role(Role.OFFICE) and services.can_edit_registry(actor, unit)


def check(sheets, *, actor, unit, today=None):
    """Check every row of both sheets against the file, the registry and the tree the actor sees. Writes nothing."""
    today = today or clock.today()
    plan = Plan()
    every = [*sheets["demands"], *sheets["disputes"]]
    plan.rows = len(every)
    enterprises = _enterprises(actor, every)
    case_rules = org_rules.to_copy(unit, rules.PREFIX)
    _check_demands(
        plan, sheets["demands"], enterprises, _existing(Demand, unit, sheets["demands"]), today, case_rules, unit
    )
    _check_disputes(
        plan, sheets["disputes"], enterprises, _existing(Dispute, unit, sheets["disputes"]), today, case_rules
    )
    plan.errors.sort(key=lambda e: (e.column.split(" · ")[0] != _chinese(DEMAND_SHEET), e.row, e.column))
    return plan


def _common(row, enterprises, keys, done, today):
    """The case number, the enterprise and the day received: ``(key, enterprise, received_on, imported before)``."""
    key = nfkc(row.text("key", KEY_MAX, required=True))
    before = False
    if key in keys:
        row.refuse("key", _("The case number %(key)s already appears in row %(row)d.") % {"key": key, "row": keys[key]})
    elif key:
        keys[key] = row.number
        before = key in done
    code = services.normalise_code(row.cells.get("credit_code", ""))
    enterprise = enterprises.get(code)
    if not code:
        row.refuse("credit_code", _("This column is empty."))
    elif problem := services.credit_code_problem(code):
        row.refuse("credit_code", problem)
    elif enterprise is None:
        row.refuse(
            "credit_code",
            _(
                "No enterprise with the code %(code)s in your organisation: register it in the enterprise registry first."
            )
            % {"code": code},
        )
    received = row.parse("received_on", _day, required=True)
    if received and received > today:
        row.refuse("received_on", _("The day is in the future."))
    return key, enterprise, received, before


def _phone(row):
    phone = services.normalise_phone(row.cells.get("worker_phone", ""))
    if phone and (problem := services.phone_problem(phone)):
        row.refuse("worker_phone", problem)
    return phone[:PHONE_MAX]


def _after(row, key, day, earlier, earlier_key):
    if day and earlier and day < earlier:
        row.refuse(
            key,
            _("%(this)s is before %(that)s.")
            % {"this": _chinese(row.columns[key]), "that": _chinese(row.columns[earlier_key])},
        )


def _check_demands(plan, rows, enterprises, done, today, case_rules, unit):
    sources, categories = _lookup(DemandSource), _lookup(DemandCategory)
    results, ratings = _lookup(DemandResult), _lookup(Rating)
    keys = {}
    for number, cells in rows:
        errors = []
        row = _Row(DEMAND_SHEET, DEMAND_COLUMNS, number, cells, errors)
        key, enterprise, received, before = _common(row, enterprises, keys, done, today)
        facts = {
            "source": row.choice("source", DemandSource, sources, required=True),
            "category": row.choice("category", DemandCategory, categories, required=True),
            "worker_name": row.text("worker_name", NAME_MAX, required=True),
            "worker_phone": _phone(row),
            "group_size": row.parse("group_size", _number, whole=True, most=GROUP_MAX) or 1,
            "content": row.text("content", TEXT_MAX, required=True),
            "reply": row.text("reply", TEXT_MAX),
            "result": row.choice("result", DemandResult, results),
            "rating": row.choice("rating", Rating, ratings),
        }
        due = row.parse("reply_due", _day)
        replied = row.parse("replied_on", _day)
        closed = row.parse("closed_on", _day)
        for name, day in (("replied_on", replied), ("closed_on", closed)):
            if day and day > today:
                row.refuse(name, _("The day is in the future."))
        _after(row, "replied_on", replied, received, "received_on")
        _after(row, "closed_on", closed, replied, "replied_on")
        _after(row, "reply_due", due, received, "received_on")
        if not replied:
            for name in ("result", "rating", "closed_on", "reply"):
                if cells.get(name):
                    row.refuse(name, _("Filled in, but the demand has no reply date."))
        elif not facts["result"]:
            row.refuse("result", _("A replied demand needs its result."))
        if not errors and not before:
            if due is None:
                due = workdays.add(received, case_rules.get("reply_workdays", rules.REPLY_WORKDAYS.default), unit=unit)
            facts.update(
                import_key=key,
                enterprise=enterprise,
                received_on=received,
                reply_due=due,
                replied_on=replied,
                closed_on=closed,
                status=DemandStatus.CLOSED if closed else DemandStatus.REPLIED if replied else DemandStatus.ASSIGNED,
                replied_on_time=(replied <= due) if replied else None,
            )
            plan.demands.append((number, facts))
        elif before and not errors:
            plan.skipped_demands += 1
        plan.errors.extend(errors)


def _check_disputes(plan, rows, enterprises, done, today, case_rules):
    kinds, sources = _lookup(DisputeKind), _lookup(DisputeSource)
    levels, outcomes = _lookup(Level), _lookup(Outcome)
    keys = {}
    for number, cells in rows:
        errors = []
        row = _Row(DISPUTE_SHEET, DISPUTE_COLUMNS, number, cells, errors)
        key, enterprise, received, before = _common(row, enterprises, keys, done, today)
        facts = {
            "kind": row.choice("kind", DisputeKind, kinds, required=True),
            "source": row.choice("source", DisputeSource, sources) or DisputeSource.WALK_IN,
            "worker_name": row.text("worker_name", NAME_MAX, required=True),
            "worker_phone": _phone(row),
            "workers": row.parse("workers", _number, required=True, whole=True, most=WORKERS_MAX),
            "months_in_arrears": row.parse("months", _number, required=True, most=MONTHS_MAX),
            "amount_claimed": row.parse("claimed", _amount, required=True),
            "summary": row.text("summary", TEXT_MAX, required=True),
            "level": row.choice("level", Level, levels),
            "outcome": row.choice("outcome", Outcome, outcomes),
            "amount_agreed": row.parse("agreed", _amount),
            "amount_paid": row.parse("paid", _amount),
        }
        if facts["workers"] == 0:
            row.refuse("workers", _("At least one worker is involved."))
        if facts["months_in_arrears"] is not None and facts["months_in_arrears"] != facts["months_in_arrears"].quantize(
            Decimal("0.1")
        ):
            row.refuse("months", _("Months in arrears have at most one decimal."))
        agreed_on = row.parse("agreed_on", _day)
        closed = row.parse("closed_on", _day)
        for name, day in (("agreed_on", agreed_on), ("closed_on", closed)):
            if day and day > today:
                row.refuse(name, _("The day is in the future."))
        _after(row, "agreed_on", agreed_on, received, "received_on")
        _after(row, "closed_on", closed, received, "received_on")
        agreement = facts["outcome"] == Outcome.AGREEMENT
        if facts["amount_paid"] is not None and facts["amount_agreed"] is None:
            row.refuse("paid", _("An amount paid needs the amount agreed."))
        elif facts["amount_paid"] is not None and facts["amount_paid"] > facts["amount_agreed"]:
            row.refuse("paid", _("The amount paid is more than the amount agreed."))
        if facts["amount_agreed"] is not None and not agreement:
            row.refuse(
                "agreed", _("An amount agreed needs the outcome “%(o)s”.") % {"o": _chinese_label(Outcome.AGREEMENT)}
            )
        if agreed_on and not agreement:
            row.refuse(
                "agreed_on",
                _("A day of agreement needs the outcome “%(o)s”.") % {"o": _chinese_label(Outcome.AGREEMENT)},
            )
        if facts["outcome"] and not facts["level"] and facts["outcome"] == Outcome.AGREEMENT:
            row.refuse("level", _("An agreement names the mediation level that reached it."))
        if not errors and not before:
            colour, reason = colours.colour_of(
                months=facts["months_in_arrears"],
                workers=facts["workers"],
                amount=facts["amount_claimed"],
                case_rules=case_rules,
            )
            outcome = facts["outcome"]
            if outcome == Outcome.AGREEMENT:
                status = DisputeStatus.CLOSED if closed else DisputeStatus.AGREED
            elif outcome in (Outcome.ARBITRATION, Outcome.COURT):
                status = DisputeStatus.REFERRED
            elif outcome == Outcome.WITHDRAWN:
                status = DisputeStatus.WITHDRAWN
            else:
                status = DisputeStatus.MEDIATING if facts["level"] else DisputeStatus.REGISTERED
            facts.update(
                import_key=key,
                enterprise=enterprise,
                received_on=received,
                agreed_on=agreed_on or (received if agreement else None),
                closed_on=closed
                if status in (DisputeStatus.CLOSED, DisputeStatus.REFERRED, DisputeStatus.WITHDRAWN)
                else None,
                colour=colour,
                colour_reason=str(reason)[:300],
                status=status,
                rules=case_rules,
            )
            plan.disputes.append((number, facts))
        elif before and not errors:
            plan.skipped_disputes += 1
        plan.errors.extend(errors)


def read_and_check(uploaded, *, actor, unit):
    return check(read(uploaded), actor=actor, unit=unit)


# --- writing --------------------------------------------------------------------------------------------------


def _moment(day):
    return datetime.combine(day, time(9), tzinfo=ZoneInfo(settings.TIME_ZONE)) if day else None


def apply_import(uploaded, *, actor, unit, progress=None, request=None):
    """Check the file again and, only if every row of both sheets is valid, write the cases not imported before in
    one transaction, with a 'registered' event each and one audit record. Returns the plan (nothing was written
    when ``plan.errors`` is not empty)."""
    if not can_import(actor, unit):
        from qingdan.errors import Refused

        raise Refused(_("Only office staff import the cases of a unit of their organisation."))
    sheets = read(uploaded)
    with transaction.atomic():
        # Two imports of the same file at once: the second waits here and then finds every case imported.
        type(unit).objects.select_for_update().filter(pk=unit.pk).first()
        plan = check(sheets, actor=actor, unit=unit)
        if not plan.ok:
            return plan
        total, done = len(plan.demands) + len(plan.disputes), 0
        case_rules = org_rules.to_copy(unit, rules.PREFIX)
        now = clock.now()
        for start in range(0, len(plan.demands), CHUNK):
            chunk = plan.demands[start : start + CHUNK]
            made = Demand.objects.bulk_create([_demand(facts, unit, actor, case_rules, now) for _n, facts in chunk])
            DemandEvent.objects.bulk_create(
                DemandEvent(demand=d, kind=DemandEventKind.REGISTERED, actor=actor, at=now, note=_("Imported"),
                            data={"import_key": d.import_key})
                for d in made
            )  # fmt: skip
            done += len(chunk)
            if progress:
                progress(done, total)
        for start in range(0, len(plan.disputes), CHUNK):
            chunk = plan.disputes[start : start + CHUNK]
            made = Dispute.objects.bulk_create([_dispute(facts, unit, actor, now) for _n, facts in chunk])
            DisputeEvent.objects.bulk_create(
                DisputeEvent(dispute=d, kind=DisputeEventKind.REGISTERED, actor=actor, at=now, note=_("Imported"),
                             data={"import_key": d.import_key, "colour": d.colour, "why": d.colour_reason})
                for d in made
            )  # fmt: skip
            done += len(chunk)
            if progress:
                progress(done, total)
        if progress and not total:
            progress(0, 0)
        record(
            action="cases.cases_imported",
            actor=actor,
            object_type="cases.import",
            org_unit=unit,
            after={
                "file": getattr(uploaded, "name", ""),
                "unit": unit.code,
                "demands": len(plan.demands),
                "disputes": len(plan.disputes),
                "skipped_demands": plan.skipped_demands,
                "skipped_disputes": plan.skipped_disputes,
            },
            request=request,
        )
    return plan


def _demand(facts, unit, actor, case_rules, now):
    facts = dict(facts)
    replied, closed = facts.pop("replied_on"), facts.pop("closed_on")
    return Demand(
        org_unit=unit,
        rules=case_rules,
        replied_at=_moment(replied),
        closed_at=_moment(closed),
        rated_at=_moment(closed or replied) if facts["rating"] else None,
        # A random code nobody holds: only its hash is kept, as for every demand.
        receipt_hash=receipts.hash_of(receipts.make_code()),
        created_by=actor,
        created_at=now,
        **facts,
    )


def _dispute(facts, unit, actor, now):
    return Dispute(org_unit=unit, reported_by=actor, created_at=now, **facts)

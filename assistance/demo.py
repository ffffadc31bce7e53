"""The 滨海 hardship archive: the county's 低保 standard (¥800 a person and month last year, ¥830 this year), 60
files archived over the past year across the towns (a few in deep hardship), and files waiting at every step of
the workflow now — applications (one from a worker's phone, two that look like one household), first checks
passed, a visit recorded, departments checking (one overdue), a 公示 open, one with an objection, one ended and
waiting to be archived, rejected, temporary-aid and cancelled files. Written through the services with the clock
moved to each step's day; loading again adds nothing."""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from stdnum.cn import ric

from assistance import decisions, households, publicity, workflow
from assistance.models import FileStatus, Household
from evidence import services as evidence
from orgs import demo as org_demo
from orgs.models import OrgKind, OrgUnit, User
from orgs.queries import subtree, within
from qingdan import clock
from qingdan.demo_calendar import moment, workday

REGION = "320922"
ARCHIVED = 60
DEEP = 6
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = ["建国", "秀英", "桂兰", "志强", "海燕", "德明", "春梅", "国华", "玉兰", "长青", "红霞", "永康", "金凤", "立新",
         "淑珍", "学军", "美玲", "忠良", "小燕", "振华"]  # fmt: skip
STREETS = ["人民路", "建设路", "中市街", "振兴路", "幸福路", "通榆路", "港城路", "黄海路", "文化路", "新村"]
EMPLOYERS = [name for name in org_demo.ENTERPRISES[:12]]
CAUSES = ["illness", "illness", "disability", "schooling", "unemployment", "low_income", "accident", "housing"]


def _id_numbers(rng, taken):
    def make(year_from, year_to):
        while True:
            born = f"{rng.randint(year_from, year_to)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            first17 = f"{REGION}{born}{rng.randint(0, 999):03d}"
            number = first17 + ric.calc_check_digit(first17 + "0")
            if number not in taken:
                taken.add(number)
                return number

    return make


def _authorisation(office, number):
    content = b"%PDF-1.4\n% signed authorisation for financial checks " + number.encode() + b"\n%%EOF\n"
    return evidence.keep(uploaded=SimpleUploadedFile(f"{number}-授权书.pdf", content), actor=office)


class _Plan:
    def __init__(self, rng, office, units):
        self.rng, self.office, self.units, self.taken, self.n = rng, office, units, set(), 0
        self.make_id = _id_numbers(rng, self.taken)

    def members(self, size, name):
        rows = [{"name": name, "id_number": self.make_id(1965, 1990), "relation": "head",
                 "health": self.rng.choice(["healthy", "chronic", "serious", "disabled"]), "work": "employed",
                 "annual_income": Decimal(self.rng.randint(8000, 30000))}]  # fmt: skip
        if size > 1:
            rows.append({"name": name[0] + "妻" if False else self.rng.choice(SURNAMES) + self.rng.choice(GIVEN),
                         "id_number": self.make_id(1966, 1990), "relation": "spouse", "work": "unemployed"})  # fmt: skip
        for _i in range(size - 2):
            rows.append({"name": name[0] + self.rng.choice(["小明", "小红", "小军", "小芳", "小龙"]),
                         "id_number": self.make_id(2008, 2018), "relation": "child", "work": "student"})  # fmt: skip
        return rows

    def file(self, day, *, deep=False, status=FileStatus.APPLIED, name=None, address=None, unit=None):
        rng = self.rng
        self.n += 1
        name = name or rng.choice(SURNAMES) + rng.choice(GIVEN)
        size = rng.choice([2, 3, 3, 4])
        # per-capita monthly = income ÷ 12 ÷ size: under ¥830 for deep hardship, under ¥1,660 for relative.
        monthly = rng.randint(560, 800) if deep else rng.randint(900, 1500)
        income = Decimal(monthly * 12 * size)
        accident = Decimal(0)
        cause = rng.choice(CAUSES)
        if cause == "accident":
            accident = (income * Decimal("0.9")).quantize(Decimal(1))
        unit = unit or rng.choice(self.units)
        facts = {
            "identity": rng.choice(["worker", "worker", "migrant"]),
            "employer": rng.choice(EMPLOYERS),
            "address": address or f"滨海县{unit.name.removesuffix('工会')}{rng.choice(STREETS)}{rng.randint(1, 300)}号",
            "phone": f"139{rng.randint(10000000, 99999999)}",
            "main_cause": cause,
            "annual_income": income,
            "rigid_expenses": Decimal(0),
            "accident_costs": accident,
            "bank_name": "滨海农商银行",
            "bank_account": f"6230{rng.randint(10**14, 10**15 - 1)}",
        }
        with clock.at(moment(day, 9, 10)):
            return households.create_household(
                actor=self.office, org_unit=unit, facts=facts, members=self.members(size, name), status=status
            )


def _step(day, hour, fn, **kwargs):
    day = min(day, clock.today())  # a step planned past today happens today
    with clock.at(moment(day, hour)):
        return fn(**kwargs)


def _carry(plan, household, start, until):
    """Take ``household`` from its application on ``start`` up to the step named ``until``."""
    office = plan.office
    h = household
    d = workday(start + timedelta(days=2))
    if until == "rejected_first":
        return _step(
            d, 10, workflow.reject, household=h, actor=office, version=h.version, reason="家庭人均收入高于标准"
        )
    h = _step(d, 10, workflow.pass_first_check, household=h, actor=office, version=h.version, note="材料齐全")
    if until == "first_checked":
        return h
    d = workday(d + timedelta(days=3))
    with clock.at(moment(d, 15)):
        auth = _authorisation(office, h.number)
        h = workflow.record_visit(
            household=h, actor=office, version=h.version, note="入户走访，情况属实", authorisation=auth
        )
    if until == "visited":
        return h
    d = workday(d + timedelta(days=1))
    h = _step(d, 9, workflow.send_checks, household=h, actor=office, version=h.version)
    if until == "checking_overdue":
        return h
    checks = list(h.checks.all())
    answered = checks if until != "checking" else checks[: len(checks) // 2]
    # The departments answer in three batches over the following week.
    for n, batch in enumerate((answered[0::3], answered[1::3], answered[2::3])):
        found = {batch[0].pk} if until == "rejected_found" and n == 0 and batch else set()
        answers = {c.pk: ("found", "名下有商铺") if c.pk in found else ("clear", "") for c in batch}
        if answers:
            _step(workday(d + timedelta(days=2 + n * 2)), 11, workflow.answer_checks, household=h, actor=office,
                  answers=answers)  # fmt: skip
    if until == "checking":
        return h
    h.refresh_from_db()
    d = workday(d + timedelta(days=9))
    if until == "rejected_found":
        return _step(
            d, 10, workflow.reject, household=h, actor=office, version=h.version, reason="住建部门查有两套住房"
        )
    notice = _step(d, 10, workflow.publicise, household=h, actor=office, version=h.version)
    h.refresh_from_db()
    if until == "objection":
        _step(
            d + timedelta(days=1),
            20,
            publicity.submit_objection,
            publicity=notice,
            text="听说他家在镇上开了一家小超市，请核实。",
        )
    if until in ("publicised", "objection", "publicity_ended"):
        return h
    end = notice.ends_on + timedelta(days=1)
    publicity.scan(end)
    h = _step(workday(end), 10, workflow.archive, household=h, actor=office, version=h.version)
    return h


def build():
    """Idempotent: nothing is added when the county already has hardship files. The decisions freeze their lines in
    the language of the day: the demo's are in Chinese, as a county's staff would have made them."""
    with translation.override("zh-hans"):
        _build()


def _build():
    county = OrgUnit.objects.filter(code=org_demo.BINHAI[0]).first()
    office = User.objects.filter(username="office").first()
    if county is None or office is None:
        return
    if Household.objects.filter(within(county, "org_unit")).exists():
        return
    rng = random.Random(303)  # noqa: S311 - demo data, not security
    today = clock.today()
    with clock.at(moment(today.replace(month=1, day=1) - timedelta(days=330), 9)):
        decisions.set_standard(unit=county, year=today.year - 1, monthly=Decimal("800"), actor=office)
    with clock.at(moment(today.replace(month=1, day=1) - timedelta(days=20), 9)):
        decisions.set_standard(unit=county, year=today.year, monthly=Decimal("830"), actor=office)
    towns = list(subtree(county).filter(kind=OrgKind.TOWN).order_by("path"))
    grassroots = list(subtree(county).filter(kind=OrgKind.GRASSROOTS).order_by("path")[:6])
    plan = _Plan(rng, office, towns + grassroots)
    # 60 archived over the past year (applications ending 45 days ago); the first few in deep hardship.
    for n in range(ARCHIVED):
        start = workday(today - timedelta(days=360 - n * 5))
        household = plan.file(start, deep=n % (ARCHIVED // DEEP) == 0, unit=towns[n % len(towns)])
        _carry(plan, household, start, "archived")
    # Files at every step now.
    # (days ago applied, the step reached): first check +2 days, visit +3, sent +1, notice +9 (working days kept).
    waiting = [
        (3, "applied"), (4, "applied"), (6, "first_checked"), (9, "first_checked"), (12, "visited"),
        (10, "checking"), (32, "checking_overdue"), (18, "publicised"), (19, "objection"), (32, "publicity_ended"),
        (20, "rejected_first"), (45, "rejected_found"),
    ]  # fmt: skip
    for days, until in waiting:
        start = today - timedelta(days=days)
        household = plan.file(start, deep=until == "publicised")
        if until != "applied":
            _carry(plan, household, start, until)
    # Two applications that look like one household (张建国 / 章建国 at one address): a merge waits.
    address = "滨海县东坎街道人民路18号"
    plan.file(today - timedelta(days=5), name="张建国", address=address, unit=towns[0])
    plan.file(today - timedelta(days=2), name="章建国", address=address, unit=towns[0])
    # Temporary aid: two open, one cancelled.
    for days in (10, 25):
        plan.file(today - timedelta(days=days), status=FileStatus.TEMPORARY)
    cancelled = plan.file(today - timedelta(days=50), status=FileStatus.TEMPORARY)
    _step(today - timedelta(days=20), 10, workflow.cancel, household=cancelled, actor=office, version=cancelled.version,
          reason="临时困难已解除")  # fmt: skip
    # One application from a worker's phone, through the union's QR code.
    with clock.at(moment(today - timedelta(days=1), 20, 30)):
        publicity.apply_by_phone(
            unit=grassroots[0] if grassroots else towns[0],
            facts={
                "phone": "13905151234",
                "address": "滨海县坎北街道幸福路6号",
                "employer": "滨海县环卫服务有限公司",
                "identity": "worker",
                "main_cause": "illness",
                "annual_income": Decimal("21000"),
            },  # fmt: skip
            head={"name": "陆桂芳", "id_number": plan.make_id(1972, 1980), "relation": "head"},
        )
    publicity.scan(today)  # the daily scan has taken down the notices that ended


def summary():
    county = OrgUnit.objects.filter(code=org_demo.BINHAI[0]).first()
    if county is None:
        return "no county"
    files = Household.objects.filter(within(county, "org_unit"))
    archived = files.filter(status=FileStatus.ARCHIVED)
    return (
        f"{files.count()} hardship files, {archived.count()} archived ({archived.filter(category='deep').count()} in "
        f"deep hardship), {files.filter(status=FileStatus.PUBLICISED).count()} on public notice"
    )

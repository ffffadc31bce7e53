"""The 滨海 labour disputes (seed 004's 安吉 shape): 东坎街道 holds 34 disputes of 180+ workers and over ¥10 million in
arrears, in every colour, at every mediation level and with every outcome; a few red ones are open; agreements
were followed up with the worker thirty days later (paid in full, and once not, so the case reopened); one
follow-up waits to be sent; one case names a firm of the hospital project's contractor chain. A dozen more are
spread over the other towns. Written through ``cases.dispute_flow`` day by day with the clock moved
(``qingdan.demo_calendar``), by the county office's clerk; loading again adds nothing."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from cases import dispute_flow as flow
from cases import rules
from cases.models import Dispute, DisputeKind, DisputeSource, DisputeStatus, Enterprise, Level, Project, Side
from orgs import demo as org_demo
from orgs.models import OrgUnit, User
from orgs.queries import within
from qingdan import clock
from qingdan.actors import SYSTEM
from qingdan.demo_calendar import moment

COUNTY = org_demo.BINHAI[0]
TOWN = f"{COUNTY}T001"  # 东坎街道工会
HOSPITAL = "滨海县人民医院新院区建设工程"
CHAIN_FIRM = "滨海恒通建筑劳务有限公司"

# (fate, months in arrears, workers, amount claimed in yuan, days since received, level of the agreement)
# Town 1: 34 disputes, 190 workers, ¥10.5 million.
TOWN_CASES = [
    ("closed", "0.5", 3, 26000, 260, Level.ENTERPRISE),
    ("closed", "1.0", 6, 72000, 240, Level.VILLAGE),
    ("closed", "1.5", 4, 98000, 220, Level.TOWN),
    ("closed", "2.5", 8, 360000, 200, Level.VILLAGE),
    ("closed", "0.8", 2, 18000, 180, Level.ENTERPRISE),
    ("closed", "3.0", 12, 620000, 160, Level.TOWN),
    ("closed", "1.2", 5, 150000, 140, Level.VILLAGE),
    ("closed", "0.6", 3, 21000, 120, Level.ENTERPRISE),
    ("reopened", "2.0", 9, 430000, 70, Level.VILLAGE),
    ("follow_up", "1.5", 6, 240000, 55, Level.ENTERPRISE),
    ("follow_up", "2.5", 7, 510000, 58, Level.VILLAGE),
    ("agreed", "1.0", 4, 88000, 30, Level.ENTERPRISE),
    ("agreed", "2.2", 10, 460000, 36, Level.TOWN),
    ("agreed", "0.9", 3, 45000, 26, None),
    ("arbitration", "4.0", 14, 980000, 150, None),
    ("arbitration", "1.8", 5, 210000, 110, None),
    ("court", "6.0", 11, 1350000, 190, None),
    ("withdrawn", "0.5", 2, 12000, 90, None),
    ("withdrawn", "1.0", 1, 9000, 45, None),
    ("ended", "3.5", 6, 700000, 75, None),
    ("enterprise", "0.7", 3, 33000, 7, None),
    ("enterprise", "1.5", 5, 160000, 9, None),
    ("enterprise", "2.5", 32, 880000, 6, None),  # red: 32 workers and ¥880,000
    ("village", "1.2", 4, 96000, 20, None),
    ("village", "0.9", 30, 300000, 18, None),  # orange: raised by 30 workers
    ("village", "1.6", 3, 58000, 22, None),
    ("town", "1.9", 6, 420000, 28, None),
    ("town", "2.8", 4, 190000, 30, None),
    ("escalated", "1.3", 5, 120000, 36, None),
    ("town_late", "2.4", 8, 560000, 75, None),
    ("registered", "3.0", 35, 1250000, 3, None),  # red, reported from a grid
    ("registered", "0.4", 2, 15000, 2, None),
    ("registered", "1.1", 3, 66000, 4, None),
    ("registered", "2.6", 4, 155000, 1, None),  # red: 2.6 months
]
# The other towns: (town number, fate, months, workers, amount, days since received, level agreed)
OTHER_CASES = [
    (2, "closed", "1.0", 4, 60000, 200, Level.ENTERPRISE),
    (3, "agreed", "1.5", 6, 150000, 25, Level.VILLAGE),
    (4, "village", "2.1", 5, 230000, 19, None),
    (5, "registered", "0.5", 2, 14000, 5, None),
    (6, "enterprise", "2.4", 40, 900000, 8, None),
    (7, "arbitration", "3.0", 7, 400000, 130, None),
    (8, "closed", "0.8", 3, 30000, 150, Level.TOWN),
    (9, "withdrawn", "1.2", 2, 20000, 60, None),
    (10, "town", "1.7", 5, 180000, 27, None),
    (11, "registered", "2.3", 3, 90000, 3, None),
    (12, "follow_up", "1.1", 4, 70000, 52, Level.ENTERPRISE),
    (13, "court", "5.0", 9, 760000, 210, None),
]
MEDIATORS = {
    Level.ENTERPRISE: ["企业工会主席 王建华", "企业工会主席 李红", "企业调解员 周明"],
    Level.VILLAGE: ["社区调解委员会 陈国平", "村调解主任 刘德胜", "社区书记 赵丽"],
    Level.TOWN: ["街道调解中心 孙志强", "街道司法所 吴芳"],
}
FACTS = [
    "{months}个月工资未发放，职工多次讨要未果，情绪较大。",
    "企业以资金周转困难为由拖欠{months}个月工资，涉及{workers}名职工。",
    "项目完工后劳务费未结清，班组长带{workers}名工人到街道反映。",
    "企业停产，{workers}名职工工资及经济补偿未支付。",
]
GRIDS = ["向阳社区第三网格", "新港社区第一网格", "友爱村第二网格", "民主社区第五网格", "建设村第一网格"]


def _day(today, days_ago):
    return today - timedelta(days=days_ago)


class _Writer:
    """Writes one dispute's history on its own days, never after today."""

    def __init__(self, actor, today):
        self.actor, self.today = actor, today

    def at(self, day, hour=10):
        return clock.at(moment(min(day, self.today), hour))

    def fresh(self, dispute):
        return Dispute.objects.get(pk=dispute.pk)


def _register(writer, unit, enterprise, spec, rng, *, n, project=None, subcontract=None, grid=False):
    fate, months, workers, amount, days_ago, _level = spec
    received = _day(writer.today, days_ago)
    facts = {
        "enterprise": enterprise,
        "project": project,
        "subcontract": subcontract,
        "kind": DisputeKind.WAGES if n % 7 else rng.choice([DisputeKind.CONTRACT, DisputeKind.INSURANCE]),
        "source": DisputeSource.GRID
        if grid or n % 3 == 0
        else rng.choice([DisputeSource.WALK_IN, DisputeSource.HOTLINE]),
        "grid": rng.choice(GRIDS) if grid or n % 3 == 0 else "",
        "summary": rng.choice(FACTS).format(months=months, workers=workers),
        "worker_name": rng.choice("王李张刘陈杨黄赵吴周徐孙")
        + rng.choice(["建军", "海燕", "志强", "秀英", "国庆", "小兵"]),
        "worker_phone": f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
        "workers": workers,
        "months_in_arrears": Decimal(months),
        "amount_claimed": Decimal(amount),
    }
    with writer.at(received, 9):
        return flow.register(actor=writer.actor, unit=unit, received_on=received, **facts), received


def _mediate_to(writer, dispute, received, level, rng, *, last_day=None):
    """Accept at the enterprise level the day after, and fail level by level up to ``level``. Returns the day."""
    day = received + timedelta(days=1)
    with writer.at(day):
        flow.start_mediation(
            dispute=dispute, actor=writer.actor, version=writer.fresh(dispute).version, level=Level.ENTERPRISE,
            mediator=rng.choice(MEDIATORS[Level.ENTERPRISE]), accepted_on=min(day, writer.today),
        )  # fmt: skip
    with writer.at(day + timedelta(days=2), 15):
        flow.record_session(
            dispute=dispute, actor=writer.actor, version=writer.fresh(dispute).version,
            held_on=min(day + timedelta(days=2), writer.today), note="召集企业负责人与职工代表面对面协商，企业承诺筹措资金。",
        )  # fmt: skip
    steps = {Level.ENTERPRISE: 0, Level.VILLAGE: 1, Level.TOWN: 2}[level]
    current = Level.ENTERPRISE
    for _n in range(steps):
        day += timedelta(days=6)
        following = flow.level_above(current)
        with writer.at(day, 16):
            flow.fail_level(
                dispute=dispute, actor=writer.actor, version=writer.fresh(dispute).version,
                note="双方对欠薪数额分歧较大，调解未成。", next_level=following,
                mediator=rng.choice(MEDIATORS[following]),
            )  # fmt: skip
        current = following
    return day


def _agree(writer, dispute, day, amount, *, paid=True):
    day += timedelta(days=4)
    with writer.at(day, 11):
        flow.record_agreement(
            dispute=dispute, actor=writer.actor, version=writer.fresh(dispute).version,
            amount_agreed=amount, judicial_confirmation=amount >= 300000, note="双方签订调解协议，企业分期支付。",
        )  # fmt: skip
    if paid:
        with writer.at(day + timedelta(days=10), 14):
            flow.record_payment(
                dispute=dispute, actor=writer.actor, version=writer.fresh(dispute).version, amount=amount
            )
    return day


def _follow_up(writer, dispute, agreed_on, *, answer):
    """The scan opens the follow-up; the staff make the link the next day; the worker answers two days later."""
    days = rules.of(dispute, rules.FOLLOW_UP_DAYS)
    opened = agreed_on + timedelta(days=days)
    with writer.at(opened, 1):
        flow.open_follow_up(dispute.pk, opened)
    if answer is None:
        return
    with writer.at(opened + timedelta(days=1), 9):
        _follow_up_row, code = flow.issue_follow_up(dispute=writer.fresh(dispute), actor=writer.actor)
    with writer.at(opened + timedelta(days=2), 20):
        flow.answer_follow_up(code=code, paid_in_full=answer)


def _parties(writer, dispute, day, town):
    with writer.at(day, 15):
        for side, body, name, phone in (
            (Side.UNION, town.name, "陈晓梅", "13805150200"),
            (Side.HRSS, "县人力资源和社会保障局劳动保障监察大队", "顾建平", "0515-84101234"),
            (Side.LEGAL, town.name.removesuffix("工会") + "政法委员", "杨立军", "13905151111"),
        ):
            flow.set_party(
                dispute=dispute, actor=writer.actor, version=writer.fresh(dispute).version,
                side=side, body=body, contact_name=name, contact_phone=phone,
            )  # fmt: skip
        parties = {p.side: p for p in dispute.parties.all()}
        for side, action, due in (
            (Side.HRSS, "对企业工资支付情况开展专项检查", day + timedelta(days=3)),
            (Side.UNION, "核实涉及职工名单及欠薪金额", day + timedelta(days=5)),
            (Side.LEGAL, "做好职工情绪疏导，防止群体性事件", day + timedelta(days=20)),
        ):
            item = flow.add_party_action(
                party=parties[side], actor=writer.actor, version=writer.fresh(dispute).version,
                action=action, due_on=due,
            )  # fmt: skip
            if side == Side.HRSS and due <= writer.today:
                with writer.at(due, 17):  # the inspection was done on time; the other actions show their own state
                    flow.complete_party_action(item=item, actor=writer.actor, version=writer.fresh(dispute).version)


def _play(writer, dispute, received, spec, rng, town):
    fate, _months, _workers, amount, _days_ago, agreed_level = spec
    amount = Decimal(amount)
    if dispute.colour == "red":
        _parties(writer, dispute, received, town)
    if fate in ("closed", "reopened", "follow_up", "agreed"):
        if agreed_level is None:
            agreed = _agree(writer, dispute, received, amount, paid=False)
        else:
            day = _mediate_to(writer, dispute, received, agreed_level, rng)
            agreed = _agree(writer, dispute, day, amount, paid=fate != "reopened")
        if fate == "reopened":
            with writer.at(agreed + timedelta(days=12), 14):
                flow.record_payment(
                    dispute=dispute, actor=writer.actor, version=writer.fresh(dispute).version, amount=amount / 2
                )
        if fate in ("closed", "reopened", "follow_up"):
            _follow_up(writer, dispute, agreed, answer={"closed": True, "reopened": False, "follow_up": None}[fate])
    elif fate in ("arbitration", "court", "ended"):
        day = _mediate_to(writer, dispute, received, Level.TOWN, rng)
        with writer.at(day + timedelta(days=8), 16):
            flow.fail_level(
                dispute=dispute, actor=writer.actor, version=writer.fresh(dispute).version,
                note="企业拒不履行，调解终结。",
            )  # fmt: skip
        if fate != "ended":
            with writer.at(day + timedelta(days=9), 10):
                flow.refer(
                    dispute=dispute, actor=writer.actor, version=writer.fresh(dispute).version, to=fate,
                    note="引导职工申请劳动仲裁" if fate == "arbitration" else "支持职工向人民法院起诉",
                )  # fmt: skip
    elif fate == "withdrawn":
        with writer.at(received + timedelta(days=3), 10):
            flow.withdraw(
                dispute=dispute, actor=writer.actor, version=writer.fresh(dispute).version,
                note="企业已主动补发工资，职工撤回申请。",
            )  # fmt: skip
    elif fate in ("enterprise", "village", "town"):
        _mediate_to(writer, dispute, received, Level(fate), rng)
    elif fate == "escalated":
        _mediate_to(writer, dispute, received, Level.ENTERPRISE, rng)
        due = dispute.mediations.get(level=Level.ENTERPRISE).due_on
        with writer.at(due + timedelta(days=1), 1):
            flow.escalate(dispute.pk, due + timedelta(days=1))
    elif fate == "town_late":
        _mediate_to(writer, dispute, received, Level.TOWN, rng)
        due = dispute.mediations.get(level=Level.TOWN).due_on
        if due < writer.today:
            with writer.at(due + timedelta(days=1), 1):
                flow.escalate(dispute.pk, due + timedelta(days=1))


def build():
    """Write the disputes' histories up to today (nothing when the county has disputes already)."""
    county = OrgUnit.objects.get(code=COUNTY)
    if Dispute.objects.filter(within(county, "org_unit")).exists():
        return
    today = clock.today()
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    actor = User.objects.filter(username="office").first() or SYSTEM
    writer = _Writer(actor, today)
    town = OrgUnit.objects.get(code=TOWN)
    firms = list(Enterprise.objects.filter(org_unit=town).order_by("name"))
    project = Project.objects.filter(name=HOSPITAL).first()
    node = project.subcontracts.filter(contractor__name=CHAIN_FIRM).first() if project else None
    with transaction.atomic():
        for n, spec in enumerate(TOWN_CASES):
            chain = n == 3 and node is not None
            enterprise = project.general_contractor if chain else firms[n % len(firms)]
            dispute, received = _register(
                writer, town, enterprise, spec, rng, n=n, project=project if chain else None,
                subcontract=node if chain else None, grid=spec[0] == "registered" and n == 30,
            )  # fmt: skip
            _play(writer, dispute, received, spec, rng, town)
        for number, *spec in OTHER_CASES:
            unit = OrgUnit.objects.get(code=f"{COUNTY}T{number:03d}")
            others = list(Enterprise.objects.filter(org_unit=unit).order_by("name")) or firms
            dispute, received = _register(writer, unit, others[number % len(others)], spec, rng, n=100 + number)
            _play(writer, dispute, received, spec, rng, unit)


def summary():
    county = OrgUnit.objects.get(code=COUNTY)
    town = OrgUnit.objects.get(code=TOWN)
    disputes = Dispute.objects.filter(within(county, "org_unit"))
    mine = disputes.filter(org_unit=town)
    workers = sum(mine.values_list("workers", flat=True))
    amount = sum(mine.values_list("amount_claimed", flat=True), Decimal(0))
    open_red = disputes.filter(colour="red", status__in=flow.OPEN).count()
    closed = disputes.filter(status=DisputeStatus.CLOSED).count()
    return (
        f"{disputes.count()} labour disputes in 滨海 ({closed} closed, {open_red} red ones open); {town.name}: "
        f"{mine.count()} disputes, {workers} workers, ¥{amount:,.2f} in arrears"
    )

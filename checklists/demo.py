"""The 滨海 close-out demo (seed 000): 26 reform contents, 127 lists to the county's 86 units issued
over the eleven months before the demo is loaded, the items carried through the four procedures on
their own days to a close-out rate near 91%."""

import random
from datetime import timedelta

from django.utils import timezone

from checklists import rules, services, workflow
from checklists.models import Checklist, Item, ItemStatus
from orgs import services as org_services
from orgs.models import Role, User
from orgs.queries import subtree
from qingdan import clock
from qingdan.actors import SYSTEM
from qingdan.demo_calendar import add_months, days_between, moment, workday
from surveys import services as survey_services

CATEGORIES = [
    "职工思想政治引领",
    "劳模精神工匠精神弘扬",
    "技术工人队伍建设",
    "职工技能提升",
    "职业技能竞赛",
    "技能人才评价",
    "技能人才待遇保障",
    "人才公寓与安居",
    "产业工人参与企业管理",
    "厂务公开民主管理",
    "集体协商",
    "职工创新工作室",
    "劳模和工匠人才创新工作室",
    "新就业形态劳动者权益",
    "农民工服务",
    "职工安全健康",
    "职工书屋与文化阵地",
    "困难职工帮扶",
    "职工子女助学",
    "职工普惠服务",
    "工会组织建设",
    "基层工会规范化",
    "产改宣传",
    "产改考核评价",
    "校企合作与订单培养",
    "技能人才激励机制",
]
CONTENTS = [
    ("改善技术人才居住条件", "人才公寓改造完成并入住"),
    ("开展岗位练兵和技能竞赛", "全年举办不少于2场，覆盖一线职工"),
    ("建立首席技师制度", "制定办法并评聘首席技师"),
    ("落实技能人才工资分配指引", "技能岗位工资增幅不低于管理岗位"),
    ("建设职工创新工作室", "挂牌运行并形成创新成果"),
    ("组织职工参加技能培训", "年度培训不少于100人次"),
    ("健全职代会制度", "每年召开职代会并审议重大事项"),
    ("推进厂务公开", "公开栏和线上平台按季度更新"),
    ("开展集体协商", "签订工资专项集体合同"),
    ("做好新就业形态劳动者入会", "建立行业工会联合会并发展会员"),
    ("建设职工书屋", "藏书不少于1000册并正常开放"),
    ("开展职工健康体检", "覆盖全体在岗职工"),
    ("建立困难职工档案", "动态更新并精准帮扶"),
    ("选树劳模工匠典型", "推荐市级以上典型不少于1人"),
    ("推进校企合作", "与职业院校签订合作协议并开设订单班"),
]
# What became of the items, as shares of the whole, spread at random over the lists.
CLOSED, NOT_DUE, JUST_OVERDUE, APPLIED, RECTIFYING, LONG_OVERDUE = range(6)
DUE_SOON = 6  # a not-yet-due item of the demo reporter's bureau that falls due within the week
FATES = [(0.91, CLOSED), (0.925, NOT_DUE), (0.94, JUST_OVERDUE), (0.96, APPLIED), (0.97, RECTIFYING), (1, LONG_OVERDUE)]
MONTHS = 11  # lists were issued in each of the months before this one


def _fate(share):
    return next(fate for bound, fate in FATES if share <= bound)


def build():
    """127 lists issued over the past eleven months, their items carried through the four procedures on
    their own days, up to the day before the demo is loaded."""
    office = User.objects.get(username="office")
    county = office.org_unit
    if Checklist.objects.filter(issuing_unit=county).exists():
        return
    rng = random.Random(91)  # noqa: S311 - demo data, not security
    today = clock.today()
    people = {
        "reporter": User.objects.get(username="reporter"),
        "reviewer": User.objects.get(username="reviewer"),
        "evaluator": User.objects.get(username="evaluator"),
    }
    units = list(subtree(county).exclude(pk=county.pk).order_by("path"))
    people["reporters"] = _reporters(units, people["reporter"], rng)
    first_month = add_months(today.replace(day=1), -MONTHS)
    issued = sorted(
        workday(add_months(first_month, n * MONTHS // 127) + timedelta(days=rng.randint(1, 10))) for n in range(127)
    )
    picks = [rng.sample(CONTENTS, rng.choice([1, 1, 2, 2, 3])) for _n in range(127)]
    total = sum(len(p) for p in picks)
    with clock.at(moment(first_month, 8, 30)):
        categories = [services.category(office_unit=county, name=name, actor=office) for name in CATEGORIES]
    fates = [_fate((n + 1) / total) for n in range(total)]
    rng.shuffle(fates)
    picks, fates = _bureau_at_work(units, people["reporter"].org_unit_id, picks, fates)
    numbers = {}
    for n, (day, chosen) in enumerate(zip(issued, picks, strict=True)):
        unit = units[n % len(units)]
        numbers[day.year] = numbers.get(day.year, 0) + 1
        mine, fates = fates[: len(chosen)], fates[len(chosen) :]
        with clock.at(moment(day, 9, rng.randint(0, 59))):
            checklist = services.issue_checklist(
                actor=office,
                responsible_unit=unit,
                category=categories[n % len(categories)],
                title=f"{unit.name}“产改”责任清单",
                doc_number=f"滨产改办〔{day.year}〕{numbers[day.year]}号",
                items=[
                    {
                        "content": c,
                        "standard": s,
                        "deadline": _deadline(fate, day, today, rng),
                        "deep_review_required": fate == CLOSED and rng.random() < 0.05,
                        "person_in_charge": rng.choice(["王强", "李娜", "陈刚"]),
                    }
                    for (c, s), fate in zip(chosen, mine, strict=True)
                ],
            )
        for item, fate in zip(checklist.items.order_by("position"), mine, strict=True):
            _drive(item, fate, rng, people, today)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志宏海燕晓东文斌"


# The demo reporter's bureau's two lists, item by item: open work of every kind beside closed items, so that
# 孙丽娟 can show a close-out (the item due soon), a rectification and an overdue item on her workbench.
BUREAU_FATES = [[JUST_OVERDUE, CLOSED, CLOSED], [NOT_DUE, RECTIFYING, CLOSED]]


def _bureau_at_work(units, bureau_id, picks, fates):
    """Give the bureau three items on each of its lists and the fates of ``BUREAU_FATES``, by swapping contents
    with other three-item lists and fates with other items: the lists, items and fates in all stay the same,
    so do the close-out rate and every other figure of the demo. Its not-due item falls due within the week."""
    picks, fates = list(picks), list(fates)
    bureau = [n for n in range(len(picks)) if units[n % len(units)].pk == bureau_id]
    others = [n for n in range(len(picks)) if len(picks[n]) == 3 and n not in bureau]
    for n, other in zip(bureau, others, strict=False):
        picks[n], picks[other] = picks[other], picks[n]
    taken = set()
    for n, wanted in zip(bureau, BUREAU_FATES, strict=False):
        first = sum(len(p) for p in picks[:n])
        for offset, fate in enumerate(wanted):
            swap = next(i for i, f in enumerate(fates) if f == fate and i not in taken and i != first + offset)
            fates[first + offset], fates[swap] = fates[swap], fates[first + offset]
            taken.add(first + offset)
            if fate == NOT_DUE:
                fates[first + offset] = DUE_SOON
    return picks, fates


def _reporters(units, known, rng):
    """Each unit's reporter (填报员): the demo's own where it has one, else an account made for the unit
    that signs in once the security administrator gives it a password."""
    found = {u.org_unit_id: u for u in User.objects.filter(org_unit__in=units, roles__role=Role.REPORTER)}
    found[known.org_unit_id] = known
    for unit in units:
        if unit.pk not in found:
            found[unit.pk] = org_services.create_user(
                username=f"tb{unit.code.lower()}",
                full_name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2]))),
                org_unit=unit,
                roles=[Role.REPORTER],
                password=None,
                actor=SYSTEM,
            )
    return found


def _deadline(fate, issued, today, rng):
    """Overdue items fell due a few days ago or over a month ago (or, on a recent list, a fortnight in)."""
    if fate == JUST_OVERDUE:
        return max(issued + timedelta(days=14), today - timedelta(days=rng.randint(2, 6)))
    if fate == LONG_OVERDUE:
        return max(issued + timedelta(days=14), today - timedelta(days=rng.randint(35, 60)))
    if fate == DUE_SOON:
        return today + timedelta(days=5)
    if fate in (NOT_DUE, APPLIED, RECTIFYING):  # applied for lately, before the deadline, or not yet due
        return today + timedelta(days=rng.randint(10, 60))
    return issued + timedelta(days=rng.choice([30, 45, 60, 90, 120]))


def _days(first, end, last, count, rng):
    """Days for ``count`` steps: the first between ``first`` and ``end``, the others within a month after it,
    all by ``last``."""
    end = max(first, min(end, last - timedelta(days=count - 1)))
    start = first + timedelta(days=rng.randint(0, (end - first).days))
    return [start, *days_between(start + timedelta(days=1), min(start + timedelta(days=30), last), count - 1, rng)]


def _drive(item, fate, rng, people, today):
    """Carry one item from its issue to its fate, each step on a day of its own before ``today``."""
    last = today - timedelta(days=1)
    unit = people["reporters"][item.responsible_unit_id]  # each unit's own reporter applies
    reviewer, evaluator = people["reviewer"], people["evaluator"]
    first = item.checklist.issued_on + timedelta(days=1)
    if fate in (NOT_DUE, DUE_SOON, JUST_OVERDUE, LONG_OVERDUE):
        _urge_until(item, today)
        return
    if fate == CLOSED:
        rectified = rng.random() < 0.15
        late = rng.random() < 0.15
        count = 2 + 2 * rectified + item.deep_review_required
        days = _days(first, item.deadline + timedelta(days=20 if late else -3), last, count, rng)
    else:  # applied for lately and waiting, or sent back lately: one application or two steps
        rectified = fate == RECTIFYING
        deep = fate == APPLIED and not Item.objects.filter(status=ItemStatus.DEEP_REVIEW).exists()
        days = _days(max(first, last - timedelta(days=30)), last, last, 1 + rectified + deep, rng)
    _urge_until(item, days[0])
    item.refresh_from_db()

    def at(hour):
        return clock.at(moment(days.pop(0), hour, rng.randint(0, 59)))

    with at(10):
        item = workflow.apply_for_closeout(item=item, actor=unit, report="已按要求完成，佐证材料见附件。")
    if fate == APPLIED:
        if deep:  # one is with the third-party evaluator, the others wait for verification
            with at(15):
                workflow.verify(
                    item=item,
                    actor=reviewer,
                    passed=True,
                    opinion="转第三方深度验收。",
                    evaluator=evaluator,
                    deep_review=True,
                )
        return
    if rectified:
        with at(15):
            item = workflow.verify(
                item=item,
                actor=reviewer,
                passed=False,
                opinion="佐证材料不完整。",
                findings="缺少过程性台账",
                fixes="补充台账和照片",
                new_deadline=clock.today() + timedelta(days=20),
            )
        if fate == RECTIFYING:
            return
        with at(10):
            item = workflow.apply_for_closeout(item=item, actor=unit, report="已补充台账和照片。")
    if not item.deep_review_required:
        with at(15):
            workflow.verify(item=item, actor=reviewer, passed=True, opinion="经核实，符合完成标准。")
        return
    with at(15) as now:
        item = workflow.verify(
            item=item, actor=reviewer, passed=True, opinion="转第三方深度验收。", evaluator=evaluator
        )
    # The workers answer the poll and the evaluator concludes while the poll is open.
    day = min(days.pop(0), timezone.localdate(now) + timedelta(days=10))
    poll = item.satisfaction_poll
    question = poll.questionnaire.questions.get(code="S1")
    for j, token in enumerate(poll.tokens.order_by("pk")[:10]):
        level = "very_satisfied" if j < 6 else "satisfied" if j < 9 else "basic"
        with clock.at(moment(day, 8 + j % 4, 5 * j)):
            survey_services.submit_poll_response(poll=poll, raw={question.pk: [level]}, token=token.token)
    with clock.at(moment(day, 16, 30)):
        workflow.record_evaluation(
            item=item,
            actor=evaluator,
            conclusion="pass",
            opinion="听汇报、查台账、看现场，职工认可。",
            report_notes="听取单位汇报",
            ledger_notes="台账齐全",
            site_notes="现场核实",
            symposium_notes="与10名职工座谈",
        )


def _urge_until(item, day):
    """The daily deadline scan (at 8:00) urges an overdue item with no application, once a week, until ``day``."""
    scan = item.deadline + timedelta(days=1)
    while scan < day:
        with clock.at(moment(scan, 8)):
            workflow.urge(item=item, actor=SYSTEM)
        scan += timedelta(days=rules.of(item.checklist, rules.URGE_INTERVAL))


def close_out_rate():
    items = Item.objects.filter(checklist__issuing_unit__name="滨海县总工会")
    return items.filter(status=ItemStatus.CLOSED).count() / items.count()

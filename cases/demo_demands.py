"""滨海's worker demands, in the shape of seed 004's 龙岗 figures: 278 demands over the registry's 131 enterprises in
the last 11 months, 236 of them resolved (84.9%), the rest partly resolved, unresolved, escalated to a park or
community council, or still being handled (a few overdue and urged), and a few sent from workers' phones still
waiting to be accepted. Most closed demands carry the worker's rating.

Each demand is written through ``cases.demand_flow`` on its own days (``clock.at``), by the demo's people where
one fits (程华 of the county office registers and calls back, 孙丽娟 of 县交通运输局 and 陈晓梅 of 东坎街道工会 reply
to theirs), so its timeline, deadlines, urging numbers and audit trail are what the pages would have written.
Each carries an ``import_key``: loading again adds nothing."""

import random
from datetime import timedelta

from django.db import transaction

import workdays
from cases import demand_flow
from cases.models import Demand, DemandResult, Enterprise, Rating
from orgs import demo as org_demo
from orgs.models import OrgUnit, User
from orgs.queries import within
from qingdan import clock
from qingdan.actors import SYSTEM
from qingdan.demo_calendar import moment

COUNTY = org_demo.BINHAI[0]
TOTAL = 278
RESOLVED = 236
# How the other 42 stand: (result or state, how many)
REST = [("partly", 15), ("unresolved", 8), ("escalated", 6), ("handling", 4), ("overdue", 4), ("submitted", 5)]
REOPENED = 2  # resolved demands the worker reopened once before they were resolved
KEY = "demo-demand-{:03d}"

CONTENTS = {
    "wages": [
        "连续两个月工资未按时发放",
        "加班费计算方式与劳动合同约定不一致",
        "年终绩效奖金迟迟未兑现",
        "最低工资标准调整后工资未同步上调",
    ],
    "hours": ["旺季每天加班超过3小时且无调休", "周末安排上班未支付加班工资", "夜班连续排班超过一周"],
    "safety": ["车间通风设备损坏未及时维修", "高温天气未发放防暑降温用品", "叉车司机未经培训即上岗"],
    "contracts": ["入职三个月仍未签订书面劳动合同", "劳动合同到期后未续签也未告知", "单方面调整工作岗位"],
    "insurance": ["企业未按实际工资基数缴纳社保", "工伤认定材料企业迟迟不提供", "新入职职工未参加医疗保险"],
    "welfare": ["职工食堂伙食质量下降", "宿舍热水供应不足", "带薪年休假无法正常休"],
    "management": ["考勤制度频繁变更未经职代会讨论", "班组长工作方式简单粗暴", "罚款规定不合理"],
    "other": ["希望开设职工子女暑托班", "上下班通勤班车线路调整"],
}
REPLIES = {
    "resolved": [
        "经协调，企业已全额补发，职工已确认收到。",
        "企业已整改到位并书面承诺不再发生。",
        "已督促企业按规定落实，职工表示认可。",
    ],
    "partly": ["企业已补发部分款项，剩余部分承诺分期支付。", "部分问题已整改，其余需企业下季度落实。"],
    "unresolved": [
        "企业经营困难，暂无法落实，已告知职工可申请劳动仲裁。",
        "双方分歧较大，调解未成，已引导职工依法维权。",
    ],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅海燕志文斌玲"
TRANSPORT_WORDS = ("交通", "公交", "港务", "物流", "运输", "港")


def _person(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _n in range(rng.choice((1, 2))))


def _phone(rng):
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def _fates(rng):
    """The 278 fates in a shuffled order: resolved, then the rest."""
    fates = ["resolved"] * RESOLVED
    for fate, count in REST:
        fates += [fate] * count
    rng.shuffle(fates)
    return fates


def _workday_back(day, unit):
    while not workdays.is_workday(day, unit=unit):
        day -= timedelta(days=1)
    return day


def _users():
    return {u.username: u for u in User.objects.filter(username__in=("office", "reporter", "dongkan"))}


def build():
    """Write the demands that are not there yet."""
    rng = random.Random(278)  # noqa: S311 - demo data, not security
    today = clock.today()
    county = OrgUnit.objects.get(code=COUNTY)
    units = {u.code: u for u in OrgUnit.objects.filter(within(county))}
    enterprises = list(Enterprise.objects.filter(within(county, "org_unit")).select_related("org_unit").order_by("id"))
    if not enterprises:
        return
    known = set(Demand.objects.filter(import_key__startswith="demo-demand-").values_list("import_key", flat=True))
    people = _users()
    office = people.get("office", SYSTEM)
    transport = units[f"{COUNTY}D008"]  # 县交通运输局 (orgs.demo.DEPARTMENTS, numbered from 1)
    labour = units[f"{COUNTY}D005"]  # 县人力资源和社会保障局
    safety = units[f"{COUNTY}D014"]  # 县应急管理局
    dongkan = units[f"{COUNTY}T001"]  # 东坎街道工会
    councils = [units[f"{COUNTY}G{n:03d}"] for n in (11, 12, 13)]  # the community federation and the two parks
    fates = _fates(rng)
    reopen_left = REOPENED
    # The demands still waiting go to the demo's repliers first, so that 孙丽娟 and 陈晓梅 find some on their desks.
    forced = {"handling": [transport, dongkan, transport, dongkan], "overdue": [transport, dongkan, labour, dongkan],
              "escalated": [transport, dongkan]}  # fmt: skip
    dongkan_firms = [e for e in enterprises if e.org_unit_id == dongkan.pk] or enterprises
    submitted_to_dongkan = 2
    for n, fate in enumerate(fates, 1):
        key = KEY.format(n)
        # Draws happen for every demand, written or not, so a second load makes the same choices.
        enterprise = rng.choice(enterprises)
        if n % 9 == 0:  # a share of 东坎's firms, so that its union has replies to write
            enterprise = rng.choice([e for e in enterprises if e.org_unit_id == dongkan.pk] or enterprises)
        category = rng.choice(list(CONTENTS))
        content = rng.choice(CONTENTS[category])
        name, phone, size = _person(rng), _phone(rng), rng.choice((1, 1, 1, 1, 2, 3, 5, 12, 30))
        if fate == "submitted":
            days_ago = rng.randint(0, 3)
        elif fate == "handling":
            days_ago = rng.randint(0, 2)
        elif fate == "overdue":
            days_ago = rng.randint(8, 20)
        elif fate == "escalated":
            days_ago = rng.randint(1, 6)
        else:
            days_ago = rng.randint(3, 330)
        received = _workday_back(today - timedelta(days=days_ago), county)
        hour = rng.randint(8, 16)
        reply_after = rng.choice((1, 1, 2, 2, 3, 3, 3, 4, 5))
        callback_after = rng.randint(2, 6)
        rating_roll, reopen_roll = rng.random(), rng.random()
        source = rng.choice(("hotline", "hotline", "walk_in", "walk_in", "grid", "phone"))
        if fate == "submitted" and submitted_to_dongkan:
            submitted_to_dongkan -= 1
            enterprise = dongkan_firms[n % len(dongkan_firms)]
        if key in known:
            continue
        if enterprise.org_unit_id == dongkan.pk or n % 9 == 0:
            handler = dongkan
        elif any(word in enterprise.name for word in TRANSPORT_WORDS) or n % 11 == 0:
            handler = transport
        elif category in ("wages", "contracts", "insurance"):
            handler = labour if n % 2 else enterprise.org_unit
        elif category == "safety":
            handler = safety
        else:
            handler = enterprise.org_unit
        if forced.get(fate):
            handler = forced[fate].pop(0)
        registering = dongkan if enterprise.org_unit_id == dongkan.pk and "dongkan" in people else county
        registrar = people["dongkan"] if registering == dongkan else office
        replier = {transport.pk: people.get("reporter"), dongkan.pk: people.get("dongkan")}.get(handler.pk) or SYSTEM
        facts = {"enterprise": enterprise, "category": category, "content": content, "worker_name": name,
                 "worker_phone": phone, "group_size": size}  # fmt: skip
        with transaction.atomic():
            if fate == "submitted" or source == "phone":
                with clock.at(moment(received, hour)):
                    demand, code = demand_flow.submit_demand(**facts)
                Demand.objects.filter(pk=demand.pk).update(import_key=key)
                if fate == "submitted":
                    continue
                accepter = people["dongkan"] if demand.org_unit_id == dongkan.pk and "dongkan" in people else SYSTEM
                with clock.at(moment(received, min(hour + 1, 17), 30)):
                    demand = demand_flow.accept_demand(
                        demand=demand, actor=accepter, version=demand.version, handling_unit=handler
                    )
            else:
                with clock.at(moment(received, hour)):
                    demand, code = demand_flow.register_demand(
                        actor=registrar, org_unit=registering, source=source,
                        handling_unit=handler, received_on=received, import_key=key, **facts,
                    )  # fmt: skip
            if fate == "handling":
                continue
            if fate == "overdue":
                with clock.at(moment(demand.reply_due + timedelta(days=1), 9)):
                    demand = demand_flow.urge_demand(demand=demand, actor=office, version=demand.version)
                continue
            reply_day = workdays.add(received, reply_after, unit=county)
            if reply_day > today:
                reply_day = today
            if fate == "escalated":
                council = councils[n % len(councils)]
                with clock.at(moment(reply_day, 15)):
                    demand_flow.reply_demand(
                        demand=demand, actor=replier, version=demand.version, result=DemandResult.BEYOND,
                        reply="涉及园区多家企业的共性问题，超出单个企业处理范围，提请园区（社区）工会联合会协调。",
                        escalate_to=council,
                    )  # fmt: skip
                continue
            if fate == "resolved" and reopen_left and reopen_roll < 0.05 and days_ago > 60:
                reopen_left -= 1
                with clock.at(moment(reply_day, 15)):
                    demand = demand_flow.reply_demand(demand=demand, actor=replier, version=demand.version,
                                                      result="partly", reply=REPLIES["partly"][0])  # fmt: skip
                reply_day = workdays.add(reply_day, 2, unit=county)
                with clock.at(moment(reply_day, 10)):
                    demand = demand_flow.reopen_demand(code=code, reason="剩余部分至今未兑现。")
                reply_day = workdays.add(reply_day, 2, unit=county)
            with clock.at(moment(reply_day, 16)):
                demand = demand_flow.reply_demand(demand=demand, actor=replier, version=demand.version,
                                                  result=fate, reply=rng.choice(REPLIES[fate]))  # fmt: skip
            callback_day = reply_day + timedelta(days=callback_after)
            if callback_day >= today:
                continue  # replied lately: the call-back is still to come
            with clock.at(moment(callback_day, 10)):
                callback_actor = registrar if demand.org_unit_id == getattr(registrar.org_unit, "pk", None) else SYSTEM
                demand = demand_flow.call_back(demand=demand, actor=callback_actor, version=demand.version,
                                               note="已电话回访职工，职工知悉办理结果。")  # fmt: skip
                if rating_roll < 0.88:
                    rating = {
                        "resolved": Rating.VERY_SATISFIED if rating_roll < 0.5 else Rating.SATISFIED,
                        "partly": Rating.FAIRLY,
                        "unresolved": Rating.DISSATISFIED,
                    }[fate]
                    demand_flow.rate_demand(code=code, rating=rating)


def summary():
    county = OrgUnit.objects.get(code=COUNTY)
    demands = Demand.objects.filter(within(county, "org_unit"))
    total = demands.count()
    resolved = demands.filter(result=DemandResult.RESOLVED).count()
    rate = resolved / total if total else 0
    return f"{total} worker demands in 滨海, {resolved} resolved ({rate:.1%})"

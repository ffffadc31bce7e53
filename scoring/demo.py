"""The assessment demo (计分制量化考核, seed 004): 滨海县总工会 assesses its 13 town and street unions
(乡镇（街道）工会) with a 200-point rubric modelled on 张家口's, and links the results to a fund pool.

The first half of 2026 is replayed as of its own days: the services date every record by the clock
(urgings, applications, answers, rounds), never by an argument, so ``_clock`` sets the clock while a
day's work runs. 示范市总工会 supervises the towns' reports with lists of its own (the county's 127
lists of seed 000 stay as they are); the towns that reported late were urged in June, and each urging
costs them 2 points. The half-year round is published with the fund pool split; the round for the
whole year is open for self-assessment today.
"""

import random
from contextlib import ExitStack, contextmanager
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from unittest import mock

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from checklists import services as checklist_services
from checklists import workflow as checklist_workflow
from orgs import services as org_services
from orgs.models import OrgKind, OrgUnit, Role, User
from scoring import rubrics, workflow
from scoring.models import EventKind, Kind, Level, Result, Round, RoundStatus, Rubric, Score
from surveys import services as survey_services
from surveys.models import PollMode

RUBRIC = "滨海县乡镇（街道）工会工作考核办法"
HALF_YEAR = "2026年上半年乡镇（街道）工会工作考核"
FULL_YEAR = "2026年度乡镇（街道）工会工作考核"
HALF = (date(2026, 1, 1), date(2026, 6, 30))
YEAR = (date(2026, 1, 1), date(2026, 12, 31))
POOL, BASE, FLOOR = 1_000_000, 30_000, 120

CITY_USER = ("city", "刘卫东", "13805150110")
# One reporter per town union, in the order of ``orgs.demo.TOWNS`` (codes T001…T013): they self-assess.
TOWN_USERS = [
    ("dongkan", "陈晓梅"),
    ("kanbei", "刘志强"),
    ("wuxun", "徐海波"),
    ("caiqiao", "蔡文静"),
    ("zhenghong", "朱红梅"),
    ("tongyu", "杨建华"),
    ("jiepai", "马国庆"),
    ("baju", "胡晓燕"),
    ("batan", "何永生"),
    ("binhuai", "高丽萍"),
    ("tianchang", "韩伟"),
    ("chentao", "冯雪"),
    ("binhaigang", "孟凡军"),
]
# How well each town works (0–1): its manual scores, its workers' satisfaction.
STRENGTH = [0.95, 0.85, 0.9, 0.5, 0.7, 0.6, 0.45, 0.8, 0.75, 0.65, 0.4, 0.3, 0.55]


def _manual(name, points, description):
    return {"name": name, "kind": Kind.MANUAL, "max_points": points, "description": description}


def _ratio(name, points, metric, description):
    return {"name": name, "kind": Kind.RATIO, "max_points": points, "metric": metric, "description": description}


def _tiered(name, points, metric, tiers, description):
    return {
        "name": name,
        "kind": Kind.TIERED,
        "max_points": points,
        "metric": metric,
        "tiers": [{"from": start, "points": value} for start, value in tiers],
        "description": description,
    }


def _each(name, points_each, metric, cap, description):
    return {
        "name": name,
        "kind": Kind.PER_OCCURRENCE,
        "points_each": points_each,
        "cap": cap,
        "metric": metric,
        "description": description,
    }


# (name, points, criteria, subsections, floor): 200 points, 77 of them (38.5%) judged by hand.
SECTIONS = [
    (
        "党的建设",
        34,
        [
            _manual("政治理论学习", 8, "落实“第一议题”制度，理论学习中心组学习和面向职工的宣讲。"),
            _manual("党建带工建", 8, "党组织定期听取工会工作汇报，党群服务阵地共建共用。"),
            _manual("意识形态工作", 6, "落实意识形态工作责任制，掌握职工思想动态，妥善处置网上舆情。"),
            _each(
                "宣传思想工作", 2, "praise_city", 12, "市级以上领导批示肯定或市级以上媒体报道，每次加2分，最高12分。"
            ),
        ],
        [],
        None,
    ),
    (
        "业务工作",
        105,
        [],
        [
            (
                "基础工作",
                40,
                [
                    _ratio("清单销号率", 15, "close_out_rate", "已销号事项÷交办事项×15分。"),
                    _tiered(
                        "按期销号率",
                        10,
                        "on_time_rate",
                        [(50, 10), (35, 7), (20, 4), (10, 2)],
                        "按期销号率达50%得10分，35%得7分，20%得4分，10%得2分。",
                    ),
                    _ratio("一次验收通过率", 10, "first_pass_rate", "未经整改一次通过验收的事项÷已销号事项×10分。"),
                    _ratio("调查问卷填报率", 5, "survey_completeness", "按时提交的问卷÷收到的问卷×5分。"),
                ],
                [],
                None,
            ),
            (
                "重点工作",
                55,
                [
                    _manual("职工思想政治引领", 8, "劳模工匠宣讲、职工思想政治工作。"),
                    _manual("困难职工帮扶", 8, "困难职工建档、走访、帮扶；困难职工档案上线前由考核组评定。"),
                    _tiered(
                        "产改责任清单落实",
                        10,
                        "close_out_rate",
                        [(95, 10), (90, 8), (80, 5), (60, 2)],
                        "产改责任清单销号率达95%得10分，90%得8分，80%得5分，60%得2分。",
                    ),
                    _tiered(
                        "职工满意度",
                        10,
                        "satisfaction_rate",
                        [(90, 10), (85, 8), (80, 6), (70, 3)],
                        "职工满意度测评（非常满意＋满意）达90%得10分，85%得8分，80%得6分，70%得3分。",
                    ),
                    _tiered(
                        "基层工会规范化建设",
                        9,
                        "survey_completeness",
                        [(100, 9), (80, 6), (50, 3)],
                        "辖区基层工会按时填报规范化建设调查：全部填报得9分，80%得6分，50%得3分。",
                    ),
                    _tiered(
                        "问题整改质量",
                        10,
                        "first_pass_rate",
                        [(90, 10), (80, 7), (70, 4), (60, 2)],
                        "一次验收通过率达90%得10分，80%得7分，70%得4分，60%得2分。",
                    ),
                ],
                [],
                None,
            ),
            ("创新工作", 10, [_manual("工作创新", 10, "创新项目经县总工会认定，形成可复制推广的经验。")], [], None),
        ],
        None,
    ),
    (
        "汇报评价",
        40,
        [
            _manual("述职评议", 14, "乡镇（街道）工会主席向考核组述职，考核组听取汇报并评议。"),
            _ratio("职工满意度测评", 16, "satisfaction_rate", "职工满意度测评的满意率×16分。"),
            _ratio("督办事项按时办结", 10, "on_time_rate", "按期销号事项÷交办事项×10分。"),
        ],
        [],
        None,
    ),
    (
        "加分项目",
        21,
        [
            {
                "name": "困难职工家庭6月30日前全部脱困",
                "kind": Kind.CONDITION,
                "max_points": 15,
                "condition_by": date(2026, 6, 30),
                "description": "辖区困难职工家庭6月30日前全部脱困加15分；困难职工档案上线前由单位自评、考核组核实。",
            },
            _each("参加上级工会培训", 1, "training_attended", 1, "班子成员按要求参加上级工会培训加1分。"),
            _each(
                "省级领导批示或省级媒体报道",
                3,
                "praise_provincial",
                5,
                "省级以上领导批示或省级以上媒体报道每次加3分，最高5分。",
            ),
        ],
        [],
        None,
    ),
    (
        "扣分项目",
        0,
        [
            _each(
                "未按要求报送督办事项办理情况",
                -2,
                "urgings_received",
                None,
                "督办事项逾期未报送办理情况、收到催办通知书的，每次扣2分。",
            ),
            {
                "name": "重大安全事故或群体性事件",
                "kind": Kind.VETO,
                "metric": "incidents",
                "description": "辖区发生重大安全事故或因工作失职引发群体性事件的，实行一票否决，不得评为优秀。",
            },
        ],
        [],
        -20,
    ),
]

# What each town writes for the criteria judged by hand (rng fills the numbers).
SELF_REASONS = {
    "政治理论学习": "组织理论学习中心组学习{a}次，面向职工宣讲{b}场，学习台账齐全。",
    "党建带工建": "党委每季度听取工会工作汇报，共建党群服务阵地{a}处。",
    "意识形态工作": "开展职工思想动态分析{a}次，落实意识形态工作责任制，未发生舆情事件。",
    "职工思想政治引领": "开展“劳模工匠进基层”宣讲{a}场，覆盖职工{b}人次。",
    "困难职工帮扶": "困难职工建档{a}户，上半年走访慰问{b}户次，发放帮扶资金{c}万元。",
    "工作创新": "“{project}”项目运行{a}个月，形成工作制度{b}项。",
    "述职评议": "工会主席已向考核组述职，书面报告及佐证材料已报送。",
}
PROJECTS = ["小哥驿站", "工会+网格", "职工议事厅", "技能夜校", "暖心食堂", "法律服务进园区", "职工心灵驿站"]


@contextmanager
def _clock(day, hour=9):
    """Run the services as of ``day`` at ``hour`` (Shanghai): every ``timezone.now()`` and every field
    defaulting to it give that moment. Clocks nest: an inner one sets the hour of one step of the day."""
    moment = datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())
    real = timezone.now

    def now():
        return moment

    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(timezone, "now", now))
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if field.default is real:
                    stack.enter_context(mock.patch.dict(field.__dict__, {"_get_default": now}))
        # One transaction for the moment's work (SQLite commits are slow); what runs on commit, such as
        # notifications, still runs under this clock.
        stack.enter_context(transaction.atomic())
        yield moment


def _half(number):
    """Points to the half point, as a panel gives them."""
    return (Decimal(str(number)) * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2


def build(password):
    """The rubric, the half-year's records and both rounds; does nothing when the rubric exists."""
    office = User.objects.get(username="office")
    county = office.org_unit
    if Rubric.objects.filter(owner_unit=county, name=RUBRIC).exists():
        return
    rng = random.Random(404)  # noqa: S311 - demo data, not security
    towns = list(OrgUnit.objects.filter(parent=county, kind=OrgKind.TOWN).order_by("code"))
    with transaction.atomic():
        city_office, people = _users(county, towns, password)
    with _clock(date(2026, 2, 10), 10):
        rubric = _rubric(office)
    plan = []
    _supervision(plan, city_office, towns, people)
    _survey(plan, office, towns, people, rng)
    _polls(plan, office, towns, rng)
    _events(plan, office, towns)
    plan.sort(key=lambda entry: (entry[0], entry[1]))
    for day, steps in groupby(plan, key=lambda entry: entry[0].date()):
        with _clock(day, 20):  # the day's work is committed in the evening
            for moment, _order, step in steps:
                with _clock(day, moment.hour):
                    step()
    _half_year(rubric, office, towns, people, rng)
    with transaction.atomic():
        _full_year(rubric, office, towns, people, rng)


def _users(county, towns, password):
    """示范市总工会's office clerk and one reporter per town union (created once, with the demo password)."""
    city = county.parent
    username, full_name, phone = CITY_USER
    city_office = User.objects.filter(username=username).first() or org_services.create_user(
        username=username,
        full_name=full_name,
        org_unit=city,
        roles=[Role.OFFICE],
        password=password,
        phone=phone,
        actor=None,
    )
    people = []
    for i, (town, (name, full)) in enumerate(zip(towns, TOWN_USERS, strict=True)):
        user = User.objects.filter(username=name).first() or org_services.create_user(
            username=name,
            full_name=full,
            org_unit=town,
            roles=[Role.REPORTER],
            password=password,
            phone=f"138051502{i:02d}",
            actor=None,
        )
        people.append(user)
    return city_office, people


def _rubric(office):
    rubric = rubrics.create_rubric(
        actor=office,
        name=RUBRIC,
        year=2026,
        full_marks=200,
        excellent_from=160,
        good_from=145,
        pass_from=FLOOR,
        max_manual_share=40,
    )

    def add(specs, parent):
        for name, points, criteria, children, floor in specs:
            section = rubrics.add_section(
                rubric=rubric, actor=office, name=name, max_points=points, parent=parent, floor=floor
            )
            add(children, section)
            for criterion in criteria:
                rubrics.add_criterion(section=section, actor=office, **criterion)

    add(SECTIONS, None)
    rubric.refresh_from_db()
    return rubric


def _at(day, hour=9):
    return datetime.combine(day, time(hour))


# ---------------------------------------------------------------------------- the half-year's records

# The city's two report items: (content, standard, deadline); when each town applied (days after the
# first application day) and which towns were late, on which day.
REPORTS = [
    ("报送乡镇（街道）工会规范化建设自查报告", "对照达标标准逐项自查，报告经党委审核", date(2026, 5, 29)),
    ("报送上半年困难职工帮扶工作台账", "台账逐户填写帮扶措施和脱困情况", date(2026, 6, 19)),
]
FIRST_APPLICATION = [date(2026, 5, 20), date(2026, 6, 10)]
LATE = [
    {3: date(2026, 6, 3), 10: date(2026, 6, 10), 11: date(2026, 6, 16)},  # 蔡桥, 天场, 陈涛
    {3: date(2026, 6, 24), 12: date(2026, 6, 23), 6: date(2026, 6, 30)},  # 蔡桥, 滨海港, 界牌
]
SCANS = [date(2026, 6, 1) + timedelta(weeks=n) for n in range(5)]  # the deadline scan, every Monday
SENT_BACK = {(0, 4), (1, 9)}  # (report, town): failed at the first verification


def _supervision(plan, city_office, towns, people):
    """The city's report lists to each town, issued in April; applications, urgings and verifications."""
    items = {}

    def issue():
        for t, town in enumerate(towns):
            checklist = checklist_services.issue_checklist(
                actor=city_office,
                responsible_unit=town,
                title=f"{town.name}2026年上半年督办事项报送清单",
                doc_number=f"示工办〔2026〕{21 + t}号",
                issued_on=date(2026, 4, 13),
                items=[
                    {"content": c, "standard": s, "deadline": d, "deep_review_required": False, "person_in_charge": ""}
                    for c, s, d in REPORTS
                ],
            )
            for r, item in enumerate(checklist.items.order_by("deadline", "pk")):
                items[r, t] = item

    def scan(day):
        def run():
            for item in sorted(items.values(), key=lambda i: i.pk):
                item.refresh_from_db()
                if item.status in checklist_workflow.URGEABLE and item.deadline < day:
                    checklist_workflow.urge(item=item, actor=None, today=day)

        return run

    def apply(r, t, report):
        def run():
            item = items[r, t]
            item.refresh_from_db()
            checklist_workflow.apply_for_closeout(item=item, actor=people[t], report=report)

        return run

    def verify(r, t, passed):
        def run():
            item = items[r, t]
            item.refresh_from_db()
            if passed:
                checklist_workflow.verify(item=item, actor=city_office, passed=True, opinion="材料齐全，予以销号。")
            else:
                checklist_workflow.verify(
                    item=item,
                    actor=city_office,
                    passed=False,
                    opinion="报告缺少党委审核意见。",
                    findings="自查报告未经党委审核",
                    fixes="补充党委审核意见后重新报送",
                    new_deadline=timezone.localdate() + timedelta(days=10),
                )

        return run

    plan.append((_at(date(2026, 4, 13), 10), 0, issue))
    for day in SCANS:
        plan.append((_at(day, 8), 0, scan(day)))
    for r in range(len(REPORTS)):
        for t in range(len(towns)):
            applied = LATE[r].get(t, FIRST_APPLICATION[r] + timedelta(days=t % 5))
            plan.append((_at(applied, 10), 1, apply(r, t, "已按要求报送，材料见附件。")))
            if (r, t) in SENT_BACK:
                plan.append((_at(applied + timedelta(days=2), 15), 2, verify(r, t, False)))
                applied += timedelta(days=4)
                plan.append((_at(applied, 10), 1, apply(r, t, "已补充党委审核意见。")))
            plan.append((_at(applied + timedelta(days=2), 15), 2, verify(r, t, True)))


SURVEY = "2026年上半年基层工会基础数据核查"
YES_NO = [("是", 100), ("否", 0)]


def _survey(plan, office, towns, people, rng):
    """A data check sent in May to the towns and the unions under them; most answered by 12 June."""
    state = {}

    def send():
        survey = survey_services.create_questionnaire(
            title=SURVEY, owner_unit=office.org_unit, actor=office, description="核查会员人数和服务阵地，更新基础数据。"
        )
        for code, text, kind, options, extra in [
            ("Q1", "工会会员人数", "number", (), {"min_value": 0, "max_value": 100000}),
            ("Q2", "是否建成职工之家并正常开放", "single", YES_NO, {}),
            ("Q3", "上半年开展职工服务活动次数", "number", (), {"min_value": 0, "max_value": 500}),
        ]:
            survey_services.add_question(
                questionnaire=survey,
                section_title="基础数据",
                code=code,
                text=text,
                kind=kind,
                options=options,
                actor=office,
                **extra,
            )
        units = OrgUnit.objects.filter(parent__in=towns) | OrgUnit.objects.filter(pk__in=[t.pk for t in towns])
        state["distribution"] = survey_services.distribute(
            questionnaire=survey,
            title=SURVEY,
            units=units.order_by("path"),
            actor=office,
            opens_on=date(2026, 5, 11),
            closes_on=date(2026, 6, 12),
        )
        state["questions"] = {q.code: q for q in survey.questions.prefetch_related("options")}

    def answer(position, submit):
        def run():
            target = state["distribution"].targets.select_related("org_unit").order_by("org_unit__path")[position]
            questions = state["questions"]
            yes = next(o for o in questions["Q2"].options.all() if o.label == "是")
            raw = {
                questions["Q1"].pk: [str(rng.randint(80, 2400))],
                questions["Q2"].pk: [yes.value],
                questions["Q3"].pk: [str(rng.randint(3, 40))],
            }
            reporter = next((p for p in people if p.org_unit_id == target.org_unit_id), None)
            survey_services.save_unit_response(
                target=target, raw=raw, actor=reporter, submit=submit, version=target.version
            )

        return run

    plan.append((_at(date(2026, 5, 11), 9), 0, send))
    town_ids = {t.pk for t in towns}
    units = sorted(
        [*towns, *OrgUnit.objects.filter(parent__in=towns)], key=lambda unit: unit.path
    )  # the targets' order
    for position, unit in enumerate(units):
        if unit.pk in town_ids:
            t = towns.index(unit)
            if t == 11:  # 陈涛 never started
                continue
            submit = t != 10  # 天场 saved a draft and never submitted
        else:
            if rng.random() < 0.15:
                continue
            submit = True
        plan.append(
            (_at(date(2026, 5, 12) + timedelta(days=rng.randint(0, 30)), 14), position + 1, answer(position, submit))
        )


POLL_FORM = "乡镇（街道）工会职工满意度测评"
LEVELS = ["very_satisfied", "satisfied", "basic", "unsatisfied"]


def _polls(plan, office, towns, rng):
    """A satisfaction poll of each town's workers in June: 12 links, most answered."""
    polls = {}

    def open_polls():
        form = survey_services.create_questionnaire(
            title=POLL_FORM, owner_unit=office.org_unit, actor=office, kind="worker"
        )
        survey_services.add_question(
            questionnaire=form,
            section_title="满意度",
            code="S1",
            text="您对本镇（街道）工会上半年工作的总体评价",
            kind="satisfaction",
            actor=office,
        )
        closes = datetime.combine(date(2026, 6, 26), time(18), tzinfo=timezone.get_current_timezone())
        for t, town in enumerate(towns):
            polls[t] = survey_services.create_poll(
                questionnaire=form,
                title=f"{town.name}2026年上半年职工满意度测评",
                subject_unit=town,
                actor=office,
                closes_at=closes,
                mode=PollMode.TOKENS,
                token_count=12,
            )
        polls["question"] = form.questions.get(code="S1")

    def answer(t, n, level):
        def run():
            poll = polls[t]
            token = poll.tokens.order_by("pk")[n]
            survey_services.submit_poll_response(poll=poll, raw={polls["question"].pk: [level]}, token=token.token)

        return run

    plan.append((_at(date(2026, 6, 5), 9), 0, open_polls))
    for t, strength in enumerate(STRENGTH):
        for n in range(rng.randint(10, 12)):
            draw = rng.random()
            satisfied = 0.62 + 0.36 * strength
            level = LEVELS[0 if draw < satisfied * 0.6 else 1 if draw < satisfied else 2 if draw < 0.97 else 3]
            plan.append(
                (_at(date(2026, 6, 8) + timedelta(days=rng.randint(0, 17)), 19), 10 * t + n + 1, answer(t, n, level))
            )


# (town, kind, level, day, title, source); recorded two days later.
# fmt: off
EVENTS = [
    (0, EventKind.COMMENDATION, Level.PROVINCE, date(2026, 3, 18), "省总工会主要领导批示肯定东坎街道新就业形态劳动者入会工作", "省总工会"),
    (1, EventKind.MEDIA, Level.CITY, date(2026, 3, 26), "《示范日报》报道坎北街道“职工议事厅”", "示范日报"),
    (7, EventKind.MEDIA, Level.CITY, date(2026, 4, 8), "《示范日报》报道八巨镇困难职工精准帮扶", "示范日报"),
    *[
        (t, EventKind.TRAINING, Level.CITY, date(2026, 4, 16), "参加全市乡镇（街道）工会主席培训班", "示范市总工会")
        for t in (0, 1, 2, 4, 5, 7, 8, 9, 12)
    ],
    (0, EventKind.MEDIA, Level.NATIONAL, date(2026, 4, 22), "《工人日报》报道东坎街道“小哥驿站”", "工人日报"),
    (7, EventKind.INCIDENT, Level.CITY, date(2026, 5, 7), "辖区企业欠薪引发职工群体性上访，镇工会未及时报告", "县信访局"),
    (2, EventKind.MEDIA, Level.PROVINCE, date(2026, 5, 12), "《江苏工人报》报道五汛镇职工技能竞赛", "江苏工人报"),
    (9, EventKind.MEDIA, Level.CITY, date(2026, 5, 19), "示范电视台报道滨淮镇“技能夜校”", "示范电视台"),
    (0, EventKind.COMMENDATION, Level.PROVINCE, date(2026, 5, 30), "省总工会分管领导批示推广东坎街道“工会+网格”做法", "省总工会"),
    (7, EventKind.COMMENDATION, Level.CITY, date(2026, 6, 3), "市委分管领导批示肯定八巨镇困难职工帮扶工作", "示范市委"),
    (8, EventKind.COMMENDATION, Level.CITY, date(2026, 6, 11), "市总工会主席批示肯定八滩镇职工书屋建设", "示范市总工会"),
    # The second half of the year, for the round of the whole year.
    (5, EventKind.MEDIA, Level.CITY, date(2026, 8, 5), "《示范日报》报道通榆镇暑期职工子女托管", "示范日报"),
    (1, EventKind.COMMENDATION, Level.PROVINCE, date(2026, 8, 20), "省总工会领导批示肯定坎北街道职工议事厅做法", "省总工会"),
    *[
        (t, EventKind.TRAINING, Level.PROVINCE, date(2026, 9, 23), "参加全省基层工会干部培训班", "省总工会")
        for t in (3, 6, 10, 11)
    ],
    (0, EventKind.MEDIA, Level.CITY, date(2026, 10, 10), "示范电视台报道东坎街道快递小哥暖心驿站", "示范电视台"),
]
# fmt: on


def _events(plan, office, towns):
    def record(t, kind, level, day, title, source):
        def run():
            workflow.record_event(
                actor=office, unit=towns[t], kind=kind, level=level, happened_on=day, title=title, source=source
            )

        return run

    for n, (t, kind, level, day, title, source) in enumerate(EVENTS):
        plan.append((_at(day + timedelta(days=2), 16), n, record(t, kind, level, day, title, source)))

    def mistaken():  # entered twice by mistake and withdrawn: it stays on record and counts for nothing
        event = workflow.record_event(
            actor=office,
            unit=towns[5],
            kind=EventKind.MEDIA,
            level=Level.CITY,
            happened_on=date(2026, 8, 5),
            title="《示范日报》报道通榆镇暑期职工子女托管",
            source="示范日报",
        )
        workflow.withdraw_event(event=event, actor=office, reason="重复录入")

    plan.append((_at(date(2026, 8, 7), 17), 99, mistaken))


# ---------------------------------------------------------------------------- the rounds


def _self_assess(round, town, person, strength, rng, only=None):
    criteria = workflow.criteria_for_self_assessment(round)
    scores = {s.criterion_id: s for s in Score.objects.filter(round=round, unit=town)}
    entered = {}
    for criterion in criteria[:only]:
        score = scores[criterion.pk]
        if criterion.kind == Kind.CONDITION:
            families = rng.randint(3, 12)
            if strength >= 0.5:
                met_on = date(2026, 6, rng.randint(5, 28))
                reason = f"辖区{families}户困难职工家庭已于{met_on.month}月{met_on.day}日前全部脱困，档案已更新。"
            else:
                met_on = None
                reason = f"尚有{rng.randint(1, 3)}户困难职工家庭因病未脱困，已纳入兜底保障。"
            workflow.self_assess(score=score, actor=person, reason=reason, met_on=met_on)
            entered[criterion.pk] = criterion.max_points if met_on else Decimal(0)
            continue
        points = min(
            criterion.max_points,
            _half(criterion.max_points * Decimal(0.76 + 0.22 * strength + rng.uniform(-0.03, 0.03))),
        )
        reason = SELF_REASONS[criterion.name].format(
            a=rng.randint(2, 12), b=rng.randint(20, 600), c=rng.randint(3, 30), project=rng.choice(PROJECTS)
        )
        workflow.self_assess(score=score, actor=person, reason=reason, points=points)
        entered[criterion.pk] = points
    return entered


def _half_year(rubric, office, towns, people, rng):
    """Created and opened on 6 July, self-assessed, reviewed, published on 20 July with the fund pool."""
    reviewer = User.objects.get(username="reviewer")
    with _clock(date(2026, 7, 6), 10):
        round = workflow.create_round(
            actor=office, rubric=rubric, name=HALF_YEAR, period_start=HALF[0], period_end=HALF[1], units=towns
        )
        round = workflow.open_self_assessment(round=round, actor=office)
    entered = {}
    for t, (town, person) in enumerate(zip(towns, people, strict=True)):
        with _clock(date(2026, 7, 8 + t % 3), 9 + t % 8):
            entered[t] = _self_assess(round, town, person, STRENGTH[t], rng)
            workflow.submit_self_assessment(result=Result.objects.get(round=round, unit=town), actor=person)
    with _clock(date(2026, 7, 13), 9):
        round = workflow.start_review(round=round, actor=office)
    criteria = {c.pk: c for c in workflow.criteria_for_self_assessment(round)}
    for t, town in enumerate(towns):
        with _clock(date(2026, 7, 14 + t % 2), 9 + t % 8):
            for score in Score.objects.filter(round=round, unit=town, criterion__in=criteria).order_by("criterion"):
                criterion = criteria[score.criterion_id]
                claimed = entered[t][criterion.pk]
                if criterion.kind == Kind.CONDITION:
                    if claimed and t == 9:  # 滨淮: one family's income check came back below the standard
                        workflow.review(
                            score=score,
                            actor=reviewer,
                            points=0,
                            reason="经核对困难职工档案，尚有1户收入未达脱困标准。",
                        )
                    else:
                        workflow.review(score=score, actor=reviewer, points=claimed, reason="与困难职工档案核对一致。")
                    continue
                cut = rng.choice([0, 0, 0, Decimal("0.5"), Decimal("0.5"), 1])
                points = max(Decimal(0), claimed - cut)
                reason = "材料属实，予以认可。" if not cut else f"佐证材料不够充分，核减{cut}分。"
                workflow.review(score=score, actor=reviewer, points=points, reason=reason)
    with _clock(date(2026, 7, 16), 15):
        score = Score.objects.get(round=round, unit=towns[3], criterion__name="述职评议")
        workflow.adjust(
            score=score, actor=office, points=score.reviewed + 1, reason="考核组复议：述职补充材料经核实，加1分。"
        )
    with _clock(date(2026, 7, 17), 10):
        workflow.set_funds(round=round, actor=office, method="pool", pool=POOL, base=BASE, floor=FLOOR)
    with _clock(date(2026, 7, 20), 10):
        round.refresh_from_db()
        workflow.publish(round=round, actor=office)


def _full_year(rubric, office, towns, people, rng):
    """Opened today; 东坎 has submitted its self-assessment, 坎北 has begun."""
    round = workflow.create_round(
        actor=office, rubric=rubric, name=FULL_YEAR, period_start=YEAR[0], period_end=YEAR[1], units=towns
    )
    round = workflow.open_self_assessment(round=round, actor=office)
    _self_assess(round, towns[0], people[0], STRENGTH[0], rng)
    workflow.submit_self_assessment(result=Result.objects.get(round=round, unit=towns[0]), actor=people[0])
    _self_assess(round, towns[1], people[1], STRENGTH[1], rng, only=3)


def summary():
    """One line for ``load_demo``."""
    published = Round.objects.filter(name=HALF_YEAR, status=RoundStatus.PUBLISHED).first()
    if published is None:
        return "No assessment demo."
    results = published.results.all()
    return (
        f"assessment of the 13 town unions: {HALF_YEAR} published "
        f"(top score {max(r.total for r in results)}, ¥{sum(r.fund_amount for r in results):,.2f} allocated), "
        f"{FULL_YEAR} in self-assessment"
    )


def users():
    """The log-ins the assessment demo adds, as ``load_demo`` prints them."""
    lines = []
    city = User.objects.filter(username=CITY_USER[0]).select_related("org_unit").first()
    if city is not None:
        lines.append(f"{city.username:<10} {Role.OFFICE.label:<8} {city.full_name}  {city.org_unit.name}")
    towns = User.objects.filter(username__in=[name for name, _full in TOWN_USERS]).select_related("org_unit")
    first = towns.filter(username=TOWN_USERS[0][0]).first()
    if first is not None:
        lines.append(
            f"{first.username:<10} {Role.REPORTER.label:<8} {first.full_name}  {first.org_unit.name} "
            f"(and {', '.join(name for name, _full in TOWN_USERS[1:])}: one per town union)"
        )
    return lines

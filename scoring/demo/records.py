"""The half-year's records the assessment demo replays day by day: the city's supervision of the towns'
reports, the data check, the satisfaction polls and the recorded events; and ``_clock``, which runs them as of
their own day."""

from contextlib import contextmanager
from datetime import datetime, time, timedelta

from django.db import transaction

from checklists import services as checklist_services
from checklists import workflow as checklist_workflow
from orgs.models import OrgUnit
from qingdan import clock
from qingdan.actors import SYSTEM
from qingdan.demo_calendar import moment
from scoring import events
from scoring.demo.people import STRENGTH
from scoring.models import EventKind, Level
from surveys import services as survey_services
from surveys.models import PollMode


@contextmanager
def _clock(day, hour=9):
    """Run the services as of ``day`` at ``hour`` (China time), in one transaction for the moment's work
    (SQLite commits are slow); what runs on commit, such as notifications, still runs at that moment."""
    with clock.at(moment(day, hour)) as now, transaction.atomic():
        yield now


def _at(day, hour=9):
    return datetime.combine(day, time(hour))


# Days are (month, day) in the assessed half's own months (``Half.day``): 1–6 within it, 7 and on after it.
# The city's two report items: (content, standard, deadline); when each town applied (days after the
# first application day) and which towns were late, on which day.
REPORTS = [
    ("报送乡镇（街道）工会规范化建设自查报告", "对照达标标准逐项自查，报告经党委审核", (5, 29)),
    ("报送半年困难职工帮扶工作台账", "台账逐户填写帮扶措施和脱困情况", (6, 19)),
]
FIRST_APPLICATION = [(5, 20), (6, 10)]
LATE = [
    {3: (6, 3), 10: (6, 10), 11: (6, 16)},  # 蔡桥, 天场, 陈涛
    {3: (6, 24), 12: (6, 23), 6: (6, 30)},  # 蔡桥, 滨海港, 界牌
]
SCANS = [(6, 1 + 7 * n) for n in range(5)]  # the deadline scan, once a week
SENT_BACK = {(0, 4), (1, 9)}  # (report, town): failed at the first verification


def _supervision(plan, half, city_office, towns, people):
    """The city's report lists to each town, issued in the half's fourth month; applications, urgings and
    verifications."""
    items = {}

    def issue():
        for t, town in enumerate(towns):
            checklist = checklist_services.issue_checklist(
                actor=city_office,
                responsible_unit=town,
                title=f"{town.name}{half.name}督办事项报送清单",
                doc_number=f"示工办〔{half.day(4, 13).year}〕{21 + t}号",
                items=[
                    {
                        "content": c,
                        "standard": s,
                        "deadline": half.day(*d),
                        "deep_review_required": False,
                        "person_in_charge": "",
                    }
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
                    checklist_workflow.urge(item=item, actor=SYSTEM)

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
                    new_deadline=clock.today() + timedelta(days=10),
                )

        return run

    plan.append((_at(half.day(4, 13), 10), 0, issue))
    for day in SCANS:
        plan.append((_at(half.day(*day), 8), 0, scan(half.day(*day))))
    for r in range(len(REPORTS)):
        for t in range(len(towns)):
            applied = half.day(*LATE[r][t]) if t in LATE[r] else half.day(*FIRST_APPLICATION[r]) + timedelta(days=t % 5)
            plan.append((_at(applied, 10), 1, apply(r, t, "已按要求报送，材料见附件。")))
            if (r, t) in SENT_BACK:
                plan.append((_at(applied + timedelta(days=2), 15), 2, verify(r, t, False)))
                applied += timedelta(days=4)
                plan.append((_at(applied, 10), 1, apply(r, t, "已补充党委审核意见。")))
            plan.append((_at(applied + timedelta(days=2), 15), 2, verify(r, t, True)))


SURVEY = "基层工会基础数据核查"
YES_NO = [("是", 100), ("否", 0)]


def _survey(plan, half, office, towns, people, rng):
    """A data check sent in the half's fifth month to the towns and the unions under them; most answered a
    month later."""
    state = {}

    def send():
        survey = survey_services.create_questionnaire(
            title=half.name + SURVEY,
            owner_unit=office.org_unit,
            actor=office,
            description="核查会员人数和服务阵地，更新基础数据。",
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
            title=half.name + SURVEY,
            units=units.order_by("path"),
            actor=office,
            opens_on=half.day(5, 11),
            closes_on=half.day(6, 12),
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

    plan.append((_at(half.day(5, 11), 9), 0, send))
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
            (_at(half.day(5, 12) + timedelta(days=rng.randint(0, 30)), 14), position + 1, answer(position, submit))
        )


POLL_FORM = "乡镇（街道）工会职工满意度测评"
LEVELS = ["very_satisfied", "satisfied", "basic", "unsatisfied"]


def _polls(plan, half, office, towns, rng):
    """A satisfaction poll of each town's workers in the half's last month: 12 links, most answered."""
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
        closes = moment(half.day(6, 26), 18)
        for t, town in enumerate(towns):
            polls[t] = survey_services.create_poll(
                questionnaire=form,
                title=f"{town.name}{half.name}职工满意度测评",
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

    plan.append((_at(half.day(6, 5), 9), 0, open_polls))
    for t, strength in enumerate(STRENGTH):
        for n in range(rng.randint(10, 12)):
            draw = rng.random()
            satisfied = 0.62 + 0.36 * strength
            level = LEVELS[0 if draw < satisfied * 0.6 else 1 if draw < satisfied else 2 if draw < 0.97 else 3]
            plan.append(
                (_at(half.day(6, 8) + timedelta(days=rng.randint(0, 17)), 19), 10 * t + n + 1, answer(t, n, level))
            )


# (town, kind, level, day, title, source); recorded two days later.
# fmt: off
EVENTS = [
    (0, EventKind.COMMENDATION, Level.PROVINCE, (3, 18), "省总工会主要领导批示肯定东坎街道新就业形态劳动者入会工作", "省总工会"),
    (1, EventKind.MEDIA, Level.CITY, (3, 26), "《示范日报》报道坎北街道“职工议事厅”", "示范日报"),
    (7, EventKind.MEDIA, Level.CITY, (4, 8), "《示范日报》报道八巨镇困难职工精准帮扶", "示范日报"),
    *[
        (t, EventKind.TRAINING, Level.CITY, (4, 16), "参加全市乡镇（街道）工会主席培训班", "示范市总工会")
        for t in (0, 1, 2, 4, 5, 7, 8, 9, 12)
    ],
    (0, EventKind.MEDIA, Level.NATIONAL, (4, 22), "《工人日报》报道东坎街道“小哥驿站”", "工人日报"),
    (7, EventKind.INCIDENT, Level.CITY, (5, 7), "辖区企业欠薪引发职工群体性上访，镇工会未及时报告", "县信访局"),
    (2, EventKind.MEDIA, Level.PROVINCE, (5, 12), "《江苏工人报》报道五汛镇职工技能竞赛", "江苏工人报"),
    (9, EventKind.MEDIA, Level.CITY, (5, 19), "示范电视台报道滨淮镇“技能夜校”", "示范电视台"),
    (0, EventKind.COMMENDATION, Level.PROVINCE, (5, 30), "省总工会分管领导批示推广东坎街道“工会+网格”做法", "省总工会"),
    (7, EventKind.COMMENDATION, Level.CITY, (6, 3), "市委分管领导批示肯定八巨镇困难职工帮扶工作", "示范市委"),
    (8, EventKind.COMMENDATION, Level.CITY, (6, 11), "市总工会主席批示肯定八滩镇职工书屋建设", "示范市总工会"),
    # The second half of the year, for the round of the whole year.
    (5, EventKind.MEDIA, Level.CITY, (8, 5), "《示范日报》报道通榆镇暑期职工子女托管", "示范日报"),
    (1, EventKind.COMMENDATION, Level.PROVINCE, (8, 20), "省总工会领导批示肯定坎北街道职工议事厅做法", "省总工会"),
    *[
        (t, EventKind.TRAINING, Level.PROVINCE, (9, 23), "参加全省基层工会干部培训班", "省总工会")
        for t in (3, 6, 10, 11)
    ],
    (0, EventKind.MEDIA, Level.CITY, (10, 10), "示范电视台报道东坎街道快递小哥暖心驿站", "示范电视台"),
]
# fmt: on


def _events(plan, half, office, towns):
    def record(t, kind, level, day, title, source):
        def run():
            events.record_event(
                actor=office, unit=towns[t], kind=kind, level=level, happened_on=day, title=title, source=source
            )

        return run

    for n, (t, kind, level, day, title, source) in enumerate(EVENTS):
        day = half.day(*day)
        plan.append((_at(day + timedelta(days=2), 16), n, record(t, kind, level, day, title, source)))

    def mistaken():  # entered twice by mistake and withdrawn: it stays on record and counts for nothing
        event = events.record_event(
            actor=office,
            unit=towns[5],
            kind=EventKind.MEDIA,
            level=Level.CITY,
            happened_on=half.day(8, 5),
            title="《示范日报》报道通榆镇暑期职工子女托管",
            source="示范日报",
        )
        events.withdraw_event(event=event, actor=office, reason="重复录入")

    plan.append((_at(half.day(8, 7), 17), 99, mistaken))

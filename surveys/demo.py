"""Demo surveys for the 滨海 county: the five-dimension survey of seed 001 sent to the county's
town and grassroots unions (most have answered), and a satisfaction poll of the transport bureau."""

import random
from datetime import timedelta

from django.db import transaction

from orgs.models import OrgKind, OrgUnit, User
from orgs.queries import subtree
from qingdan import clock
from qingdan.actors import SYSTEM
from qingdan.demo_calendar import moment
from surveys import services
from surveys.models import PollMode, QuestionKind, Questionnaire

TITLE = "2026年基层工会规范化建设情况调查"
POLL_TITLE = "县交通运输局“产改”工作职工满意度测评"
YES_NO = [("是", 100), ("否", 0)]
DONE = [("全部落实", 100), ("大部分落实", 60), ("未落实", 0)]
# (dimension, code, text, kind, options, extra)
QUESTIONS = [
    ("人员配备", "Q1", "是否配备专职工会主席或副主席", "single", YES_NO, {}),
    ("人员配备", "Q2", "未配备专职干部的原因", "short_text", (), {"show_if": ("Q1", "否")}),
    ("人员配备", "Q3", "工会专兼职干部人数", "number", (), {"min_value": 0, "max_value": 200}),
    ("阵地服务", "Q4", "是否建成职工之家并正常开放", "single", YES_NO, {}),
    ("阵地服务", "Q5", "职工之家、爱心驿站等服务阵地的使用效果", "rating", (), {"scale_max": 5}),
    (
        "阵地服务",
        "Q6",
        "阵地提供的主要服务",
        "multiple",
        [("法律援助", None), ("技能培训", None), ("文体活动", None), ("心理疏导", None)],
        {},
    ),
    ("资金使用", "Q7", "工会经费是否按规定足额拨缴", "single", YES_NO, {}),
    (
        "资金使用",
        "Q8",
        "全年用于职工服务的经费（万元）",
        "number",
        (),
        {"min_value": 0, "max_value": 1000, "required": False},
    ),
    ("资金使用", "Q9", "经费使用的规范程度", "rating", (), {"scale_max": 5}),
    ("制度机制", "Q10", "职工代表大会制度落实情况", "single", DONE, {}),
    ("制度机制", "Q11", "厂务公开、集体协商等制度落实情况", "single", DONE, {}),
    ("作用发挥", "Q12", "职工对工会工作的认可程度", "rating", (), {"scale_max": 5}),
    ("作用发挥", "Q13", "本年度为职工办实事的件数", "number", (), {"min_value": 0, "max_value": 500}),
    ("作用发挥", "Q14", "工作中遇到的主要困难和建议", "long_text", (), {"required": False}),
]


def _answers(questionnaire, rng):
    raw, picked = {}, {}
    for q in questionnaire.questions.prefetch_related("options").order_by("section__position", "position"):
        if q.show_if_option_id and q.show_if_option_id not in picked.get(q.show_if_question_id, set()):
            continue
        options = list(q.options.all())
        if q.kind == QuestionKind.SINGLE:
            option = options[0] if rng.random() < 0.75 else rng.choice(options[1:])
            raw[q.pk], picked[q.pk] = [option.value], {option.pk}
        elif q.kind == QuestionKind.MULTIPLE:
            raw[q.pk] = [o.value for o in rng.sample(options, rng.randint(1, 3))]
        elif q.kind == QuestionKind.RATING:
            raw[q.pk] = [str(rng.choices([2, 3, 4, 5], weights=[1, 3, 5, 4])[0])]
        elif q.kind == QuestionKind.NUMBER:
            raw[q.pk] = [str(rng.randint(1, int(q.max_value) // 10))]
        elif q.kind == QuestionKind.SHORT_TEXT:
            raw[q.pk] = ["编制未落实，暂由兼职干部负责"]
        elif rng.random() < 0.3:
            raw[q.pk] = [
                rng.choice(
                    [
                        "希望增加职工服务阵地建设经费",
                        "建议加强对兼职工会干部的业务培训",
                        "新就业形态劳动者入会渠道有待拓宽",
                    ]
                )
            ]
    return raw


def build():
    office = User.objects.get(username="office")
    if Questionnaire.objects.filter(title=TITLE, owner_unit=office.org_unit).exists():
        return
    rng = random.Random(2026)  # noqa: S311 - demo answers, not security
    today = clock.today()
    # Sent ten days ago; answered on the days since; the poll opened six days ago. One transaction: SQLite
    # commits are slow.
    with transaction.atomic(), clock.at(moment(today - timedelta(days=10), 9)):
        survey = services.create_questionnaire(
            title=TITLE,
            owner_unit=office.org_unit,
            actor=office,
            description="依据“五个维度”摸清基层工会建设短板，形成问题清单。",
        )
        for section, code, text, kind, options, extra in QUESTIONS:
            services.add_question(
                questionnaire=survey,
                section_title=section,
                code=code,
                text=text,
                kind=kind,
                options=options,
                actor=office,
                **extra,
            )
        county = office.org_unit
        units = subtree(county).filter(kind__in=[OrgKind.TOWN, OrgKind.GRASSROOTS])
        distribution = services.distribute(
            questionnaire=survey,
            title=TITLE,
            units=units,
            actor=office,
            opens_on=today - timedelta(days=10),
            closes_on=today + timedelta(days=20),
        )
        answered = [
            (moment(today - timedelta(days=rng.randint(2, 9)), rng.randint(9, 16), rng.randint(0, 59)), target)
            for i, target in enumerate(distribution.targets.select_related("org_unit").order_by("org_unit__path"))
            if i % 6 != 5  # the others have not started yet
        ]
    with transaction.atomic():
        for i, (at, target) in enumerate(sorted(answered, key=lambda pair: pair[0])):
            # Loaded by the demo itself (actor None), as if each unit's reporter had answered.
            with clock.at(at):
                target.refresh_from_db()
                services.save_unit_response(
                    target=target, raw=_answers(survey, rng), actor=SYSTEM, submit=i % 5 != 4, version=target.version
                )
        with clock.at(moment(today - timedelta(days=1), 10)):
            services.remind(distribution=distribution, actor=office)
        _poll(office, today)


def _poll(office, today):
    """The transport bureau's satisfaction poll, opened six days ago and answered in the evenings since."""
    with clock.at(moment(today - timedelta(days=6), 9)):
        poll_form = services.create_questionnaire(
            title="职工满意度测评", owner_unit=office.org_unit, actor=office, kind="worker"
        )
        services.add_question(
            questionnaire=poll_form,
            section_title="满意度",
            code="S1",
            text="您对本单位“产改”工作的总体评价",
            kind="satisfaction",
            actor=office,
        )
        services.add_question(
            questionnaire=poll_form,
            section_title="意见建议",
            code="S2",
            text="您对工会工作还有哪些意见和建议",
            kind="long_text",
            required=False,
            actor=office,
        )
        bureau = OrgUnit.objects.get(name="县交通运输局")
        poll = services.create_poll(
            questionnaire=poll_form,
            title=POLL_TITLE,
            subject_unit=bureau,
            actor=office,
            closes_at=clock.now() + timedelta(days=14),
            mode=PollMode.TOKENS,
            token_count=30,
        )
        levels = ["very_satisfied"] * 9 + ["satisfied"] * 8 + ["basic"] * 2 + ["unsatisfied"]
        s1 = poll_form.questions.get(code="S1")
    for n, (token, level) in enumerate(zip(poll.tokens.order_by("pk"), levels, strict=False)):
        with clock.at(moment(today - timedelta(days=5 - n % 5), 18 + n % 4, 3 * n)):
            services.submit_poll_response(poll=poll, raw={s1.pk: [level]}, token=token.token)

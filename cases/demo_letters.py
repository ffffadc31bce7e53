"""The 滨海 joint meetings and supervision letters of the demo, written relative to the day it is loaded: a joint
meeting a month over the past year (decisions of the enterprises whose union is in the tree issued as list items by
their town union's office, an account of the demo that does not sign in), and 一函两书 in every state, one chain escalated 提示函 → 意见书 → 建议书 and recorded as
unanswered. Each step runs on its own day (``clock.at``) through the services; loading again adds nothing.

Demands raised at the meetings are not created here: the demands' service is built by another part of the area."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from cases import letter_flow, meeting_flow
from cases.models import Enterprise, JointMeeting, Letter, LetterKind
from evidence import services as library
from orgs import demo as org_demo
from orgs import services as org_services
from orgs.models import OrgKind, OrgUnit, Role, User
from orgs.queries import within
from qingdan import clock
from qingdan.actors import SYSTEM
from qingdan.demo_calendar import add_months, assessed_half, moment, workday

COUNTY = org_demo.BINHAI[0]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SUBJECTS = [
    ("年度工资集体协商联席会议", ["职工月工资平均增长5%，自下月起执行", "每月15日前足额发放上月工资"]),
    ("高温季节劳动保护联席会议", ["7至9月每人每月发放高温津贴300元", "车间加装降温设备并每日巡查"]),
    ("劳动合同签订情况联席会议", ["一个月内与12名未签合同职工补签劳动合同"]),
    ("加班与休息休假联席会议", ["每月加班不超过36小时，超时部分安排调休", "春节前公布年休假安排"]),
    ("社会保险缴纳情况联席会议", ["9月底前为新入职职工补缴社会保险"]),
    ("职工食堂与宿舍改善联席会议", ["职工食堂每餐增加一个荤菜", "宿舍热水器年内全部更换"]),
    ("安全生产隐患整改联席会议", ["冲压车间安全防护罩两周内修复到位", "每季度组织一次安全培训"]),
    ("女职工特殊权益保护联席会议", ["设立母婴室", "女职工每年免费体检一次"]),
    ("技能提升与岗位练兵联席会议", ["全年开展两次岗位技能竞赛"]),
    ("困难职工帮扶联席会议", ["建立困难职工档案，节日走访慰问"]),
    ("企业改制职工安置联席会议", ["改制方案提交职工代表大会审议后实施"]),
    ("工资支付保障联席会议", ["设立工资支付保证金专户", "拖欠工资当月结清"]),
]
PARTICIPANTS = "职工方：企业工会主席、职工代表3名；企业方：总经理、人力资源部经理；镇（街道）工会联络员列席"

PROBLEMS = [
    ("拖欠38名职工2个月工资共计41.6万元。", "于接函后10个工作日内足额支付拖欠工资，并书面答复本会。"),
    ("未与新入职的15名职工签订书面劳动合同。", "依法与上述职工签订书面劳动合同，并补足应付的二倍工资差额。"),
    ("安排职工每月加班超过80小时，未支付加班工资。", "将加班控制在法定时限内，并依法补发加班工资。"),
    ("未依法为26名职工缴纳社会保险费。", "为上述职工补缴社会保险费，并将缴费凭证报送本会。"),
    ("高温季节未发放高温津贴、未落实防暑降温措施。", "立即落实防暑降温措施，补发高温津贴。"),
    ("解除32名职工劳动合同未事先通知工会。", "依法向工会说明理由，听取工会意见，并依法支付经济补偿。"),
]

# The letters, as chains of steps from a 提示函: ("deliver" | "answer" | "escalate" …) and how many days before the
# demo's day the last step happens. Together they put each kind in each of its states.
CHAINS = [
    (["deliver", "escalate", "deliver", "escalate", "deliver", "escalate"], 20),  # … → 建议书 unanswered (lapsed)
    (["deliver", "escalate", "deliver", "escalate", "deliver", "answer"], 30),  # … → 建议书 answered
    (["deliver", "escalate", "deliver", "escalate", "deliver"], 2),  # 建议书 delivered, awaiting its answer
    (["deliver", "escalate", "deliver", "escalate"], 1),  # 建议书 issued, to deliver
    (["deliver", "escalate", "deliver", "answer"], 25),  # 意见书 answered
    (["deliver", "escalate", "deliver"], 10),  # 意见书 delivered, not yet due
    (["deliver", "escalate", "deliver"], 40),  # 意见书 delivered and past its date: to escalate
    (["deliver", "escalate"], 3),  # 意见书 issued, to deliver
    (["deliver", "answer"], 60),  # 提示函 answered
    (["deliver", "answer"], 15),
    (["deliver"], 4),  # 提示函 delivered, not yet due
    (["deliver"], 30),  # 提示函 past its date: to escalate
    ([], 2),  # 提示函 issued, to deliver
]
# Calendar days between steps, generous enough for the holidays in a reply time.
DELIVER_AFTER = 3
ANSWER_AFTER = {LetterKind.NOTICE: 7, LetterKind.OPINION: 10, LetterKind.PROPOSAL: 4}
ESCALATE_AFTER = {LetterKind.NOTICE: 26, LetterKind.OPINION: 36, LetterKind.PROPOSAL: 14}


def _firms(county):
    firms = Enterprise.objects.filter(within(county, "org_unit")).select_related("org_unit", "union_unit")
    # Enterprises whose own union sits under their town union, which issues the meeting's list items.
    with_union = [
        firm
        for firm in firms.filter(union_unit__isnull=False).order_by("name")
        if firm.union_unit.is_within(firm.org_unit) and firm.org_unit.kind == OrgKind.TOWN
    ][:6]
    without = list(firms.filter(union_unit__isnull=True).order_by("name")[:12])
    return with_union, without


def _receipt(office, letter):
    uploaded = SimpleUploadedFile(f"送达回执-{letter.number}.pdf", PDF + letter.number.encode())
    return library.keep(uploaded=uploaded, actor=office)


def _meetings(office, county, today):
    with_union, without = _firms(county)
    assessed = assessed_half(today)
    firms = [firm for pair in zip(with_union, without, strict=False) for firm in pair] + without[len(with_union) :]
    for n, (title, decisions) in enumerate(SUBJECTS):
        firm = firms[n % len(firms)]
        held_on = min(workday(add_months(today, n - 11).replace(day=min(8 + n, 28))), today)
        if JointMeeting.objects.filter(enterprise=firm, title=title).exists():
            continue
        with clock.at(moment(held_on, 14)):
            meeting = meeting_flow.record_meeting(
                actor=office,
                enterprise=firm,
                held_on=held_on,
                title=title,
                participants=PARTICIPANTS,
                minutes=f"会议由企业工会主席主持，双方就{title.removesuffix('联席会议')}进行了充分协商，形成以下议定事项。",
                decisions=decisions,
                attachments=[
                    library.keep(
                        uploaded=SimpleUploadedFile(f"会议纪要-{held_on}.pdf", PDF + title.encode()), actor=office
                    )
                ],
            )
        # The town union of an enterprise whose union is in the tree issues its decisions as list items (one
        # meeting in two; the latest ones stay open for the office's workbench), after the half-year the demo's
        # published assessment scores, whose close-out figures they would otherwise change.
        if firm in with_union and n % 2 == 0 and held_on > assessed.end:
            with clock.at(moment(held_on, 16)):
                for decision in meeting.decisions.all():
                    meeting_flow.decision_to_item(
                        decision=decision,
                        actor=_town_office(firm.org_unit),
                        deadline=held_on + timedelta(days=45),
                        standard="提交落实情况说明及相关凭证（工资表、合同、照片等），经验收合格。",
                    )


def _town_office(town):
    """The town union's office clerk who issues its lists (an account without a password: it does not sign in)."""
    username = f"office-{town.code}".lower()
    found = User.objects.filter(username=username).first()
    if found is None:
        found = org_services.create_user(
            username=username,
            full_name=f"{town.name.removesuffix('工会')}工会办公室",
            org_unit=town,
            roles=[Role.OFFICE],
            password=None,
            actor=SYSTEM,
        )
    return found


def _steps_days(steps):
    """The days each step needs after the one before, following the kinds through the chain."""
    kind, gaps = LetterKind.NOTICE, []
    for step in steps:
        if step == "deliver":
            gaps.append(DELIVER_AFTER)
        elif step == "answer":
            gaps.append(ANSWER_AFTER[kind])
        else:
            gaps.append(ESCALATE_AFTER[kind])
            kind = letter_flow.NEXT_KIND[kind] or kind
    return gaps


def _before_weekend(day):
    """``day``, or the Friday before it when it falls on a weekend."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _chain(office, firm, problem, asks, steps, end_before, today):
    # Scheduled back from the last step's day, so the chain ends where it is meant to, whatever the weekday.
    days = [_before_weekend(today - timedelta(days=end_before))]
    for gap in reversed(_steps_days(steps)):
        days.insert(0, _before_weekend(days[0] - timedelta(days=gap)))
    with clock.at(moment(days[0], 10)):
        letter = letter_flow.issue_letter(actor=office, enterprise=firm, problem=problem, asks=asks)
    for step, day in zip(steps, days[1:], strict=True):
        with clock.at(moment(day, 11)):
            letter.refresh_from_db()
            if step == "deliver":
                letter = letter_flow.record_delivery(
                    letter=letter,
                    actor=office,
                    version=letter.version,
                    delivered_on=day,
                    receipt=_receipt(office, letter),
                )
            elif step == "answer":
                letter = letter_flow.record_answer(
                    letter=letter,
                    actor=office,
                    version=letter.version,
                    answered_on=day,
                    answer="已收到来函，正在按要求整改，整改情况见附件说明。",
                )
            elif letter_flow.is_overdue(letter, day):
                letter = letter_flow.escalate_letter(letter=letter, actor=office, version=letter.version)
            else:
                return  # a long holiday kept the reply open: the chain stops here


def build():
    """Record the meetings and letters that are not there yet (needs the registry and the demo office clerk)."""
    today = clock.today()
    county = OrgUnit.objects.get(code=COUNTY)
    office = User.objects.filter(username="office", org_unit=county).first()
    if office is None:
        return
    with transaction.atomic():
        _meetings(office, county, today)
        if not Letter.objects.filter(issuing_unit=county).exists():
            _, without = _firms(county)
            for n, (steps, end_before) in enumerate(CHAINS):
                problem, asks = PROBLEMS[n % len(PROBLEMS)]
                _chain(office, without[n % len(without)], problem, asks, steps, end_before, today)


def summary():
    county = OrgUnit.objects.get(code=COUNTY)
    meetings = JointMeeting.objects.filter(within(county, "org_unit"))
    letters = Letter.objects.filter(within(county, "issuing_unit"))
    return (
        f"{meetings.count()} joint meetings, {letters.count()} supervision letters "
        f"({letters.filter(kind=LetterKind.PROPOSAL).count()} proposal letters)"
    )

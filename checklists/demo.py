"""The 滨海 close-out demo (seed 000): 26 reform contents, 127 lists to the county's 86 units issued
in early March, the items carried through the four procedures to a close-out rate near 91%."""

import random
from datetime import date, timedelta

from checklists import services, workflow
from checklists.models import Checklist, Item, ItemStatus
from orgs.models import OrgUnit, User
from qingdan import clock
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
ISSUED_ON = date(2026, 3, 5)


def build():
    office = User.objects.get(username="office")
    county = office.org_unit
    if Checklist.objects.filter(issuing_unit=county).exists():
        return
    rng = random.Random(91)  # noqa: S311 - demo data, not security
    reporter, reviewer = User.objects.get(username="reporter"), User.objects.get(username="reviewer")
    evaluator = User.objects.get(username="evaluator")
    categories = [services.category(office_unit=county, name=name, actor=office) for name in CATEGORIES]
    units = list(OrgUnit.objects.filter(path__startswith=county.path).exclude(pk=county.pk).order_by("path"))
    for n in range(127):
        unit = units[n % len(units)]
        count = rng.choice([1, 1, 2, 2, 3])
        picks = rng.sample(CONTENTS, count)
        services.issue_checklist(
            actor=office,
            responsible_unit=unit,
            category=categories[n % len(categories)],
            issued_on=ISSUED_ON,
            title=f"{unit.name}“产改”责任清单",
            doc_number=f"滨产改办〔2026〕{n + 1}号",
            items=[
                {
                    "content": c,
                    "standard": s,
                    "deadline": date(2026, rng.choice([6, 7, 8, 9, 10, 12]), 28),
                    "deep_review_required": rng.random() < 0.05,
                    "person_in_charge": rng.choice(["王强", "李娜", "陈刚"]),
                }
                for c, s in picks
            ],
        )
    _drive(Item.objects.filter(checklist__issuing_unit=county).order_by("pk"), rng, reporter, reviewer, evaluator)
    from django.core.management import call_command

    call_command("scan_deadlines", verbosity=0)


def _drive(items, rng, reporter, reviewer, evaluator):
    """Carry the items to where a county would be in November: most closed, a few at each other step."""
    items = list(items)
    today = clock.today()
    sent_to_evaluator = False
    for i, item in enumerate(items):
        share = i / len(items)
        if share > 0.91 and share <= 0.94:
            continue  # never applied for: urged by scan_deadlines when overdue
        if item.deadline < today and share > 0.97:
            continue
        # The bureau's own reporter applies for its items; for the others the demo acts as each unit.
        actor = reporter if item.responsible_unit_id == reporter.org_unit_id else None
        item = workflow.apply_for_closeout(item=item, actor=actor, report="已按要求完成，佐证材料见附件。")
        if share > 0.94 and share <= 0.96:
            if not sent_to_evaluator:  # one is with the third-party evaluator, the rest wait for verification
                workflow.verify(
                    item=item,
                    actor=reviewer,
                    passed=True,
                    opinion="转第三方深度验收。",
                    evaluator=evaluator,
                    deep_review=True,
                )
                sent_to_evaluator = True
            continue
        if rng.random() < 0.15 or share > 0.96:
            item = workflow.verify(
                item=item,
                actor=reviewer,
                passed=False,
                opinion="佐证材料不完整。",
                findings="缺少过程性台账",
                fixes="补充台账和照片",
                new_deadline=today + timedelta(days=20),
            )
            if share > 0.96:
                continue  # rectifying now
            item = workflow.apply_for_closeout(item=item, actor=actor, report="已补充台账和照片。")
        if item.deep_review_required:
            item = workflow.verify(
                item=item, actor=reviewer, passed=True, opinion="转第三方深度验收。", evaluator=evaluator
            )
            poll = item.satisfaction_poll
            question = poll.questionnaire.questions.get(code="S1")
            for j, token in enumerate(poll.tokens.order_by("pk")[:10]):
                level = "very_satisfied" if j < 6 else "satisfied" if j < 9 else "basic"
                survey_services.submit_poll_response(poll=poll, raw={question.pk: [level]}, token=token.token)
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
            continue
        workflow.verify(item=item, actor=reviewer, passed=True, opinion="经核实，符合完成标准。")


def close_out_rate():
    items = Item.objects.filter(checklist__issuing_unit__name="滨海县总工会")
    return items.filter(status=ItemStatus.CLOSED).count() / items.count()

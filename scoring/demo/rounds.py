"""The assessment demo's rounds: the half-year round, published with the fund pool split, and the round for
the whole year, open for self-assessment today."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from orgs.models import User
from scoring import workflow
from scoring.demo.people import STRENGTH
from scoring.demo.records import _clock
from scoring.demo.rubric import FLOOR
from scoring.models import Kind, Result, Score

POOL, BASE = 1_000_000, 30_000


def half_year_name(half):
    return f"{half.name}乡镇（街道）工会工作考核"


def full_year_name(half):
    return f"{half.year}年度乡镇（街道）工会工作考核"


# What each town writes for the criteria judged by hand (rng fills the numbers).
SELF_REASONS = {
    "政治理论学习": "组织理论学习中心组学习{a}次，面向职工宣讲{c}场，学习台账齐全。",
    "党建带工建": "党委每季度听取工会工作汇报，共建党群服务阵地{a}处。",
    "意识形态工作": "开展职工思想动态分析{a}次，落实意识形态工作责任制，未发生舆情事件。",
    "职工思想政治引领": "开展“劳模工匠进基层”宣讲{a}场，覆盖职工{b}人次。",
    "困难职工帮扶": "困难职工建档{a}户，走访慰问{b}户次，发放帮扶资金{c}万元。",
    "工作创新": "“{project}”项目运行{a}个月，服务职工{b}人次。",
    "述职评议": "工会主席已向考核组述职，书面报告及佐证材料已报送。",
}
PROJECTS = ["小哥驿站", "工会+网格", "职工议事厅", "技能夜校", "暖心食堂", "法律服务进园区", "职工心灵驿站"]


def _half(number):
    """Points to the half point, as a panel gives them."""
    return (Decimal(str(number)) * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2


def _self_assess(round, town, person, strength, rng, only=None):
    year = round.rubric.year
    criteria = workflow.criteria_for_self_assessment(round)
    scores = {s.criterion_id: s for s in Score.objects.filter(round=round, unit=town)}
    entered = {}
    for criterion in criteria[:only]:
        score = scores[criterion.pk]
        if criterion.kind == Kind.CONDITION:
            families = rng.randint(3, 12)
            if strength >= 0.5:
                met_on = date(year, 6, rng.randint(5, 28))
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


def _half_year(half, rubric, office, towns, people, rng):
    """Created and opened on the 6th of the month after the half, self-assessed, reviewed, published on the
    20th with the fund pool."""
    reviewer = User.objects.get(username="reviewer")
    with _clock(half.day(7, 6), 10):
        round = workflow.create_round(
            actor=office,
            rubric=rubric,
            name=half_year_name(half),
            period_start=half.start,
            period_end=half.end,
            units=towns,
        )
        round = workflow.open_self_assessment(round=round, actor=office)
    entered = {}
    for t, (town, person) in enumerate(zip(towns, people, strict=True)):
        with _clock(half.day(7, 8 + t % 3), 9 + t % 8):
            entered[t] = _self_assess(round, town, person, STRENGTH[t], rng)
            workflow.submit_self_assessment(result=Result.objects.get(round=round, unit=town), actor=person)
    with _clock(half.day(7, 13), 9):
        round = workflow.start_review(round=round, actor=office)
    criteria = {c.pk: c for c in workflow.criteria_for_self_assessment(round)}
    for t, town in enumerate(towns):
        with _clock(half.day(7, 14 + t % 2), 9 + t % 8):
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
    with _clock(half.day(7, 16), 15):
        score = Score.objects.get(round=round, unit=towns[3], criterion__name="述职评议")
        workflow.adjust(
            score=score, actor=office, points=score.reviewed + 1, reason="考核组复议：述职补充材料经核实，加1分。"
        )
    with _clock(half.day(7, 17), 10):
        workflow.set_funds(round=round, actor=office, method="pool", pool=POOL, base=BASE, floor=FLOOR)
    with _clock(half.day(7, 20), 10):
        round.refresh_from_db()
        workflow.publish(round=round, actor=office)


def _full_year(half, rubric, office, towns, people, rng):
    """The round of the half's whole year, opened today; 东坎 has submitted its self-assessment, 坎北 has begun."""
    round = workflow.create_round(
        actor=office,
        rubric=rubric,
        name=full_year_name(half),
        period_start=date(half.year, 1, 1),
        period_end=date(half.year, 12, 31),
        units=towns,
    )
    round = workflow.open_self_assessment(round=round, actor=office)
    _self_assess(round, towns[0], people[0], STRENGTH[0], rng)
    workflow.submit_self_assessment(result=Result.objects.get(round=round, unit=towns[0]), actor=people[0])
    _self_assess(round, towns[1], people[1], STRENGTH[1], rng, only=3)

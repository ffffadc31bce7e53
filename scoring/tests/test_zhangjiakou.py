"""The 张家口 rubric (计分制量化考核, 200 full marks) run over 12 county unions of a city.

The close-out records are made through the close-out workflow itself (lists issued, applications,
verifications passed and failed, urging notices), praise and training are recorded events, the
criteria judged by hand go through self-assessment, review and adjustment, and the round is published.
Every unit's section points, total, rank, grade and fund amount are then checked against a
computation written out here from the same data — never by calling the engine.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

import pytest
from django.test import Client

from checklists import services as checklist_services
from checklists import workflow as closeout
from checklists.models import EventKind as ItemEventKind
from checklists.models import ItemEvent
from orgs import services as org_services
from orgs.models import OrgKind, Role
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan import clock, metrics
from scoring import events, workflow
from scoring.models import EventKind, Level, Result, Score
from scoring.tests.conftest import build_rubric

pytestmark = pytest.mark.django_db
D = Decimal
CENT = D("0.01")

# ---------------------------------------------------------------------------- the rubric

HARDSHIP = "6月底前困难职工全部解困脱困"
TRAINING = "领导班子按要求参加上级工会培训"
PRAISE = "获省级以上领导批示或省级以上媒体肯定报道"
URGINGS = "未按规定反馈督查事项办理情况"
RECTIFIED = "验收未通过责令整改"
VETO = "发生重大安全事故"
CLOSE_OUT = "责任清单销号率"
ON_TIME = "按期销号率"
FIRST_PASS = "一次验收通过率"

# Criteria judged by hand: (section, name, maximum)
MANUAL = [
    ("党的建设", "政治建设", 15),
    ("党的建设", "思想建设", 15),
    ("党的建设", "组织建设", 14),
    ("基础工作", "年度工作要点落实", 15),
    ("重点工作", "职工思想政治引领", 10),
    ("重点工作", "建功新时代", 10),
    ("重点工作", "困难职工解困脱困", 10),
    ("重点工作", "普惠服务", 8),
    ("重点工作", "网上工会建设", 7),
    ("创新工作", "工作思路方法创新", 10),
    ("汇报评价", "述职汇报", 15),
    ("汇报评价", "年终工作总结", 15),
]
ON_TIME_TIERS = [(90, 10), (70, 6), (50, 3)]


def manual(section):
    return [{"name": n, "kind": "manual", "max_points": m} for s, n, m in MANUAL if s == section]


def zhangjiakou_rubric(actor, year):
    return build_rubric(
        actor,
        [
            ("党的建设", 44, manual("党的建设")),
            (
                "业务工作",
                105,
                [],
                [
                    (
                        "基础工作",
                        40,
                        [
                            *manual("基础工作"),
                            {"name": CLOSE_OUT, "kind": "ratio", "max_points": 15, "metric": "close_out_rate"},
                            {
                                "name": ON_TIME,
                                "kind": "tiered",
                                "max_points": 10,
                                "metric": "on_time_rate",
                                "tiers": [{"from": f, "points": p} for f, p in ON_TIME_TIERS],
                            },
                        ],
                    ),
                    (
                        "重点工作",
                        55,
                        [
                            *manual("重点工作"),
                            {"name": FIRST_PASS, "kind": "ratio", "max_points": 10, "metric": "first_pass_rate"},
                        ],
                    ),
                    ("创新工作", 10, manual("创新工作")),
                ],
            ),
            ("汇报评价", 30, manual("汇报评价")),
            (
                "加分项目",
                21,
                [
                    {"name": HARDSHIP, "kind": "condition", "max_points": 15, "condition_by": date(year, 6, 30)},
                    {
                        "name": TRAINING,
                        "kind": "per_occurrence",
                        "metric": "training_attended",
                        "points_each": 1,
                        "cap": 1,
                    },
                    {
                        "name": PRAISE,
                        "kind": "per_occurrence",
                        "metric": "praise_provincial",
                        "points_each": 3,
                        "cap": 5,
                    },
                ],
            ),
            {
                "name": "扣分项目",
                "points": 0,
                "floor": -20,
                "criteria": [
                    {"name": URGINGS, "kind": "per_occurrence", "metric": "urgings_received", "points_each": -2},
                    {
                        "name": RECTIFIED,
                        "kind": "per_occurrence",
                        "metric": "rectifications",
                        "points_each": -1,
                        "cap": 5,
                    },
                    {"name": VETO, "kind": "veto", "metric": "incidents"},
                ],
            },
        ],
        name="县级工会工作计分制量化考核办法",
        year=year,
        full_marks=200,
        excellent_from=180,
        good_from=160,
        pass_from=120,
    )


# ---------------------------------------------------------------------------- the counties' year


@dataclass
class County:
    code: str
    first_pass: int = 0  # items closed by their deadline at the first verification
    late: int = 0  # items overdue, urged once, then closed late
    rectified: int = 0  # items failed once (rectification letter), then closed by the new deadline
    open: int = 0  # items not yet due
    overdue: list = field(default_factory=list)  # open items past their deadline: urgings of each
    provincial: int = 0  # provincial or national praise / media reports
    city_praise: int = 0  # city-level praise: not counted by the provincial criterion
    withdrawn_praise: int = 0  # recorded in error and withdrawn
    training: int = 0
    incident: bool = False
    hardship: str = "none"  # "before" / "after" the date, or "none" (not all out of hardship)
    deficit: int = 0  # each criterion judged by hand is self-assessed at its maximum less this
    below: bool = False  # the overdue items sit with a department below the county


COUNTIES = [
    County("Z01", first_pass=5, provincial=3, training=2, hardship="before"),
    County("Z02", first_pass=4, late=1, provincial=1, training=1, incident=True, hardship="before"),
    County("Z03", first_pass=3, late=1, rectified=1, overdue=[1], city_praise=1, hardship="before", deficit=1),
    County("Z04", first_pass=3, rectified=1, open=1, provincial=1, hardship="after", deficit=1),
    County(
        "Z05", first_pass=2, late=2, open=1, overdue=[2], withdrawn_praise=1, training=1, hardship="before", deficit=2
    ),
    County("Z06", first_pass=2, rectified=2, open=2, hardship="none", deficit=2),
    County("Z07", first_pass=1, late=1, rectified=1, open=1, overdue=[3, 1], hardship="after", deficit=3, below=True),
    County("Z08", overdue=[11], hardship="after", deficit=3),
    County("Z09", hardship="before"),
    County("Z10", first_pass=4, open=1, hardship="before", deficit=1),
    County("Z11", first_pass=3, late=1, overdue=[1], hardship="before", deficit=2),
    County("Z12", first_pass=3, late=1, overdue=[1], hardship="before", deficit=2),
]
# Decisions of the city office on the hand-entered scores: review and adjustment.
REVIEWED = {("Z03", "职工思想政治引领"): (6, "活动记录只有6次"), ("Z05", HARDSHIP): (0, "经核实尚有2户未脱困")}
ADJUSTED = {("Z04", "述职汇报"): (10, "述职材料与实际不符，经会议研究调整")}
POOL, BASE, FLOOR = D(1_000_000), D(30_000), D(120)


# ---------------------------------------------------------------------------- the expectation, by hand


def half_up(number):
    return D(number).quantize(CENT, rounding=ROUND_HALF_UP)


def expected_points(c, year):
    """Every criterion's points for county ``c``, worked out from the table above."""
    issued = c.first_pass + c.late + c.rectified + c.open + len(c.overdue)
    closed = c.first_pass + c.late + c.rectified
    on_time = c.first_pass + c.rectified
    urgings = c.late + sum(c.overdue)
    points = {}
    for _section, name, maximum in MANUAL:
        points[name] = D(max(maximum - c.deficit, 0))
    points[CLOSE_OUT] = half_up(D(15) * closed / issued) if issued else D(0)
    rate = D(on_time) * 100 / issued if issued else None
    points[ON_TIME] = next((D(p) for f, p in ON_TIME_TIERS if rate is not None and rate >= f), D(0))
    points[FIRST_PASS] = half_up(D(10) * (c.first_pass + c.late) / closed) if closed else D(0)
    points[HARDSHIP] = D(15) if c.hardship == "before" else D(0)
    points[TRAINING] = D(min(c.training, 1))
    points[PRAISE] = D(min(3 * c.provincial, 5))
    points[URGINGS] = D(-2 * urgings)
    points[RECTIFIED] = D(-min(c.rectified, 5))
    points[VETO] = D(0)
    for (code, name), (value, _reason) in {**REVIEWED, **ADJUSTED}.items():
        if code == c.code:
            points[name] = D(value)
    return points


def expected_sections(c, year):
    p = expected_points(c, year)

    def of(section):
        return sum((p[n] for s, n, _m in MANUAL if s == section), D(0))

    basic = of("基础工作") + p[CLOSE_OUT] + p[ON_TIME]
    key = of("重点工作") + p[FIRST_PASS]
    innovation = of("创新工作")
    bonus = min(D(21), p[HARDSHIP] + p[TRAINING] + p[PRAISE])
    deductions = max(D(-20), min(D(0), p[URGINGS] + p[RECTIFIED]))
    return {
        "党的建设": of("党的建设"),
        "基础工作": basic,
        "重点工作": key,
        "创新工作": innovation,
        "业务工作": basic + key + innovation,
        "汇报评价": of("汇报评价"),
        "加分项目": bonus,
        "扣分项目": deductions,
    }


def expected_table(year):
    """``{code: (total, sections, rank, grade)}``: ranks shared on equal totals, a veto bars 优秀."""
    rows = {}
    for c in COUNTIES:
        sections = expected_sections(c, year)
        total = sum(sections[s] for s in ("党的建设", "业务工作", "汇报评价", "加分项目", "扣分项目"))
        if total >= 180 and not c.incident:
            grade = "excellent"
        elif total >= 160:
            grade = "good"
        elif total >= 120:
            grade = "pass"
        else:
            grade = "fail"
        rows[c.code] = [total, sections, None, grade]
    for row in rows.values():
        row[2] = 1 + sum(1 for other in rows.values() if other[0] > row[0])
    return rows


def expected_funds(table):
    """Base for every county; the rest of the pool shared by total among those at or above the floor, in whole
    yuan, the yuan left over going to the largest fractions (then the higher total, then the code)."""
    sharing = {code: row[0] for code, row in table.items() if row[0] >= FLOOR}
    rest = POOL - BASE * len(table)
    weight = sum(sharing.values())
    exact = {code: rest * total / weight for code, total in sharing.items()}
    whole = {code: value.to_integral_value(rounding=ROUND_FLOOR) for code, value in exact.items()}
    left = int(rest - sum(whole.values()))
    for code in sorted(sharing, key=lambda k: (-(exact[k] - whole[k]), -sharing[k], k))[:left]:
        whole[code] += 1
    return {code: BASE + whole.get(code, D(0)) for code in table}


# ---------------------------------------------------------------------------- making the records


@pytest.fixture
def year_of_records(city, city_office, city_reviewer):
    """The 12 counties with their people, lists, close-outs, urgings and recorded events."""
    today = clock.today()
    city.document_prefix = "张工"
    city.save(update_fields=["document_prefix"])
    city_office.org_unit.refresh_from_db()
    units = {}
    for n, c in enumerate(COUNTIES, start=1):
        unit = OrgUnitFactory(code=c.code, name=f"第{n}县总工会", kind=OrgKind.COUNTY, parent=city)
        UserFactory(username=f"{c.code}-office", org_unit=unit, roles=[Role.OFFICE])
        reporter = UserFactory(username=f"{c.code}-reporter", org_unit=unit, roles=[Role.REPORTER])
        units[c.code] = unit
        due, past = today + timedelta(days=30), today - timedelta(days=30)

        def issue(rows, *, to, issued_on=None, title):
            if not rows:
                return []
            return list(
                checklist_services.issue_checklist(
                    actor=city_office,
                    responsible_unit=to,
                    title=title,
                    issued_on=issued_on,
                    items=[{"content": f"{title}第{i}项", "deadline": deadline} for i, deadline in enumerate(rows, 1)],
                ).items.order_by("position")
            )

        def close(item, opinion="验收通过。", reporter=reporter):
            item = closeout.apply_for_closeout(item=item, actor=reporter, report="已完成，材料附后。")
            return closeout.verify(item=item, actor=city_reviewer, passed=True, opinion=opinion)

        current = issue([due] * (c.first_pass + c.rectified + c.open), to=unit, title=f"{c.code}年度重点任务清单")
        for item in current[: c.first_pass]:
            close(item)
        for item in current[c.first_pass : c.first_pass + c.rectified]:
            item = closeout.apply_for_closeout(item=item, actor=reporter, report="已完成。")
            item = closeout.verify(
                item=item,
                actor=city_reviewer,
                passed=False,
                opinion="材料不全。",
                findings="缺少验收记录",
                fixes="补充验收记录",
                new_deadline=today + timedelta(days=10),
            )
            close(item, "整改后通过。")
        if c.late or c.overdue:
            holder = unit
            if c.below:  # the overdue items sit with a department: the county's figures roll it up
                holder = OrgUnitFactory(code=f"{c.code}-D1", name=f"第{n}县交通运输局", parent=unit)
            started = today - timedelta(days=60)
            late = issue([past] * c.late, to=unit, issued_on=started, title=f"{c.code}督查事项清单")
            overdue = issue([past] * len(c.overdue), to=holder, issued_on=started, title=f"{c.code}督办清单")
            for item in late:
                assert closeout.urge(item=item, actor=city_office) is not None
                close(item)
            for item, times in zip(overdue, c.overdue, strict=True):
                for k in range(times):
                    assert closeout.urge(item=item, actor=city_office, today=today + timedelta(days=7 * k)) is not None

        def event(kind, level, title, unit=unit):
            return events.record_event(
                actor=city_office, unit=unit, kind=kind, level=level, happened_on=today, title=title
            )

        for k in range(c.provincial):
            event(EventKind.COMMENDATION if k % 2 == 0 else EventKind.MEDIA, Level.PROVINCE + k % 2, f"省级肯定{k + 1}")
        for k in range(c.city_praise):
            event(EventKind.COMMENDATION, Level.CITY, f"市领导批示{k + 1}")
        for _k in range(c.withdrawn_praise):
            wrong = event(EventKind.COMMENDATION, Level.PROVINCE, "误录的批示")
            events.withdraw_event(event=wrong, actor=city_office, reason="录入错误")
        for k in range(c.training):
            event(EventKind.TRAINING, Level.PROVINCE, f"省总工会培训班{k + 1}")
        if c.incident:
            event(EventKind.INCIDENT, Level.CITY, "职工之家火灾事故")
    return units


def api(user):
    raw = org_services.create_api_token(user=user, name="test", actor=user)[1]
    return lambda url: Client().get(f"/api/v1/scoring{url}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()


# ---------------------------------------------------------------------------- the round


def test_the_zhangjiakou_rubric_adds_up_to_200_and_is_mostly_judged_by_hand(city_office):
    from scoring import rubrics

    rubric = zhangjiakou_rubric(city_office, 2026)
    assert rubrics.problems(rubric) == []
    assert len(rubrics.all_criteria(rubric)) == 21
    # computed from records: 15 + 10 + 10 (rates) + 1 + 5 (bonuses with a cap); deductions and vetoes add nothing
    assert rubrics.shares(rubric) == (D(41), D(159))
    names = [s.name for s, _c, _k in rubrics.tree(rubric)]
    assert names == ["党的建设", "业务工作", "汇报评价", "加分项目", "扣分项目"]


def test_a_round_over_twelve_counties_matches_the_hand_computation(
    city, city_office, city_reviewer, year_of_records, django_capture_on_commit_callbacks
):
    today = clock.today()
    year = today.year
    units = year_of_records
    rubric = zhangjiakou_rubric(city_office, year)
    round = workflow.create_round(
        actor=city_office,
        rubric=rubric,
        name=f"{year}年度县级工会计分制量化考核",
        period_start=today - timedelta(days=200),
        period_end=today + timedelta(days=30),
        units=list(units.values()),
    )
    workflow.set_funds(round=round, actor=city_office, method="pool", pool=POOL, base=BASE, floor=FLOOR)
    with django_capture_on_commit_callbacks(execute=True):
        round = workflow.open_self_assessment(round=round, actor=city_office)

    # computed before asked: the computed criteria are filled in; a unit is asked only for the 13 by hand
    z01 = units["Z01"]
    assert Score.objects.get(round=round, unit=z01, criterion__name=CLOSE_OUT).computed == D(15)
    asked = [c.name for c in workflow.criteria_for_self_assessment(round)]
    assert sorted(asked) == sorted([n for _s, n, _m in MANUAL] + [HARDSHIP])

    condition_by = date(year, 6, 30)
    for c in COUNTIES:
        unit = units[c.code]
        clerk = unit.users.get(username=f"{c.code}-office")
        scores = Score.objects.filter(round=round, unit=unit).select_related("criterion")
        by_name = {s.criterion.name: s for s in scores}
        for _section, name, maximum in MANUAL:
            workflow.self_assess(
                score=by_name[name], actor=clerk, points=max(maximum - c.deficit, 0), reason=f"{name}：对照细则自评"
            )
        met_on = {"before": condition_by - timedelta(days=20), "after": condition_by + timedelta(days=15)}
        workflow.self_assess(
            score=by_name[HARDSHIP], actor=clerk, met_on=met_on.get(c.hardship), reason="困难职工档案核对"
        )
        workflow.submit_self_assessment(result=Result.objects.get(round=round, unit=unit), actor=clerk)

    for (code, name), (points, reason) in REVIEWED.items():
        score = Score.objects.get(round=round, unit=units[code], criterion__name=name)
        workflow.review(score=score, actor=city_reviewer, points=points, reason=reason)
    round = workflow.start_review(round=round, actor=city_office)
    for (code, name), (points, reason) in ADJUSTED.items():
        score = Score.objects.get(round=round, unit=units[code], criterion__name=name)
        workflow.adjust(score=score, actor=city_office, points=points, reason=reason)
    round = workflow.publish(round=round, actor=city_office)

    # ---- every unit against the hand computation
    table = expected_table(year)
    funds = expected_funds(table)
    sections = {s.name: s.pk for s in rubric.sections.all()}
    results = {r.unit.code: r for r in Result.objects.filter(round=round).select_related("unit")}
    for c in COUNTIES:
        result = results[c.code]
        total, parts, rank, grade = table[c.code]
        got = {name: D(result.section_points[str(pk)]) for name, pk in sections.items()}
        assert got == parts, c.code
        assert (result.total, result.rank, result.grade, result.vetoed) == (total, rank, grade, c.incident), c.code
        assert result.fund_amount == funds[c.code], c.code
        for name, points in expected_points(c, year).items():
            score = Score.objects.get(round=round, unit=units[c.code], criterion__name=name)
            assert score.points == points, (c.code, name)

    # ---- a few figures written out in full, so the table above is itself checked
    assert table["Z01"][0] == D(200) and table["Z01"][3] == "excellent"  # every point, +15 +1 +5
    assert table["Z08"][1]["扣分项目"] == D(-20)  # 11 urgings = −22, stopped at the floor of −20
    assert table["Z08"][0] == D(88) and table["Z08"][3] == "fail"  # 35 + 49 + 24 + 0 − 20
    assert table["Z11"][0] == table["Z12"][0] and table["Z11"][2] == table["Z12"][2]  # a shared rank
    assert sorted({row[3] for row in table.values()}) == ["excellent", "fail", "good", "pass"]
    assert sum(results[c.code].fund_amount for c in COUNTIES) == POOL  # to the yuan

    # ---- caps: 3 provincial praises give +5, not +9; 2 trainings give +1
    praise = Score.objects.get(round=round, unit=z01, criterion__name=PRAISE)
    assert (praise.numerator, praise.points) == (3, D(5))
    assert Score.objects.get(round=round, unit=z01, criterion__name=TRAINING).points == D(1)
    # a city-level praise and a withdrawn one do not count as provincial
    for code in ("Z03", "Z05"):
        assert Score.objects.get(round=round, unit=units[code], criterion__name=PRAISE).points == D(0)

    # ---- one-vote veto: Z02 scores in the excellent band but is graded good
    assert results["Z02"].total >= rubric.excellent_from and results["Z02"].grade == "good" and results["Z02"].vetoed

    # ---- −2 per failure to report is −2 × the urging notices behind it, and the drill-down lists them
    for c in COUNTIES:
        unit = units[c.code]
        notices = ItemEvent.objects.filter(kind=ItemEventKind.URGED, item__responsible_unit__path__startswith=unit.path)
        score = Score.objects.get(round=round, unit=unit, criterion__name=URGINGS)
        assert score.numerator == notices.count() == c.late + sum(c.overdue), c.code
        assert score.points == -2 * notices.count(), c.code
    z07 = units["Z07"]  # 1 late item and 2 overdue items (3 and 1 notices) at the department below: −10
    drill = api(city_office)(f"/rounds/{round.pk}/results/Z07")
    urging = next(s for s in drill["scores"] if s["criterion_name"] == URGINGS)
    assert (urging["count"], urging["points"], urging["records_total"]) == (5, "-10.00", 5)
    numbers = sorted(
        ItemEvent.objects.filter(kind=ItemEventKind.URGED, item__responsible_unit__path__startswith=z07.path)
        .select_related("document")
        .values_list("document__number", flat=True)
    )
    assert sorted(r["text"].split(" · ")[0] for r in urging["records"]) == numbers
    assert all("张工" in number for number in numbers)
    assert sum("第7县交通运输局" in r["text"] for r in urging["records"]) == 4  # rolled up from below
    page = metrics.get("urgings_received").records_of(z07, round.period_start, round.period_end)
    assert page.total == 5 and len(page.rows) == 5

    # ---- the published results hold: computing again changes nothing
    assert workflow.compute(round=round, actor=city_office, reason="复核") == 0
    assert [r.total for r in Result.objects.filter(round=round).order_by("unit__code")] == [
        table[c.code][0] for c in COUNTIES
    ]

"""The assessment demo's rubric: 200 points in five sections, modelled on 张家口's."""

from datetime import date

from scoring import rubrics
from scoring.models import Kind

RUBRIC = "滨海县乡镇（街道）工会工作考核办法"
FLOOR = 130  # the rubric's pass mark, and the fund pool's floor


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
                "condition_by": (6, 30),  # of the rubric's year
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


def _rubric(office, year):
    rubric = rubrics.create_rubric(
        actor=office,
        name=RUBRIC,
        year=year,
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
                if "condition_by" in criterion:
                    criterion = {**criterion, "condition_by": date(year, *criterion["condition_by"])}
                rubrics.add_criterion(section=section, actor=office, **criterion)

    add(SECTIONS, None)
    rubric.refresh_from_db()
    return rubric

import pytest

from surveys import services
from surveys.imports import import_questions
from surveys.tests.helpers import xlsx


@pytest.fixture
def questionnaire(office):
    """A small unit questionnaire of county A: a scored choice, a rating, a number, a condition, text."""
    q = services.create_questionnaire(title="基层工会建设情况调查", owner_unit=office.org_unit, actor=office)
    errors = import_questions(
        questionnaire=q,
        actor=office,
        uploaded=xlsx(
            [
                ["人员配备", "Q1", "是否配备专职工会干部", "单选题", "是", "是=100|否=0", "", "", "", "", ""],
                ["人员配备", "Q2", "未配备的原因", "简答题", "是", "", "", "", "", "", "Q1=否"],
                ["阵地服务", "Q3", "职工之家建设评价", "评分题", "是", "", "", "", 5, "", ""],
                ["资金使用", "Q4", "全年经费（万元）", "数字", "是", "", 0, 500, "", "", ""],
                ["资金使用", "Q5", "经费用途", "多选题", "否", "慰问|培训|活动", "", "", "", "", ""],
            ]
        ),
    )
    assert errors == []
    return q


@pytest.fixture
def opinion(office):
    """An opinion poll's questionnaire (no satisfaction question: it decides nothing, so an open link may carry it)."""
    q = services.create_questionnaire(title="职工活动意见征集", owner_unit=office.org_unit, actor=office, kind="worker")
    services.add_question(
        questionnaire=q,
        section_title="意见",
        code="O1",
        text="您最希望工会组织哪类活动",
        kind="single",
        options=[("文体活动", None), ("技能培训", None), ("健康讲座", None)],
        actor=office,
    )
    services.add_question(
        questionnaire=q,
        section_title="意见",
        code="O2",
        text="其他意见和建议",
        kind="short_text",
        required=False,
        actor=office,
    )
    return q

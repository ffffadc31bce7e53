"""The unit-survey journey across pages: the supervising office (程华) builds a questionnaire and
sends it to the county's competent departments (主管单位); the transport bureau's reporter (孙丽娟)
finds it on her workbench and fills it in; the office reads the completeness and the dimension scores."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.journeys import login_path, sign_in

TITLE = "职工之家建设情况调查"
Q1 = "是否已建成职工之家"
Q2 = "未建成职工之家的原因"
Q3 = "职工之家发挥作用情况评价"
RATING = 4  # scores (4 − 1) × 25 = 75 in 作用发挥
REASON = "活动场地正在装修，预计年底建成。"
DEPARTMENTS = 20  # 主管单位 under 滨海县总工会 in the demo
DESKTOP = {"width": 1366, "height": 768}


def today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def closes_on() -> date:
    return today() + timedelta(days=14)


def question(page: Page, code: str):
    """A question as listed on the builder page."""
    return page.locator(f'li[data-testid="question"][data-code="{code}"]')


def field(page: Page, code: str):
    """A question as the respondent sees it (fill page and preview)."""
    return page.locator(f'fieldset[data-code="{code}"]')


def label(text):
    """A field's label, with or without the red asterisk of a required field."""
    return re.compile(rf"^{re.escape(text)}( \*)?$")


def add_question(page: Page, *, dimension, code, kind, text, options="", scale="", show_if=("", "")):
    """Fill in and send the builder's add-question form."""
    form = page.locator("#add-question")
    form.get_by_label(label("维度")).fill(dimension)
    form.get_by_label(label("题号")).fill(code)
    form.get_by_label(label("题型")).select_option(label=kind)
    form.get_by_label(label("题目")).fill(text)
    if options:
        form.get_by_label(label("选项")).fill(options)
    if scale:
        form.get_by_label(label("量表分数")).fill(scale)
    form.get_by_label(label("显示条件：题号")).fill(show_if[0])
    form.get_by_label(label("选择了选项")).fill(show_if[1])
    form.get_by_role("button", name="添加题目").click()
    expect(page.get_by_role("alert")).to_have_text(f"已添加第 {code} 题。")


def sign_out(page: Page, site: str):
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(login_path(site))
    expect(page.get_by_role("alert")).to_have_text("您已退出登录。")


def test_office_sends_a_unit_survey_the_reporter_fills_it_in_and_the_office_reads_the_scores(
    page: Page, site, screenshots_dir
):
    page.set_viewport_size(DESKTOP)
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    # Submitting a response asks for confirmation first; the reporter says yes.
    page.on("dialog", lambda dialog: dialog.accept())

    distribution = office_builds_and_sends(page, site, screenshots_dir)
    sign_out(page, site)
    reporter_fills_in(page, site, screenshots_dir, distribution)
    sign_out(page, site)
    office_reads_the_figures(page, site, screenshots_dir, distribution)

    assert script_errors == [], f"script errors on the pages: {script_errors}"


def office_builds_and_sends(page: Page, site, screenshots_dir):
    """Steps 1 and 2: questionnaire, three questions, preview, 下发 to the 20 主管单位."""
    from surveys.models import Distribution

    page.goto(f"{site}/")
    sign_in(page, site, "office")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    expect(page.get_by_test_id("user-name")).to_contain_text("程华")

    # 问卷调查 from the left navigation, then a new unit questionnaire.
    page.get_by_role("navigation", name="功能区").get_by_role("link", name="问卷调查").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("问卷调查")
    page.get_by_role("link", name="新建问卷").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新建问卷")
    page.get_by_label("标题").fill(TITLE)
    expect(page.get_by_label("问卷类型").locator("option:checked")).to_have_text("单位调查")
    page.get_by_role("button", name="创建").click()

    # The builder: empty, editable, then three questions through its form.
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.get_by_role("alert")).to_have_text("问卷已创建，请添加题目或从 Excel 导入。")
    expect(page.get_by_test_id("status")).to_have_text("可编辑")
    expect(page.get_by_test_id("no-questions")).to_be_visible()

    add_question(page, dimension="阵地服务", code="Q1", kind="单选题", text=Q1, options="是=100\n否=0")
    add_question(page, dimension="阵地服务", code="Q2", kind="简答题", text=Q2, show_if=("Q1", "否"))
    add_question(page, dimension="作用发挥", code="Q3", kind="评分题", text=Q3, scale="5")

    expect(page.get_by_test_id("question-count")).to_have_text("3 道题目，共 2 个维度")
    expect(page.get_by_role("heading", name="维度：阵地服务")).to_be_visible()
    expect(page.get_by_role("heading", name="维度：作用发挥")).to_be_visible()
    expect(question(page, "Q1")).to_contain_text(Q1)
    expect(question(page, "Q1")).to_contain_text("单选题")
    expect(question(page, "Q1").get_by_role("listitem")).to_have_text(
        [re.compile(r"^是 ?（100 分）$"), re.compile(r"^否 ?（0 分）$")]
    )
    expect(question(page, "Q2")).to_contain_text("简答题")
    expect(question(page, "Q2").get_by_test_id("condition")).to_have_text("仅当第 Q1 题选择“否”时显示")
    expect(question(page, "Q3")).to_contain_text("评分题")
    expect(question(page, "Q3")).to_contain_text("量表 1–5 分")

    # The preview shows the questions as a unit will; Q2 only once 否 is picked.
    page.get_by_role("link", name="预览").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("预览")
    preview = page.get_by_test_id("preview")
    expect(preview.get_by_role("heading", level=2)).to_have_text(TITLE)
    expect(preview.get_by_role("heading", level=3)).to_have_text(["阵地服务", "作用发挥"])
    expect(field(page, "Q1")).to_contain_text(Q1)
    expect(field(page, "Q1").get_by_label("是", exact=True)).to_be_visible()
    expect(field(page, "Q3")).to_contain_text(Q3)
    expect(field(page, "Q3").get_by_text("5", exact=True)).to_be_visible()
    expect(field(page, "Q3")).to_contain_text("1 分最低，5 分最高")
    expect(field(page, "Q2")).to_be_hidden()
    field(page, "Q1").get_by_label("否", exact=True).check()
    expect(field(page, "Q2")).to_be_visible()
    expect(field(page, "Q2")).to_contain_text(Q2)
    expect(field(page, "Q2").get_by_test_id("condition")).to_have_text("仅当第 Q1 题选择“否”时显示")
    expect(preview.get_by_role("button", name="提交")).to_be_disabled()

    # 下发: to the competent departments (主管单位) of 滨海县总工会.
    page.get_by_role("link", name="返回问卷").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    page.get_by_role("link", name="下发到单位").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("下发问卷")
    expect(page.get_by_label("标题")).to_have_value(TITLE)
    page.get_by_label("填报单位类型").select_option(label="主管单位")
    within = page.get_by_label("范围")
    expect(within.locator("option", has_text="滨海县总工会")).to_have_count(1)
    within.select_option(label="滨海县总工会")
    expect(page.get_by_label("开始日期")).to_have_value(today().isoformat())
    page.get_by_label("截止日期").fill(closes_on().isoformat())
    page.get_by_role("button", name="统计下发单位数").click()
    expect(page.get_by_test_id("preview")).to_contain_text(f"将下发的单位：共 {DEPARTMENTS} 个")
    expect(page.get_by_test_id("preview")).to_contain_text("县交通运输局")
    page.screenshot(path=screenshots_dir / "survey-distribute.png", full_page=True)
    assert not Distribution.objects.exists(), "counting the units must not send anything"
    page.get_by_role("button", name=re.compile(r"下发$")).click()

    # The distribution page: nobody has answered yet.
    expect(page.get_by_role("alert")).to_have_text(f"问卷已下发，共 {DEPARTMENTS} 个单位。")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_test_id("submitted-expected")).to_have_text(f"0 / {DEPARTMENTS}")
    expect(page.get_by_test_id("rate")).to_have_text("0.0%")
    expect(page.get_by_test_id("targets").get_by_role("row").filter(has_text="县交通运输局")).to_contain_text("未填报")
    distribution = Distribution.objects.get()
    assert distribution.targets.count() == DEPARTMENTS
    assert distribution.closes_on == closes_on()
    return distribution


def reporter_fills_in(page: Page, site, screenshots_dir, distribution):
    """Step 3: from the workbench to the fill page; a refused submission, then a good one."""
    from surveys.models import Answer, Response, ResponseStatus

    target = distribution.targets.get(org_unit__name="县交通运输局")
    q3 = distribution.questionnaire.questions.get(code="Q3")

    sign_in(page, site, "reporter")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    expect(page.get_by_test_id("user-name")).to_contain_text("孙丽娟")
    expect(page.get_by_test_id("user-unit")).to_contain_text("县交通运输局")
    item = page.get_by_test_id("inbox").get_by_role("listitem").filter(has_text="待填报的问卷调查")
    expect(item).to_contain_text("1")
    item.get_by_role("link", name="待填报的问卷调查").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的填报任务")
    row = page.get_by_test_id("tasks").get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text(distribution.issuing_unit.name)
    expect(row).to_contain_text("未填报")
    row.get_by_role("link", name=TITLE).click()

    # The fill page: Q2 stays hidden while Q1 is 是.
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.get_by_test_id("status")).to_have_text("未填报")
    expect(field(page, "Q1")).to_contain_text(Q1)
    expect(field(page, "Q2")).to_be_hidden()
    field(page, "Q1").get_by_label("是", exact=True).check()
    expect(field(page, "Q2")).to_be_hidden()

    # Submitting without the rating: the message names the question, nothing is stored.
    page.get_by_role("button", name="提交").click()
    missing = f"第 Q3 题“{Q3}”为必答题，尚未作答。"
    problem = page.get_by_test_id("problem")
    expect(problem).to_contain_text("未保存：有 1 处答案需要修改（见下方标注）。")
    expect(problem.get_by_role("link")).to_have_text(missing)
    expect(page.locator(f"#error-q{q3.pk}")).to_have_text(missing)
    expect(page.get_by_test_id("status")).to_have_text("未填报")
    expect(field(page, "Q1").get_by_label("是", exact=True)).to_be_checked()  # the answer given is kept
    assert not Response.objects.filter(target=target).exists()
    target.refresh_from_db()
    assert target.status == ResponseStatus.PENDING

    # 否 brings up the text question; answer it and rate.
    field(page, "Q1").get_by_label("否", exact=True).check()
    expect(field(page, "Q2")).to_be_visible()
    expect(field(page, "Q2")).to_contain_text(Q2)
    field(page, "Q2").get_by_role("textbox").fill(REASON)
    field(page, "Q3").get_by_text(str(RATING), exact=True).click()
    expect(field(page, "Q3").get_by_label(str(RATING), exact=True)).to_be_checked()
    page.screenshot(path=screenshots_dir / "task-fill.png", full_page=True, animations="disabled")
    page.get_by_role("button", name="提交").click()

    # Submitted: read-only, with the answers given.
    expect(page.get_by_role("alert").filter(has_text="答卷已提交。")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("已提交")
    expect(page.get_by_test_id("read-only")).to_have_text("已提交，如需修改请联系发起单位退回。")
    expect(page.get_by_role("button", name="提交")).to_have_count(0)
    expect(page.get_by_role("button", name="保存草稿")).to_have_count(0)
    expect(page.get_by_role("textbox")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(REASON)
    expect(page.locator(f"#question-{q3.pk}")).to_contain_text(str(RATING))
    page.screenshot(path=screenshots_dir / "task-fill-submitted.png", full_page=True)
    response = Response.objects.get(target=target)
    codes = sorted(Answer.objects.filter(response=response).values_list("question__code", flat=True))
    assert codes == ["Q1", "Q2", "Q3"]


def office_reads_the_figures(page: Page, site, screenshots_dir, distribution):
    """Step 4: one of twenty on the distribution page, then the dimension scores."""
    sign_in(page, site, "office")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    page.get_by_role("navigation", name="功能区").get_by_role("link", name="问卷下发").click()
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_test_id("submitted-expected")).to_have_text(f"1 / {DEPARTMENTS}")
    expect(page.get_by_test_id("rate")).to_have_text("5.0%")
    transport = page.get_by_test_id("targets").get_by_role("row").filter(has_text="县交通运输局")
    expect(transport).to_contain_text("已提交")

    page.get_by_test_id("stats-link").click()
    expect(page).to_have_url(re.compile(rf"/surveys/q/\d+/stats/\?distribution={distribution.pk}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"统计 · {TITLE}")
    expect(page.get_by_label("统计范围").locator("option:checked")).to_have_text(f"问卷下发：{TITLE}")
    expect(page.get_by_test_id("response-count")).to_have_text("1")
    expect(page.get_by_test_id("completeness")).to_have_text("5.0%")
    dimensions = page.locator("table").filter(has=page.get_by_test_id("dimension-score"))
    expect(dimensions.get_by_role("row").filter(has_text="阵地服务")).to_contain_text("0.0")
    expect(dimensions.get_by_role("row").filter(has_text="作用发挥")).to_contain_text(f"{(RATING - 1) * 25:.1f}")
    expect(page.get_by_test_id("overall-score")).to_have_text(f"{(0 + (RATING - 1) * 25) / 2:.1f}")
    # The charts are drawn (ECharts puts a canvas in each chart box).
    expect(page.locator("#chart-dimensions canvas")).to_be_visible()
    expect(page.locator("#chart-units canvas")).to_be_visible()
    page.screenshot(path=screenshots_dir / "survey-stats.png", full_page=True)

"""Unit surveys as the office and the units use them: distribute by kind and subtree, watch
completeness, remind, send back; fill in a task as a draft, submit it, and every refusal."""

import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from orgs.models import OrgKind, Role
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan import clock
from surveys import services
from surveys.models import Answer, Distribution, Response, ResponseStatus, Target

pytestmark = pytest.mark.django_db


def q(questionnaire, code):
    return questionnaire.questions.get(code=code)


def valid_answers(questionnaire, **overrides):
    """Form data answering every required question; ``Q4="600"`` etc. replace single answers."""
    data = {"Q1": "o1", "Q3": "4", "Q4": "120"}
    data.update(overrides)
    return {f"q{q(questionnaire, code).pk}": value for code, value in data.items() if value is not None}


def raw(questionnaire, **answers):
    return {q(questionnaire, code).pk: [value] for code, value in answers.items()}


@pytest.fixture
def depts(county_a, dept_a):
    """Three departments of county A: the reporter's, and two more."""
    return [
        dept_a,
        OrgUnitFactory(code="A-D2", name="县教育局", kind=OrgKind.DEPARTMENT, parent=county_a),
        OrgUnitFactory(code="A-D3", name="县卫生健康局", kind=OrgKind.DEPARTMENT, parent=county_a),
    ]


def send(questionnaire, office, units, *, opens=-1, closes=10, title="2026年基层工会建设情况调查"):
    today = clock.today()
    return services.distribute(
        questionnaire=questionnaire,
        title=title,
        units=units,
        opens_on=today + timedelta(days=opens),
        closes_on=today + timedelta(days=closes),
        actor=office,
    )


@pytest.fixture
def distribution(questionnaire, office, depts):
    return send(questionnaire, office, depts)


@pytest.fixture
def task(distribution, dept_a):
    return distribution.targets.get(org_unit=dept_a)


def fill_url(target):
    return f"/surveys/tasks/{target.pk}/"


def detail_url(distribution):
    return f"/surveys/distributions/{distribution.pk}/"


def post_fill(client, target, data, *, submit, version=None):
    data = {**data, "version": target.version if version is None else version}
    data["submit" if submit else "save"] = "1"
    return client.post(fill_url(target), data)


def nothing_stored(target, version=0):
    target.refresh_from_db()
    assert target.version == version
    assert not Answer.objects.filter(response__target=target).exists()


# --- distribute ----------------------------------------------------------------------------


def distribute_form(root, kind=OrgKind.GRASSROOTS, opens=0, closes=14, **extra):
    today = clock.today()
    return {
        "title": "职工之家建设调查",
        "kind": kind,
        "root": root.pk,
        "opens_on": (today + timedelta(days=opens)).isoformat(),
        "closes_on": (today + timedelta(days=closes)).isoformat(),
        **extra,
    }


@pytest.fixture
def grassroots(county_a, county_b):
    town = OrgUnitFactory(code="A-T1", name="城关镇总工会", kind=OrgKind.TOWN, parent=county_a)
    return {
        "town": town,
        "in_town": [
            OrgUnitFactory(code="A-T1-G1", name="城关镇第一基层工会", kind=OrgKind.GRASSROOTS, parent=town),
            OrgUnitFactory(code="A-T1-G2", name="城关镇第二基层工会", kind=OrgKind.GRASSROOTS, parent=town),
        ],
        "in_county": [OrgUnitFactory(code="A-G3", name="滨海港务基层工会", kind=OrgKind.GRASSROOTS, parent=county_a)],
        "enterprise": OrgUnitFactory(code="A-T1-E1", name="城关镇某企业", kind=OrgKind.ENTERPRISE, parent=town),
        "other_county": OrgUnitFactory(code="B-G1", name="临河县基层工会", kind=OrgKind.GRASSROOTS, parent=county_b),
    }


def test_distribute_by_kind_and_subtree_picks_exactly_those_units(client_for, office, questionnaire, grassroots):
    client = client_for(office)
    url = f"/surveys/q/{questionnaire.pk}/distribute/"
    page = client.get(url).content.decode()
    assert "下发问卷" in page and "城关镇总工会" in page
    assert "临河县" not in page  # a unit of another county is never offered as the root

    response = client.post(url, distribute_form(grassroots["town"], confirm="1"))
    distribution = Distribution.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(distribution)
    picked = set(distribution.targets.values_list("org_unit__code", flat=True))
    assert picked == {"A-T1-G1", "A-T1-G2"}

    client.post(url, distribute_form(office.org_unit, confirm="1"))
    whole_county = Distribution.objects.latest("id")
    assert set(whole_county.targets.values_list("org_unit__code", flat=True)) == {"A-T1-G1", "A-T1-G2", "A-G3"}
    assert "问卷已下发，共 3 个单位。" in client.get(detail_url(whole_county)).content.decode()


def test_preview_counts_the_units_and_sends_nothing(client_for, office, questionnaire, grassroots):
    page = client_for(office).post(
        f"/surveys/q/{questionnaire.pk}/distribute/", distribute_form(office.org_unit, preview="1")
    )
    assert "将下发的单位：共 3 个" in page.content.decode()
    assert "城关镇第一基层工会" in page.content.decode()
    assert not Distribution.objects.exists()


def test_preview_needs_only_kind_and_root(client_for, office, questionnaire, grassroots):
    data = {**distribute_form(grassroots["town"], preview="1"), "closes_on": ""}
    page = client_for(office).post(f"/surveys/q/{questionnaire.pk}/distribute/", data).content.decode()
    assert "将下发的单位：共 2 个" in page
    assert not Distribution.objects.exists()


def test_root_outside_the_office_subtree_is_refused(client_for, office, questionnaire, grassroots, county_b):
    page = client_for(office).post(f"/surveys/q/{questionnaire.pk}/distribute/", distribute_form(county_b, confirm="1"))
    assert page.status_code == 200
    assert "选择一个有效的选项" in page.content.decode()
    assert not Distribution.objects.exists() and not Target.objects.exists()


def test_distribution_closing_before_opening_is_refused(client_for, office, questionnaire, grassroots):
    page = client_for(office).post(
        f"/surveys/q/{questionnaire.pk}/distribute/", distribute_form(office.org_unit, opens=5, closes=1, confirm="1")
    )
    assert "截止日期早于开始日期。" in page.content.decode()
    assert not Distribution.objects.exists()


def test_distribution_to_no_unit_is_refused(client_for, office, questionnaire, grassroots):
    page = client_for(office).post(
        f"/surveys/q/{questionnaire.pk}/distribute/",
        distribute_form(grassroots["town"], kind=OrgKind.CITY, confirm="1"),
    )
    assert "没有符合条件的单位，请至少选择一个填报单位。" in page.content.decode()
    assert not Distribution.objects.exists()


# --- completeness, reminders, return -------------------------------------------------------


def submit_for(target, questionnaire, actor):
    return services.save_unit_response(
        target=target,
        raw=raw(questionnaire, Q1="o1", Q3="4", Q4="120"),
        actor=actor,
        submit=True,
        version=target.version,
    )


def test_completeness_shows_submitted_of_expected_and_rate(client_for, office, reporter, questionnaire, distribution):
    targets = list(distribution.targets.order_by("org_unit__code"))
    for target in targets[:2]:
        submit_for(target, questionnaire, reporter)
    page = client_for(office).get(detail_url(distribution)).content.decode()
    assert "2 / 3" in page
    assert "66.7%" in page
    assert "已提交" in page and "未填报" in page
    assert f"/surveys/q/{questionnaire.pk}/stats/?distribution={distribution.pk}" in page
    listing = client_for(office).get("/surveys/distributions/").content.decode()
    assert "2 / 3" in listing and "66.7%" in listing


def test_completeness_by_region_under_the_issuing_unit(client_for, questionnaire, city, county_a, county_b, reporter):
    city_office = UserFactory(username="city-office", org_unit=city, roles=[Role.OFFICE])
    a = [OrgUnitFactory(code=f"A-G{i}", kind=OrgKind.GRASSROOTS, parent=county_a) for i in range(3)]
    b = [OrgUnitFactory(code=f"B-G{i}", kind=OrgKind.GRASSROOTS, parent=county_b) for i in range(2)]
    distribution = send(questionnaire, city_office, a + b)
    for target in distribution.targets.filter(org_unit__in=a[:2] + b[:2]):
        submit_for(target, questionnaire, reporter)
    page = client_for(city_office).get(detail_url(distribution)).content.decode()
    regions = page[page.index('data-testid="regions"') :]
    assert "滨海县总工会" in regions and "66.7%" in regions
    assert "临河县总工会" in regions and "100.0%" in regions
    assert "4 / 5" in page and "80.0%" in page


def test_status_filter_and_export_give_the_same_rows(client_for, office, reporter, questionnaire, distribution):
    submit_for(distribution.targets.get(org_unit__code="A-D2"), questionnaire, reporter)
    client = client_for(office)
    page = client.get(detail_url(distribution) + "?status=submitted").content.decode()
    table = page[page.index('data-testid="targets"') :]
    assert "县教育局" in table and "县卫生健康局" not in table
    export = client.get(f"/surveys/distributions/{distribution.pk}/units.xlsx?status=pending")
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert rows[0][:4] == ("单位编码", "单位名称", "上级单位", "状态")
    assert sorted(r[0] for r in rows[1:]) == ["A-D1", "A-D3"]
    assert {r[3] for r in rows[1:]} == {"未填报"}
    waiting = client.get(detail_url(distribution) + "?status=waiting").content.decode()
    table = waiting[waiting.index('data-testid="targets"') :]
    assert "县交通运输局" in table and "县卫生健康局" in table and "县教育局" not in table


def test_remind_reaches_every_unit_not_submitted(client_for, office, reporter, questionnaire, distribution):
    submit_for(distribution.targets.get(org_unit__code="A-D2"), questionnaire, reporter)
    services.save_unit_response(
        target=distribution.targets.get(org_unit__code="A-D3"),
        raw=raw(questionnaire, Q1="o1"),
        actor=reporter,
        submit=False,
        version=0,
    )
    client = client_for(office)
    response = client.post(f"/surveys/distributions/{distribution.pk}/remind/", follow=True)
    assert "已向 2 个未提交的单位催报。" in response.content.decode()
    reminders = dict(distribution.targets.values_list("org_unit__code", "reminders"))
    assert reminders == {"A-D1": 1, "A-D2": 0, "A-D3": 1}


def test_return_with_reason_the_unit_sees_it_and_resubmits(
    client_for, office, reporter, questionnaire, distribution, task
):
    submit_for(task, questionnaire, reporter)
    office_client = client_for(office)
    response = office_client.post(
        f"/surveys/distributions/{distribution.pk}/responses/{task.pk}/return/",
        {"reason": "经费数字与年报不符，请核实"},
        follow=True,
    )
    assert "已将县交通运输局的答卷退回。" in response.content.decode()
    task.refresh_from_db()
    assert task.status == ResponseStatus.RETURNED

    unit = client_for(reporter)
    page = unit.get(fill_url(task)).content.decode()
    assert "已退回" in page and "经费数字与年报不符，请核实" in page
    assert 'value="120"' in page  # the answers come back for correcting
    response = post_fill(unit, task, valid_answers(questionnaire, Q4="98"), submit=True)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == ResponseStatus.SUBMITTED
    assert Answer.objects.get(response__target=task, question__code="Q4").number == 98


def test_return_without_reason_is_refused(client_for, office, reporter, questionnaire, distribution, task):
    submit_for(task, questionnaire, reporter)
    response = client_for(office).post(
        f"/surveys/distributions/{distribution.pk}/responses/{task.pk}/return/", {"reason": "  "}, follow=True
    )
    assert "请填写退回原因。" in response.content.decode()
    task.refresh_from_db()
    assert task.status == ResponseStatus.SUBMITTED and task.return_reason == ""


def test_office_reads_a_submitted_response_but_not_a_draft(
    client_for, office, reporter, questionnaire, distribution, task
):
    client = client_for(office)
    url = f"/surveys/distributions/{distribution.pk}/responses/{task.pk}/"
    post_fill(client_for(reporter), task, valid_answers(questionnaire), submit=False)
    assert client.get(url).status_code == 404
    task.refresh_from_db()
    submit_for(task, questionnaire, reporter)
    page = client.get(url).content.decode()
    assert "是否配备专职工会干部" in page and "120" in page and "已提交" in page


# --- the unit's task -----------------------------------------------------------------------


def test_reporter_sees_the_task_on_the_workbench(client_for, reporter, distribution):
    page = client_for(reporter).get("/").content.decode()
    assert "待填报的问卷调查" in page
    assert '/surveys/tasks/?state=todo">待填报的问卷调查</a>' in page
    inbox = page[page.index('data-testid="inbox"') :]
    assert 'rounded-pill">1</span>' in inbox
    listing = client_for(reporter).get("/surveys/tasks/?state=todo").content.decode()
    assert "我的填报任务" in listing and "2026年基层工会建设情况调查" in listing


def test_overdue_task_is_on_the_workbench_marked_overdue(client_for, reporter, questionnaire, office, dept_a):
    send(questionnaire, office, [dept_a], opens=-10, closes=-1, title="上半年调查")
    page = client_for(reporter).get("/").content.decode()
    assert "已逾期的问卷填报" in page and "text-bg-danger rounded-pill" in page
    listing = client_for(reporter).get("/surveys/tasks/?state=overdue").content.decode()
    assert "上半年调查" in listing and "已逾期" in listing


def test_office_sees_open_incomplete_distributions_on_the_workbench(client_for, office, distribution):
    page = client_for(office).get("/").content.decode()
    assert "进行中未收齐的问卷调查" in page
    assert "/surveys/distributions/?state=incomplete" in page
    listing = client_for(office).get("/surveys/distributions/?state=incomplete").content.decode()
    assert distribution.title in listing


def test_draft_save_keeps_the_answers(client_for, reporter, questionnaire, task):
    client = client_for(reporter)
    response = post_fill(client, task, valid_answers(questionnaire, Q3=None, Q4="35.5"), submit=False)
    assert response.status_code == 302
    page = client.get(fill_url(task)).content.decode()
    assert "草稿已保存。" in page and "草稿" in page
    assert 'value="35.5"' in page
    assert re.search(rf'<input[^>]*name="q{q(questionnaire, "Q1").pk}"[^>]*value="o1"[^>]*checked', page)
    task.refresh_from_db()
    assert task.status == ResponseStatus.DRAFT and task.version == 1


def test_submit_without_a_required_answer_names_the_question_and_stores_nothing(
    client_for, reporter, questionnaire, task
):
    page = post_fill(client_for(reporter), task, valid_answers(questionnaire, Q3=None), submit=True)
    text = page.content.decode()
    assert re.search(r"第 Q3 题“职工之家建设评价” ?为必答题，尚未作答。", text)
    assert "未保存：有 1 处答案需要修改" in text
    assert 'value="120"' in text  # what was typed stays on the page
    nothing_stored(task)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"Q4": "600"}, r"第 Q4 题“全年经费（万元）”：600 超出了 0–500 的范围。"),
        ({"Q1": "o9"}, r"第 Q1 题“是否配备专职工会干部”：“o9”不是本题的选项。"),
        ({"Q2": "人手不足"}, r"第 Q2 题“未配备的原因” ?因前面的回答而不显示，不应作答。"),
    ],
    ids=["number-out-of-range", "unknown-option", "hidden-question"],
)
@pytest.mark.parametrize("submit", [True, False], ids=["submit", "draft"])
def test_bad_answer_is_refused_naming_the_question(client_for, reporter, questionnaire, task, answers, message, submit):
    page = post_fill(client_for(reporter), task, valid_answers(questionnaire, **answers), submit=submit)
    assert page.status_code == 200
    assert re.search(message, page.content.decode())
    nothing_stored(task)
    assert not Response.objects.exists()


def test_submit_after_the_closing_date_is_refused_naming_the_date(client_for, reporter, questionnaire, office, dept_a):
    late = send(questionnaire, office, [dept_a], opens=-10, closes=-1)
    target = late.targets.get()
    page = post_fill(client_for(reporter), target, valid_answers(questionnaire), submit=True).content.decode()
    assert f"该调查已于 {late.closes_on:%Y-%m-%d} 截止，不再接受提交。" in page
    nothing_stored(target)


def test_task_not_yet_open_says_when_it_opens(client_for, reporter, questionnaire, office, dept_a):
    early = send(questionnaire, office, [dept_a], opens=3, closes=10)
    target = early.targets.get()
    client = client_for(reporter)
    day = f"{early.opens_on:%Y-%m-%d}"
    assert f"该调查将于 {day} 开始。" in client.get(fill_url(target)).content.decode()
    page = post_fill(client, target, valid_answers(questionnaire), submit=False).content.decode()
    assert f"该调查将于 {day} 开始。" in page
    nothing_stored(target)


def test_stale_form_shows_the_conflict_and_stores_nothing(client_for, reporter, questionnaire, task):
    client = client_for(reporter)
    assert 'name="version" value="0"' in client.get(fill_url(task)).content.decode()
    # A colleague saves meanwhile.
    services.save_unit_response(
        target=task, raw=raw(questionnaire, Q4="10"), actor=reporter, submit=False, version=task.version
    )
    page = post_fill(client, task, valid_answers(questionnaire, Q4="77"), submit=True, version=0).content.decode()
    assert "该答卷已被他人修改，本次填写未保存" in page
    assert 'value="77"' in page  # the user's own typing is kept on the page
    task.refresh_from_db()
    assert task.status == ResponseStatus.DRAFT and task.version == 1
    assert Answer.objects.get(response__target=task, question__code="Q4").number == 10


def test_submitted_response_is_read_only(client_for, reporter, questionnaire, task):
    client = client_for(reporter)
    post_fill(client, task, valid_answers(questionnaire), submit=True)
    page = client.get(fill_url(task)).content.decode()
    assert "答卷已提交。" in page
    assert "已提交，如需修改请联系发起单位退回。" in page
    assert 'name="version"' not in page and "保存草稿" not in page
    task.refresh_from_db()
    again = post_fill(client, task, valid_answers(questionnaire, Q4="1"), submit=False).content.decode()
    assert "该答卷已提交。" in again
    assert Answer.objects.get(response__target=task, question__code="Q4").number == 120


def test_task_list_puts_waiting_tasks_first(client_for, reporter, questionnaire, office, dept_a):
    done = send(questionnaire, office, [dept_a], title="已完成的调查", closes=1)
    submit_for(done.targets.get(), questionnaire, reporter)
    send(questionnaire, office, [dept_a], title="待填写的调查", closes=20)
    page = client_for(reporter).get("/surveys/tasks/").content.decode()
    assert page.index("待填写的调查") < page.index("已完成的调查")


# --- scoping and roles ---------------------------------------------------------------------


def test_office_of_another_county_gets_404(client_for, outsider, office, reporter, questionnaire, distribution, task):
    submit_for(task, questionnaire, reporter)
    client = client_for(outsider)
    base = f"/surveys/distributions/{distribution.pk}"
    for url in (
        f"/surveys/q/{questionnaire.pk}/distribute/",
        f"{base}/",
        f"{base}/units.xlsx",
        f"{base}/responses/{task.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/remind/").status_code == 404
    assert client.post(f"{base}/responses/{task.pk}/return/", {"reason": "x"}).status_code == 404
    assert distribution.title not in client.get("/surveys/distributions/").content.decode()
    task.refresh_from_db()
    assert task.reminders == 0 and task.status == ResponseStatus.SUBMITTED


def test_reporter_of_another_unit_gets_404(client_for, questionnaire, distribution, dept_b):
    other = distribution.targets.get(org_unit__code="A-D2")
    stranger = UserFactory(username="reporter-b", org_unit=dept_b, roles=[Role.REPORTER])
    client = client_for(stranger)
    assert client.get(fill_url(other)).status_code == 404
    assert post_fill(client, other, valid_answers(questionnaire), submit=True).status_code == 404
    assert "县教育局" not in client.get("/surveys/tasks/").content.decode()
    nothing_stored(other)


def test_reporter_of_a_sibling_unit_gets_404(client_for, questionnaire, distribution, reporter):
    sibling = distribution.targets.get(org_unit__code="A-D2")
    assert client_for(reporter).get(fill_url(sibling)).status_code == 404


def test_reporter_gets_403_on_office_pages(client_for, reporter, questionnaire, distribution, task):
    client = client_for(reporter)
    base = f"/surveys/distributions/{distribution.pk}"
    for url in (
        f"/surveys/q/{questionnaire.pk}/distribute/",
        "/surveys/distributions/",
        f"{base}/",
        f"{base}/units.xlsx",
        f"{base}/responses/{task.pk}/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{base}/remind/").status_code == 403


def test_office_gets_403_on_the_fill_page(client_for, office, task):
    assert client_for(office).get(fill_url(task)).status_code == 403


# --- query counts ----------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_pages_do_not_grow_queries_with_rows(client_for, office, reporter, questionnaire, county_a, dept_a):
    office_client, unit_client = client_for(office), client_for(reporter)
    send(questionnaire, office, [dept_a], title="第一次")
    pages = ("/surveys/distributions/", "/surveys/tasks/", "/")
    before = [count_queries(c, url) for c, url in zip((office_client, unit_client, unit_client), pages, strict=True)]
    units = [OrgUnitFactory(code=f"A-X{i}", kind=OrgKind.DEPARTMENT, parent=dept_a) for i in range(5)]
    for i in range(5):
        send(questionnaire, office, [dept_a, *units], title=f"第{i + 2}次")
    after = [count_queries(c, url) for c, url in zip((office_client, unit_client, unit_client), pages, strict=True)]
    assert after == before


def test_completeness_page_query_count_does_not_grow_with_targets(client_for, office, questionnaire, county_a):
    small = send(questionnaire, office, [OrgUnitFactory(kind=OrgKind.DEPARTMENT, parent=county_a)])
    big = send(questionnaire, office, [OrgUnitFactory(kind=OrgKind.DEPARTMENT, parent=county_a) for _ in range(30)])
    client = client_for(office)
    assert count_queries(client, detail_url(big)) == count_queries(client, detail_url(small))

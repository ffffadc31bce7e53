"""The rubric builder pages: the list with the share computed from records, a new rubric, the section tree
with every criterion's rule in words, adding and removing sections and criteria (refusals shown on the
form, nothing saved), a rubric in use frozen and copied to the next year; the outsider gets 404 and a
reporter is refused the office's pages."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qingdan.errors import Refused
from scoring import rubrics, workflow
from scoring.models import Criterion, Kind, Rubric, Section
from scoring.tests.conftest import PERIOD, build_rubric

pytestmark = pytest.mark.django_db


def _page(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _zhangjiakou(actor, **options):
    """100 points in the shape of the 张家口 rubric, with the four kinds of rule it quotes."""
    return build_rubric(
        actor,
        [
            ("党的建设", 35, [{"name": "理论学习", "kind": "manual", "max_points": 35}]),
            (
                "业务工作",
                60,
                [],
                [
                    (
                        "基础工作",
                        40,
                        [
                            {"name": "清单销号率", "kind": "ratio", "max_points": 37, "metric": "close_out_rate"},
                            {
                                "name": "一次通过率",
                                "kind": "tiered",
                                "max_points": 3,
                                "metric": "first_pass_rate",
                                "tiers": [
                                    {"from": "70", "points": "3"},
                                    {"from": "60", "points": "2"},
                                    {"from": "50", "points": "1"},
                                ],
                            },
                        ],
                    ),
                    (
                        "重点工作",
                        20,
                        [
                            {
                                "name": "困难职工6月底前全部脱困",
                                "kind": "condition",
                                "max_points": 15,
                                "condition_by": date(2026, 6, 30),
                            },
                            {"name": "思想引领", "kind": "manual", "max_points": 5},
                        ],
                    ),
                ],
            ),
            (
                "加分项目",
                5,
                [
                    {
                        "name": "省级领导批示或省级媒体报道",
                        "kind": "per_occurrence",
                        "metric": "praise_provincial",
                        "points_each": 3,
                        "cap": 5,
                    }
                ],
            ),
            {
                "name": "扣分项目",
                "points": 0,
                "floor": -20,
                "criteria": [
                    {
                        "name": "督办事项未按要求报送",
                        "kind": "per_occurrence",
                        "metric": "urgings_received",
                        "points_each": -2,
                        "cap": 20,
                    },
                    {"name": "重大安全事故", "kind": "veto", "metric": "incidents"},
                ],
            },
        ],
        **options,
    )


def _section(rubric, name):
    return Section.objects.get(rubric=rubric, name=name)


# --- the list ------------------------------------------------------------------------------------


def test_list_shows_name_year_share_status_and_rounds_with_the_new_button_for_office(client_for, office):
    _zhangjiakou(office)
    page = _page(client_for(office).get("/assessment/rubrics/"))
    assert "年度考核办法" in page and "2026" in page and "滨海县总工会" in page
    assert "45.0%" in page and "55.0%" in page  # computed from records / judged by hand
    assert "草稿" in page and "新建考核办法" in page


def test_reporter_reads_the_rubrics_of_the_units_above_but_cannot_create(client_for, office, reporter):
    _zhangjiakou(office)
    client = client_for(reporter)
    page = _page(client.get("/assessment/rubrics/"))
    assert "年度考核办法" in page and "新建考核办法" not in page
    assert client.get("/assessment/rubrics/new/").status_code == 403


def test_list_does_not_show_another_countys_rubric(client_for, office, outsider):
    _zhangjiakou(office)
    page = _page(client_for(outsider).get("/assessment/rubrics/"))
    assert "年度考核办法" not in page


def test_list_reads_in_the_same_number_of_queries_for_more_rubrics(client_for, office):
    client = client_for(office)
    _zhangjiakou(office, name="办法一")
    with CaptureQueriesContext(connection) as few:
        _page(client.get("/assessment/rubrics/"))
    for n in range(2, 6):
        _zhangjiakou(office, name=f"办法{n}")
    with CaptureQueriesContext(connection) as many:
        page = _page(client.get("/assessment/rubrics/"))
    assert page.count('data-testid="rubric-row"') == 5
    assert len(many) == len(few)


# --- a new rubric --------------------------------------------------------------------------------


def test_office_creates_a_rubric_with_default_grade_thresholds(client_for, office):
    response = client_for(office).post(
        "/assessment/rubrics/new/", {"name": "2027年度县级工会考核办法", "year": 2027, "full_marks": "200"}
    )
    rubric = Rubric.objects.get(name="2027年度县级工会考核办法")
    assert response.status_code == 302 and response.url == f"/assessment/rubrics/{rubric.pk}/"
    assert (rubric.excellent_from, rubric.good_from, rubric.pass_from) == (180, 160, 120)
    assert rubric.owner_unit == office.org_unit and rubric.max_manual_share is None


def test_new_rubric_refusals_show_on_the_form_and_save_nothing(client_for, office):
    client = client_for(office)
    _zhangjiakou(office)
    page = _page(client.post("/assessment/rubrics/new/", {"name": "年度考核办法", "year": 2026, "full_marks": "100"}))
    assert "本单位该年度已有同名考核办法。" in page
    page = _page(
        client.post(
            "/assessment/rubrics/new/",
            {"name": "新办法", "year": 2026, "full_marks": "100", "excellent_from": "70", "good_from": "80"},
        )
    )
    assert "等次分数线须在满分以内，且优秀＞良好＞合格。" in page
    assert Rubric.objects.count() == 1


def test_reporter_is_refused_the_new_rubric_page(client_for, reporter):
    response = client_for(reporter).post("/assessment/rubrics/new/", {"name": "x", "year": 2026, "full_marks": "100"})
    assert response.status_code == 403 and not Rubric.objects.exists()


# --- the rubric: tree, rules in words, shares, problems ----------------------------------------


def test_detail_shows_the_tree_with_each_rule_in_words_and_the_shares(client_for, office):
    rubric = _zhangjiakou(office)
    page = _page(client_for(office).get(f"/assessment/rubrics/{rubric.pk}/"))
    for name in ("党的建设", "业务工作", "基础工作", "重点工作", "加分项目", "扣分项目", "清单销号率"):
        assert name in page
    assert "≥70% 得3分；≥60% 得2分；≥50% 得1分" in page
    assert "每次 −2 分，最多扣 20 分" in page
    assert "每次 +3 分，最多加 5 分" in page
    assert "2026年6月30日前达成得15分" in page
    assert "一票否决：触发后不得评为优秀" in page
    assert "37分 × 销号率" in page
    assert "人工评分 0–35 分，须说明理由" in page
    assert "最低得分 −20" in page
    # 37 + 3 + 5 computed from records; 35 + 15 + 5 judged by hand.
    assert "平台数据计分：45 分（45.0%）" in page and "人工评分：55 分（55.0%）" in page
    assert "各部分分值合计等于满分" in page and 'data-testid="problems"' not in page
    assert "添加考核项目" in page and "添加考核指标" in page


def test_detail_lists_the_problems_and_the_share_limit(client_for, office):
    rubric = build_rubric(
        office,
        [("党的建设", 60, [{"name": "理论学习", "kind": "manual", "max_points": 30}])],
        max_manual_share=20,
    )
    page = _page(client_for(office).get(f"/assessment/rubrics/{rubric.pk}/"))
    assert 'data-testid="problems"' in page
    assert "各考核项目合计60.00分，与满分100.00分不符。" in page
    assert "“党的建设”分值为60.00分，但其下各项合计30.00分。" in page
    assert "人工评分占满分的30.0%" in page
    assert "本考核办法人工评分最多占满分的20.0%。" in page


def test_outsider_gets_404_on_every_rubric_page(client_for, office, outsider):
    rubric = _zhangjiakou(office)
    section = _section(rubric, "党的建设")
    criterion = section.criteria.get()
    client = client_for(outsider)
    for url in (
        f"/assessment/rubrics/{rubric.pk}/",
        f"/assessment/rubrics/{rubric.pk}/copy/",
        f"/assessment/sections/{section.pk}/remove/",
        f"/assessment/sections/{section.pk}/criteria/add/",
        f"/assessment/criteria/{criterion.pk}/remove/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/assessment/rubrics/{rubric.pk}/sections/add/", {"name": "x", "max_points": "1"})
    assert response.status_code == 404
    assert Section.objects.filter(rubric=rubric).count() == 6


def test_reporter_is_refused_every_change(client_for, office, reporter):
    rubric = _zhangjiakou(office)
    section = _section(rubric, "党的建设")
    criterion = section.criteria.get()
    client = client_for(reporter)
    assert _page(client.get(f"/assessment/rubrics/{rubric.pk}/"))  # reads it: the reporter's unit is assessed by it
    for url in (
        f"/assessment/rubrics/{rubric.pk}/copy/",
        f"/assessment/rubrics/{rubric.pk}/sections/add/",
        f"/assessment/sections/{section.pk}/remove/",
        f"/assessment/sections/{section.pk}/criteria/add/",
        f"/assessment/criteria/{criterion.pk}/remove/",
    ):
        assert client.post(url, {"confirm": "on"}).status_code == 403, url
    assert Criterion.objects.filter(section__rubric=rubric).count() == 8


# --- sections ----------------------------------------------------------------------------------


def test_office_adds_a_top_section_and_a_subsection_with_a_floor(client_for, office):
    rubric = build_rubric(office, [])
    client = client_for(office)
    response = client.post(f"/assessment/rubrics/{rubric.pk}/sections/add/", {"name": "业务工作", "max_points": "60"})
    assert response.status_code == 302
    work = _section(rubric, "业务工作")
    client.post(
        f"/assessment/rubrics/{rubric.pk}/sections/add/",
        {"name": "扣分", "max_points": "0", "parent": work.pk, "floor": "−10"},
    )
    below = _section(rubric, "扣分")
    assert below.parent == work and below.floor == -10
    page = _page(client.get(f"/assessment/rubrics/{rubric.pk}/"))
    assert "业务工作" in page and "扣分" in page


def test_a_section_exceeding_full_marks_is_refused_on_the_form(client_for, office):
    rubric = build_rubric(office, [("党的建设", 60, [])])
    page = _page(
        client_for(office).post(
            f"/assessment/rubrics/{rubric.pk}/sections/add/", {"name": "业务工作", "max_points": "50"}
        )
    )
    assert 'data-testid="form-error"' in page
    assert "这样合计110.00分，超过了“满分”的100.00分。" in page
    assert 'value="业务工作"' in page  # what was typed stays
    assert list(Section.objects.filter(rubric=rubric).values_list("name", flat=True)) == ["党的建设"]


def test_removing_a_section_asks_first_then_removes_it_with_its_parts(client_for, office):
    rubric = _zhangjiakou(office)
    work = _section(rubric, "业务工作")
    client = client_for(office)
    page = _page(client.get(f"/assessment/sections/{work.pk}/remove/"))
    assert "其下2个子项目和4个考核指标将一并删除。" in page
    assert Section.objects.filter(pk=work.pk).exists()
    response = client.post(f"/assessment/sections/{work.pk}/remove/", {"confirm": "on"})
    assert response.status_code == 302
    assert not Section.objects.filter(rubric=rubric, name__in=["业务工作", "基础工作", "重点工作"]).exists()
    assert Criterion.objects.filter(section__rubric=rubric).count() == 4


# --- criteria ------------------------------------------------------------------------------------


def test_criterion_form_lists_metrics_with_their_doc_and_planned_ones_disabled(client_for, office):
    rubric = build_rubric(office, [("业务工作", 100, [])])
    page = _page(client_for(office).get(f"/assessment/sections/{_section(rubric, '业务工作').pk}/criteria/add/"))
    assert 'value="close_out_rate"' in page and "销号率" in page
    assert "已销号事项数 ÷ 下达事项数" in page  # the metric's doc as help
    from qingdan import metrics

    for key, _label, _kind, _area in metrics.planned():  # areas still to come, if any are left
        assert f'value="{key}" data-doc="" disabled data-planned="1"' in page
    assert 'value="hardship_exit_rate"' in page and "困难职工脱困率 （尚未上线）" not in page  # built now


def _add(client, section, **fields):
    data = {"name": "新指标", "kind": "manual", "reason_required": "on", **fields}
    return client.post(f"/assessment/sections/{section.pk}/criteria/add/", data)


def test_office_adds_a_criterion_of_every_kind(client_for, office):
    rubric = build_rubric(office, [("业务工作", 100, [])])
    section = _section(rubric, "业务工作")
    client = client_for(office)
    assert _add(client, section, name="人工", max_points="10").status_code == 302
    assert _add(client, section, name="比率", kind="ratio", max_points="20", metric="close_out_rate").status_code == 302
    response = _add(
        client,
        section,
        name="分档",
        kind="tiered",
        max_points="3",
        metric="first_pass_rate",
        tier_from_1="70",
        tier_points_1="3",
        tier_from_2="60",
        tier_points_2="2",
    )
    assert response.status_code == 302
    assert (
        _add(
            client, section, name="批示", kind="per_occurrence", metric="praise_provincial", points_each="3", cap="5"
        ).status_code
        == 302
    )
    assert (
        _add(
            client, section, name="催办", kind="per_occurrence", metric="urgings_received", points_each="－2"
        ).status_code
        == 302
    )
    assert (
        _add(client, section, name="脱困", kind="condition", max_points="15", condition_by="2026-06-30").status_code
        == 302
    )
    assert _add(client, section, name="否决", kind="veto", metric="incidents").status_code == 302
    made = {c.name: c for c in Criterion.objects.filter(section=section)}
    assert made["人工"].kind == Kind.MANUAL and made["人工"].reason_required
    assert made["比率"].metric == "close_out_rate" and made["比率"].max_points == 20
    assert made["分档"].tiers == [{"from": "70", "points": "3"}, {"from": "60", "points": "2"}]
    assert made["批示"].points_each == 3 and made["批示"].cap == 5 and made["批示"].max_points == 5
    assert made["催办"].points_each == -2 and made["催办"].cap is None
    assert made["脱困"].condition_by == date(2026, 6, 30) and made["脱困"].metric == ""
    assert made["否决"].max_points == 0 and made["否决"].metric == "incidents"
    # Fields of other kinds typed before switching kind are dropped, not stored.
    assert made["比率"].tiers == [] and made["比率"].points_each is None and not made["比率"].reason_required


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "manual", "max_points": "0"}, "指标分值必须大于0。"),
        (
            {
                "kind": "tiered",
                "max_points": "3",
                "metric": "first_pass_rate",
                "tier_from_1": "70",
                "tier_points_1": "3",
                "tier_from_2": "70",
                "tier_points_2": "2",
            },
            "有两档的下限都是70%：分档不能重叠。",
        ),
        ({"kind": "ratio", "max_points": "10", "metric": "made_up_rate"}, "请选择数据指标。"),
        ({"kind": "ratio", "max_points": "10", "metric": "urgings_received"}, "不适用于这种计分方式。"),
        ({"kind": "per_occurrence", "metric": "praise_provincial", "points_each": "3"}, "按次加分必须设置封顶分值。"),
        ({"kind": "manual", "max_points": "101"}, "超过了“业务工作”的100.00分。"),
    ],
)
def test_a_bad_criterion_is_refused_on_the_form_and_nothing_is_saved(client_for, office, fields, message):
    rubric = build_rubric(office, [("业务工作", 100, [])])
    section = _section(rubric, "业务工作")
    page = _page(_add(client_for(office), section, **fields))
    assert 'data-testid="form-error"' in page and message in page
    assert not Criterion.objects.filter(section=section).exists()


def test_removing_a_criterion_asks_first(client_for, office):
    rubric = _zhangjiakou(office)
    criterion = Criterion.objects.get(section__rubric=rubric, name="督办事项未按要求报送")
    client = client_for(office)
    page = _page(client.get(f"/assessment/criteria/{criterion.pk}/remove/"))
    assert "每次 −2 分，最多扣 20 分" in page
    assert client.post(f"/assessment/criteria/{criterion.pk}/remove/").status_code == 200  # no confirmation
    assert Criterion.objects.filter(pk=criterion.pk).exists()
    client.post(f"/assessment/criteria/{criterion.pk}/remove/", {"confirm": "on"})
    assert not Criterion.objects.filter(pk=criterion.pk).exists()


def test_an_office_that_does_not_own_the_rubric_reads_it_but_cannot_change_it(client_for, office, city_office):
    rubric = _zhangjiakou(city_office)
    section = _section(rubric, "党的建设")
    client = client_for(office)
    page = _page(client.get(f"/assessment/rubrics/{rubric.pk}/"))
    assert "添加考核项目" not in page and "复制到下一年度" not in page
    response = client.post(
        f"/assessment/rubrics/{rubric.pk}/sections/add/", {"name": "x", "max_points": "1"}, follow=True
    )
    assert "只有制定该考核办法的单位可以修改它。" in _page(response)
    client.post(f"/assessment/sections/{section.pk}/remove/", {"confirm": "on"})
    assert Section.objects.filter(pk=section.pk).exists()


# --- frozen: in use by a round -------------------------------------------------------------------


@pytest.fixture
def frozen_rubric(office, dept_a):
    rubric = _zhangjiakou(office)
    workflow.create_round(
        actor=office,
        rubric=rubric,
        name="2026年度部门考核",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        units=[dept_a],
    )
    rubric.refresh_from_db()
    return rubric


def test_a_rubric_in_use_shows_no_edit_buttons_and_offers_the_copy(client_for, office, frozen_rubric):
    page = _page(client_for(office).get(f"/assessment/rubrics/{frozen_rubric.pk}/"))
    assert 'data-testid="frozen-note"' in page and "已启用" in page
    assert "2026年度部门考核" in page
    assert "添加考核项目" not in page and "添加考核指标" not in page and "/remove/" not in page
    assert "复制到下一年度" in page


def test_editing_a_rubric_in_use_is_refused_and_changes_nothing(client_for, office, frozen_rubric):
    client = client_for(office)
    section = _section(frozen_rubric, "加分项目")
    frozen_message = "该考核办法已被考核轮次使用，不能再修改；请复制后修改。"
    response = client.post(
        f"/assessment/rubrics/{frozen_rubric.pk}/sections/add/", {"name": "创新工作", "max_points": "0"}, follow=True
    )
    assert frozen_message in _page(response)
    response = client.post(
        f"/assessment/sections/{section.pk}/criteria/add/",
        {"name": "x", "kind": "manual", "max_points": "1"},
        follow=True,
    )
    assert frozen_message in _page(response)
    response = client.post(f"/assessment/sections/{section.pk}/remove/", {"confirm": "on"}, follow=True)
    assert frozen_message in _page(response)
    criterion = section.criteria.get()
    client.post(f"/assessment/criteria/{criterion.pk}/remove/", {"confirm": "on"})
    assert Section.objects.filter(rubric=frozen_rubric).count() == 6
    assert Criterion.objects.filter(section__rubric=frozen_rubric).count() == 8


def test_copy_to_the_next_year_makes_an_editable_draft_with_dates_moved(client_for, office, frozen_rubric):
    client = client_for(office)
    page = _page(client.get(f"/assessment/rubrics/{frozen_rubric.pk}/copy/"))
    assert 'value="2027"' in page
    response = client.post(f"/assessment/rubrics/{frozen_rubric.pk}/copy/", {"year": "2027", "name": "年度考核办法"})
    copy = Rubric.objects.get(year=2027)
    assert response.status_code == 302 and response.url == f"/assessment/rubrics/{copy.pk}/"
    assert copy.frozen_at is None and copy.copied_from == frozen_rubric
    assert Criterion.objects.get(section__rubric=copy, kind=Kind.CONDITION).condition_by == date(2027, 6, 30)
    page = _page(client.get(f"/assessment/rubrics/{copy.pk}/"))
    assert "添加考核项目" in page and "2027年6月30日前达成得15分" in page
    page = _page(client.post(f"/assessment/rubrics/{frozen_rubric.pk}/copy/", {"year": "2027", "name": "年度考核办法"}))
    assert "本单位该年度已有同名考核办法。" in page
    assert Rubric.objects.filter(year=2027).count() == 1


def test_rubric_freeze_after_the_page_was_opened_still_refuses_a_section(office, dept_a):
    rubric = _zhangjiakou(office)
    stale = Rubric.objects.get(pk=rubric.pk)
    rubrics.freeze(rubric)
    with pytest.raises(Refused):
        rubrics.add_section(rubric=stale, actor=office, name="迟到的项目", max_points=0)
    assert not Section.objects.filter(name="迟到的项目").exists()


def test_a_tier_threshold_over_100_percent_names_its_tier(client_for, office):
    rubric = build_rubric(office, [("业务工作", 100, [])])
    section = _section(rubric, "业务工作")
    fields = {
        "kind": "tiered",
        "max_points": "3",
        "metric": "first_pass_rate",
        "tier_from_2": "150",
        "tier_points_2": "2",
    }
    page = _page(_add(client_for(office), section, name="建家率", **fields))
    assert "第2档：下限是0至100之间的百分数。" in page
    assert not Criterion.objects.filter(section=section).exists()

"""The item list on a phone (cards, filters folded, nothing wider than the screen) and the
self-assessment saved as one form: two cards edited, one save, both kept."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from checklists import services
from checklists import workflow as closeout
from checklists.models import Item
from orgs.models import OrgUnit, User
from qingdan import clock
from scoring import rubrics, workflow
from scoring.models import Kind, Score
from tests.journeys import sign_in

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _items():
    office, reporter = User.objects.get(username="office"), User.objects.get(username="reporter")
    today = clock.today()
    checklist = services.issue_checklist(
        actor=office,
        responsible_unit=reporter.org_unit,
        title="县交通运输局“产改”责任清单（一个很长的标题，看它在手机上是否折行而不撑宽页面）",
        items=[
            {
                "content": f"第{n}项重点工作：一段相当长的事项内容，用来检查手机上的卡片是否折行",
                "deadline": today + timedelta(days=n),
            }
            for n in range(1, 6)
        ],
    )
    first, second, *_rest = checklist.items.order_by("position")
    Item.objects.filter(pk=first.pk).update(deadline=today - timedelta(days=4))
    closeout.apply_for_closeout(item=second, actor=reporter, report="已完成。")
    return first, second


@pytest.mark.browser_context_args(**PHONE)
@pytest.mark.django_db(transaction=True)
def test_the_item_list_fits_a_phone_as_cards_with_the_filters_folded(page: Page, site, screenshots_dir):
    first, _second = _items()
    page.goto(f"{site}/login/")
    sign_in(page, site, "reporter")
    page.wait_for_url(f"{site}/")
    page.goto(f"{site}/lists/items/")
    page.wait_for_load_state("load")
    cards = page.get_by_test_id("item-cards")
    expect(cards).to_be_visible()
    expect(page.get_by_test_id("items")).not_to_be_visible()  # the table is for wider screens
    expect(cards.locator("li").first).to_contain_text("第1项重点工作")  # overdue first
    expect(cards.locator("li").first).to_contain_text("已逾期 4 天")
    expect(page.get_by_test_id("filters")).not_to_be_visible()
    expect(page.get_by_test_id("switch")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_test_id("filters-toggle").click()
    expect(page.get_by_test_id("filters")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshots_dir / "items-phone.png", full_page=True)
    page.get_by_test_id("switch").get_by_role("link", name="全部").click()
    expect(page).to_have_url(f"{site}/lists/items/?show=all")
    # Measured once the new page has loaded and laid out its cards: the URL changes before that, under load.
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("item-cards")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _round():
    office = User.objects.get(username="office")
    reporter = User.objects.get(username="reporter")
    today = clock.today()
    rubric = rubrics.create_rubric(
        actor=office,
        name="部门考核办法",
        year=today.year,
        full_marks=100,
        excellent_from=85,
        good_from=75,
        pass_from=60,
    )
    work = rubrics.add_section(rubric=rubric, actor=office, name="业务工作", max_points=100)
    for name, most in (("理论学习", 30), ("技能竞赛", 30), ("厂务公开", 40)):
        rubrics.add_criterion(section=work, actor=office, name=name, kind=Kind.MANUAL, max_points=most)
    round = workflow.create_round(
        actor=office,
        rubric=rubric,
        name="部门年度考核",
        period_start=today.replace(month=1, day=1),
        period_end=today.replace(month=12, day=31),
        units=[OrgUnit.objects.get(pk=reporter.org_unit_id)],
    )
    return workflow.open_self_assessment(round=round, actor=office)


@pytest.mark.browser_context_args(**PHONE)
@pytest.mark.django_db(transaction=True)
def test_two_cards_edited_and_saved_once(page: Page, site, screenshots_dir):
    round = _round()
    page.goto(f"{site}/login/")
    sign_in(page, site, "reporter")
    page.wait_for_url(f"{site}/")
    page.goto(f"{site}/assessment/rounds/{round.pk}/self/")
    page.wait_for_load_state("load")
    scores = {s.criterion.name: s for s in Score.objects.filter(round=round).select_related("criterion")}
    for name, points in (("理论学习", "26"), ("厂务公开", "18")):
        score = scores[name]
        card = page.get_by_test_id(f"manual-{score.criterion_id}")
        card.locator("summary").click()  # folded on a phone: title and points
        card.locator(f"[name='s{score.pk}-points']").fill(points)
        card.locator(f"[name='s{score.pk}-reason']").fill(f"{name}的理由")
        expect(card.locator("[data-edited]")).to_be_visible()  # marked as not saved yet
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshots_dir / "self-assessment-phone.png", full_page=True)
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存 2 项指标")
    kept = {s.criterion.name: s.self_points for s in Score.objects.filter(round=round).select_related("criterion")}
    assert kept == {"理论学习": 26, "技能竞赛": None, "厂务公开": 18}

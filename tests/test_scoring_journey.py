"""The published assessment across pages, as the county office (程华) reads it: from the menu to the
round, to its results, sorted by score both ways, then one click on a town's deduction lands on the
urging notices (催办通知书) that cost it the points — every point traces back to its records."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from checklists import services
from checklists import workflow as closeout
from orgs.models import OrgKind, OrgUnit, User
from qingdan import clock
from scoring import rubrics, workflow
from scoring.models import Criterion, Kind, Score
from tests.journeys import sign_in

# The town unions' own work, judged by hand in review, and the urging notices each one received.
TOWNS = {0: ("90", 2), 1: ("70", 1), 2: ("80", 0)}


def _publish_round(office, towns):
    today = clock.today()
    for index, town in enumerate(towns):
        checklist = services.issue_checklist(
            actor=office,
            responsible_unit=town,
            title=f"{town.name}2026年重点工作责任清单",
            items=[{"content": f"{town.name}第{n}项重点工作", "deadline": today + timedelta(days=3)} for n in (1, 2)],
        )
        for item in list(checklist.items.order_by("position"))[: TOWNS[index][1]]:
            closeout.urge(item=item, actor=office, today=today + timedelta(days=10))

    rubric = rubrics.create_rubric(
        actor=office,
        name="乡镇工会工作考核办法",
        year=2026,
        full_marks=100,
        excellent_from=85,
        good_from=75,
        pass_from=60,
    )
    work = rubrics.add_section(rubric=rubric, actor=office, name="业务工作", max_points=100)
    rubrics.add_criterion(section=work, actor=office, name="年度重点工作", kind=Kind.MANUAL, max_points=100)
    deductions = rubrics.add_section(rubric=rubric, actor=office, name="扣分项目", max_points=0)
    rubrics.add_criterion(
        section=deductions,
        actor=office,
        name="督办事项未按要求报送",
        kind=Kind.PER_OCCURRENCE,
        metric="urgings_received",
        points_each=-2,
    )
    round = workflow.create_round(
        actor=office,
        rubric=rubric,
        name="2026年度乡镇工会工作考核",
        period_start=date(today.year, 1, 1),
        period_end=date(today.year, 12, 31),
        units=towns,
    )
    workflow.open_self_assessment(round=round, actor=office)
    workflow.start_review(round=round, actor=office)
    manual = Criterion.objects.get(section=work)
    for index, town in enumerate(towns):
        score = Score.objects.get(round=round, unit=town, criterion=manual)
        workflow.review(score=score, actor=office, points=TOWNS[index][0], reason="年度重点工作完成情况经实地核实")
    workflow.publish(round=round, actor=office)
    return round


@pytest.mark.django_db(transaction=True)
def test_office_sorts_the_published_results_and_follows_a_deduction_to_its_urging_notices(page: Page, site):
    office = User.objects.get(username="office")
    binhai = office.org_unit
    binhai.document_prefix = "滨产改办"
    binhai.save(update_fields=["document_prefix"])
    towns = list(OrgUnit.objects.filter(parent=binhai, kind=OrgKind.TOWN).order_by("code")[:3])
    round = _publish_round(office, towns)

    page.goto(f"{site}/")
    sign_in(page, site, "office")
    page.get_by_role("link", name="考核轮次").click()
    page.get_by_role("link", name=round.name).click()
    page.get_by_test_id("results-link").click()
    expect(page.get_by_role("heading", name=round.name)).to_be_visible()

    rows = page.get_by_test_id("result-row")
    page.get_by_test_id("sort-total").click()
    # 90 − 2×2 = 86, 80 − 0 = 80, 70 − 2×1 = 68: highest first.
    expect(rows.get_by_test_id("total")).to_have_text(["86.00", "80.00", "68.00"])
    expect(rows.first.get_by_role("rowheader")).to_have_text(towns[0].name)
    page.get_by_test_id("sort-total").click()
    expect(rows.get_by_test_id("total")).to_have_text(["68.00", "80.00", "86.00"])

    first = rows.filter(has=page.get_by_role("rowheader", name=towns[0].name, exact=True))
    deduction = first.get_by_test_id("deduction-link")
    expect(deduction).to_contain_text("4")
    deduction.click()

    expect(page.get_by_test_id("points-line")).to_contain_text("−4.00")
    expect(page.get_by_test_id("steps")).to_contain_text("2 次 × −2 分 = −4 分")
    records = page.get_by_test_id("record")
    expect(records).to_have_count(2)
    numbers = list(
        Score.objects.get(round=round, unit=towns[0], criterion__kind=Kind.PER_OCCURRENCE)
        .unit.items.values_list("documents__number", flat=True)
        .order_by("documents__number")
    )
    for number in numbers:
        expect(page.get_by_test_id("records")).to_contain_text(number)
    expect(page.get_by_test_id("records")).to_contain_text(towns[0].name)

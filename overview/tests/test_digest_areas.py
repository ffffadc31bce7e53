# ruff: noqa: F811 - the fixtures imported from the areas' conftest modules are parameters here
"""What each area offers the weekly digest (``qingdan.digests``): a week's changes in the reader's subtree and what is
overdue now, never the reader's own actions, never another county's records, overdue lines sorted by delay."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistance.models import Event as HouseholdEvent
from assistance.models import EventKind as HouseholdEventKind
from assistance.models import FileStatus
from assistance.tests.factories import make_household
from cases.models import Colour, DemandEvent, DemandEventKind, DemandStatus, DisputeEvent, DisputeEventKind
from cases.tests.conftest import make_enterprise  # noqa: F401 - an enterprise registered by the platform
from cases.tests.factories_cases import demand, dispute
from checklists import services, workflow
from overview import digest
from qingdan import clock
from scoring import workflow as scoring_workflow
from scoring.tests.conftest import city_office, simple_round, simple_rubric  # noqa: F401 - a round over both counties
from surveys import services as survey_services
from surveys.models import Response, ResponseStatus
from surveys.tests.conftest import questionnaire  # noqa: F401 - a unit questionnaire of county A

pytestmark = pytest.mark.django_db

WEEK = date(2026, 9, 14)  # the Monday of the suite's frozen day, 2026-09-16


@pytest.fixture(autouse=True)
def _in_the_week_of_2026_09_16(frozen_clock):
    """The digest's tests are written for the week of Wednesday 16 September 2026 (its Monday, its last Sunday), so
    each starts there, 10:00 China time, whatever moment the suite's clock was started at."""
    frozen_clock.move_to(datetime(2026, 9, 16, 10, tzinfo=ZoneInfo("Asia/Shanghai")))


def texts(found):
    return [line.text for area in found.areas for line in area.lines]


def overdue(found):
    return [(entry.line.text, entry.line.delay) for entry in found.overdue]


def counts(found, area):
    return next((dict(a.counts) for a in found.areas if a.label == area), {})


def issue(actor, unit, title, *, days):
    checklist = services.issue_checklist(
        actor=actor,
        responsible_unit=unit,
        title=title,
        items=[{"content": f"{title}事项", "standard": "按时完成", "deadline": clock.today() + timedelta(days=days)}],
    )
    return checklist.items.get()


def test_close_out_lines_leave_out_ones_own_actions_and_the_other_county(office, leader, reporter, outsider, dept_b):
    item = issue(office, reporter.org_unit, "技能竞赛清单", days=10)
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成")
    item.refresh_from_db()
    workflow.verify(item=item, actor=office, passed=True, opinion="通过")
    late = issue(office, reporter.org_unit, "职工书屋清单", days=10)
    late.__class__.objects.filter(pk=late.pk).update(deadline=clock.today() - timedelta(days=6))
    issue(outsider, dept_b, "临河县清单", days=10)

    for_leader = digest.build(leader, WEEK)
    assert counts(for_leader, "责任清单") == {"已销号事项": 1, "申请销号事项": 1, "下达清单": 2}
    assert "下达清单：技能竞赛清单" in texts(for_leader)
    assert ("事项逾期：职工书屋清单事项", 6) in overdue(for_leader)
    assert not [text for text in texts(for_leader) if "临河" in text]
    # The office issued and verified: only the reporter's application is news to it.
    assert counts(digest.build(office, WEEK), "责任清单") == {"申请销号事项": 1}
    # The other county's office reads its own list, none of county A's.
    outside = digest.build(outsider, WEEK)
    assert texts(outside) == []  # issued by the outsider itself
    assert overdue(outside) == []


def test_a_week_outside_the_changes_shows_none_but_still_what_is_overdue(office, leader, reporter):
    late = issue(office, reporter.org_unit, "职工书屋清单", days=10)
    late.__class__.objects.filter(pk=late.pk).update(deadline=clock.today() - timedelta(days=2))
    earlier = digest.build(leader, WEEK - timedelta(days=7))
    assert earlier.areas == [] and overdue(earlier) == [("事项逾期：职工书屋清单事项", 2)]


def test_demand_and_dispute_lines(office, leader, reporter, outsider, dept_a, dept_b, make_enterprise):
    ours, theirs = make_enterprise(office.org_unit, 1), make_enterprise(outsider.org_unit, 2)
    today = clock.today()
    received = demand(ours, received_on=today, status=DemandStatus.SUBMITTED)
    DemandEvent.objects.create(demand=received, kind=DemandEventKind.SUBMITTED, actor=None)
    mine = demand(ours, received_on=today, status=DemandStatus.SUBMITTED)
    DemandEvent.objects.create(demand=mine, kind=DemandEventKind.REGISTERED, actor=leader)
    demand(ours, received_on=today - timedelta(days=10), reply_due=today - timedelta(days=4))
    red = dispute(ours, received_on=today - timedelta(days=20), colour=Colour.RED)
    DisputeEvent.objects.create(
        dispute=red, kind=DisputeEventKind.COLOUR, actor=reporter, data={"old": "orange", "new": "red"}
    )
    other = dispute(theirs, received_on=today - timedelta(days=40), colour=Colour.RED)
    DisputeEvent.objects.create(dispute=other, kind=DisputeEventKind.REGISTERED, actor=outsider, data={"colour": "red"})
    demand(theirs, received_on=today - timedelta(days=10), reply_due=today - timedelta(days=9))

    found = digest.build(leader, WEEK)
    assert counts(found, "诉求与争议") == {"收到诉求": 1, "争议转为红色预警": 1}
    assert ("诉求逾期未答复：滨海测试企业1有限公司 · 工资报酬", 4) in overdue(found)
    assert ("红色预警争议未化解：滨海测试企业1有限公司 · 欠薪", 20) in overdue(found)
    assert not [text for text, _delay in overdue(found) if "企业2" in text]
    assert not [text for text in texts(found) if "企业2" in text]
    assert all("张建国" not in text for text in texts(found))  # a worker is never named
    theirs_found = digest.build(outsider, WEEK)
    assert counts(theirs_found, "诉求与争议") == {}  # its own registration
    assert [delay for _text, delay in overdue(theirs_found)] == [40, 9]


def test_household_lines_name_the_file_never_the_family(office, leader, dept_a, dept_b, outsider):
    today = clock.today()
    admitted = make_household(dept_a, 1)
    HouseholdEvent.objects.create(household=admitted, kind=HouseholdEventKind.ARCHIVED, actor=office)
    exited = make_household(dept_a, 2, status=FileStatus.EXITED)
    HouseholdEvent.objects.create(household=exited, kind=HouseholdEventKind.EXITED, actor=leader)
    make_household(dept_a, 3, archived_on=today - timedelta(days=400))
    make_household(dept_b, 4, archived_on=today - timedelta(days=500))

    found = digest.build(leader, WEEK)
    assert counts(found, "困难职工档案") == {"新建档困难职工家庭": 1}
    assert texts(found) == [f"新建档困难职工家庭：{admitted.number}"]
    assert overdue(found) == [(f"年度复核逾期：档案 KN-{dept_a.pk}-00003", 35)]
    assert "王1明" not in str(found)
    assert counts(digest.build(office, WEEK), "困难职工档案") == {"脱困家庭": 1}
    assert overdue(digest.build(outsider, WEEK)) == [(f"年度复核逾期：档案 KN-{dept_b.pk}-00004", 135)]


def test_survey_lines(office, leader, reporter, questionnaire, dept_a):
    today = clock.today()
    distribution = survey_services.distribute(
        questionnaire=questionnaire,
        title="基层工会建设调查",
        units=[dept_a, office.org_unit],
        opens_on=today - timedelta(days=30),
        closes_on=today - timedelta(days=3),
        actor=office,
    )
    done = distribution.targets.get(org_unit=dept_a)
    done.__class__.objects.filter(pk=done.pk).update(status=ResponseStatus.SUBMITTED, submitted_at=clock.now())
    Response.objects.create(questionnaire=questionnaire, target=done, submitted_by=reporter, submitted_at=clock.now())

    found = digest.build(leader, WEEK)
    assert counts(found, "问卷调查") == {"问卷已提交": 1}
    assert overdue(found) == [("问卷逾期未提交：基层工会建设调查", 3)]
    assert found.overdue[0].line.url.startswith(f"/surveys/q/{questionnaire.pk}/stats/")  # a leader's page
    assert digest.build(office, WEEK).overdue[0].line.url == f"/surveys/distributions/{distribution.pk}/"
    assert counts(digest.build(reporter, WEEK), "问卷调查") == {}  # the reporter's own submission


def test_a_published_round_is_news_to_all_but_the_office_that_published_it(simple_round, city_office, leader, outsider):
    round_ = scoring_workflow.open_self_assessment(round=simple_round, actor=city_office)
    round_ = scoring_workflow.start_review(round=round_, actor=city_office)
    scoring_workflow.publish(round=round_, actor=city_office)
    assert texts(digest.build(leader, WEEK)) == ["考核结果发布：2026年度考核"]
    assert texts(digest.build(outsider, WEEK)) == ["考核结果发布：2026年度考核"]
    assert digest.build(city_office, WEEK).areas == []


def test_overdue_lines_of_every_area_are_sorted_longest_delay_first_and_capped(
    office, leader, reporter, dept_a, make_enterprise, monkeypatch
):
    today = clock.today()
    for days in (3, 12, 7):
        item = issue(office, reporter.org_unit, f"清单{days}", days=10)
        item.__class__.objects.filter(pk=item.pk).update(deadline=today - timedelta(days=days))
    demand(
        make_enterprise(office.org_unit, 1), received_on=today - timedelta(days=20), reply_due=today - timedelta(days=9)
    )
    make_household(dept_a, 1, archived_on=today - timedelta(days=370))

    found = digest.build(leader, WEEK)
    assert [delay for _text, delay in overdue(found)] == [12, 9, 7, 5, 3]
    assert found.overdue_total == 5 and found.overdue_more == 0
    monkeypatch.setattr(digest, "OVERDUE_SHOWN", 2)
    capped = digest.build(leader, WEEK)
    assert [delay for _text, delay in overdue(capped)] == [12, 9] and capped.overdue_more == 3

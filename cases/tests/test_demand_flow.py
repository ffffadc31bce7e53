"""Every transition of a worker demand and every refusal, with what the user is told."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from cases import demand_flow, receipts
from cases.models import Demand, DemandEventKind, DemandNote, DemandStatus, JointMeeting
from orgs.models import Notification, Role
from orgs.tests.factories import UserFactory
from qingdan.actors import SYSTEM
from qingdan.errors import Conflict, Refused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sept16")]
SH = ZoneInfo("Asia/Shanghai")


def _at(frozen, day, hour=10):
    frozen.move_to(datetime.combine(day, datetime.min.time()).replace(hour=hour, tzinfo=SH))


# --- registering --------------------------------------------------------------------------------------------------


def test_registered_demand_is_being_handled_with_a_reply_due_in_three_working_days(make_demand, dept_a):
    demand, code = make_demand()
    assert demand.status == DemandStatus.ASSIGNED and demand.handling_unit == dept_a
    assert demand.reply_due == date(2026, 9, 20)  # Wednesday 16 → Thursday, Friday, then Sunday 20 (调休)
    assert demand.rules["reply_workdays"] == 3 and demand.rules["reopen_days"] == 30
    assert demand.receipt_hash == receipts.hash_of(code) and code not in str(Demand.objects.values().get())
    assert demand.events.get().kind == DemandEventKind.REGISTERED
    assert AuditEvent.objects.filter(action="cases.demand_registered", object_id=str(demand.pk)).exists()


def test_a_demand_is_seen_from_the_unit_it_was_registered_in_and_from_the_unit_handling_it(
    make_demand, office, reporter, outsider, county_a, dept_b
):
    from cases.scope import visible_demands

    demand, _code = make_demand()  # registered by the county office, handled by dept_a
    elsewhere, _code = make_demand(handling_unit=county_a)
    dept_b_staff = UserFactory(username="dept-b-staff", org_unit=dept_b, roles=[Role.OFFICE])
    assert set(visible_demands(office)) == {demand, elsewhere}  # registered within the county
    assert list(visible_demands(reporter)) == [demand]  # handled within dept_a, registered above it
    assert list(visible_demands(dept_b_staff)) == []
    assert list(visible_demands(outsider)) == []


def test_a_countys_demands_are_found_among_its_ids_and_the_roots_by_a_join(make_demand, office, city):
    from django.db import connection

    from cases.scope import visible_demands

    demand, _code = make_demand()
    city_office = UserFactory(username="city-office", org_unit=city, roles=[Role.OFFICE])
    assert list(visible_demands(city_office)) == [demand] == list(visible_demands(office))
    county_sql, root_sql = (str(visible_demands(user).query) for user in (office, city_office))
    # Each branch of a county's union asks the field's index for the subtree's ids (an array on PostgreSQL, where a
    # join read every demand of the province); the root's subtree is every unit, so its branches keep the join.
    among = "= ANY(ARRAY(SELECT" if connection.vendor == "postgresql" else '_unit_id" IN (SELECT'
    assert county_sql.count(among) == 2 and "JOIN" not in county_sql, county_sql
    assert "ANY(ARRAY" not in root_sql and root_sql.count("INNER JOIN") == 2, root_sql


def test_deadline_runs_over_national_day_to_the_make_up_saturday(make_demand, sept16):
    _at(sept16, date(2026, 9, 30))
    demand, _code = make_demand()
    assert demand.reply_due == date(2026, 10, 10)  # 8, 9 October, then Saturday 10 October (调休)


def test_deadline_counts_the_make_up_sunday(make_demand, sept16):
    _at(sept16, date(2026, 9, 21))
    demand, _code = make_demand(received_on=date(2026, 9, 18))  # registered on Monday, received on Friday
    assert demand.reply_due == date(2026, 9, 22)  # Friday 18 → Sunday 20 (调休), Monday 21, Tuesday 22


def test_handling_unit_outside_the_county_is_refused_and_nothing_is_saved(make_demand, dept_b):
    with pytest.raises(Refused) as refused:
        make_demand(handling_unit=dept_b)
    assert refused.value.message == "临河县交通运输局不在本县范围内，请交办给本县的部门、镇（街道）或园区、社区工会。"
    assert not Demand.objects.exists()


@pytest.mark.parametrize("size", [0, -3])
def test_group_of_no_workers_is_refused(make_demand, size):
    with pytest.raises(Refused) as refused:
        make_demand(group_size=size)
    assert refused.value.message == "涉及职工人数至少为 1 人。"
    assert not Demand.objects.exists()


def test_text_with_a_control_character_is_refused(make_demand):
    with pytest.raises(Refused) as refused:
        make_demand(content="工资\x07未发")
    assert refused.value.message == "诉求内容含有不可见的控制字符（U+0007，第 3 个字符），请删除后重试。"
    assert not Demand.objects.exists()


def test_another_countys_office_cannot_register_for_this_county(make_demand, outsider, county_a):
    with pytest.raises(Refused) as refused:
        make_demand(actor=outsider)
    assert refused.value.message == "只有总工会或镇（街道）工会的办公室人员可以在本单位范围内登记诉求。"


def test_a_town_reporter_registers_for_the_own_town_only(make_demand, town_reporter, town_a, county_a):
    demand, _code = make_demand(actor=town_reporter, org_unit=town_a)
    assert demand.org_unit == town_a
    with pytest.raises(Refused):
        make_demand(actor=town_reporter, org_unit=county_a)


def test_a_demand_raised_at_a_joint_meeting_takes_its_enterprise(make_demand, firm_a, office, county_a):
    meeting = JointMeeting.objects.create(
        enterprise=firm_a, org_unit=county_a, held_on=date(2026, 9, 10), title="季度联席会", participants="双方"
    )
    demand, _code = make_demand(meeting=meeting, source="hotline", enterprise=None, received_on=meeting.held_on)
    assert demand.source == "meeting" and demand.enterprise == firm_a and demand.meeting == meeting


# --- the worker's phone, accepting and declining ------------------------------------------------------------------


@pytest.fixture
def sent(firm_a):
    return demand_flow.submit_demand(
        enterprise=firm_a, category="safety", content="车间没有防护", worker_name="李四", group_size=5
    )


def test_a_demand_from_the_phone_waits_for_acceptance(sent, town_a):
    demand, code = sent
    assert demand.status == DemandStatus.SUBMITTED and demand.org_unit == town_a and demand.reply_due is None
    assert demand_flow.find_by_code(code.lower()) == demand


def test_accepting_starts_the_deadline_and_tells_the_handling_unit(
    sent, office, dept_a, reporter, django_capture_on_commit_callbacks
):
    demand, _code = sent
    with django_capture_on_commit_callbacks(execute=True):
        demand = demand_flow.accept_demand(demand=demand, actor=office, version=demand.version, handling_unit=dept_a)
    assert demand.status == DemandStatus.ASSIGNED and demand.reply_due == date(2026, 9, 20)
    assert Notification.objects.filter(user=reporter).exists()


def test_declining_needs_a_reason_and_keeps_it_for_the_worker(sent, office):
    demand, _code = sent
    with pytest.raises(Refused) as refused:
        demand_flow.decline_demand(demand=demand, actor=office, version=demand.version, reason=" ")
    assert refused.value.message == "请填写理由。"
    demand = demand_flow.decline_demand(
        demand=demand, actor=office, version=demand.version, reason="不属于工会受理范围"
    )
    assert demand.status == DemandStatus.DECLINED and demand.reply == "不属于工会受理范围"


def test_a_stale_form_is_a_conflict_and_changes_nothing(sent, office, dept_a):
    demand, _code = sent
    with pytest.raises(Conflict):
        demand_flow.accept_demand(demand=demand, actor=office, version=demand.version + 1, handling_unit=dept_a)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.SUBMITTED


def test_the_handling_unit_cannot_accept(sent, reporter, dept_a):
    demand, _code = sent
    with pytest.raises(Refused) as refused:
        demand_flow.accept_demand(demand=demand, actor=reporter, version=demand.version, handling_unit=dept_a)
    assert refused.value.message == "您的角色或所在单位无权对该诉求执行此操作。"


# --- replying, escalating, calling back ---------------------------------------------------------------------------


def test_reply_by_the_due_day_is_on_time(make_demand, reporter):
    demand, _code = make_demand()
    demand = demand_flow.reply_demand(demand=demand, actor=reporter, version=demand.version, reply="已协调补发",
                                      result="resolved")  # fmt: skip
    assert demand.status == DemandStatus.REPLIED and demand.replied_on_time is True and demand.result == "resolved"


def test_reply_after_the_due_day_is_late(make_demand, reporter, sept16):
    demand, _code = make_demand()
    _at(sept16, date(2026, 9, 22))
    demand = demand_flow.reply_demand(demand=demand, actor=reporter, version=demand.version, reply="已处理",
                                      result="partly")  # fmt: skip
    assert demand.replied_on_time is False


def test_another_units_reporter_cannot_reply(make_demand, county_a):
    from orgs.tests.factories import OrgUnitFactory

    other = UserFactory(username="other", org_unit=OrgUnitFactory(code="A-D9", name="县教育局", kind="department",
                                                                  parent=county_a), roles=[Role.REPORTER])  # fmt: skip
    demand, _code = make_demand()
    with pytest.raises(Refused):
        demand_flow.reply_demand(demand=demand, actor=other, version=demand.version, reply="x", result="resolved")


def test_beyond_the_enterprise_escalates_to_the_council(make_demand, reporter, council_a, dept_a,
                                                       django_capture_on_commit_callbacks):  # fmt: skip
    council_clerk = UserFactory(username="council", org_unit=council_a, roles=[Role.REPORTER])
    demand, _code = make_demand()
    with pytest.raises(Refused) as refused:
        demand_flow.reply_demand(demand=demand, actor=reporter, version=demand.version, reply="需园区协调",
                                 result="beyond")  # fmt: skip
    assert refused.value.message == "请选择上交的园区或社区工会。"
    with django_capture_on_commit_callbacks(execute=True):
        demand = demand_flow.reply_demand(demand=demand, actor=reporter, version=demand.version, reply="需园区协调",
                                          result="beyond", escalate_to=council_a)  # fmt: skip
    assert demand.status == DemandStatus.ASSIGNED
    assert demand.handling_unit == council_a and demand.escalated_from == dept_a
    assert demand.events.filter(kind=DemandEventKind.ESCALATED).exists()
    assert Notification.objects.filter(user=council_clerk).exists()
    # The council now replies; the department no longer can.
    assert demand_flow.can_reply(council_clerk, demand) and not demand_flow.can_reply(reporter, demand)


def test_closing_with_no_reply_is_refused(make_demand, office):
    demand, _code = make_demand()
    with pytest.raises(Refused) as refused:
        demand_flow.call_back(demand=demand, actor=office, version=demand.version, note="已回访")
    assert refused.value.message == "该诉求尚未答复，承办单位答复后才能回访办结。"
    demand.refresh_from_db()
    assert demand.status == DemandStatus.ASSIGNED


def test_call_back_closes_a_replied_demand(make_demand, office, reporter):
    demand, _code = make_demand()
    demand = demand_flow.reply_demand(demand=demand, actor=reporter, version=demand.version, reply="已补发",
                                      result="resolved")  # fmt: skip
    assert not demand_flow.can_call_back(reporter, demand)
    demand = demand_flow.call_back(demand=demand, actor=office, version=demand.version, note="职工表示满意")
    assert demand.status == DemandStatus.CLOSED and demand.closed_at is not None
    assert list(demand.events.values_list("kind", flat=True)) == ["registered", "replied", "called_back", "closed"]


# --- notes --------------------------------------------------------------------------------------------------------


def test_private_notes_are_for_the_registering_and_handling_staff(make_demand, reporter, leader, outsider):
    demand, _code = make_demand()
    demand_flow.add_note(demand=demand, actor=reporter, text_="企业负责人电话沟通中")
    assert DemandNote.objects.count() == 1
    with pytest.raises(Refused):
        demand_flow.add_note(demand=demand, actor=leader, text_="看看")
    assert not demand_flow.can_keep_notes(outsider, demand)


# --- the worker through the receipt code --------------------------------------------------------------------------


@pytest.fixture
def replied(make_demand, reporter):
    demand, code = make_demand()
    demand = demand_flow.reply_demand(demand=demand, actor=reporter, version=demand.version, reply="已补发",
                                      result="resolved")  # fmt: skip
    return demand, code


def test_the_worker_rates_once_with_the_code(replied):
    demand, code = replied
    demand = demand_flow.rate_demand(code=code, rating="very_satisfied")
    assert demand.rating == "very_satisfied" and demand.rated_at is not None
    with pytest.raises(Refused) as refused:
        demand_flow.rate_demand(code=code, rating="dissatisfied")
    assert refused.value.message == "您已评价过该答复，每次答复只能评价一次。"


def test_a_rating_without_the_right_code_is_refused(replied):
    with pytest.raises(Refused) as refused:
        demand_flow.rate_demand(code="ABCDE-FGHJK", rating="satisfied")
    assert refused.value.message == "没有与该回执码对应的诉求，请核对回执上的回执码。"
    with pytest.raises(Refused):
        demand_flow.rate_demand(code="", rating="satisfied")
    assert not Demand.objects.exclude(rating="").exists()


def test_a_demand_still_being_handled_cannot_be_rated(make_demand):
    _demand, code = make_demand()
    with pytest.raises(Refused) as refused:
        demand_flow.rate_demand(code=code, rating="satisfied")
    assert refused.value.message == "该诉求当前为“办理中”，现在不能评价。"


def test_the_worker_reopens_within_the_period(replied, sept16, dept_a, django_capture_on_commit_callbacks, reporter):
    demand, code = replied
    _at(sept16, date(2026, 10, 16))  # 30 days after the reply
    with django_capture_on_commit_callbacks(execute=True):
        demand = demand_flow.reopen_demand(code=code, reason="只发了一个月")
    assert demand.status == DemandStatus.ASSIGNED and demand.reopened == 1
    assert demand.reply == "" and demand.result == ""
    assert demand.reply_due == date(2026, 10, 21)
    assert Notification.objects.filter(user=reporter, text__contains="职工申请重新办理").exists()


def test_reopening_after_the_period_is_refused(replied, sept16):
    demand, code = replied
    _at(sept16, date(2026, 10, 17))  # 31 days after the reply
    assert not demand_flow.can_reopen(demand)
    with pytest.raises(Refused) as refused:
        demand_flow.reopen_demand(code=code)
    assert refused.value.message == "答复已超过 30 天，不能再申请重新办理，请重新提交诉求。"
    demand.refresh_from_db()
    assert demand.status == DemandStatus.REPLIED and demand.reopened == 0


# --- urging -------------------------------------------------------------------------------------------------------


def test_urging_by_hand_needs_an_overdue_demand(make_demand, office, sept16):
    demand, _code = make_demand()
    with pytest.raises(Refused):
        demand_flow.urge_demand(demand=demand, actor=office, version=demand.version)
    _at(sept16, date(2026, 9, 22))
    demand = demand_flow.urge_demand(demand=demand, actor=office, version=demand.version)
    assert demand.urged == 1
    with pytest.raises(Refused) as refused:
        demand_flow.urge_demand(demand=demand, actor=office, version=demand.version)
    assert refused.value.message == "该诉求已于 2026-09-22 催办，请间隔 3 天后再催办。"


def test_scan_urges_overdue_demands_once_per_interval(
    make_demand, sept16, reporter, django_capture_on_commit_callbacks
):
    demand, _code = make_demand()
    waiting, _c = make_demand(received_on=date(2026, 9, 16))
    replied = demand_flow.reply_demand(demand=waiting, actor=reporter, version=waiting.version, reply="好",
                                       result="resolved")  # fmt: skip
    _at(sept16, date(2026, 9, 22))
    with django_capture_on_commit_callbacks(execute=True):
        assert demand_flow.scan() == 1
    assert demand_flow.scan() == 0  # the same day again: nothing more
    demand.refresh_from_db()
    replied.refresh_from_db()
    assert demand.urged == 1 and replied.urged == 0
    event = demand.events.get(kind=DemandEventKind.URGED)
    assert "诉催" in event.data["number"] and "2026" in event.data["number"]
    assert Notification.objects.filter(user=reporter, text__contains="催办通知").exists()
    _at(sept16, date(2026, 9, 25), hour=11)
    call_command("scan_demands", today="2026-09-25")
    demand.refresh_from_db()
    assert demand.urged == 2
    assert demand.events.filter(kind=DemandEventKind.URGED).count() == 2


def test_the_system_is_never_a_missing_actor(make_demand):
    demand, _code = make_demand()
    assert demand_flow.can_reply(SYSTEM, demand) and not demand_flow.can_reply(None, demand)
    with pytest.raises(Refused):
        demand_flow.reply_demand(demand=demand, actor=None, version=demand.version, reply="x", result="resolved")


def test_an_old_urging_makes_way_for_a_new_one(make_demand, sept16):
    demand, _code = make_demand()
    _at(sept16, date(2026, 9, 22))
    demand_flow.scan()
    sept16.shift(timedelta(days=2, hours=23))
    assert demand_flow.scan() == 0
    sept16.shift(timedelta(hours=2))
    assert demand_flow.scan() == 1

"""Every change of a labour dispute and every refusal, through ``cases.dispute_flow`` (what the user sees is the
refusal's message, shown on the page as it is here)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cases import dispute_flow as flow
from cases.models import Dispute, DisputeEventKind, FollowUp, Mediation, Project, Subcontract
from orgs.models import Notification, Role
from orgs.tests.factories import UserFactory
from qingdan.actors import SYSTEM
from qingdan.errors import Conflict, Refused

pytestmark = pytest.mark.django_db
CHINA = ZoneInfo("Asia/Shanghai")


def fresh(dispute):
    return Dispute.objects.get(pk=dispute.pk)


# --- registering --------------------------------------------------------------------------------------------------


def test_office_registers_a_dispute_with_the_rules_in_force(office, make_dispute):
    dispute = make_dispute(actor=office)
    assert dispute.status == "registered" and dispute.colour == "yellow"
    assert dispute.rules["mediation_workdays"] == 15
    assert dispute.events.get().kind == DisputeEventKind.REGISTERED


def test_a_town_reporter_registers_for_their_own_town(town_reporter, make_dispute):
    assert make_dispute(actor=town_reporter).org_unit == town_reporter.org_unit


def test_a_town_reporter_cannot_register_for_another_town(town_reporter, make_dispute, town_a2):
    with pytest.raises(Refused, match="您不能为八巨镇工会登记劳动争议"):
        make_dispute(actor=town_reporter, unit=town_a2)


@pytest.mark.parametrize("who", ["reporter", "leader"])
def test_a_department_reporter_or_a_leader_cannot_register(who, request, make_dispute):
    with pytest.raises(Refused, match="只有总工会、乡镇"):
        make_dispute(actor=request.getfixturevalue(who))
    assert not Dispute.objects.exists()


def test_an_enterprise_of_another_county_is_refused(office, make_dispute, firm_b):
    with pytest.raises(Refused, match="不在滨海县总工会登记"):
        make_dispute(actor=office, enterprise=firm_b)
    assert not Dispute.objects.exists()


def test_a_subcontractor_not_of_the_chosen_project_is_refused(office, make_dispute, firm_a, make_enterprise, town_a):
    other = make_enterprise(town_a, 5)
    third = make_enterprise(town_a, 6)
    project = Project.objects.create(name="医院", org_unit=town_a, general_contractor=firm_a)
    elsewhere = Project.objects.create(name="码头", org_unit=town_a, general_contractor=other)
    node = Subcontract.objects.create(project=elsewhere, contractor=third)
    with pytest.raises(Refused, match="必须是所选工程项目承包链条上的企业"):
        make_dispute(actor=office, project=project, subcontract=node)
    mine = Subcontract.objects.create(project=project, contractor=third)
    assert make_dispute(actor=office, project=project, subcontract=mine).subcontract == mine


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"amount_claimed": "-1"}, "涉及金额不能为负数"),
        ({"months_in_arrears": "-0.5"}, "欠薪月数不能为负数"),
        ({"months_in_arrears": "100"}, "欠薪月数最多为99.9"),
        ({"months_in_arrears": "1.25"}, "最多保留一位小数"),
        ({"workers": 0}, "至少为1人"),
        ({"amount_claimed": "abc"}, "涉及金额不是有效的数字"),
        ({"summary": "拖欠\x00工资"}, "基本情况含有不可见的控制字符"),
        ({"worker_name": "张\x1b三"}, "职工代表含有不可见的控制字符"),
        ({"summary": ""}, "请填写基本情况"),
        ({"worker_phone": "abc"}, "只能由数字和连字符组成"),
    ],
)
def test_bad_facts_are_refused_in_chinese_and_nothing_is_saved(office, make_dispute, facts, message):
    with pytest.raises(Refused, match=message):
        make_dispute(actor=office, **facts)
    assert not Dispute.objects.exists()


def test_a_stale_form_changes_nothing(office, make_dispute):
    dispute = make_dispute()
    flow.change_facts(dispute=dispute, actor=office, version=dispute.version, workers=5)
    with pytest.raises(Conflict, match="已被他人修改"):
        flow.change_facts(dispute=dispute, actor=office, version=dispute.version, workers=7)
    assert fresh(dispute).workers == 5


def test_the_same_facts_sent_again_change_nothing(office, make_dispute):
    dispute = make_dispute()
    again = flow.change_facts(dispute=dispute, actor=office, version=dispute.version, workers=3)
    assert again.version == dispute.version


def test_another_countys_office_cannot_change_facts(outsider, make_dispute):
    dispute = make_dispute()
    with pytest.raises(Refused, match="不能对该争议进行此项操作"):
        flow.change_facts(dispute=dispute, actor=outsider, version=dispute.version, workers=9)


# --- grid reporting and the red alarm -----------------------------------------------------------------------------


def test_a_grid_leader_reports_a_red_case_and_the_town_and_county_are_told_at_once(
    grid_leader, town_reporter, town_office, office, firm_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dispute = flow.report_from_grid(
            actor=grid_leader, enterprise=firm_a, grid="向阳社区第三网格", workers=35,
            months_in_arrears="3", amount_claimed="1250000", summary="工地三个月未发工资",
        )  # fmt: skip
    assert (dispute.source, dispute.kind, dispute.org_unit.name) == ("grid", "wages", "东坎街道工会")
    assert dispute.colour == "red" and dispute.worker_name == grid_leader.display_name
    told = set(Notification.objects.filter(text__startswith="红色预警").values_list("user__username", flat=True))
    assert told == {"dongkan", "town_office", "office"}


def test_only_a_grid_leader_reports_from_a_grid(reporter, firm_a):
    with pytest.raises(Refused, match="只有网格员"):
        flow.report_from_grid(
            actor=reporter, enterprise=firm_a, grid="一网格", workers=1, months_in_arrears="1",
            amount_claimed="1", summary="x",
        )  # fmt: skip


def test_red_disputes_come_first_in_the_whole_workbench(office, client_for, make_dispute):
    make_dispute(months_in_arrears="0.5")
    make_dispute(months_in_arrears="3")
    page = client_for(office).get("/").content.decode()
    first = page.index("劳动争议红色预警")
    assert first < page.index("待受理调解的劳动争议")
    assert page.index("待办事项") < first
    assert page[page.index("待办事项") : first].count("<li") == 1  # the very first item


# --- the three parties --------------------------------------------------------------------------------------------


def test_parties_and_their_actions_with_deadlines(town_reporter, make_dispute):
    dispute = make_dispute()
    party = flow.set_party(
        dispute=dispute, actor=town_reporter, version=dispute.version, side="hrss", body="县人社局劳动监察大队",
        contact_name="顾建平", contact_phone="0515-84101234",
    )  # fmt: skip
    item = flow.add_party_action(
        party=party, actor=town_reporter, version=fresh(dispute).version, action="专项检查", due_on=date(2026, 9, 17)
    )
    assert not flow.overdue_actions(dispute, today=date(2026, 9, 17)).exists()
    assert list(flow.overdue_actions(dispute, today=date(2026, 9, 18))) == [item]
    flow.complete_party_action(item=item, actor=town_reporter, version=fresh(dispute).version)
    with pytest.raises(Refused, match="已于2026-09-16标记完成"):
        flow.complete_party_action(item=item, actor=town_reporter, version=fresh(dispute).version)


def test_a_party_is_one_of_three(town_reporter, make_dispute):
    dispute = make_dispute()
    with pytest.raises(Refused, match="工会、人社或政法"):
        flow.set_party(dispute=dispute, actor=town_reporter, version=0, side="press", body="x", contact_name="y")


# --- three-level mediation ----------------------------------------------------------------------------------------


def start(dispute, actor, level="enterprise", mediator="王建华"):
    return flow.start_mediation(
        dispute=dispute, actor=actor, version=fresh(dispute).version, level=level, mediator=mediator
    )


def fail(dispute, actor, next_level=None, mediator="陈国平"):
    return flow.fail_level(
        dispute=dispute, actor=actor, version=fresh(dispute).version, note="未成", next_level=next_level,
        mediator=mediator,
    )  # fmt: skip


@pytest.mark.parametrize("level", ["village", "town"])
def test_mediation_cannot_start_above_the_enterprise(town_reporter, make_dispute, level):
    dispute = make_dispute()
    with pytest.raises(Refused, match="调解须从企业层级开始"):
        start(dispute, town_reporter, level=level)
    assert fresh(dispute).status == "registered" and not Mediation.objects.exists()


def test_mediation_goes_up_one_level_at_a_time_and_ends_at_the_town(town_reporter, make_dispute):
    dispute = make_dispute()
    opened = start(dispute, town_reporter)
    assert (opened.accepted_on, opened.due_on) == (date(2026, 9, 16), date(2026, 10, 13))
    with pytest.raises(Refused, match="调解须逐级进行：企业之后是村/社区，不能直接到乡镇（街道）"):
        fail(dispute, town_reporter, next_level="town")
    with pytest.raises(Refused, match="请指定村/社区调解的调解员"):
        fail(dispute, town_reporter, next_level="village", mediator="")
    village = fail(dispute, town_reporter, next_level="village")
    assert village.level == "village" and fresh(dispute).level == "village"
    fail(dispute, town_reporter, next_level="town", mediator="孙志强")
    with pytest.raises(Refused, match="乡镇（街道）调解是最高一级调解"):
        fail(dispute, town_reporter, next_level="village")
    assert fail(dispute, town_reporter) is None
    dispute = fresh(dispute)
    assert dispute.status == "mediating" and not dispute.mediations.filter(ended_on__isnull=True).exists()
    assert list(dispute.mediations.values_list("outcome", flat=True)) == ["failed", "failed", "ended"]
    flow.refer(dispute=dispute, actor=town_reporter, version=dispute.version, to="arbitration")
    assert fresh(dispute).status == "referred"


def test_a_leader_reads_but_does_not_mediate(leader, make_dispute):
    dispute = make_dispute()
    assert not flow.can_start_mediation(leader, dispute)
    with pytest.raises(Refused, match="不能对该争议进行此项操作"):
        start(dispute, leader)


def test_a_missed_deadline_passes_up_one_level_at_a_time_across_national_day(
    town_reporter, office, make_dispute, django_capture_on_commit_callbacks
):
    """Accepted on 2026-09-16: 15 working days count the 调休 Sunday 09-20 and Saturday 10-10 and skip 中秋 and 国庆,
    so the enterprise level is due 2026-10-13; the scan of 10-13 leaves it, the scan of 10-14 passes it up."""
    dispute = make_dispute()
    start(dispute, town_reporter)
    assert flow.scan(date(2026, 10, 13))["escalated"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert flow.scan(date(2026, 10, 14))["escalated"] == 1
        assert flow.scan(date(2026, 10, 14))["escalated"] == 0  # run twice: once
    dispute = fresh(dispute)
    village = dispute.mediations.get(level="village")
    assert dispute.level == "village" and village.accepted_on == date(2026, 10, 14) and village.mediator == ""
    assert dispute.mediations.get(level="enterprise").outcome == "timed_out"
    assert dispute.events.filter(kind=DisputeEventKind.ESCALATED).count() == 1
    assert Notification.objects.filter(user=town_reporter, text__contains="逾期未结").count() == 1
    # The village level is due 15 working days later; passed up once more, to the town, never further.
    assert flow.scan(village.due_on)["escalated"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert flow.scan(date(2026, 12, 31))["escalated"] == 1
    town = fresh(dispute).mediations.get(level="town")
    with django_capture_on_commit_callbacks(execute=True):
        assert flow.scan(date(2027, 3, 1)) == {"escalated": 0, "county_told": 1, "follow_ups": 0}
        assert flow.scan(date(2027, 3, 2))["county_told"] == 0
    assert Notification.objects.filter(user=office, text__contains="乡镇（街道）调解已逾期").count() == 1
    town.refresh_from_db()
    assert town.ended_on is None and fresh(dispute).status == "mediating"


def test_the_scan_command_reports_what_it_did(town_reporter, make_dispute, capsys):
    from django.core.management import call_command

    start(make_dispute(), town_reporter)
    call_command("scan_disputes", today="2026-10-14")
    assert "Levels passed up: 1" in capsys.readouterr().out


# --- outcomes, payments, the follow-up ----------------------------------------------------------------------------


def agreed(dispute, actor, amount="20000"):
    start(dispute, actor)
    fail(dispute, actor, next_level="village")
    return flow.record_agreement(dispute=dispute, actor=actor, version=fresh(dispute).version, amount_agreed=amount)


def test_payments_never_pass_the_amount_agreed_nor_go_negative(town_reporter, make_dispute):
    dispute = agreed(make_dispute(), town_reporter)
    assert (dispute.status, dispute.outcome, dispute.agreed_on) == ("agreed", "agreement", date(2026, 9, 16))
    flow.record_payment(dispute=dispute, actor=town_reporter, version=fresh(dispute).version, amount="15000")
    with pytest.raises(Refused, match="累计支付¥25,000.00将超过协议金额¥20,000.00"):
        flow.record_payment(dispute=dispute, actor=town_reporter, version=fresh(dispute).version, amount="10000")
    with pytest.raises(Refused, match="已支付金额不能为负数"):
        flow.record_payment(dispute=dispute, actor=town_reporter, version=fresh(dispute).version, amount="-1")
    assert fresh(dispute).amount_paid == Decimal("15000")
    flow.record_payment(dispute=dispute, actor=town_reporter, version=fresh(dispute).version, amount="5000")
    with pytest.raises(Refused, match="协议金额已全部支付"):
        flow.record_payment(dispute=dispute, actor=town_reporter, version=fresh(dispute).version, amount="1")


def test_an_agreement_asks_the_worker_thirty_days_later_and_yes_closes_it(town_reporter, make_dispute, frozen_clock):
    dispute = agreed(make_dispute(), town_reporter)
    assert not flow.can_issue_follow_up(town_reporter, fresh(dispute))
    assert flow.scan(date(2026, 10, 15))["follow_ups"] == 0
    assert flow.scan(date(2026, 10, 16))["follow_ups"] == 1
    assert flow.scan(date(2026, 10, 16))["follow_ups"] == 0
    follow_up, code = flow.issue_follow_up(dispute=fresh(dispute), actor=town_reporter)
    assert follow_up.token_hash and code not in follow_up.token_hash
    frozen_clock.move_to(datetime(2026, 10, 18, 20, tzinfo=CHINA))
    flow.answer_follow_up(code=code, paid_in_full=True)
    dispute = fresh(dispute)
    assert (dispute.status, dispute.closed_on) == ("closed", date(2026, 10, 18))
    with pytest.raises(Refused, match="此链接已使用过"):
        flow.answer_follow_up(code=code, paid_in_full=False)
    with pytest.raises(Refused, match="无法识别此链接"):
        flow.answer_follow_up(code="ABCDE-FGHJK", paid_in_full=True)


def test_a_no_reopens_the_dispute_at_the_level_it_agreed_at_and_tells_the_staff(
    town_reporter, make_dispute, django_capture_on_commit_callbacks
):
    dispute = agreed(make_dispute(), town_reporter)
    flow.scan(date(2026, 10, 16))
    _follow_up, code = flow.issue_follow_up(dispute=fresh(dispute), actor=town_reporter)
    with django_capture_on_commit_callbacks(execute=True):
        flow.answer_follow_up(code=code, paid_in_full=False)
    dispute = fresh(dispute)
    assert (dispute.status, dispute.level, dispute.reopened, dispute.outcome) == ("mediating", "village", 1, "")
    village = dispute.mediations.get(level="village")
    assert village.ended_on is None and village.outcome == ""
    assert Notification.objects.filter(user=town_reporter, text__startswith="争议重新办理").exists()
    assert FollowUp.objects.get(dispute=dispute).paid_in_full is False


def test_an_agreement_before_any_mediation_reopens_as_registered(town_reporter, make_dispute):
    dispute = make_dispute()
    flow.record_agreement(dispute=dispute, actor=town_reporter, version=dispute.version, amount_agreed="100")
    flow.reopen(dispute=dispute, actor=town_reporter, version=fresh(dispute).version, note="职工反映未付款")
    assert (fresh(dispute).status, fresh(dispute).reopened) == ("registered", 1)


def test_withdrawn_disputes_take_no_more_mediation(town_reporter, make_dispute):
    dispute = make_dispute()
    flow.withdraw(dispute=dispute, actor=town_reporter, version=dispute.version, note="企业已补发")
    with pytest.raises(Refused, match="该争议当前为“已撤回”，现在不能进入调解"):
        start(dispute, town_reporter)
    assert fresh(dispute).outcome == "withdrawn"


def test_a_link_is_made_only_when_a_follow_up_is_open(town_reporter, make_dispute):
    dispute = agreed(make_dispute(), town_reporter)
    with pytest.raises(Refused):
        flow.issue_follow_up(dispute=dispute, actor=town_reporter)


def test_the_system_scans_with_no_person(make_dispute):
    dispute = make_dispute()
    flow.start_mediation(dispute=dispute, actor=SYSTEM, version=dispute.version, level="enterprise", mediator="王")
    assert fresh(dispute).status == "mediating"


def test_a_town_office_clerk_of_another_town_does_not_handle(make_dispute, town_a2):
    clerk = UserFactory(username="baju", org_unit=town_a2, roles=[Role.OFFICE])
    assert not flow.handles(clerk, make_dispute())


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_pass_a_level_up_once(town_reporter, make_dispute, at_once):
    """The daily scan started twice at the same moment (two schedulers): each dispute is passed up once."""
    from django.db import connection

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("an in-memory SQLite database is not shared between threads")
    dispute = make_dispute()
    start(dispute, town_reporter)
    results = at_once(lambda: flow.scan(date(2026, 10, 14))["escalated"])
    assert sorted(results) == [0, 1]
    assert fresh(dispute).events.filter(kind=DisputeEventKind.ESCALATED).count() == 1
    assert Mediation.objects.filter(dispute=dispute).count() == 2

"""Joint meetings: recording, adding, turning a decision into a list item (and closing it out), refusals."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import meeting_flow as flow
from cases.models import JointMeeting, MeetingDecision
from cases.tests.test_letter_flow import PDF
from checklists import workflow
from checklists.models import Item, ItemStatus
from evidence import services as library
from evidence.access import downloadable
from orgs.models import Role
from orgs.tests.factories import UserFactory
from qingdan.errors import Conflict, Refused


def meeting(actor, firm, **extra):
    values = {
        "held_on": date(2026, 9, 10),
        "title": "2026年工资集体协商联席会议",
        "participants": "工会主席王强、职工代表3人；企业总经理李明、人事经理",
        "minutes": "双方就8月工资发放时间进行协商。",
        "decisions": ["9月20日前补发8月工资", "建立工资支付台账"],
        **extra,
    }
    return flow.record_meeting(actor=actor, enterprise=firm, **values)


@pytest.fixture
def town_reporter(town_a):
    return UserFactory(username="dongkan", org_unit=town_a, roles=[Role.REPORTER])


def test_the_office_records_a_meeting_with_its_decisions(office, firm_a, town_a):
    found = meeting(office, firm_a)
    assert found.org_unit == town_a  # registered under the enterprise's unit, so the town reads it too
    assert [d.content for d in found.decisions.all()] == ["9月20日前补发8月工资", "建立工资支付台账"]


def test_a_town_reporter_records_a_meeting_of_its_town_only(town_reporter, firm_a, firm_b, make_enterprise, county_a):
    assert meeting(town_reporter, firm_a).pk
    county_firm = make_enterprise(county_a, 7, name="县直企业有限公司")
    for firm in (firm_b, county_firm):
        with pytest.raises(Refused):
            meeting(town_reporter, firm)


def test_a_department_reporter_and_the_other_county_cannot_record(reporter, outsider, firm_a):
    for person in (reporter, outsider):
        with pytest.raises(Refused):
            meeting(person, firm_a)
    assert not JointMeeting.objects.exists()


def test_a_meeting_in_the_future_or_without_participants_is_refused(office, firm_a):
    with pytest.raises(Refused, match="after today|晚于今天"):
        meeting(office, firm_a, held_on=date(2026, 9, 17))
    with pytest.raises(Refused):
        meeting(office, firm_a, participants=" ")
    assert not JointMeeting.objects.exists()


def test_a_refused_meeting_leaves_no_file(office, firm_a):
    with pytest.raises(Refused):
        library.keep_with(
            [SimpleUploadedFile("纪要.pdf", PDF)],
            actor=office,
            then=lambda pieces: meeting(office, firm_a, held_on=date(2027, 1, 1), attachments=pieces),
        )
    assert not library.Evidence.objects.exists()


def test_files_of_a_meeting_are_downloadable_by_whoever_sees_it(office, town_reporter, outsider, firm_a):
    pieces = [library.keep(uploaded=SimpleUploadedFile("纪要.pdf", PDF), actor=office)]
    meeting(office, firm_a, attachments=pieces)
    assert downloadable(town_reporter).filter(pk=pieces[0].pk).exists()
    assert not downloadable(outsider).filter(pk=pieces[0].pk).exists()


def test_adding_to_a_meeting_checks_the_version(office, firm_a):
    found = meeting(office, firm_a)
    found = flow.add_to_meeting(meeting=found, actor=office, version=0, decisions=["每月15日前发放工资"])
    assert found.decisions.count() == 3 and found.version == 1
    with pytest.raises(Conflict):
        flow.add_to_meeting(meeting=found, actor=office, version=0, decisions=["再一项"])
    with pytest.raises(Refused):
        flow.add_to_meeting(meeting=found, actor=office, version=1, decisions=[" "])


def test_a_decision_goes_to_the_enterprises_own_union_and_closes_out(office, make_enterprise, town_a, union_a):
    firm = make_enterprise(town_a, 5, has_union=True, union_unit=union_a)
    decision = meeting(office, firm).decisions.first()
    item = flow.decision_to_item(decision=decision, actor=office, deadline=date(2026, 9, 30), standard="工资发放凭证")
    decision.refresh_from_db()
    assert decision.item_id == item.pk
    assert item.responsible_unit == union_a and item.content == "9月20日前补发8月工资"
    assert item.checklist.issuing_unit == office.org_unit
    # The item is closed through the close-out area's own procedure: the union applies, the office verifies.
    union_reporter = UserFactory(username="unionrep", org_unit=union_a, roles=[Role.REPORTER])
    item = workflow.apply_for_closeout(item=item, actor=union_reporter, report="已补发工资。")
    item = workflow.verify(item=item, actor=office, passed=True, opinion="凭证齐全。")
    assert Item.objects.get(pk=item.pk).status == ItemStatus.CLOSED


def test_without_a_union_unit_the_office_chooses_one_in_its_subtree(office, firm_a, town_a, dept_b):
    decision = meeting(office, firm_a).decisions.first()
    with pytest.raises(Refused, match="choose|选择"):
        flow.decision_to_item(decision=decision, actor=office, deadline=date(2026, 9, 30), standard="凭证")
    with pytest.raises(Refused):  # another county's department
        flow.decision_to_item(
            decision=decision, actor=office, deadline=date(2026, 9, 30), standard="凭证", responsible_unit=dept_b
        )
    assert not Item.objects.exists()
    item = flow.decision_to_item(
        decision=decision, actor=office, deadline=date(2026, 9, 30), standard="凭证", responsible_unit=town_a
    )
    assert item.responsible_unit == town_a


def test_a_decision_becomes_one_item_once(office, firm_a, town_a):
    decision = meeting(office, firm_a).decisions.first()
    flow.decision_to_item(
        decision=decision, actor=office, deadline=date(2026, 9, 30), standard="凭证", responsible_unit=town_a
    )
    with pytest.raises(Refused, match="already|已转为"):
        flow.decision_to_item(
            decision=decision, actor=office, deadline=date(2026, 9, 30), standard="凭证", responsible_unit=town_a
        )
    assert Item.objects.count() == 1


def test_a_deadline_before_today_is_refused_by_the_lists(office, firm_a, town_a):
    decision = meeting(office, firm_a).decisions.first()
    with pytest.raises(Refused):
        flow.decision_to_item(
            decision=decision, actor=office, deadline=date(2026, 9, 1), standard="凭证", responsible_unit=town_a
        )
    decision.refresh_from_db()
    assert decision.item_id is None and not Item.objects.exists()


def test_only_office_staff_turn_decisions_into_items(town_reporter, leader, firm_a, town_a):
    decision = meeting(town_reporter, firm_a).decisions.first()
    for person in (town_reporter, leader):
        assert not flow.can_make_item(person, decision)
        with pytest.raises(Refused):
            flow.decision_to_item(
                decision=decision, actor=person, deadline=date(2026, 9, 30), standard="凭证", responsible_unit=town_a
            )
    assert MeetingDecision.objects.filter(item_id__isnull=False).count() == 0

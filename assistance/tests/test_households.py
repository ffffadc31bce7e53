"""Filing a household: ID numbers checked, one live file per person across the installation, masking, the full
record with a reason, duplicates, access requests."""

import datetime
from decimal import Decimal

import pytest

from assistance import households
from assistance.models import AccessRequest, Event, EventKind, FileStatus, Household, LivePerson
from assistance.tests.conftest import facts, file, person
from audit.models import AuditEvent
from qingdan.actors import SYSTEM
from qingdan.errors import Conflict, Refused


def test_an_application_holds_its_people_and_computes_facts_from_the_id(office, county_a, standard):
    household = file(office, county_a, members=3)
    assert household.status == FileStatus.APPLIED
    head = household.members.get(relation="head")
    assert head.birth_date == datetime.date(1980, 5, 1)
    assert head.region_code == "320922"
    assert head.id_masked == person(10)[:6] + "********" + person(10)[-4:]
    assert LivePerson.objects.filter(member__household=household).count() == 3
    assert household.head_pinyin == "zhang jian guo"
    assert Event.objects.filter(household=household, kind=EventKind.APPLIED).exists()


def test_a_wrong_check_digit_is_refused_and_nothing_is_filed(office, county_a):
    number = person(10)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(Refused) as refused:
        households.create_household(
            actor=office, org_unit=county_a, facts=facts(), members=[{"name": "张三", "id_number": wrong}]
        )
    # The user sees: “…的身份证号码校验位不符，请对照身份证核对。”
    assert "check digit" in refused.value.message or "校验" in refused.value.message
    assert not Household.objects.exists()


def test_negative_income_is_refused(office, county_a):
    with pytest.raises(Refused):
        file(office, county_a, annual_income=Decimal("-1"))
    assert not Household.objects.exists()


def test_one_person_in_two_files_of_one_federation_is_refused_naming_the_file(office, county_a):
    first = file(office, county_a)
    with pytest.raises(Refused) as refused:
        file(office, county_a, address="另一个地址")
    # The user sees which file holds the person, since they may read it.
    assert first.number in refused.value.message
    assert Household.objects.count() == 1


def test_one_person_in_two_federations_is_refused_without_naming_the_other(office, outsider, county_a, county_b):
    first = file(office, county_a)
    with pytest.raises(Refused) as refused:
        file(outsider, county_b)
    # The user of the other county sees only that the person is in a live file, and whom to ask.
    assert first.number not in refused.value.message
    assert county_a.name not in refused.value.message
    assert Household.objects.count() == 1


def test_a_rejected_file_frees_its_people(office, county_a, standard):
    from assistance import workflow

    first = file(office, county_a)
    workflow.reject(household=first, actor=office, version=first.version, reason="收入超标")
    second = file(office, county_a)
    assert second.status == FileStatus.APPLIED


def test_a_reporter_files_for_their_own_unit_only(union_reporter, union_a, county_a):
    assert file(union_reporter, union_a).org_unit == union_a
    with pytest.raises(Refused):
        file(union_reporter, county_a, n=2)


def test_a_stale_form_is_refused(office, county_a):
    household = file(office, county_a)
    households.update_household(household=household, actor=office, version=0, facts={"employer": "甲"})
    with pytest.raises(Conflict):
        households.update_household(household=household, actor=office, version=0, facts={"employer": "乙"})
    household.refresh_from_db()
    assert household.employer == "甲"


def test_full_view_needs_a_reason_and_is_audited(office, county_a):
    household = file(office, county_a)
    with pytest.raises(Refused):
        households.full_view(household=household, actor=office, reason=" ")
    full = households.full_view(household=household, actor=office, reason="核对银行账号")
    assert full["bank_account"] == "6228480012345671234"
    assert Event.objects.filter(household=household, kind=EventKind.FULL_VIEW, note="核对银行账号").exists()
    assert AuditEvent.objects.filter(action="assistance.full_view", message="核对银行账号").exists()


def test_leader_may_not_read_the_full_record(office, leader, county_a):
    household = file(office, county_a)
    with pytest.raises(Refused):
        households.full_view(household=household, actor=leader, reason="看看")


def test_access_from_another_federation_is_granted_for_a_day_and_audited(office, outsider, county_a, frozen_clock):
    household = file(office, county_a)
    access = households.request_access(id_number=person(10), actor=outsider, reason="同一人在我县申请")
    with pytest.raises(Refused):
        households.full_view(household=household, actor=outsider, reason="x")
    households.decide_access(access=access, actor=office, grant=True)
    assert households.full_view(household=household, actor=outsider, reason="核对")["members"][0][1] == person(10)
    frozen_clock.shift(datetime.timedelta(hours=25))
    with pytest.raises(Refused):
        households.full_view(household=household, actor=outsider, reason="核对")
    assert AccessRequest.objects.get().granted is True


def test_outsider_cannot_decide_an_access_request(office, outsider, county_a):
    household = file(office, county_a)
    access = households.request_access(id_number=person(10), actor=outsider, reason="核对")
    with pytest.raises(Refused):
        households.decide_access(access=access, actor=outsider, grant=True)
    assert household.pk


def test_likely_duplicates_by_pinyin_and_address_and_merge(office, county_a):
    first = file(office, county_a, n=1, name="张建国")
    second = file(office, county_a, n=2, name="章建国", members=2, address="别处")
    assert second in households.likely_duplicates(office, first)
    households.merge(keep=first, drop=second, actor=office, version_keep=first.version, version_drop=second.version)
    second.refresh_from_db()
    assert second.status == FileStatus.CANCELLED
    assert first.members.count() == 3  # both people of the second file moved, each still held once
    assert LivePerson.objects.filter(member__household=first).count() == 3
    assert LivePerson.objects.filter(member__household=second).count() == 0
    assert AuditEvent.objects.filter(action="assistance.households_merged").exists()


def test_kept_apart_files_are_no_longer_offered(office, county_a):
    first = file(office, county_a, n=1)
    second = file(office, county_a, n=2)
    households.keep_apart(household=first, other=second, actor=office)
    assert households.likely_duplicates(office, first) == []
    assert households.likely_duplicates(office, second) == []


def test_control_characters_are_refused_at_the_form(office, county_a, client_for):
    client = client_for(office)
    response = client.post(
        "/assistance/households/new/",
        {"unit": county_a.pk, "head_name": "张\x07三", "head_id_number": person(10), "head_health": "healthy",
         "head_work": "employed", "identity": "worker", "address": "滨海", "main_cause": "illness",
         "annual_income": "1000"},
    )  # fmt: skip
    assert response.status_code in (200, 400)
    assert not Household.objects.exists()


def test_system_files_for_any_union(county_a):
    assert file(SYSTEM, county_a).created_by is None

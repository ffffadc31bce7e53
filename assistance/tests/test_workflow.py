"""The archive workflow: every transition, every refusal, the frozen decisions."""

import datetime
from decimal import Decimal

import pytest

from assistance import decisions, publicity, workflow
from assistance.models import Decision, DepartmentCheck, Event, FileStatus, LivePerson
from assistance.tests.conftest import file, pdf
from evidence import services as evidence
from qingdan.errors import Conflict, Refused


def _auth(office):
    return evidence.keep(uploaded=pdf(), actor=office)


def _to_checking(office, household):
    household = workflow.pass_first_check(household=household, actor=office, version=household.version)
    household = workflow.record_visit(
        household=household, actor=office, version=household.version, note="走访属实", authorisation=_auth(office)
    )
    return workflow.send_checks(household=household, actor=office, version=household.version)


def _answer_all(office, household, result="clear"):
    for check in household.checks.all():
        workflow.answer_check(check=check, actor=office, result=result)


def test_the_whole_way_to_archived(office, county_a, standard, frozen_clock):
    household = file(office, county_a, members=2)  # ¥750 a head and month under ¥800: deep hardship
    household = workflow.pass_first_check(household=household, actor=office, version=household.version)
    assert household.status == FileStatus.FIRST_CHECKED
    assert household.category == "deep"
    household = workflow.record_visit(
        household=household, actor=office, version=household.version, note="走访属实", authorisation=_auth(office)
    )
    household = workflow.send_checks(household=household, actor=office, version=household.version)
    checks = list(household.checks.all())
    assert len(checks) == 11 and checks[0].department == "民政"
    assert checks[0].due_on == datetime.date(2026, 9, 30)  # ten working days from 2026-09-16
    _answer_all(office, household)
    household.refresh_from_db()
    notice = workflow.publicise(household=household, actor=office, version=household.version)
    assert notice.ends_on == datetime.date(2026, 9, 22)
    household.refresh_from_db()
    with pytest.raises(Refused) as refused:
        workflow.archive(household=household, actor=office, version=household.version)
    # The user sees: “公示期至2026-09-22，期满后再建档。”
    assert "2026-09-22" in refused.value.message
    frozen_clock.move_to(datetime.datetime(2026, 9, 23, 10, tzinfo=datetime.UTC))
    household = workflow.archive(household=household, actor=office, version=household.version)
    assert household.status == FileStatus.ARCHIVED
    assert household.decisions.filter(kind=Decision.Kind.APPLICATION).count() == 2
    kinds = list(Event.objects.filter(household=household).values_list("kind", flat=True))
    assert kinds == [
        "applied",
        "first_checked",
        "visited",
        "checks_sent",
        *["check_answered"] * 11,
        "publicised",
        "archived",
    ]


def test_the_visit_is_refused_without_the_signed_authorisation(office, county_a, standard):
    household = file(office, county_a)
    household = workflow.pass_first_check(household=household, actor=office, version=household.version)
    with pytest.raises(Refused) as refused:
        workflow.record_visit(
            household=household, actor=office, version=household.version, note="x", authorisation=None
        )
    # The user sees: “请上传签字的家庭经济状况核对授权书……”
    assert "authorisation" in refused.value.message.lower() or "授权" in refused.value.message
    household.refresh_from_db()
    assert household.status == FileStatus.FIRST_CHECKED


def test_first_check_needs_a_standard(office, county_a):
    household = file(office, county_a)
    with pytest.raises(Refused):
        workflow.pass_first_check(household=household, actor=office, version=household.version)
    household.refresh_from_db()
    assert household.status == FileStatus.APPLIED


def test_a_step_out_of_order_is_refused(office, county_a, standard):
    household = file(office, county_a)
    with pytest.raises(Refused) as refused:
        workflow.send_checks(household=household, actor=office, version=household.version)
    assert "“" in refused.value.message


def test_a_stale_version_is_a_conflict(office, county_a, standard):
    household = file(office, county_a)
    with pytest.raises(Conflict):
        workflow.pass_first_check(household=household, actor=office, version=household.version + 1)


def test_only_the_managing_office_acts(reporter, leader, outsider, office, county_a, standard):
    household = file(office, county_a)
    for someone in (reporter, leader, outsider):
        assert not workflow.can_pass_first_check(someone, household)
        with pytest.raises(Refused):
            workflow.pass_first_check(household=household, actor=someone, version=household.version)


def test_reject_needs_a_reason_and_frees_the_people(office, county_a, standard):
    household = file(office, county_a)
    with pytest.raises(Refused):
        workflow.reject(household=household, actor=office, version=household.version, reason="")
    household = workflow.reject(household=household, actor=office, version=household.version, reason="有两套住房")
    assert household.status == FileStatus.REJECTED
    assert not LivePerson.objects.exists()


def test_a_department_found_a_bar_the_office_notes_why_or_rejects(office, county_a, standard):
    household = _to_checking(office, file(office, county_a))
    checks = list(household.checks.all())
    workflow.answer_check(check=checks[0], actor=office, result="found", note="名下有车")
    for check in checks[1:]:
        workflow.answer_check(check=check, actor=office, result="clear")
    household.refresh_from_db()
    with pytest.raises(Refused) as refused:
        workflow.publicise(household=household, actor=office, version=household.version)
    assert "民政" in refused.value.message
    workflow.publicise(household=household, actor=office, version=household.version, note="车辆已报废，核实")
    household.refresh_from_db()
    assert household.status == FileStatus.PUBLICISED


def test_notice_waits_for_every_department(office, county_a, standard):
    household = _to_checking(office, file(office, county_a))
    with pytest.raises(Refused):
        workflow.publicise(household=household, actor=office, version=household.version)


def test_a_department_result_after_archiving_is_refused(office, county_a, standard, frozen_clock):
    household = _to_checking(office, file(office, county_a))
    late = DepartmentCheck.objects.filter(household=household).first()
    checks = list(household.checks.exclude(pk=late.pk))
    for check in checks:
        workflow.answer_check(check=check, actor=office, result="clear")
    workflow.answer_check(check=late, actor=office, result="clear")
    household.refresh_from_db()
    workflow.publicise(household=household, actor=office, version=household.version)
    frozen_clock.move_to(datetime.datetime(2026, 9, 30, 10, tzinfo=datetime.UTC))
    household.refresh_from_db()
    workflow.archive(household=household, actor=office, version=household.version)
    late.refresh_from_db()
    with pytest.raises(Refused) as refused:
        workflow.answer_check(check=late, actor=office, result="found")
    # The user sees: “该档案为“已建档”：部门核对结果只在核对期间登记。”
    assert "“" in refused.value.message


def test_archive_is_refused_while_an_objection_is_open(office, county_a, standard, frozen_clock):
    household = _to_checking(office, file(office, county_a))
    _answer_all(office, household)
    household.refresh_from_db()
    notice = workflow.publicise(household=household, actor=office, version=household.version)
    objection = publicity.submit_objection(publicity=notice, text="他家开了店")
    frozen_clock.move_to(datetime.datetime(2026, 9, 30, 10, tzinfo=datetime.UTC))
    household.refresh_from_db()
    with pytest.raises(Refused):
        workflow.archive(household=household, actor=office, version=household.version)
    workflow.handle_objection(objection=objection, actor=office, note="经走访，店铺已转让")
    household.refresh_from_db()
    assert workflow.archive(household=household, actor=office, version=household.version).status == "archived"


def test_a_temporary_file_is_promoted_through_the_same_checks(office, county_a, standard):
    from assistance import households
    from assistance.tests.conftest import facts, person

    household = households.create_household(
        actor=office, org_unit=county_a, facts=facts(), members=[{"name": "李四", "id_number": person(70)}],
        status=FileStatus.TEMPORARY,
    )  # fmt: skip
    assert household.status == FileStatus.TEMPORARY
    household = workflow.promote(household=household, actor=office, version=household.version)
    assert household.status == FileStatus.FIRST_CHECKED
    assert household.decisions.count() == 1


def test_a_reporter_may_not_open_a_temporary_file(union_reporter, union_a):
    from assistance import households
    from assistance.tests.conftest import facts, person

    with pytest.raises(Refused):
        households.create_household(
            actor=union_reporter, org_unit=union_a, facts=facts(), members=[{"name": "李四", "id_number": person(70)}],
            status=FileStatus.TEMPORARY,
        )  # fmt: skip


def test_cancel_frees_the_people(office, county_a):
    household = file(office, county_a)
    workflow.cancel(household=household, actor=office, version=household.version, reason="重复建档")
    assert not LivePerson.objects.exists()


def test_the_frozen_decision_stays_after_the_standard_changes_and_a_recheck_sits_beside_it(office, county_a, standard):
    household = file(office, county_a, members=2)
    household = workflow.pass_first_check(household=household, actor=office, version=household.version)
    household.status = FileStatus.ARCHIVED  # as if archived
    household.save(update_fields=["status"])
    decisions.set_standard(unit=county_a, year=2026, monthly=Decimal("700"), actor=office)
    workflow.recheck(household=household, actor=office, version=household.version)
    first, second = household.decisions.order_by("id")
    assert (first.standard, first.category) == (Decimal("800.00"), "deep")
    assert (second.standard, second.category) == (Decimal("700.00"), "relative")


def test_departments_set_by_the_county_are_inherited_by_its_towns(office, county_a, union_a):
    workflow.set_departments(unit=county_a, names=["民政", "住建"], actor=office)
    assert workflow.departments_for(union_a) == ["民政", "住建"]
    with pytest.raises(Refused):
        workflow.set_departments(unit=county_a, names=["民政", "民政"], actor=office)


def test_what_is_sent_is_the_name_and_the_keyed_hash_only(office, county_a, standard):
    household = _to_checking(office, file(office, county_a))
    sent = workflow.what_is_sent(household)
    assert set(sent) == {"name", "id_hash"}
    assert len(sent["id_hash"]) == 64

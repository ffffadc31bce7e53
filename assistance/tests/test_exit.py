"""Exit (脱困) on six months above the relative-hardship line with evidence, at its boundaries; permanent support;
the yearly review; relapse and re-archiving."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assistance import care, care_queries, decisions
from assistance.models import Certificate, Decision, Event, EventKind, FileStatus, Health, Household, LivePerson
from assistance.tests.factories import make_household
from audit.models import AuditEvent
from evidence import services as library
from qingdan.actors import SYSTEM
from qingdan.errors import Conflict, Refused

TODAY = datetime.date(2026, 9, 16)
LINE = Decimal("1600.00")  # 200% of the ¥800 standard
ABOVE = Decimal("1700.00")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WINDOW = [datetime.date(2026, m, 1) for m in range(3, 9)]  # March to August: the six months before September


@pytest.fixture
def standard(county_a):
    return decisions.set_standard(unit=county_a, year=2026, monthly=Decimal("800"), actor=SYSTEM)


@pytest.fixture
def proof(office):
    return library.keep(uploaded=SimpleUploadedFile("工资单.pdf", PDF), actor=office)


@pytest.fixture
def family(county_a, standard):
    return make_household(county_a, size=3, annual_income=Decimal("24000.00"))


def months(household, actor, proof, incomes):
    for month, income in incomes.items():
        household.refresh_from_db()
        care.record_month(household=household, actor=actor, month=month, per_capita=income, evidence=proof)
    household.refresh_from_db()
    return household


def exit_now(household, actor):
    household.refresh_from_db()
    return care.exit_hardship(household=household, actor=actor, version=household.version)


def test_six_months_above_the_line_with_evidence_lets_the_family_exit(family, office, proof):
    months(family, office, proof, dict.fromkeys(WINDOW, ABOVE))
    exited = exit_now(family, office)
    assert (exited.status, exited.exited_on) == (FileStatus.EXITED, TODAY)
    decision = Decision.objects.get(household=family, kind=Decision.Kind.EXIT)
    assert decision.made_on == TODAY
    assert Event.objects.filter(household=family, kind=EventKind.EXITED).exists()
    assert AuditEvent.objects.filter(action="assistance.exited").count() == 1
    # Nothing is freed: the members stay held by the live file, ready for a relapse.
    assert LivePerson.objects.filter(member__household=family).count() == 3


def test_five_months_are_refused_naming_the_missing_month(family, office, proof):
    months(family, office, proof, dict.fromkeys(WINDOW[1:], ABOVE))
    # The user reads: 脱困须连续6个月人均收入高于相对困难线¥1,600.00且每月有佐证：2026-03 未登记收入。
    with pytest.raises(Refused, match="2026-03 未登记收入"):
        exit_now(family, office)
    family.refresh_from_db()
    assert family.status == FileStatus.ARCHIVED
    assert not Decision.objects.filter(kind=Decision.Kind.EXIT).exists()


def test_a_gap_in_the_months_is_refused(family, office, proof):
    incomes = dict.fromkeys(WINDOW, ABOVE)
    del incomes[datetime.date(2026, 6, 1)]
    incomes[datetime.date(2026, 2, 1)] = ABOVE  # six months recorded, but not six in a row
    months(family, office, proof, incomes)
    with pytest.raises(Refused, match="2026-06 未登记收入"):
        exit_now(family, office)


def test_one_month_at_the_line_is_not_above_it(family, office, proof):
    incomes = dict.fromkeys(WINDOW, ABOVE)
    incomes[datetime.date(2026, 5, 1)] = LINE
    months(family, office, proof, incomes)
    with pytest.raises(Refused, match=r"2026-05 未高于 ¥1,600.00"):
        exit_now(family, office)
    check = care.exit_check(family)
    assert check.below == ["2026-05"] and not check.ok


def test_one_cent_above_the_line_counts(family, office, proof):
    months(family, office, proof, dict.fromkeys(WINDOW, LINE + Decimal("0.01")))
    assert exit_now(family, office).status == FileStatus.EXITED


def test_a_month_without_evidence_is_refused(family, office, proof):
    months(family, office, proof, dict.fromkeys(WINDOW[:-1], ABOVE))
    family.refresh_from_db()
    care.record_month(household=family, actor=office, month=WINDOW[-1], per_capita=ABOVE)
    with pytest.raises(Refused, match="2026-08 没有佐证材料"):
        exit_now(family, office)


def test_a_rule_of_three_months_shortens_the_window(family, office, proof):
    family.rules = {"exit_months": 3}
    family.save()
    months(family, office, proof, dict.fromkeys(WINDOW[3:], ABOVE))
    assert exit_now(family, office).status == FileStatus.EXITED


def test_the_same_month_again_replaces_the_figure(family, office, proof):
    months(family, office, proof, {WINDOW[0]: Decimal("900")})
    months(family, office, proof, {WINDOW[0]: ABOVE})
    assert family.monthly_incomes.get().per_capita == ABOVE
    assert AuditEvent.objects.filter(action="assistance.month_recorded").count() == 2


def test_a_month_not_begun_or_a_negative_income_is_refused(family, office):
    with pytest.raises(Refused, match="尚未开始"):
        care.record_month(household=family, actor=office, month=datetime.date(2026, 10, 1), per_capita=ABOVE)
    with pytest.raises(Refused, match="人均收入不能为负数"):
        care.record_month(household=family, actor=office, month=WINDOW[0], per_capita=Decimal("-1"))
    assert not family.monthly_incomes.exists()


def test_a_stale_form_is_refused_with_a_conflict(family, office, proof):
    stale = family.version
    months(family, office, proof, {WINDOW[0]: ABOVE})  # someone else recorded a month meanwhile
    # The user reads: 该家庭档案在您读取后已被修改；请重新读取后再试。
    with pytest.raises(Conflict):
        care.exit_hardship(household=family, actor=office, version=stale)
    with pytest.raises(Conflict):
        care.review(household=family, actor=office, version=stale, annual_income=Decimal("1"))
    family.refresh_from_db()
    assert family.status == FileStatus.ARCHIVED and family.reviewed_on is None


def test_only_the_office_decides_an_exit(family, reporter, leader, proof, office):
    months(family, office, proof, dict.fromkeys(WINDOW, ABOVE))
    for actor in (reporter, leader):
        with pytest.raises(Refused, match="只有总工会办公室人员"):
            exit_now(family, actor)


def test_exit_revokes_the_running_certificate(family, office, proof):
    certificate = care.issue_certificate(household=family, actor=office)
    months(family, office, proof, dict.fromkeys(WINDOW, ABOVE))
    exit_now(family, office)
    certificate.refresh_from_db()
    assert certificate.revoked_on == TODAY
    assert "不再有效" in care.certificate_problem(certificate)


# --- permanent support --------------------------------------------------------------------------------------------


def test_a_family_with_a_disabled_member_moves_to_permanent_support_with_a_reason(family, office):
    member = family.members.last()
    member.health = Health.DISABLED
    member.save()
    moved = care.move_to_permanent(
        household=family, actor=office, version=family.version, reason="一级肢体残疾，无劳动能力"
    )
    assert moved.status == FileStatus.PERMANENT
    event = Event.objects.get(household=family, kind=EventKind.PERMANENT)
    assert event.note == "一级肢体残疾，无劳动能力" and event.data["members"] == [member.pk]
    # A permanent family still receives aid and is still reviewed.
    assert care.can_give_aid(office, moved) and care.can_review(office, moved)


def test_a_family_with_no_ill_or_disabled_member_is_refused_permanent_support(family, office):
    # The user reads: 兜底保障仅适用于因病、因残无法脱困的家庭；… 没有成员登记为重病或残疾。
    with pytest.raises(Refused, match="没有成员登记为重病或残疾"):
        care.move_to_permanent(household=family, actor=office, version=family.version, reason="收入低")
    family.refresh_from_db()
    assert family.status == FileStatus.ARCHIVED


def test_permanent_support_needs_a_reason(family, office):
    with pytest.raises(Refused, match="请填写原因"):
        care.move_to_permanent(household=family, actor=office, version=family.version, reason="  ")


# --- the yearly review --------------------------------------------------------------------------------------------


def test_a_review_records_the_new_facts_and_freezes_a_review_decision(county_a, office, standard):
    decisions.set_standard(unit=county_a, year=2025, monthly=Decimal("780"), actor=SYSTEM)
    household = make_household(county_a, archived_on=datetime.date(2025, 6, 1), annual_income=Decimal("24000"))
    decisions.decide(household=household, kind=Decision.Kind.APPLICATION, actor=SYSTEM, today=datetime.date(2025, 6, 1))
    household.refresh_from_db()
    assert Household.objects.filter(care_queries.review_overdue(TODAY)).count() == 1
    decision = care.review(household=household, actor=office, version=household.version, annual_income=Decimal("72000"))
    household.refresh_from_db()
    assert (decision.kind, decision.category, decision.per_capita) == ("review", "none", Decimal("2000.00"))
    assert (household.reviewed_on, household.annual_income) == (TODAY, Decimal("72000.00"))
    assert Household.objects.filter(care_queries.review_overdue(TODAY)).count() == 0
    assert Decision.objects.filter(household=household).count() == 2  # the old one beside the new
    # The review does not exit by itself: the family stays archived until its months are in.
    assert household.status == FileStatus.ARCHIVED


def test_an_exited_family_is_not_reviewed(family, office, proof):
    months(family, office, proof, dict.fromkeys(WINDOW, ABOVE))
    exit_now(family, office)
    family.refresh_from_db()
    with pytest.raises(Refused, match="现在不能年审"):
        care.review(household=family, actor=office, version=family.version)


# --- relapse ------------------------------------------------------------------------------------------------------


def test_a_relapse_archives_the_family_again_at_once(family, office, proof):
    months(family, office, proof, dict.fromkeys(WINDOW, ABOVE))
    exit_now(family, office)
    family.refresh_from_db()
    back = care.rearchive(
        household=family,
        actor=office,
        version=family.version,
        reason="丈夫突发重病失业",
        annual_income=Decimal("20000"),
    )
    assert (back.status, back.relapses, back.archived_on, back.exited_on) == (FileStatus.ARCHIVED, 1, TODAY, None)
    assert Decision.objects.filter(household=family, kind=Decision.Kind.RECHECK).get().category == "deep"
    assert Event.objects.filter(household=family, kind=EventKind.REARCHIVED).exists()
    assert AuditEvent.objects.filter(action="assistance.rearchived").count() == 1
    assert care_queries.relapse_figures(Household.objects.all()) == {"exited": 0, "relapsed": 1, "relapses": 1}


def test_a_relapse_on_facts_above_every_line_is_refused(family, office, proof):
    months(family, office, proof, dict.fromkeys(WINDOW, ABOVE))
    exit_now(family, office)
    family.refresh_from_db()
    with pytest.raises(Refused, match="未返困，不重新建档"):
        care.rearchive(
            household=family, actor=office, version=family.version, reason="x", annual_income=Decimal("99000")
        )
    family.refresh_from_db()
    assert (family.status, family.relapses) == (FileStatus.EXITED, 0)


def test_an_archived_family_is_not_re_archived(family, office):
    with pytest.raises(Refused, match="现在不能重新建档"):
        care.rearchive(household=family, actor=office, version=family.version, reason="x")


def test_exited_families_are_due_a_follow_up_a_year_later_until_visited(county_a, office):
    household = make_household(county_a, status=FileStatus.EXITED, exited_on=datetime.date(2025, 9, 1))
    households = Household.objects.all()
    assert list(care_queries.follow_ups_due(households, TODAY)) == [household]
    assert not care_queries.follow_ups_due(households, datetime.date(2026, 8, 31)).exists()
    care.pair(household=household, cadre=office, actor=office)
    care.log_contact(household=household, actor=office, kind="phone", on=TODAY, note="电话回访：收入稳定")
    assert care_queries.follow_ups_due(households, TODAY).count() == 1  # a call is not the follow-up visit
    care.log_contact(household=household, actor=office, kind="visit", on=TODAY, note="入户回访：未返贫")
    assert not care_queries.follow_ups_due(households, TODAY).exists()
    row = care_queries.exited(households).get()
    assert (row.follow_up_on, row.last_visit, row.last_call) == (datetime.date(2026, 9, 1), TODAY, TODAY)


def test_certificates_of_exited_families_are_not_flagged_as_expired(county_a, office):
    household = make_household(county_a, status=FileStatus.EXITED, exited_on=datetime.date(2026, 1, 1))
    Certificate.objects.create(
        household=household, number="X1", issued_on=datetime.date(2025, 1, 1), expires_on=datetime.date(2025, 12, 31)
    )
    assert not care_queries.expired_certificates(Certificate.objects.all(), TODAY).exists()

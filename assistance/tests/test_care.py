"""Aid, the preferential certificate, pairing and contacts: each change and each refusal, with what the user reads."""

import datetime
from decimal import Decimal

import pytest

from assistance import care, care_queries, decisions
from assistance.models import (
    Aid,
    AidKind,
    Category,
    Certificate,
    Contact,
    Event,
    EventKind,
    FileStatus,
    Pairing,
)
from assistance.tests.factories import make_household
from audit.models import AuditEvent
from orgs.models import Notification, OrgKind, Role
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan.actors import SYSTEM
from qingdan.errors import Refused

TODAY = datetime.date(2026, 9, 16)


@pytest.fixture
def standard(county_a):
    return decisions.set_standard(unit=county_a, year=2026, monthly=Decimal("800"), actor=SYSTEM)


@pytest.fixture
def town(county_a):
    return OrgUnitFactory(code="A-T1", name="东坎街道工会", kind=OrgKind.TOWN, parent=county_a)


@pytest.fixture
def town_reporter(town):
    return UserFactory(username="dongkan", org_unit=town, roles=[Role.REPORTER])


def give(household, actor, **changes):
    values = {
        "kind": AidKind.HOLIDAY,
        "amount": Decimal("500.00"),
        "given_on": TODAY,
        "source": "县总工会帮扶资金",
        "delivered_by": "程华",
    }
    return care.give_aid(household=household, actor=actor, **{**values, **changes})


# --- aid ----------------------------------------------------------------------------------------------------------


def test_aid_to_an_archived_family_is_recorded_with_its_event_and_audit(county_a, office):
    household = make_household(county_a)
    aid = give(household, office)
    assert (aid.amount, aid.org_unit, aid.created_by) == (Decimal("500.00"), county_a, office)
    assert Event.objects.filter(household=household, kind=EventKind.AID).count() == 1
    assert AuditEvent.objects.filter(action="assistance.aid_given").count() == 1


@pytest.mark.parametrize("status", [FileStatus.APPLIED, FileStatus.PUBLICISED, FileStatus.EXITED, FileStatus.REJECTED])
def test_aid_to_a_family_not_archived_is_refused_and_names_the_status(county_a, office, status):
    household = make_household(county_a, status=status)
    # The user reads: "KN-…" is “已脱困”: aid is given only to archived families …
    with pytest.raises(Refused, match="帮扶只发给在档家庭"):
        give(household, office)
    assert not Aid.objects.exists()
    assert not care.can_give_aid(office, household)


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-100"), Decimal("0.001")])
def test_zero_negative_or_fractional_cent_amounts_are_refused(county_a, office, amount):
    household = make_household(county_a)
    with pytest.raises(Refused, match="帮扶金额"):
        give(household, office, amount=amount)
    assert not Aid.objects.exists()


def test_aid_dated_in_the_future_is_refused(county_a, office):
    with pytest.raises(Refused, match="晚于今天"):
        give(make_household(county_a), office, given_on=TODAY + datetime.timedelta(days=1))
    assert not Aid.objects.exists()


def test_control_characters_in_the_source_are_refused(county_a, office):
    with pytest.raises(Refused):
        give(make_household(county_a), office, source="资金\x00")
    assert not Aid.objects.exists()


def test_a_leader_and_another_county_may_not_give_aid(county_a, leader, outsider):
    household = make_household(county_a)
    for actor in (leader, outsider):
        with pytest.raises(Refused, match="只有管理该档案的单位及其上级的办公室人员和填报员"):
            give(household, actor)
    assert not Aid.objects.exists()


def test_totals_per_household_unit_and_year_roll_up_over_the_subtree(county_a, town, office, town_reporter):
    county_family = make_household(county_a, 1)
    town_family = make_household(town, 2)
    give(county_family, office, amount=Decimal("500"))
    give(town_family, town_reporter, amount=Decimal("300"), kind=AidKind.SCHOOLING)
    give(town_family, town_reporter, amount=Decimal("200"), given_on=datetime.date(2025, 12, 20))
    aids = care_queries.visible_aid(office)
    assert care_queries.aid_totals(aids) == {"amount": Decimal("1000.00"), "count": 3, "households": 2}
    by_unit = {row["unit"].pk: row["amount"] for row in care_queries.totals_by_unit(office, aids)}
    assert by_unit == {county_a.pk: Decimal("1000.00"), town.pk: Decimal("500.00")}
    assert [(r["y"], r["amount"]) for r in care_queries.totals_by_year(aids)] == [
        (2026, Decimal("800.00")),
        (2025, Decimal("200.00")),
    ]
    years, total = care_queries.household_totals(town_family)
    assert total["amount"] == Decimal("500.00") and len(years) == 2
    filtered = care_queries.filter_aid(aids, {"unit": str(town.pk), "year": "2026", "kind": AidKind.SCHOOLING})
    assert list(filtered.values_list("amount", flat=True)) == [Decimal("300.00")]
    # The town's reporter sees the town's aid only.
    assert care_queries.aid_totals(care_queries.visible_aid(town_reporter))["amount"] == Decimal("500.00")


# --- certificates -------------------------------------------------------------------------------------------------


def test_a_deep_hardship_family_gets_a_numbered_certificate_for_twelve_months(county_a, office):
    county_a.document_prefix = "滨"
    county_a.save()
    household = make_household(county_a, category=Category.DEEP)
    certificate = care.issue_certificate(household=household, actor=office)
    assert certificate.number == "滨困证〔2026〕1号"
    assert (certificate.issued_on, certificate.expires_on) == (TODAY, datetime.date(2027, 9, 15))
    assert certificate.honoured_by == care.HONOURING_BODIES and len(certificate.honoured_by) == 8
    second = care.issue_certificate(household=make_household(county_a, 2), actor=office)
    assert second.number == "滨困证〔2026〕2号"


def test_a_certificate_for_a_family_not_in_deep_hardship_is_refused(county_a, office):
    household = make_household(county_a, category=Category.RELATIVE)
    # The user reads: 优惠证仅发给深度困难家庭；… 为“相对困难”。
    with pytest.raises(Refused, match="优惠证仅发给深度困难家庭"):
        care.issue_certificate(household=household, actor=office)
    assert not Certificate.objects.exists()
    assert not care.can_issue_certificate(office, household)


def test_a_second_certificate_while_one_is_valid_is_refused(county_a, office):
    household = make_household(county_a)
    care.issue_certificate(household=household, actor=office)
    with pytest.raises(Refused, match="已持有优惠证"):
        care.issue_certificate(household=household, actor=office)
    assert Certificate.objects.count() == 1


def test_a_reporter_does_not_issue_certificates(county_a, town_reporter, town):
    with pytest.raises(Refused, match="只有总工会办公室人员"):
        care.issue_certificate(household=make_household(town), actor=town_reporter)


def test_an_expired_certificate_is_flagged_refused_for_a_benefit_and_renewed(county_a, office, frozen_clock):
    household = make_household(county_a)
    old = care.issue_certificate(household=household, actor=office)
    frozen_clock.move_to(datetime.datetime(2027, 10, 1, 10, tzinfo=datetime.UTC))
    later = datetime.date(2027, 10, 1)
    assert list(care_queries.expired_certificates(Certificate.objects.all(), later)) == [old]
    # The user reads: 优惠证 … 已于 2027-09-15 过期：续发后才能使用。
    with pytest.raises(Refused, match="已于 2027-09-15 过期：续发后才能使用"):
        care.record_benefit(certificate=old, actor=office, body="自来水", on=later)
    assert not Event.objects.filter(data__benefit="自来水").exists()
    assert "过期" in care.certificate_problem(old, later)
    new = care.renew_certificate(certificate=old, actor=office)
    assert new.number != old.number and new.expires_on == datetime.date(2028, 9, 30)
    assert not care_queries.expired_certificates(Certificate.objects.all(), later).exists()
    event = care.record_benefit(certificate=new, actor=office, body="自来水", on=later)
    assert event.data["benefit"] == "自来水"


def test_a_benefit_dated_before_the_certificate_was_issued_is_refused(county_a, office):
    certificate = care.issue_certificate(household=make_household(county_a), actor=office)
    with pytest.raises(Refused, match="不在有效期内"):
        care.record_benefit(certificate=certificate, actor=office, body="医院", on=TODAY - datetime.timedelta(days=3))


def test_a_certificate_is_renewed_only_near_its_end(county_a, office):
    certificate = care.issue_certificate(household=make_household(county_a), actor=office)
    with pytest.raises(Refused, match="到期前 30 天起方可续发"):
        care.renew_certificate(certificate=certificate, actor=office)
    assert Certificate.objects.count() == 1


def test_a_revoked_certificate_is_not_used(county_a, office):
    certificate = care.issue_certificate(household=make_household(county_a), actor=office)
    care.revoke_certificate(certificate=certificate, actor=office, reason="家庭情况好转")
    with pytest.raises(Refused, match="已于 .* 注销"):
        care.record_benefit(certificate=certificate, actor=office, body="医院", on=TODAY)
    with pytest.raises(Refused, match="已经注销"):
        care.revoke_certificate(certificate=certificate, actor=office, reason="again")


# --- pairing and contacts -----------------------------------------------------------------------------------------


def test_office_pairs_a_town_cadre_with_several_families_who_logs_a_visit(
    county_a, town, office, town_reporter, django_capture_on_commit_callbacks
):
    first, second = make_household(town, 1), make_household(town, 2)
    with django_capture_on_commit_callbacks(execute=True):
        care.pair(household=first, cadre=town_reporter, actor=office)
        care.pair(household=second, cadre=town_reporter, actor=office)
    assert set(care_queries.my_pairings(town_reporter).values_list("household", flat=True)) == {first.pk, second.pk}
    assert Notification.objects.filter(user=town_reporter).count() == 2
    contact = care.log_contact(household=first, actor=town_reporter, kind=Contact.Kind.VISIT, on=TODAY, note="家中整洁")
    assert contact.cadre == town_reporter
    with pytest.raises(Refused, match="已与 .* 结对"):
        care.pair(household=first, cadre=town_reporter, actor=office)


def test_a_cadre_who_cannot_read_the_file_is_not_paired(county_a, town, office, reporter):
    household = make_household(town)  # managed by the town; the reporter works in a county department
    with pytest.raises(Refused, match="看不到由东坎街道工会管理的档案"):
        care.pair(household=household, cadre=reporter, actor=office)
    assert not Pairing.objects.exists()


def test_a_contact_for_a_family_not_paired_with_the_cadre_is_refused(county_a, town, office, town_reporter):
    household = make_household(town)
    # The user reads: … 不是您结对的家庭：只有结对干部登记走访和电话回访。
    with pytest.raises(Refused, match="不是您结对的家庭"):
        care.log_contact(household=household, actor=town_reporter, kind=Contact.Kind.PHONE, on=TODAY, note="电话")
    assert not Contact.objects.exists()
    pairing = care.pair(household=household, cadre=town_reporter, actor=office)
    care.unpair(pairing=pairing, actor=office)
    with pytest.raises(Refused, match="不是您结对的家庭"):
        care.log_contact(household=household, actor=town_reporter, kind=Contact.Kind.PHONE, on=TODAY, note="电话")


def test_a_contact_in_the_future_or_with_control_characters_is_refused(county_a, office):
    household = make_household(county_a)
    care.pair(household=household, cadre=office, actor=office)
    with pytest.raises(Refused, match="晚于今天"):
        care.log_contact(household=household, actor=office, kind="visit", on=TODAY + datetime.timedelta(1), note="x")
    with pytest.raises(Refused):
        care.log_contact(household=household, actor=office, kind="visit", on=TODAY, note="走访\x07")
    assert not Contact.objects.exists()


def test_families_not_visited_in_ninety_days_are_flagged_and_a_phone_call_does_not_count(county_a, office):
    household = make_household(county_a)
    care.pair(household=household, cadre=office, actor=office, since=TODAY - datetime.timedelta(days=200))
    pairings = Pairing.objects.all()
    assert care_queries.not_visited(pairings, TODAY).count() == 1
    care.log_contact(household=household, actor=office, kind="phone", on=TODAY, note="电话回访")
    assert care_queries.not_visited(pairings, TODAY).count() == 1
    care.log_contact(household=household, actor=office, kind="visit", on=TODAY - datetime.timedelta(89), note="走访")
    assert care_queries.not_visited(pairings, TODAY).count() == 0
    assert care_queries.not_visited(pairings, TODAY + datetime.timedelta(1)).count() == 1


def test_a_new_pairing_is_not_flagged_before_its_ninety_days(county_a, office):
    household = make_household(county_a)
    care.pair(household=household, cadre=office, actor=office, since=TODAY - datetime.timedelta(days=30))
    assert not care_queries.not_visited(Pairing.objects.all(), TODAY).exists()

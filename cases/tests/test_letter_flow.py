"""一函两书: issuing, numbering, delivery, answer, escalation and every refusal (what the clerk is told)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from audit.models import AuditEvent
from cases import letter_flow as flow
from cases.models import Letter, LetterKind, LetterStatus
from documents.models import IssuedNumber
from evidence import services as library
from orgs.models import Role
from orgs.rules import set_rule
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan.errors import Conflict, Refused

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day):
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


def receipt(actor, name="送达回执.pdf", extra=b""):
    return library.keep(uploaded=SimpleUploadedFile(name, PDF + extra), actor=actor)


def notice(office, firm, **extra):
    return flow.issue_letter(
        actor=office,
        enterprise=firm,
        problem="拖欠38名职工8月工资共计41.6万元。",
        asks="于9月30日前足额支付。",
        **extra,
    )


def delivered(letter, office, day, frozen_clock):
    frozen_clock.move_to(at(day))
    return flow.record_delivery(
        letter=letter, actor=office, version=letter.version, delivered_on=day, receipt=receipt(office)
    )


# --- issuing and numbering -------------------------------------------------------------------------------------


def test_a_reminder_letter_is_numbered_with_the_units_prefix_and_copies_the_rules(office, firm_a):
    letter = notice(office, firm_a)
    assert letter.number == "滨海县工提〔2026〕1号"
    assert letter.status == LetterStatus.ISSUED
    assert letter.kind == LetterKind.NOTICE
    assert letter.addressee == firm_a.name
    assert letter.issued_on == date(2026, 9, 16)
    assert letter.rules["notice_reply_workdays"] == 10
    assert AuditEvent.objects.filter(action="cases.letter_issued", object_id=str(letter.pk)).exists()


def test_numbers_are_consecutive_per_issuer_kind_and_year(office, firm_a, town_a, frozen_clock):
    first, second = notice(office, firm_a), notice(office, firm_a)
    assert [first.number, second.number] == ["滨海县工提〔2026〕1号", "滨海县工提〔2026〕2号"]
    town_office = UserFactory(username="townoffice", org_unit=town_a, roles=[Role.OFFICE])
    assert notice(town_office, firm_a).number == "东坎街道工会工提〔2026〕1号"
    frozen_clock.move_to(datetime(2027, 1, 5, 10, tzinfo=SHANGHAI))
    assert notice(office, firm_a).number == "滨海县工提〔2027〕1号"


def test_a_refused_letter_gives_its_number_back(office, firm_a):
    with pytest.raises(Refused):
        notice(office, firm_a, dispute=None, demand=None, kind="bogus")
    assert not IssuedNumber.objects.exists()
    assert notice(office, firm_a).number.endswith("〔2026〕1号")


def test_the_rules_in_force_are_copied_when_issued(office, firm_a):
    set_rule(unit=office.org_unit, key="cases.notice_reply_workdays", value=7, actor=office)
    letter = notice(office, firm_a)
    set_rule(unit=office.org_unit, key="cases.notice_reply_workdays", value=12, actor=office)
    assert flow.reply_workdays(letter) == 7


def test_an_enterprise_of_another_county_is_refused(office, firm_b):
    with pytest.raises(Refused, match="不在|not registered"):
        notice(office, firm_b)
    assert not Letter.objects.exists()


def test_only_office_staff_issue_letters(reporter, leader, firm_a):
    for person in (reporter, leader):
        with pytest.raises(Refused):
            notice(person, firm_a)
    assert not Letter.objects.exists()


def test_an_empty_problem_is_refused(office, firm_a):
    with pytest.raises(Refused):
        flow.issue_letter(actor=office, enterprise=firm_a, problem="  ", asks="支付工资")
    assert not Letter.objects.exists()


# --- delivery -----------------------------------------------------------------------------------------------------


def test_delivery_sets_the_reply_date_across_the_national_day_holiday(office, firm_a, frozen_clock):
    letter = delivered(notice(office, firm_a), office, date(2026, 9, 28), frozen_clock)
    # 9-29, 9-30, then 10-1…10-7 are holidays, 10-10 (Saturday) is a working day: ten working days end on 10-16.
    assert letter.reply_due == date(2026, 10, 16)
    assert letter.status == LetterStatus.DELIVERED
    assert letter.receipt is not None
    assert letter.warning == ""


def test_delivery_in_a_year_without_a_calendar_warns(office, firm_a, frozen_clock):
    letter = notice(office, firm_a)
    Letter.objects.filter(pk=letter.pk).update(issued_on=date(2026, 9, 16))
    letter = delivered(letter, office, date(2026, 12, 28), frozen_clock)
    assert letter.warning  # 2027 has no holidays entered: counted Monday to Friday, and the page says so


def test_delivery_before_the_issue_date_is_refused_and_keeps_no_file(office, firm_a):
    letter = notice(office, firm_a)
    files_before = library.Evidence.objects.count()
    with pytest.raises(Refused, match="before it was issued|之前|早于"):
        library.keep_with(
            [SimpleUploadedFile("回执.pdf", PDF + b"x")],
            actor=office,
            then=lambda pieces: flow.record_delivery(
                letter=letter, actor=office, version=0, delivered_on=date(2026, 9, 15), receipt=pieces[0]
            ),
        )
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED and letter.delivered_on is None
    assert library.Evidence.objects.count() == files_before


def test_delivery_needs_the_receipt(office, firm_a):
    letter = notice(office, firm_a)
    with pytest.raises(Refused):
        flow.record_delivery(letter=letter, actor=office, version=0, delivered_on=date(2026, 9, 16), receipt=None)


def test_a_stale_form_is_a_conflict(office, firm_a, frozen_clock):
    letter = delivered(notice(office, firm_a), office, date(2026, 9, 16), frozen_clock)
    with pytest.raises(Conflict):
        flow.record_answer(letter=letter, actor=office, version=0, answered_on=date(2026, 9, 16), answer="已支付")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DELIVERED


def test_delivering_twice_is_refused(office, firm_a, frozen_clock):
    letter = delivered(notice(office, firm_a), office, date(2026, 9, 16), frozen_clock)
    with pytest.raises(Refused):
        flow.record_delivery(
            letter=letter, actor=office, version=letter.version, delivered_on=date(2026, 9, 16), receipt=receipt(office)
        )


def test_the_other_county_cannot_record_a_delivery(office, outsider, firm_a):
    letter = notice(office, firm_a)
    with pytest.raises(Refused):
        flow.record_delivery(
            letter=letter, actor=outsider, version=0, delivered_on=date(2026, 9, 16), receipt=receipt(outsider)
        )


# --- answer -------------------------------------------------------------------------------------------------------


def test_the_answer_closes_the_letter(office, firm_a, frozen_clock):
    letter = delivered(notice(office, firm_a), office, date(2026, 9, 16), frozen_clock)
    letter = flow.record_answer(
        letter=letter, actor=office, version=letter.version, answered_on=date(2026, 9, 16), answer="已于当日补发工资。"
    )
    assert letter.status == LetterStatus.ANSWERED
    assert letter.answer == "已于当日补发工资。"


def test_answering_before_delivery_is_refused(office, firm_a):
    letter = notice(office, firm_a)
    with pytest.raises(Refused, match="delivery first|送达"):
        flow.record_answer(letter=letter, actor=office, version=0, answered_on=date(2026, 9, 16), answer="已支付")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED


def test_an_answer_dated_before_the_delivery_is_refused(office, firm_a, frozen_clock):
    letter = delivered(notice(office, firm_a), office, date(2026, 9, 18), frozen_clock)
    with pytest.raises(Refused):
        flow.record_answer(
            letter=letter, actor=office, version=letter.version, answered_on=date(2026, 9, 17), answer="已支付"
        )


# --- escalation ---------------------------------------------------------------------------------------------------


def test_an_unanswered_chain_goes_notice_opinion_proposal_then_lapses(office, firm_a, frozen_clock, dept_a):
    first = delivered(notice(office, firm_a), office, date(2026, 9, 16), frozen_clock)
    frozen_clock.move_to(at(date(2026, 10, 9)))  # the reply was due 2026-09-30
    opinion = flow.escalate_letter(letter=first, actor=office, version=first.version)
    first.refresh_from_db()
    assert first.status == LetterStatus.ESCALATED
    assert opinion.kind == LetterKind.OPINION and opinion.escalated_from == first
    assert opinion.number == "滨海县工意〔2026〕1号"
    assert (opinion.problem, opinion.request) == (first.problem, first.request)

    opinion = delivered(opinion, office, date(2026, 10, 9), frozen_clock)
    frozen_clock.move_to(at(date(2026, 11, 5)))
    proposal = flow.escalate_letter(letter=opinion, actor=office, version=opinion.version, asks="请依法查处。")
    assert proposal.kind == LetterKind.PROPOSAL
    assert proposal.number == "滨海县工建〔2026〕1号"
    assert "人力资源和社会保障局" in proposal.addressee
    assert proposal.request == "请依法查处。"

    proposal = delivered(proposal, office, date(2026, 11, 5), frozen_clock)
    frozen_clock.move_to(at(date(2026, 11, 20)))
    lapsed = flow.escalate_letter(letter=proposal, actor=office, version=proposal.version)
    assert lapsed.pk == proposal.pk and lapsed.status == LetterStatus.LAPSED
    assert Letter.objects.count() == 3


def test_escalating_an_answered_letter_is_refused(office, firm_a, frozen_clock):
    letter = delivered(notice(office, firm_a), office, date(2026, 9, 16), frozen_clock)
    letter = flow.record_answer(
        letter=letter, actor=office, version=letter.version, answered_on=date(2026, 9, 16), answer="已支付"
    )
    frozen_clock.move_to(at(date(2026, 10, 20)))
    with pytest.raises(Refused, match="answered|答复"):
        flow.escalate_letter(letter=letter, actor=office, version=letter.version)
    assert Letter.objects.count() == 1


def test_escalating_before_the_reply_date_is_refused(office, firm_a, frozen_clock):
    letter = delivered(notice(office, firm_a), office, date(2026, 9, 16), frozen_clock)
    with pytest.raises(Refused, match="not due|2026-09-30"):
        flow.escalate_letter(letter=letter, actor=office, version=letter.version)
    assert Letter.objects.count() == 1 and not IssuedNumber.objects.filter(kind__endswith="opinion").exists()


def test_escalating_an_undelivered_letter_is_refused(office, firm_a):
    letter = notice(office, firm_a)
    with pytest.raises(Refused):
        flow.escalate_letter(letter=letter, actor=office, version=letter.version)


def test_predicates_agree_with_the_workbench_filters(office, outsider, firm_a, frozen_clock):
    issued = notice(office, firm_a)
    late = delivered(notice(office, firm_a), office, date(2026, 9, 16), frozen_clock)
    frozen_clock.move_to(at(date(2026, 10, 9)))
    letters = Letter.objects.all()
    for user in (office, outsider):
        assert {x.pk for x in letters if flow.can_deliver(user, x)} == set(
            flow.to_deliver(letters, user).values_list("pk", flat=True)
        )
        assert {x.pk for x in letters if flow.can_escalate(user, x)} == set(
            flow.to_escalate(letters, user).values_list("pk", flat=True)
        )
    assert flow.can_deliver(office, issued) and flow.can_escalate(office, late)


def test_a_town_union_office_cannot_handle_the_countys_letters(office, firm_a, town_a):
    letter = notice(office, firm_a)
    town_office = UserFactory(username="townoffice", org_unit=town_a, roles=[Role.OFFICE])
    assert not flow.can_handle_letter(town_office, letter)
    other_county = OrgUnitFactory(code="Z", name="某县总工会", kind="county")
    assert not flow.can_issue_letter(UserFactory(username="z", org_unit=other_county, roles=[Role.OFFICE]), firm_a)


def test_letters_are_issued_in_one_transaction_with_their_number(office, firm_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        notice(office, firm_a)
        raise RuntimeError
    assert not IssuedNumber.objects.exists() and not Letter.objects.exists()

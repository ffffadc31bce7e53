"""The care pages: what each shows, every refusal as the user reads it, another county's 404, query counts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from assistance import care, decisions
from assistance.models import Aid, AidKind, Category, Certificate, Contact, FileStatus, MonthlyIncome
from assistance.tests.factories import make_household
from assistance.tests.test_care import give
from orgs.models import OrgKind, Role
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan.actors import SYSTEM

TODAY = datetime.date(2026, 9, 16)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def town(county_a):
    return OrgUnitFactory(code="A-T1", name="东坎街道工会", kind=OrgKind.TOWN, parent=county_a)


@pytest.fixture
def town_reporter(town):
    return UserFactory(username="dongkan", org_unit=town, roles=[Role.REPORTER])


@pytest.fixture
def standard(county_a):
    return decisions.set_standard(unit=county_a, year=2026, monthly=Decimal("800"), actor=SYSTEM)


def text(response):
    return response.content.decode()


def test_the_aid_list_filters_totals_and_masks_names(county_a, town, office, town_reporter, client_for):
    family = make_household(county_a, 1, head_name="王建国")
    other = make_household(town, 2)
    give(family, office, amount=Decimal("500"))
    give(other, town_reporter, amount=Decimal("2000"), kind=AidKind.SCHOOLING)
    client = client_for(office)
    page = text(client.get(reverse("assistance:aid")))
    assert "¥2,500.00" in page and "王*" in page and "王建国" not in page
    page = text(client.get(reverse("assistance:aid"), {"kind": AidKind.SCHOOLING}))
    assert page.count('data-testid="aid-row"') == 1 and "¥2,000.00" in page


def test_the_aid_export_holds_exactly_the_filtered_rows_masked(county_a, town, office, town_reporter, client_for):
    give(make_household(county_a, 1, head_name="王建国"), office, amount=Decimal("500"))
    give(make_household(town, 2), town_reporter, amount=Decimal("2000"), kind=AidKind.SCHOOLING)
    response = client_for(office).get(reverse("assistance:aid_export"), {"kind": AidKind.HOLIDAY})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and the one holiday aid
    assert rows[1][1] == "王**" and rows[1][4] == 500
    assert "320922" not in str(rows) and "1381234" not in str(rows)


def test_the_aid_list_runs_in_a_fixed_number_of_queries(county_a, office, client_for, django_assert_max_num_queries):
    for n in range(12):
        give(make_household(county_a, n + 1), office)
    client = client_for(office)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("assistance:aid")).status_code == 200


def test_aid_to_an_exited_family_shows_the_refusal_and_records_nothing(county_a, office, client_for):
    household = make_household(county_a, status=FileStatus.EXITED)
    url = reverse("assistance:aid_new", args=[household.pk])
    page = text(client_for(office).post(url, {"kind": "holiday", "amount": "500", "given_on": "2026-09-16",
                                               "source": "帮扶资金", "delivered_by": "程华"}))  # fmt: skip
    # The user reads: 该档案为“已脱困”：帮扶只发给在档家庭（在档、兜底保障或临时救助）。
    assert "aid is given only to archived families" in page or "帮扶只发给" in page
    assert not Aid.objects.exists()


def test_a_negative_amount_on_the_page_is_refused(county_a, office, client_for):
    household = make_household(county_a)
    url = reverse("assistance:aid_new", args=[household.pk])
    response = client_for(office).post(url, {"kind": "holiday", "amount": "-5", "given_on": "2026-09-16",
                                             "source": "帮扶资金", "delivered_by": "程华"})  # fmt: skip
    assert response.status_code == 200 and 'data-testid="refusal"' in text(response)
    assert not Aid.objects.exists()


def test_control_characters_on_the_page_are_refused(county_a, office, client_for):
    household = make_household(county_a)
    url = reverse("assistance:aid_new", args=[household.pk])
    response = client_for(office).post(url, {"kind": "holiday", "amount": "5", "given_on": "2026-09-16",
                                             "source": "帮扶\x01资金", "delivered_by": "程华"})  # fmt: skip
    assert response.status_code == 200
    assert not Aid.objects.exists()


def test_the_certificate_card_prints_a_valid_certificate_with_a_masked_id(county_a, office, client_for):
    certificate = care.issue_certificate(household=make_household(county_a), actor=office)
    page = text(client_for(office).get(reverse("assistance:certificate", args=[certificate.pk])))
    assert certificate.number in page and "data-print" in page and "********" in page
    assert "2027-09-15" in page


def test_an_expired_certificate_is_flagged_and_not_printed_as_valid(county_a, office, client_for):
    household = make_household(county_a)
    certificate = Certificate.objects.create(
        household=household, number="滨困证〔2025〕1号", issued_on=datetime.date(2025, 9, 1),
        expires_on=datetime.date(2026, 8, 31), honoured_by=care.HONOURING_BODIES,
    )  # fmt: skip
    client = client_for(office)
    listing = text(client.get(reverse("assistance:certificates")))
    assert 'data-testid="expired"' in listing and 'data-testid="expired-flag"' in listing
    card = text(client.get(reverse("assistance:certificate", args=[certificate.pk])))
    # The user reads: 优惠证 … 已于 2026-08-31 过期：续发后才能使用。不作为有效证件打印。
    assert 'data-testid="card-refused"' in card and 'data-testid="print"' not in card
    assert 'data-testid="renew"' in card
    response = client.post(reverse("assistance:certificate_benefit", args=[certificate.pk]),
                           {"body": "医院", "on": "2026-09-16"}, follow=True)  # fmt: skip
    assert "2026-08-31" in text(response)
    client.post(reverse("assistance:certificate_renew", args=[certificate.pk]))
    assert Certificate.objects.filter(household=household).count() == 2


def test_a_certificate_for_a_relative_hardship_family_is_refused_on_the_page(county_a, office, client_for):
    household = make_household(county_a, category=Category.RELATIVE)
    response = client_for(office).post(reverse("assistance:certificate_new", args=[household.pk]),
                                       {"bodies": ["医院"]})  # fmt: skip
    assert 'data-testid="refusal"' in text(response)
    assert not Certificate.objects.exists()


def test_a_cadre_logs_a_visit_from_the_phone_page(county_a, town, office, town_reporter, client_for):
    household = make_household(town)
    care.pair(household=household, cadre=town_reporter, actor=office)
    client = client_for(town_reporter)
    page = text(client.get(reverse("assistance:contact_new")))
    assert household.number in page and "王*" in page
    response = client.post(reverse("assistance:contact_new"),
                           {"household": household.pk, "kind": "visit", "on": "2026-09-16", "note": "家中整洁"})  # fmt: skip
    assert response.status_code == 302
    assert Contact.objects.get().cadre == town_reporter


def test_a_contact_for_a_family_not_paired_with_the_cadre_is_refused_on_the_page(county_a, town, town_reporter,
                                                                                 client_for):  # fmt: skip
    household = make_household(town)
    response = client_for(town_reporter).post(reverse("assistance:contact_new"),
                                              {"household": household.pk, "kind": "visit", "on": "2026-09-16",
                                               "note": "x"})  # fmt: skip
    assert response.status_code == 200  # the family is not among the choices: the form says so
    assert not Contact.objects.exists()


def test_the_pairing_list_flags_families_not_visited(county_a, town, office, town_reporter, client_for,
                                                     django_assert_max_num_queries):  # fmt: skip
    for n in range(6):
        care.pair(household=make_household(town, n + 1), cadre=town_reporter, actor=office,
                  since=TODAY - datetime.timedelta(days=120))  # fmt: skip
    client = client_for(office)
    with django_assert_max_num_queries(14):
        page = text(client.get(reverse("assistance:pairings")))
    assert page.count('data-testid="late"') == 6
    own = text(client_for(town_reporter).get(reverse("assistance:pairings")))
    assert own.count('data-testid="pairing-row"') == 6


def test_the_incomes_page_records_a_month_with_evidence_and_shows_the_check(county_a, office, standard, client_for):
    household = make_household(county_a)
    client = client_for(office)
    url = reverse("assistance:incomes", args=[household.pk])
    response = client.post(url, {"version": household.version, "month": "2026-08", "per_capita": "1700",
                                 "evidence": SimpleUploadedFile("工资单.pdf", PDF)})  # fmt: skip
    assert response.status_code == 302
    income = MonthlyIncome.objects.get()
    assert income.evidence is not None and income.month == datetime.date(2026, 8, 1)
    page = text(client.get(url))
    assert 'data-testid="exit-check"' in page and "2026-03" in page


def test_a_stale_exit_form_changes_nothing_and_says_so(county_a, office, standard, client_for):
    household = make_household(county_a)
    response = client_for(office).post(reverse("assistance:exit", args=[household.pk]),
                                       {"version": household.version + 1}, follow=True)  # fmt: skip
    assert response.status_code == 200
    household.refresh_from_db()
    assert household.status == FileStatus.ARCHIVED


def test_the_review_page_shows_old_and_new_decisions_side_by_side(county_a, office, standard, client_for):
    household = make_household(county_a)
    decisions.decide(household=household, kind="application", actor=SYSTEM)
    household.refresh_from_db()
    client = client_for(office)
    url = reverse("assistance:review", args=[household.pk])
    response = client.post(url, {"version": household.version, "annual_income": "30000", "rigid_expenses": "0",
                                 "accident_costs": "0", "note": "年审"})  # fmt: skip
    assert response.status_code == 302
    page = text(client.get(url))
    assert 'data-testid="side-by-side"' in page and page.count("¥24,000.00") >= 1 and "¥30,000.00" in page


def test_the_follow_up_list_and_flags_page(county_a, office, client_for):
    make_household(county_a, status=FileStatus.EXITED, exited_on=datetime.date(2025, 9, 1))
    client = client_for(office)
    assert 'data-testid="due"' in text(client.get(reverse("assistance:follow_ups")))
    assert text(client.get(reverse("assistance:care_flags"))).count("qd-card-figure") == 5


def test_the_workbench_lists_the_care_flags(county_a, town, office, town_reporter, client_for):
    household = make_household(town)
    care.pair(household=household, cadre=town_reporter, actor=office, since=TODAY - datetime.timedelta(days=120))
    home = text(client_for(town_reporter).get(reverse("home")))
    assert reverse("assistance:pairings") + "?mine=1&amp;late=1" in home
    home = text(client_for(office).get(reverse("home")))
    assert reverse("assistance:pairings") + "?late=1" in home


def test_another_county_gets_404_on_every_page_of_a_family(county_a, office, outsider, standard, client_for):
    household = make_household(county_a)
    certificate = care.issue_certificate(household=household, actor=office)
    pairing = care.pair(household=household, cadre=office, actor=office)
    client = client_for(outsider)
    for name in ("aid_new", "certificate_new", "incomes", "review", "rearchive"):
        assert client.get(reverse(f"assistance:{name}", args=[household.pk])).status_code == 404, name
    for name in ("exit", "permanent"):
        assert client.post(reverse(f"assistance:{name}", args=[household.pk]), {"version": 0}).status_code == 404
    assert client.get(reverse("assistance:certificate", args=[certificate.pk])).status_code == 404
    for name in ("certificate_renew", "certificate_revoke", "certificate_benefit"):
        assert client.post(reverse(f"assistance:{name}", args=[certificate.pk])).status_code == 404
    assert client.post(reverse("assistance:pairing_end", args=[pairing.pk])).status_code == 404
    for name in ("aid", "certificates", "pairings", "follow_ups"):
        assert household.number not in text(client.get(reverse(f"assistance:{name}")))


def test_the_household_page_parts_render_with_the_buttons_the_user_may_press(county_a, office, leader, standard):
    from django.template.loader import render_to_string

    household = make_household(county_a)
    give(household, office, amount=Decimal("800"))
    care.issue_certificate(household=household, actor=office)
    care.pair(household=household, cadre=office, actor=office, since=TODAY - datetime.timedelta(days=120))
    names = ("aid", "certificate", "pairing", "exit")
    html = "".join(
        render_to_string(
            f"assistance/care/_household_{name}.html", {"household": household, **care.care_context(office, household)}
        )
        for name in names
    )
    assert "¥800.00" in html and reverse("assistance:aid_new", args=[household.pk]) in html
    assert reverse("assistance:contact_new") in html and reverse("assistance:review", args=[household.pk]) in html
    html = "".join(
        render_to_string(
            f"assistance/care/_household_{name}.html", {"household": household, **care.care_context(leader, household)}
        )
        for name in names
    )
    assert reverse("assistance:aid_new", args=[household.pk]) not in html  # a leader reads, gives no aid
    assert reverse("assistance:review", args=[household.pk]) not in html

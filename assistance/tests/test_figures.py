"""The archive's figures page: every number equals the rows of the household list its link opens, for several
users; 椒江's 400 families with 396 exited come out as 99.0%; the export adds a 合计 row; the query count is
bounded whatever the number of units."""

import datetime
import html
import io
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from assistance.models import Aid, AidKind, Category, Contact, FileStatus, Household, Pairing
from assistance.scope import filter_households, visible_households, year_range
from assistance.tests.factories import make_household
from orgs.models import OrgKind, Role
from orgs.tests.factories import OrgUnitFactory, UserFactory

D = datetime.date
LINK = re.compile(r'<a href="(/assistance/households/\?[^"]*)" data-figure="(\w+)">([^<]*)</a>')


@pytest.fixture
def town_a(county_a):
    return OrgUnitFactory(code="A-T1", name="东坎街道工会", kind=OrgKind.TOWN, parent=county_a)


@pytest.fixture
def town_b(county_b):
    return OrgUnitFactory(code="B-T1", name="临河城关街道工会", kind=OrgKind.TOWN, parent=county_b)


@pytest.fixture
def city_office(city):
    return UserFactory(username="cityoffice", org_unit=city, roles=[Role.OFFICE])


JANUARY = D(2026, 1, 20)


def aid(household, amount, on=JANUARY, kind=AidKind.HOLIDAY):
    return Aid.objects.create(
        household=household, org_unit=household.org_unit, kind=kind, amount=Decimal(amount), given_on=on,
        source="工会帮扶资金", delivered_by="张三",
    )  # fmt: skip


@pytest.fixture
def archive(county_a, town_a, dept_a, county_b, town_b, office):
    """Files of every kind in both counties, the county's own and its units' below."""
    n = iter(range(1, 1000))
    made = {}

    def make(unit, status=FileStatus.ARCHIVED, **facts):
        household = make_household(unit, next(n), status=status, size=2, **facts)
        made.setdefault(unit.code, []).append(household)
        return household

    for unit in (county_a, town_a, dept_a, county_b, town_b):
        make(unit, category=Category.DEEP, archived_on=D(2026, 2, 1), reviewed_on=D(2026, 2, 1))
        make(unit, category=Category.RELATIVE, applied_on=D(2024, 3, 1), archived_on=D(2024, 4, 1))  # review due
        make(unit, status=FileStatus.PERMANENT, archived_on=D(2023, 5, 1), reviewed_on=D(2026, 5, 1))
        make(unit, status=FileStatus.EXITED, archived_on=D(2024, 1, 5), exited_on=D(2026, 6, 30))
        make(unit, status=FileStatus.EXITED, archived_on=D(2023, 1, 5), exited_on=D(2025, 3, 1))
        make(unit, status=FileStatus.PUBLICISED, archived_on=None)
        make(unit, status=FileStatus.TEMPORARY, archived_on=D(2026, 7, 1))
    for files in made.values():
        held, due = files[0], files[1]
        aid(held, "1000.00")
        aid(held, "2500.50", D(2026, 8, 1), AidKind.MEDICAL)
        aid(due, "800.00", D(2025, 1, 20))
        aid(files[6], "300.00", D(2026, 7, 2), AidKind.LIVING)
        # Paired: one visited lately, one not for long.
        Pairing.objects.create(cadre=office, household=held, since=D(2026, 1, 1))
        Pairing.objects.create(cadre=office, household=due, since=D(2025, 1, 1))
        Contact.objects.create(household=held, cadre=office, kind=Contact.Kind.VISIT, on=D(2026, 9, 1), note="好")
        Contact.objects.create(household=due, cadre=office, kind=Contact.Kind.PHONE, on=D(2026, 3, 1), note="好")
    return made


def _number(text):
    return int(text.replace(",", ""))


def _params(link):
    return {k: v[0] for k, v in parse_qs(urlsplit(html.unescape(link)).query).items()}


def _check_every_number(client, user, url="/assistance/figures/"):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    links = LINK.findall(body)
    assert len(links) > 20
    visible = visible_households(user)
    for link, figure, text in links:
        params = _params(link)
        rows = filter_households(visible, params)
        if figure in ("exit_rate_year", "exit_rate"):
            assert text == "—" or text.endswith("%"), (figure, text)
            continue
        if figure in ("aid_times", "aid_amount"):
            first, following = year_range(int(params["aid_year"]))
            given = Aid.objects.filter(household__in=rows, given_on__gte=first, given_on__lt=following)
            if figure == "aid_times":
                assert _number(text) == given.count(), (link, text)
            else:
                total = sum((a.amount for a in given), Decimal("0"))
                assert text == f"¥{total:,.2f}", (link, text)
            continue
        assert _number(text) == rows.count(), (figure, link, text)
    return body


def test_every_number_equals_the_households_its_link_lists(archive, office, client_for):
    body = _check_every_number(client_for(office), office)
    assert "临河" not in body  # the other county is not in county A's figures


def test_every_number_holds_for_a_leader_a_city_and_the_other_county(
    archive, leader, outsider, city_office, client_for
):
    for user in (leader, outsider, city_office):
        _check_every_number(client_for(user), user)


@pytest.mark.parametrize("query", ["?group=county", "?group=year", "?group=unit&year=2025", "?group=year&year=2025"])
def test_every_number_holds_grouped_by_county_and_by_year(archive, city_office, client_for, query):
    _check_every_number(client_for(city_office), city_office, "/assistance/figures/" + query)


def test_the_units_below_add_up_to_the_total_with_the_county_own_files(archive, office, county_a):
    from assistance import figures

    total, rows = figures.table(county_a, visible_households(office), "unit", 2026)
    assert [r.label for r in rows][0].startswith(county_a.name)  # its own files first
    assert {r.code for r in rows} == {"A", "A-T1", "A-D1"}
    assert sum(r.held for r in rows) == total.held == 9
    assert total.exited == 6 and total.exited_year == 3 and total.new == 6
    assert total.exit_rate == pytest.approx(6 / 15)
    assert total.deep == 6 and total.permanent == 3  # the permanent ones are deep too
    assert total.permanent == 3 and total.review_due == 3 and total.not_visited == 3
    assert total.aided == 6 and total.aid_times == 9 and total.aid_amount == Decimal("11401.50")


def test_the_household_counts_alone_are_the_tables_total(archive, office, city_office, outsider, county_a):
    """The overview's cards read ``figures.household_counts``: one aggregate, the same counts as the table's total
    (which adds them up from its units), for the county, the city and the other county."""
    from assistance import figures
    from orgs.queries import root_unit

    for user in (office, city_office, outsider):
        unit, households = root_unit(user), visible_households(user)
        for year in (2025, 2026):
            counts = figures.household_counts(unit, households, year)
            total, _rows = figures.table(unit, households, "unit", year)
            for name in ("held", "new", "exited_year", "exited", "deep", "permanent", "review_due"):
                assert getattr(counts, name) == getattr(total, name), (user.username, year, name)
            assert (counts.year, counts.exit_rate_year) == (total.year, total.exit_rate_year)
    assert figures.household_counts(county_a, visible_households(office), 2026).held == 9


def test_cards_show_the_figures_with_money_in_wan(archive, office, client_for):
    body = client_for(office).get("/assistance/figures/").content.decode()
    assert 'data-testid="card-held">9<' in body
    assert 'data-testid="card-exit-rate">40.0%<' in body
    assert "1.14万元" in body  # ¥11,401.50
    assert "Exit rate = families exited" in body or "脱困率" in body


def test_jiaojiang_400_archived_396_exited_is_99_percent(county_a, office, client_for):
    for n in range(1, 401):
        exited = n <= 396
        make_household(
            county_a, n, size=1, live=False,
            status=FileStatus.EXITED if exited else FileStatus.ARCHIVED,
            archived_on=D(2021, 3, 1), exited_on=D(2021 + n % 5, 6, 1) if exited else None,
        )  # fmt: skip
    body = client_for(office).get("/assistance/figures/").content.decode()
    assert 'data-testid="card-exit-rate">99.0%<' in body
    assert 'data-testid="card-held">4<' in body


def test_the_export_has_the_table_and_a_total_row(archive, office, client_for):
    response = client_for(office).get("/assistance/figures/export/?group=unit&year=2026")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("单位", "在档户数") or rows[0][1] == "在档户数"
    assert rows[-1][0] == "合计" and rows[-1][1] == 9
    assert sum(r[1] for r in rows[1:-1]) == 9
    kinds = list(book.worksheets[1].iter_rows(values_only=True))
    assert kinds[-1][0] == "合计" and kinds[-1][3] == pytest.approx(11401.50)


def test_the_export_writes_rates_and_amounts_as_formatted_numbers(archive, office, client_for):
    response = client_for(office).get("/assistance/figures/export/?group=unit&year=2026")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    total = sheet[sheet.max_row]
    rate = total[header.index("累计脱困率")]
    assert isinstance(rate.value, float) and 0 <= rate.value <= 1 and rate.number_format == "0.0%"
    amount = total[header.index("帮扶金额（元）")]
    assert amount.number_format == "#,##0.00" and total[1].number_format == "#,##0" and total[0].font.b
    kinds = book.worksheets[1]
    assert kinds.cell(row=kinds.max_row, column=4).number_format == "#,##0.00"


def test_reporters_and_the_other_county_see_no_figures_of_county_a(archive, reporter, outsider, client_for):
    assert client_for(reporter).get("/assistance/figures/").status_code == 403
    body = client_for(outsider).get("/assistance/figures/").content.decode()
    assert 'data-testid="card-held">6<' in body  # county B: its own six held files only
    assert "东坎" not in body and "滨海" not in body.split("<main")[-1].split("</main>")[0]


def test_the_figures_page_reads_a_fixed_number_of_queries(county_a, office, client_for, django_assert_max_num_queries):
    for i in range(30):
        town = OrgUnitFactory(code=f"A-T{i:02d}", name=f"镇{i}工会", kind=OrgKind.TOWN, parent=county_a)
        make_household(town, i + 1, size=1)
    client = client_for(office)
    client.get("/assistance/figures/")
    with django_assert_max_num_queries(14):
        response = client.get("/assistance/figures/?group=unit")
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/assistance/figures/?group=year").status_code == 200


def test_not_visited_follows_the_rule_of_the_unit(archive, office, county_a, client_for):
    from orgs.rules import set_rule

    set_rule(unit=county_a, key="assistance.visit_days", value=300, actor=office)
    body = _check_every_number(client_for(office), office)
    assert 'data-testid="card-not-visited">0<' in body  # the phone call of 2026-03-01 is within 300 days


def test_households_counted_are_never_from_outside_the_subtree(archive, office):
    assert not filter_households(visible_households(office), {"unit": str(archive["B"][0].org_unit_id)}).exists()
    assert Household.objects.count() == 35

"""The figures page of demands and disputes: every number links to the list of exactly the records it counts, for
every user; the seeds' figures come out as the articles give them; months without records show as 0; other
counties' records are never counted; the number of queries does not grow with the units."""

import re
from datetime import date
from decimal import Decimal
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.db.models import Sum
from django.http import QueryDict
from django.urls import reverse

from cases import figures, scope
from cases.models import (
    Colour,
    DemandResult,
    DemandStatus,
    DisputeStatus,
    LetterKind,
    LetterStatus,
    Level,
    Outcome,
    Rating,
)
from cases.tests import factories_cases as make
from orgs.models import OrgKind, Role
from orgs.queries import root_unit
from orgs.tests.factories import OrgUnitFactory, UserFactory

LINK = re.compile(
    r'<a[^>]*href="(/cases/(demands|disputes|letters)/\?[^"]*)"[^>]*data-figure="([^"]+)"[^>]*data-counted="([^"]*)"'
    r'(?:[^>]*data-summed="([^"]*)")?'
)
SCOPES = {
    "demands": (scope.visible_demands, scope.filter_demands),
    "disputes": (scope.visible_disputes, scope.filter_disputes),
    "letters": (scope.visible_letters, scope.filter_letters),
}


def links(html):
    return [
        (unescape(href), kind, figure, counted, summed or "")
        for href, kind, figure, counted, summed in LINK.findall(html)
    ]


def assert_links_match(user, html):
    """Every figure's link lists exactly what the figure counts (or adds up)."""
    found = links(html)
    assert found, "the page shows no figure"
    for href, kind, figure, counted, summed in found:
        visible, filtered = SCOPES[kind]
        params = QueryDict(urlsplit(href).query)
        rows = filtered(visible(user), params)
        if summed:
            got = rows.aggregate(s=Sum(summed))["s"] or 0
            assert Decimal(got) == Decimal(counted), (figure, href, got, counted)
        else:
            assert rows.count() == int(counted), (figure, href, rows.count(), counted)
    return found


@pytest.fixture
def county_data(county_a, town_a, town_a2, firm_a, make_enterprise, dept_a):
    """Records of 滨海 over two towns and the county itself, over several months of 2026 and one of 2025."""
    firm_2 = make_enterprise(town_a2, 3, name="八巨测试企业有限公司")
    firm_county = make_enterprise(county_a, 4, name="县直测试企业有限公司")
    make.demand(firm_a, received_on=date(2026, 1, 5), status=DemandStatus.CLOSED, rating=Rating.VERY_SATISFIED)
    make.demand(firm_a, received_on=date(2026, 1, 20), status=DemandStatus.REPLIED, replied_on_time=False,
                result=DemandResult.PARTLY, rating=Rating.DISSATISFIED)  # fmt: skip
    make.demand(firm_a, received_on=date(2026, 3, 2))
    make.demand(firm_a, received_on=date(2026, 3, 3), status=DemandStatus.SUBMITTED)
    make.demand(firm_2, received_on=date(2026, 4, 9), status=DemandStatus.CLOSED, handling_unit=dept_a)
    make.demand(firm_2, received_on=date(2026, 4, 10), status=DemandStatus.DECLINED)
    make.demand(firm_county, received_on=date(2026, 6, 1), status=DemandStatus.CLOSED, rating=Rating.SATISFIED)
    make.demand(firm_county, received_on=date(2025, 12, 31), status=DemandStatus.CLOSED)  # last year
    make.dispute(firm_a, received_on=date(2026, 2, 1), colour=Colour.RED, workers=40)
    make.dispute(firm_a, received_on=date(2026, 2, 2), colour=Colour.ORANGE, status=DisputeStatus.MEDIATING,
                 level=Level.VILLAGE)  # fmt: skip
    make.agreed(firm_2, received_on=date(2026, 5, 5), agreed_amount="12000.50", paid="10000.25", colour=Colour.RED)
    make.agreed(firm_county, received_on=date(2026, 7, 7), agreed_amount="8000", paid="8000")
    make.dispute(firm_county, received_on=date(2026, 8, 8), status=DisputeStatus.REFERRED, outcome=Outcome.COURT,
                 level=Level.TOWN)  # fmt: skip
    make.letter(firm_a, kind=LetterKind.NOTICE, status=LetterStatus.ANSWERED, issued_on=date(2026, 3, 1))
    make.letter(firm_a, kind=LetterKind.OPINION, status=LetterStatus.DELIVERED, issued_on=date(2026, 4, 1))
    make.letter(firm_county, county_a, kind=LetterKind.PROPOSAL, status=LetterStatus.ISSUED, issued_on=date(2026, 5, 1))
    return firm_2, firm_county


@pytest.fixture
def town_office(town_a):
    return UserFactory(username="town_office", org_unit=town_a, roles=[Role.OFFICE])


@pytest.fixture
def city_office(city):
    return UserFactory(username="city_office", org_unit=city, roles=[Role.OFFICE])


@pytest.fixture
def other_county_data(firm_b):
    make.demand(firm_b, received_on=date(2026, 2, 2), status=DemandStatus.CLOSED)
    make.agreed(firm_b, received_on=date(2026, 2, 2), agreed_amount="99999", paid="99999")
    make.letter(firm_b, kind=LetterKind.NOTICE)


@pytest.mark.parametrize("group", ["unit", "enterprise", "month"])
@pytest.mark.parametrize("period", ["", "year=2025", "from=2026-02&to=2026-05", "from=2026-04&to=2026-04"])
def test_every_figure_links_to_exactly_the_records_it_counts(
    county_data, other_county_data, office, leader, town_office, city_office, outsider, client_for, group, period
):
    for user in (office, leader, town_office, city_office, outsider):
        response = client_for(user).get(f"{reverse('cases:figures')}?group={group}&{period}")
        assert response.status_code == 200
        assert_links_match(user, response.content.decode())


@pytest.mark.parametrize("period", [{}, {"year": "2025"}, {"from": "2026-02", "to": "2026-05"}])
def test_the_totals_alone_are_the_figures_total_by_every_group(
    county_data, other_county_data, office, leader, town_office, city_office, outsider, period
):
    """The overview's cards read ``figures.totals``: one aggregate per kind, the same numbers as the total of the
    page's every grouping (by unit, the disputes' and letters' total is the sum of the units')."""
    for user in (office, leader, town_office, city_office, outsider):
        unit = root_unit(user)
        alone = figures.totals(user, unit, tuple(figures.KINDS), period)
        for group in figures.GROUPS:
            total = figures.compute(user, unit, period, group=group).total
            assert alone.params == total.params
            for kind, measures in figures.MEASURES.items():
                for name in measures:
                    assert alone.value(kind, name) == total.value(kind, name), (user.username, group, kind, name)
    assert figures.totals(outsider, None, ("demands",)).value("demands", "accepted") == 0


def test_the_county_sees_its_own_figures_and_not_the_other_countys(county_data, other_county_data, office, client_for):
    html = client_for(office).get(reverse("cases:figures")).content.decode()
    found = {figure: counted for _h, _k, figure, counted, _s in links(html)}
    # 2026: 7 demands, 4 accepted and replied/closed or assigned (SUBMITTED and DECLINED are not accepted)
    assert re.search(r'data-testid="card-demands-accepted">5<', html)
    assert re.search(r'data-testid="card-demands-resolved">3<', html)
    assert re.search(r'data-testid="card-demands-resolution_rate">60.0%<', html)
    # replied 4 (3 closed + 1 replied), 3 on time
    assert re.search(r'data-testid="card-demands-on_time_rate">75.0%<', html)
    # rated 3, satisfied 2
    assert re.search(r'data-testid="card-demands-satisfaction">66.7%<', html)
    assert re.search(r'data-testid="card-disputes-accepted">5<', html)
    assert re.search(r'data-testid="card-disputes-paid">1.80万元<', html)
    assert "¥18,000.25" in html
    assert re.search(r'data-testid="card-disputes-red_open">1<', html)
    assert found["letters-issued"] == "3"
    assert "99,999" not in html and "临河" not in html


def test_units_below_are_rolled_up_with_the_county_itself_as_its_own_row(county_data, office, client_for):
    html = client_for(office).get(reverse("cases:figures") + "?group=unit").content.decode()
    table = html[html.index('data-testid="table-demands"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<th scope="row" class="fw-normal qd-name-col">([^<]+)</th>', table)
    assert rows[0] == "滨海县总工会（本级直接登记）"  # then the busiest first
    assert "东坎街道工会" in rows and "八巨镇工会" in rows and "县交通运输局" in rows


def test_every_month_of_the_period_is_a_row_even_when_empty(county_data, office, client_for):
    response = client_for(office).get(reverse("cases:figures") + "?group=month&from=2026-01&to=2026-12")
    rows = response.context["rows"]
    assert [row.label for row in rows] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert rows[1].value("demands", "accepted") == 0  # February: no demand, still shown
    assert rows[11].value("disputes", "accepted") == 0
    assert response.context["charts"]["demands"]["accepted"][1] == 0


def test_a_reversed_or_overlong_period_is_put_right():
    assert str(figures.period_of({"from": "2026-05", "to": "2026-02"})) == "2026-02 ~ 2026-05"
    assert len(figures.period_of({"from": "2000-01", "to": "2026-12"}).months()) == figures.MONTHS_MAX
    assert figures.period_of({"year": "1066"}).year == 2026  # frozen clock: 2026-09-16


def test_the_seeds_figures_longgang_and_xiantao(county_a, town_a, make_enterprise, office, client_for):
    """龙岗: 131 enterprises, 278 demands, 236 resolved → 84.9%; 仙桃: 550 disputes, 156 agreements, ¥1,040,000.00."""
    firms = [make_enterprise(town_a, n) for n in range(1, 132)]
    make.longgang(firms)
    make.xiantao(firms)
    html = client_for(office).get(reverse("cases:figures")).content.decode()
    assert re.search(r'data-testid="card-demands-accepted">278<', html)
    assert re.search(r'data-testid="card-demands-resolved">236<', html)
    assert re.search(r'data-testid="card-demands-resolution_rate">84.9%<', html)
    assert re.search(r'data-testid="card-disputes-accepted">550<', html)
    assert re.search(r'data-testid="card-disputes-agreements">156<', html)
    assert re.search(r'data-testid="card-disputes-paid">104.00万元<', html)
    assert "¥1,040,000.00" in html
    enterprise = client_for(office).get(reverse("cases:figures") + "?group=enterprise").context
    assert enterprise["page"].paginator.count == 131


def test_the_query_count_does_not_grow_with_the_units(county_a, office, client_for, make_enterprise,
                                                     django_assert_max_num_queries):  # fmt: skip
    client = client_for(office)
    for n in range(30):
        town = OrgUnitFactory(code=f"A-X{n}", name=f"测试镇{n}工会", kind=OrgKind.TOWN, parent=county_a)
        firm = make_enterprise(town, 100 + n)
        make.demand(firm, status=DemandStatus.CLOSED)
        make.agreed(firm, agreed_amount="100", paid="50")
    for group in ("unit", "enterprise", "month"):
        with django_assert_max_num_queries(20):
            assert client.get(reverse("cases:figures") + f"?group={group}").status_code == 200


def test_a_reporter_may_not_open_the_figures(reporter, client_for):
    assert client_for(reporter).get(reverse("cases:figures")).status_code == 403


def test_the_export_has_total_rows_and_rates_as_numbers(county_data, office, client_for):
    import io

    from openpyxl import load_workbook

    response = client_for(office).get(reverse("cases:figures_export") + "?group=unit")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    sheet = book["诉求"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "下级单位"
    total = rows[-1]
    assert total[0] == "合计" and total[1] == 5 and total[2] == 3
    rate_cell = list(sheet.iter_rows())[-1][3]
    assert rate_cell.value == pytest.approx(0.6) and rate_cell.number_format == "0.0%"
    disputes = list(book["劳动争议"].iter_rows())
    paid = disputes[-1][4]
    assert paid.value == pytest.approx(18000.25) and paid.number_format == "#,##0.00"
    assert "按类别统计的劳动争议" in book.sheetnames

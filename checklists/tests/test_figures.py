"""Figures against an independent count in the test; every number's link selects the items it
counts; the load table; the page, its charts data and export; other county sees nothing of A."""

import io
import random
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from checklists import figures, services, tally, workflow
from checklists.models import Item, ItemStatus
from orgs.models import OrgKind, Role
from orgs.queries import holds_every_unit, root_unit
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan import clock

pytestmark = pytest.mark.django_db
TODAY = clock.today


@pytest.fixture
def spread(office, dept_a, county_a, city):
    """Items of three units, two categories, two offices and two months (this one, from its first day, and one
    before it), in every state."""
    rng = random.Random(4)
    town = OrgUnitFactory(code="A-T1", name="滨城镇工会", kind=OrgKind.TOWN, parent=county_a)
    firm = OrgUnitFactory(code="A-E1", name="滨海港务公司", kind=OrgKind.ENTERPRISE, parent=town)
    city_office = UserFactory(username="city-office", org_unit=city, roles=[Role.OFFICE])
    reform = services.category(office_unit=county_a, name="产业工人队伍建设", actor=office)
    homes = services.category(office_unit=county_a, name="职工之家建设", actor=office)
    this_month = TODAY().replace(day=1)
    for n in range(12):
        actor = city_office if n % 4 == 3 else office
        issued_on = this_month - timedelta(days=42) if n % 2 else this_month
        services.issue_checklist(
            actor=actor,
            responsible_unit=(dept_a, town, firm)[n % 3],
            title=f"清单{n}",
            category=(reform, homes, None)[n % 3] if actor is office else None,
            issued_on=issued_on,
            items=[
                {"content": f"事项{n}-{k}", "deadline": issued_on + timedelta(days=rng.choice((10, 20, 90)))}
                for k in range(1 + n % 4)
            ],
        )
    for item in Item.objects.all():
        status = rng.choice(list(ItemStatus))
        Item.objects.filter(pk=item.pk).update(
            status=status,
            applications=0 if status == ItemStatus.ISSUED else rng.randint(1, 3),
            rectifications=rng.choice((0, 0, 1, 2)) if status != ItemStatus.ISSUED else 0,
            urgings=rng.choice((0, 1, 2)),
            satisfaction=rng.choice((None, 0.75, 0.9)) if status == ItemStatus.CLOSED else None,
        )
    tally.rebuild()  # the states were set straight in the table: count them again
    return {"office": office, "city_office": city_office}


def expected(items, today):
    """The figures counted one item at a time, independently of the aggregate queries."""
    closed = [i for i in items if i.status == ItemStatus.CLOSED]
    rated = [i.satisfaction for i in items if i.satisfaction is not None]
    return {
        "issued": len(items),
        "applied": sum(1 for i in items if i.applications > 0),
        "closed": len(closed),
        "first_pass": sum(1 for i in closed if i.rectifications == 0),
        "overdue": sum(1 for i in items if i.status in ("issued", "rectifying") and i.deadline < today),
        "urgings": sum(i.urgings for i in items),
        "rectifications": sum(i.rectifications for i in items),
        "satisfaction": pytest.approx(sum(rated) / len(rated)) if rated else None,
        "close_rate": pytest.approx(len(closed) / len(items)) if items else None,
        "first_pass_rate": pytest.approx(sum(1 for i in closed if i.rectifications == 0) / len(closed))
        if closed
        else None,
    }


def actual(row):
    return {
        **{name: getattr(row, name) for name in figures.MEASURES},
        "close_rate": row.close_rate,
        "first_pass_rate": row.first_pass_rate,
    }


KEYS = {
    "unit": lambda i: i.responsible_unit_id,
    "category": lambda i: i.checklist.category_id,
    "office": lambda i: i.checklist.issuing_unit_id,
    "month": lambda i: i.checklist.issued_on.replace(day=1),
}


def figures_for(user, group="unit", today=None):
    total, rows = figures.table(root_unit(user), group, today or TODAY())
    return total, list(rows)


@pytest.mark.parametrize("group", ["unit", "category", "office", "month"])
def test_grouped_figures_match_an_independent_count(spread, office, group):
    today = TODAY()
    everything = list(Item.objects.select_related("checklist"))
    total, rows = figures_for(office, group, today)
    assert actual(total) == expected(everything, today)
    by_key = {}
    for item in everything:
        by_key.setdefault(KEYS[group](item), []).append(item)
    assert {r.key for r in rows} == set(by_key)
    for row in rows:
        assert actual(row) == expected(by_key[row.key], today), row.label


@pytest.mark.parametrize("group", ["unit", "office"])
def test_units_and_offices_are_read_a_page_at_a_time_in_order(spread, office, group, monkeypatch):
    """With a page of one group, every slice is a query of its own (``figures.top``): the slices give
    the same groups as the whole, the units behind first, and the total is the sum of the groups."""
    every = list(figures.table(office.org_unit, group, TODAY())[1])
    monkeypatch.setattr(figures, "PAGE_SIZE", 1)
    total, rows = figures.table(office.org_unit, group, TODAY())
    assert len(rows) == len(every) >= 2
    assert [actual(r) for r in rows[1:3]] == [actual(r) for r in every[1:3]]
    assert (rows[-1].label, rows[0].label) == (every[-1].label, every[0].label)
    order = [(2 if r.close_rate is None else r.close_rate, -(r.issued - r.closed), r.key) for r in every]
    assert order == sorted(order)
    for name in figures.SUMMED:
        assert getattr(total, name) == sum(getattr(r, name) for r in every), name


def test_the_province_sees_everything_without_a_filter_on_the_path(spread, office, city):
    """The one root holds every unit: its figures skip the path filter and count the same items."""
    assert holds_every_unit(city) and not holds_every_unit(office.org_unit)
    province = UserFactory(username="province", org_unit=city, roles=[Role.OFFICE])
    with CaptureQueriesContext(connection) as captured:
        total = figures_for(province)[0]
    assert actual(total) == expected(list(Item.objects.all()), TODAY())
    path_filter = re.compile(r'"path"(::text)? LIKE')
    assert not [q["sql"] for q in captured if path_filter.search(q["sql"])]
    with CaptureQueriesContext(connection) as captured:
        figures_for(office)
    assert [q["sql"] for q in captured if path_filter.search(q["sql"])]


def test_the_total_alone_is_the_tables_total(spread, office, city):
    """The overview's cards read ``figures.total``: the same figures, links included, as the table's total, for a
    county, for the one root (no filter on the path) and for nobody."""
    for unit in (office.org_unit, city):
        for group in ("unit", "month"):
            assert figures.total(unit, TODAY()) == figures.table(unit, group, TODAY())[0], (unit.code, group)
    assert figures.total(None) == figures.table(None, "unit")[0]


def test_the_figures_of_a_user_without_a_unit_are_empty():
    from django.contrib.auth.models import AnonymousUser

    total, rows = figures_for(AnonymousUser())
    assert (total.issued, total.satisfaction, rows) == (0, None, [])
    assert figures.load(root_unit(AnonymousUser())) == ([], 0)


@pytest.mark.parametrize("group", ["unit", "category", "office", "month"])
def test_every_figure_links_to_exactly_the_items_it_counts(client_for, spread, office, group):
    """Through the item list itself, for the total and every group: the count of the items a figure
    links to is the figure; urgings and rectifications are the sums over the items linked to."""
    client = client_for(office)

    def linked(row, name):
        return client.get("/lists/items/", row.filters(name)).context["page"].paginator.object_list

    total, rows = figures_for(office, group)
    for row in (total, *rows):
        for name in ("issued", "applied", "closed", "first_pass", "overdue"):
            assert linked(row, name).count() == getattr(row, name), (row.label, name)
        rates = [i.satisfaction for i in linked(row, "satisfaction")]
        assert rates == [i.satisfaction for i in linked(row, "issued") if i.satisfaction is not None]
        assert row.satisfaction == (pytest.approx(sum(rates) / len(rates)) if rates else None), row.label
        assert sum(linked(row, "urgings").values_list("urgings", flat=True)) == row.urgings, row.label
        assert sum(linked(row, "rectifications").values_list("rectifications", flat=True)) == row.rectifications


def test_the_close_out_rate_reads_like_the_seed(office, dept_a):
    checklist = services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="清单",
        items=[{"content": f"事项{i}", "deadline": TODAY() + timedelta(days=9)} for i in range(100)],
    )
    Item.objects.filter(checklist=checklist, position__lte=91).update(status=ItemStatus.CLOSED)
    tally.rebuild()
    total = figures_for(office)[0]
    assert (total.issued, total.closed, f"{total.close_rate:.1%}") == (100, 91, "91.0%")


def test_the_page_shows_cards_charts_table_and_links(client_for, spread, office):
    client = client_for(office)
    response = client.get("/lists/figures/")
    text = response.content.decode()
    total = figures_for(office)[0]
    assert f'data-testid="card-issued">{total.issued}<' in text
    assert f'data-testid="card-close-rate">{total.close_rate * 100:.1f}%<' in text
    county = spread["office"].org_unit.pk
    assert f'href="/lists/items/?unit={county}&amp;below=1&amp;overdue=1"' in text
    assert f'href="/lists/items/?unit={county}&amp;below=1&amp;closed=1"' in text
    dept = spread["office"].org_unit.children.get(code="A-D1")
    assert f'href="/lists/items/?unit={dept.pk}&amp;first_pass=1"' in text
    assert "vendor/echarts/echarts.min.js" in text
    data = response.context["charts"]
    assert '<script id="chart-data" type="application/json">{"line": false' in text
    assert data["names"][0] == response.context["page"][0].label
    month = client.get("/lists/figures/", {"group": "month"})
    assert month.context["charts"]["line"] is True
    assert f'href="/lists/items/?unit={county}&amp;below=1&amp;month={TODAY():%Y-%m}"' in month.content.decode()
    category = client.get("/lists/figures/", {"group": "category"}).content.decode()
    assert "产业工人队伍建设" in category and "未分类" in category


def test_the_chart_shows_the_units_behind_first_and_all_of_them_on_request(client_for, office, county_a):
    """Of 25 units, the chart shows the 20 with the lowest close-out rate, lowest first (the most open items
    first among equals), not the 20 that were issued the most; ``chart=all`` draws all 25."""
    for n in range(25):
        unit = OrgUnitFactory(code=f"A-B{n:02}", name=f"第{n:02}工会", kind=OrgKind.TOWN, parent=county_a)
        checklist = services.issue_checklist(
            actor=office,
            responsible_unit=unit,
            title=f"清单{n}",
            items=[{"content": f"事项{k}", "deadline": TODAY() + timedelta(days=9)} for k in range(30 - n)],
        )
        # unit n has closed n + 1 of its 30 - n items: the later units are both smaller and further ahead
        Item.objects.filter(pk__in=list(checklist.items.values_list("pk", flat=True)[: min(n + 1, 30 - n)])).update(
            status=ItemStatus.CLOSED
        )
    tally.rebuild()
    client = client_for(office)
    data = client.get("/lists/figures/").context["charts"]
    assert data["groups"] == 25 and len(data["names"]) == 20
    assert data["names"][:3] == ["第00工会", "第01工会", "第02工会"]
    assert data["rate"] == sorted(data["rate"]) and data["rate"][0] == round(1 / 30 * 100, 1)
    everything = client.get("/lists/figures/", {"chart": "all"})
    assert len(everything.context["charts"]["names"]) == 25
    assert 'data-testid="chart-show-all"' not in everything.content.decode()
    assert 'data-testid="chart-show-all"' in client.get("/lists/figures/").content.decode()


def test_the_month_chart_draws_every_month_up_to_this_one_with_zeros(client_for, office, dept_a):
    """Lists issued five and three months ago: the chart runs over every month from the first to this one,
    the months that issued nothing as 0 (and no rate)."""
    this_month = TODAY().replace(day=1)
    months = [this_month]
    for _n in range(5):
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    for issued_on in (months[0], months[2]):
        services.issue_checklist(
            actor=office,
            responsible_unit=dept_a,
            title=f"清单{issued_on}",
            issued_on=issued_on,
            items=[{"content": "事项", "deadline": issued_on + timedelta(days=9)}],
        )
    data = client_for(office).get("/lists/figures/", {"group": "month"}).context["charts"]
    assert data["names"] == [f"{m:%Y-%m}" for m in months]
    assert data["issued"] == [1, 0, 1, 0, 0, 0]
    assert data["rate"][1] is None and data["line"] is True


def test_the_figures_page_takes_the_same_queries_whatever_the_items(client_for, spread, office, dept_a):
    client = client_for(office)

    def queries():
        counts = []
        for url in ("/lists/figures/", "/lists/figures/load/"):
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            counts.append(len(captured))
        return counts

    before = queries()
    for n in range(5):
        services.issue_checklist(
            actor=office,
            responsible_unit=dept_a,
            title=f"更多{n}",
            items=[{"content": f"x{k}", "deadline": TODAY() + timedelta(days=5)} for k in range(20)],
        )
    after = queries()
    # The page: session, user, roles; whether the unit holds every unit; the total and the number of
    # groups, the overdue total, one page of groups and their overdue. The load: its rows, their units, and the
    # warning line (a rule of the federation).
    assert after == before and after[0] <= 8 and after[1] <= 7


def test_the_table_exports_to_excel(client_for, spread, office):
    response = client_for(office).get("/lists/figures/export/", {"group": "office"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:5] == ["下达单位", "下达事项", "申请销号", "已销号", "销号率"]
    total = figures_for(office)[0]
    assert rows[-1][:4] == ["合计", total.issued, total.applied, total.closed]
    # the rate is a number Excel can sort and add, shown as a percentage; counts carry separators
    rate = sheet.cell(row=len(rows), column=5)
    assert rate.value == pytest.approx(total.close_rate) and rate.number_format == "0.0%"
    assert sheet.cell(row=len(rows), column=2).number_format == "#,##0" and sheet.cell(row=len(rows), column=1).font.b
    assert {r[0] for r in rows[1:-1]} == {"滨海县总工会", "示范市总工会"}


def test_the_load_table_counts_what_each_unit_received_by_calendar_month(client_for, office, dept_a, rule):
    today = TODAY()
    last_month = today.replace(day=1) - timedelta(days=1)
    old = services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="上月清单",
        issued_on=last_month,
        items=[{"content": "上月事项", "deadline": today - timedelta(days=1)}],
    )
    services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="本月清单",
        items=[{"content": f"事项{k}", "deadline": today + timedelta(days=20)} for k in range(3)],
    )
    workflow.urge(item=old.items.get(), actor=office)  # this month: an urging notice, a document
    rule("closeout.unit_load_warning", 2)  # items a month
    unit = office.org_unit

    def load(period):
        rows, units = figures.load(unit, period, today)
        return units, [(r.unit, r.lists, r.items, r.urgings, r.documents, r.over) for r in rows]

    assert load("month") == (1, [(dept_a, 1, 3, 1, 1, True)])
    assert load("previous") == (1, [(dept_a, 1, 1, 0, 0, False)])
    assert load("quarter") == (1, [(dept_a, 2, 4, 1, 1, False)])  # 4 items in three months: under 3 × 2
    client = client_for(office)
    page = client.get("/lists/figures/", {"period": "quarter"}).content.decode()
    assert 'hx-get="/lists/figures/load/?group=unit&amp;period=quarter"' in page and "load-row" not in page
    text = client.get("/lists/figures/load/", {"period": "quarter"}, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="load-row"><td>县交通运输局' in text and "<html" not in text
    assert 'aria-current="true">近三个月<' in text and "按自然月统计" in text
    alone = client.get("/lists/figures/load/", {"period": "nonsense"}).content.decode()
    assert "<html" in alone and 'aria-current="true">本月<' in alone and "超过提示线" in alone


def test_the_load_table_shows_the_heaviest_units_first_and_how_many_there_are(office, county_a):
    units = [OrgUnitFactory(code=f"A-T{n}", name=f"第{n}镇", kind=OrgKind.TOWN, parent=county_a) for n in range(4)]
    for n, unit in enumerate(units):
        services.issue_checklist(
            actor=office,
            responsible_unit=unit,
            title=f"清单{n}",
            items=[{"content": f"事项{k}", "deadline": TODAY() + timedelta(days=9)} for k in range(n + 1)],
        )
    rows, count = figures.load(county_a, "month", limit=2)
    assert ([r.unit.name for r in rows], count) == (["第3镇", "第2镇"], 4)


def test_another_county_sees_none_of_these_figures(client_for, spread, outsider, reporter):
    assert figures_for(outsider)[0].issued == 0
    client = client_for(outsider)
    text = client.get("/lists/figures/").content.decode()
    assert 'data-testid="card-issued">0<' in text and "县交通运输局" not in text
    assert "县交通运输局" not in client.get("/lists/figures/load/", {"period": "quarter"}).content.decode()
    assert client_for(reporter).get("/lists/figures/").status_code == 403
    assert client_for(reporter).get("/lists/figures/load/").status_code == 403

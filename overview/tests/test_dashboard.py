"""The 驾驶舱 on the demo: who may open it, what its cards say (the same numbers as the areas' own pages, for the
county office, the city and a town), the 督办 issued from its exceptions panel, and the wall display."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistance import figures as hardship_figures
from assistance.models import Household, Member
from assistance.scope import visible_households
from audit.models import AuditEvent
from cases import figures as case_figures
from cases.models import Dispute
from checklists import figures as closeout_figures
from checklists.models import Checklist, Item, ItemStatus
from checklists.workflow import URGEABLE
from orgs.models import OrgUnit, User
from orgs.queries import root_unit
from orgs.tests.factories import PASSWORD, OrgUnitFactory
from overview import board
from qingdan import cards, clock
from qingdan.templatetags.qd import percent
from scoring.cards import latest_round, ranked
from surveys import cards as survey_cards
from surveys import metrics as survey_metrics

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _area_figures(user):
    """Each card's number as the area computes it for its own page."""
    unit = root_unit(user)
    today = clock.today()
    closeout, _rows = closeout_figures.table(unit, "unit", today)
    case = case_figures.compute(user, unit, {}, today).total
    hardship, _rows = hardship_figures.table(unit, visible_households(user), today=today)
    round_ = latest_round(user)
    return {
        "close_out": closeout.close_rate,
        "overdue_items": closeout.overdue,
        "survey_completeness": survey_cards.completeness_of(user).rate,
        "satisfaction": survey_cards.satisfaction_of(user).rate,
        "ranking": ranked(user, round_)[0].total if round_ else None,
        "demand_resolution": case.value("demands", "resolution_rate"),
        "red_disputes": case.value("disputes", "red_open"),
        "hardship_exit": hardship.exit_rate_year,
        "reviews_overdue": hardship.review_due,
    }


# The pages whose figure cards show a card's number as it reads; the others are lists ("N in all"), the round's
# results (its first unit's total), or — survey completeness and satisfaction, which no page sums over a subtree —
# compared with the assessment metric they come from (``_area_figures``).
SHOWN_ON_PAGE = {"close_out", "demand_resolution", "hardship_exit", "ranking"}
LISTS = {"overdue_items", "red_disputes", "reviews_overdue"}


def _check_cards(user, client):
    expected = _area_figures(user)
    html = _page(client, reverse("overview:dashboard"))
    for shown in board.card_values(user):
        key, value = shown.card.key, shown.value
        assert value.value == expected[key], (user.username, key, value.value, expected[key])
        # The number on the 驾驶舱 is a link to the page it came from.
        assert f'href="{value.url.replace("&", "&amp;")}" data-testid="figure-{key}">{value.text}<' in html, key
        if key in SHOWN_ON_PAGE:
            assert value.text in _page(client, value.url), (user.username, key, value.text, value.url)
        elif key in LISTS:
            page = _page(client, value.url)
            if value.value:
                assert re.search(rf"共\s*{value.text}\s*(条|项|户|件)", page), (
                    user.username,
                    key,
                    value.text,
                    value.url,
                )
            assert urlsplit(value.url).query  # the list filtered to exactly the records counted
    return expected


def test_every_card_equals_its_area_page_for_the_county_office(demo):
    office = User.objects.get(username="office")
    expected = _check_cards(office, signed_in("office"))
    # The demo's county has records in every area: the comparison is not of empty pages.
    assert expected["close_out"] and expected["overdue_items"] and expected["ranking"]
    assert expected["demand_resolution"] is not None and expected["hardship_exit"] is not None
    assert expected["survey_completeness"] is not None


def test_every_card_equals_its_area_page_for_the_city(demo):
    city = User.objects.get(username="city")
    expected = _check_cards(city, signed_in("city"))
    county = _area_figures(User.objects.get(username="office"))
    assert expected["overdue_items"] >= county["overdue_items"]


def test_every_card_equals_its_area_page_for_a_town(demo, town_office):
    _check_cards(town_office, signed_in(town_office.username, PASSWORD))


def test_trends_draw_every_one_of_the_last_twelve_months(demo):
    office = User.objects.get(username="office")
    for trend in board.trends(office):
        assert len(trend["months"]) == 12 == len(trend["values"])
        assert trend["months"][-1] == f"{clock.today():%Y-%m}"
        assert all(isinstance(v, int) for v in trend["values"])


def test_the_ranking_lists_the_units_below_behind_first(demo):
    office = User.objects.get(username="office")
    card, rows = board.ranking(office)
    assert card.key == "close_out"
    assert {r.unit.pk for r in rows} <= set(OrgUnit.objects.filter(parent=office.org_unit).values_list("pk", flat=True))
    rates = [r.value.value for r in rows if r.value.value is not None]
    assert rates == sorted(rates) and len(rates) > 3


def test_each_ranked_unit_reads_what_the_figures_page_shows_for_its_subtree(demo):
    office = User.objects.get(username="office")
    _card, rows = board.ranking(office)
    assert len([r for r in rows if r.value.denominator]) > 3
    for row in rows:
        total = closeout_figures.total(row.unit)
        items = Item.objects.filter(responsible_unit__path__startswith=row.unit.path)
        counted = (items.filter(status=ItemStatus.CLOSED).count(), items.count())
        assert (row.value.numerator, row.value.denominator) == (total.closed, total.issued) == counted, row.unit


def test_exceptions_are_sorted_by_delay_and_name_no_person(demo):
    office = User.objects.get(username="office")
    found = board.exceptions(office)
    assert {e.kind for e in found} >= {"overdue_items", "red_disputes"}
    delays = [e.delay_days for e in found]
    assert delays == sorted(delays, reverse=True)
    names = _person_names()
    assert not [e.text for e in found if any(name in e.text for name in names)]


def _person_names():
    names = set(User.objects.exclude(full_name="").values_list("full_name", flat=True))
    names |= set(Dispute.objects.values_list("worker_name", flat=True))
    names |= set(Household.objects.values_list("head_name", flat=True))
    names |= set(Member.objects.values_list("name", flat=True))
    return {n for n in names if len(n) >= 2}


# --- who may open it ------------------------------------------------------------------------------------------


def test_a_reporter_is_refused_every_overview_page(demo):
    reporter = signed_in("reporter")
    for name in ("overview:dashboard", "overview:wall", "overview:wall_figures"):
        assert reporter.get(reverse(name)).status_code == 403
    assert reporter.post(reverse("overview:supervise"), {"exception": "overdue_items:1:"}).status_code == 403
    assert "驾驶舱" not in _page(reporter, "/")


def test_the_leader_sees_the_overview_and_its_menu_entry(demo):
    leader = signed_in("leader")
    html = _page(leader, reverse("overview:dashboard"))
    assert 'data-testid="exception"' in html and 'data-testid="supervise"' not in html
    assert reverse("overview:dashboard") in _page(leader, "/")


# --- the 督办 -------------------------------------------------------------------------------------------------


def _overdue_exception(user):
    return next(e for e in board.exceptions(user) if e.kind == "overdue_items" and e.unit_id != user.org_unit_id)


def test_office_issues_one_supervision_item_to_the_unit_once_a_day(demo):
    office = User.objects.get(username="office")
    exception = _overdue_exception(office)
    client = signed_in("office")
    lists, events = Checklist.objects.count(), AuditEvent.objects.filter(action="checklists.issued").count()
    page = client.post(reverse("overview:supervise"), {"exception": exception.key}, follow=True).content.decode()
    assert "已向" in page and "下发督办事项" in page
    made = Checklist.objects.order_by("-pk").first()
    assert Checklist.objects.count() == lists + 1
    assert made.responsible_unit_id == exception.unit_id and made.title.startswith("督办：")
    item = Item.objects.get(checklist=made)
    assert item.content.startswith("督办：") and item.deadline > clock.today()
    assert reverse("checklists:item", args=[item.pk]) in page
    assert AuditEvent.objects.filter(action="checklists.issued").count() == events + 1
    # Again the same day: refused, with a link to the one issued first.
    again = client.post(reverse("overview:supervise"), {"exception": exception.key}, follow=True).content.decode()
    assert "今天已就此事下发过督办事项" in again and reverse("checklists:list", args=[made.pk]) in again
    assert Checklist.objects.count() == lists + 1


def test_the_leader_may_not_issue_a_supervision_item(demo):
    office = User.objects.get(username="office")
    exception = _overdue_exception(office)
    lists = Checklist.objects.count()
    page = signed_in("leader").post(reverse("overview:supervise"), {"exception": exception.key}, follow=True)
    assert "只有督办人员可以下发督办事项" in page.content.decode()
    assert Checklist.objects.count() == lists


def test_a_unit_of_another_county_answers_404(demo):
    office2 = User.objects.get(username="office2")
    theirs = OrgUnit.objects.filter(parent=office2.org_unit).first() or office2.org_unit
    lists = Checklist.objects.count()
    response = signed_in("office").post(reverse("overview:supervise"), {"exception": f"overdue_items:{theirs.pk}:"})
    assert response.status_code == 404
    assert Checklist.objects.count() == lists


def test_an_exception_no_longer_there_or_malformed_is_refused(demo):
    office = User.objects.get(username="office")
    unit = (
        OrgUnit.objects.filter(parent=office.org_unit)
        .exclude(pk__in=[e.unit_id for e in board.exceptions(office) if e.kind == "overdue_items"])
        .first()
    )
    client = signed_in("office")
    page = client.post(reverse("overview:supervise"), {"exception": f"overdue_items:{unit.pk}:"}, follow=True)
    assert "该异常已不在您的驾驶舱中" in page.content.decode()
    page = client.post(reverse("overview:supervise"), {"exception": "nonsense"}, follow=True)
    assert "该异常不在您的驾驶舱中" in page.content.decode()
    assert client.get(reverse("overview:supervise")).status_code == 405


# --- the wall ---------------------------------------------------------------------------------------------------


def test_the_wall_shows_counts_only_never_a_person_and_refreshes_itself(demo):
    client = signed_in("office")
    for name in ("overview:wall", "overview:wall_figures"):
        html = _page(client, reverse(name))
        found = [n for n in _person_names() if n in html]
        assert not found, found
    html = _page(client, reverse("overview:wall"))
    assert 'hx-trigger="every 300s"' in html and 'http-equiv="refresh" content="300"' in html
    assert 'id="qd-nav"' not in html  # no menu
    office = User.objects.get(username="office")
    for shown in board.card_values(office):
        assert shown.value.text in html
    assert percent(board.card_values(office)[0].value.value) in html


def _trend_months(user):
    return {t["key"]: dict(zip(t["months"], t["values"], strict=True)) for t in board.trends(user)}


def test_each_trend_draws_the_numbers_of_its_area_month_by_month(demo, town_office):
    """The close-out, demand and survey trends count only what they draw, each in one query: every month they show
    equals the area's own month grouping (the figures pages) or the assessment metric of that month."""
    today = clock.today()
    months = cards.last_months(today, board.MONTHS)
    span = {"from": f"{months[0]:%Y-%m}", "to": f"{months[-1]:%Y-%m}"}
    for user in (User.objects.get(username="office"), User.objects.get(username="city"), town_office):
        unit = root_unit(user)
        drawn = _trend_months(user)
        _total, rows = closeout_figures.table(unit, "month", today)
        closed = {f"{row.key:%Y-%m}": row.closed for row in rows}
        resolved = {
            f"{row.key:%Y-%m}": row.value("demands", "resolved")
            for row in case_figures.compute(user, unit, span, today, "month").rows
        }
        for month in months:
            key, last = f"{month:%Y-%m}", cards.next_month(month) - timedelta(days=1)
            assert drawn["close_out"][key] == closed.get(key, 0), (user.username, key)
            assert drawn["demand_resolution"][key] == resolved.get(key, 0), (user.username, key)
            submitted = survey_metrics.survey_completeness([unit], month, last)[unit.pk].numerator
            assert drawn["survey_completeness"][key] == submitted, (user.username, key)
    county = _trend_months(User.objects.get(username="office"))
    assert any(county["close_out"].values()) and any(county["demand_resolution"].values())
    assert any(county["survey_completeness"].values())


def _dashboard_queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("overview:dashboard")).status_code == 200
    return len(captured)


def test_the_overview_runs_the_same_queries_with_more_units_and_more_exceptions(demo):
    """The 驾驶舱 reads each area's figures once per page and never a query per unit: three more units below and
    overdue items at three more units (three more exceptions) cost no query more."""
    client = signed_in("leader")
    _dashboard_queries(client)
    before = _dashboard_queries(client)
    leader = User.objects.get(username="leader")
    for _n in range(3):
        OrgUnitFactory(parent=leader.org_unit)
    late = set(board.exceptions(leader))
    overdue_units = {e.unit_id for e in late if e.kind == "overdue_items"}
    open_items = Item.objects.filter(status__in=URGEABLE, deadline__gte=clock.today()).exclude(
        responsible_unit__in=overdue_units
    )
    units = list(open_items.values_list("responsible_unit", flat=True).order_by().distinct()[:3])
    assert len(units) == 3
    for unit in units:
        Item.objects.filter(pk=open_items.filter(responsible_unit=unit).values("pk")[:1]).update(
            deadline=clock.today() - timedelta(days=3)
        )
    assert len(board.exceptions(leader)) == len(late) + 3
    assert _dashboard_queries(client) == before

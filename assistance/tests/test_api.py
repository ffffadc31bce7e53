"""The archive through the API (read-only): households filtered as the list is, one household with its members,
aid, the figures; another county's household is a 404; ID numbers, phones and bank accounts are masked."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client

from assistance.models import Aid, AidKind, FileStatus
from assistance.tests.factories import id_number, make_household
from orgs import services as org_services
from orgs.models import OrgKind
from orgs.tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def api(user):
    raw = org_services.create_api_token(user=user, name="test", actor=user)[1]
    return lambda url: Client().get(f"/api/v1{url}", HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def town_a(county_a):
    return OrgUnitFactory(code="A-T1", name="东坎街道工会", kind=OrgKind.TOWN, parent=county_a)


@pytest.fixture
def files(county_a, town_a, county_b):
    a1 = make_household(county_a, 1, head_name="王建国")
    a2 = make_household(town_a, 2, status=FileStatus.EXITED, exited_on=D(2026, 6, 1))
    b1 = make_household(county_b, 3)
    Aid.objects.create(household=a1, org_unit=county_a, kind=AidKind.MEDICAL, amount=Decimal("1200.00"),
                       given_on=D(2026, 2, 1), source="工会", delivered_by="张三")  # fmt: skip
    Aid.objects.create(household=b1, org_unit=county_b, kind=AidKind.MEDICAL, amount=Decimal("99.00"),
                       given_on=D(2026, 2, 1), source="工会", delivered_by="李四")  # fmt: skip
    return a1, a2, b1


def test_households_are_scoped_filtered_and_masked(files, office):
    call = api(office)
    body = call("/hardship/households").json()
    assert body["count"] == 2 and {h["number"] for h in body["items"]} == {files[0].number, files[1].number}
    first = next(h for h in body["items"] if h["number"] == files[0].number)
    assert first["phone"] == "138****5678" and first["bank_account"].endswith("3445")
    assert "6222020200112233445" not in json.dumps(body) and "13812345678" not in json.dumps(body)
    assert call("/hardship/households?status=exited").json()["count"] == 1
    assert call("/hardship/households?unit=A-T1").json()["count"] == 1
    assert call("/hardship/households?status=held").json()["count"] == 1
    assert call("/hardship/households?limit=1&offset=1").json()["items"][0]["number"] == files[1].number


def test_a_unit_of_another_county_is_422(files, office):
    response = api(office)("/hardship/households?unit=B")
    assert response.status_code == 422 and response.json()["code"] == "unknown_unit"


def test_one_household_with_its_members_masked(files, office):
    body = api(office)(f"/hardship/households/{files[0].pk}").json()
    assert body["head_name"] == "王建国"  # the office manages the files
    assert [m["id_number"] for m in body["members"]][0] == id_number(10)[:6] + "********" + id_number(10)[-4:]
    for number in (id_number(10 + i, born=D(1980 + i, 1 + i, 1)) for i in range(3)):
        assert number not in json.dumps(body)


def test_a_leader_reads_heads_names_masked(files, leader):
    body = api(leader)(f"/hardship/households/{files[0].pk}").json()
    assert body["head_name"] == "王*国" and body["address"] == ""


def test_another_countys_household_is_404(files, outsider, office):
    assert api(outsider)(f"/hardship/households/{files[0].pk}").status_code == 404
    assert api(office)(f"/hardship/households/{files[2].pk}").status_code == 404


def test_aid_is_scoped_and_totalled(files, office, outsider):
    body = api(office)("/hardship/aid").json()
    assert body["count"] == 1 and Decimal(body["amount"]) == Decimal("1200.00")
    assert api(office)("/hardship/aid?given_year=2025").json()["count"] == 0
    assert Decimal(api(outsider)("/hardship/aid").json()["amount"]) == Decimal("99.00")


def test_figures_by_unit_for_the_office_and_403_for_a_reporter(files, office, reporter):
    body = api(office)("/hardship/figures?group=unit&year=2026").json()
    assert body["total"]["held"] == 1 and body["total"]["exited"] == 1 and body["total"]["exit_rate"] == 0.5
    assert {row["code"] for row in body["rows"]} >= {"A-T1"}
    assert api(reporter)("/hardship/figures").status_code == 403

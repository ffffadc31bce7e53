"""Downloads of the filtered household list and of aid: exactly the list's rows, masked, with a 合计 row for aid."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from assistance.exports import mask_name
from assistance.models import Aid, AidKind, FileStatus
from assistance.scope import filter_households, visible_households
from assistance.tests.factories import make_household

pytestmark = pytest.mark.django_db
D = datetime.date


def rows_of(response):
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))


@pytest.fixture
def files(county_a, county_b):
    held = make_household(county_a, 1, head_name="王建国")
    exited = make_household(county_a, 2, status=FileStatus.EXITED, exited_on=D(2026, 6, 1))
    other = make_household(county_b, 3)
    for household, amount, on in ((held, "1000.00", D(2026, 1, 20)), (held, "250.50", D(2025, 8, 1)),
                                  (other, "99.00", D(2026, 2, 1))):  # fmt: skip
        Aid.objects.create(household=household, org_unit=household.org_unit, kind=AidKind.HOLIDAY,
                           amount=Decimal(amount), given_on=on, source="工会", delivered_by="张三")  # fmt: skip
    return held, exited, other


def test_the_household_export_is_the_filtered_list_masked(files, office, client_for):
    client = client_for(office)
    rows = rows_of(client.get("/assistance/export/households/?status=held"))
    expected = filter_households(visible_households(office), {"status": "held"})
    assert [r[0] for r in rows[1:]] == list(expected.values_list("number", flat=True))
    number, head, id_masked, *_rest = rows[1]
    assert head == "王建国" and "********" in id_masked and len(id_masked) == 18
    assert rows[1][8] == "138****5678" and rows[1][10].endswith("3445") and "62220202" not in rows[1][10]
    assert len(rows_of(client.get("/assistance/export/households/"))) == 3  # header + county A's two


def test_a_leader_gets_the_heads_names_masked(files, leader, client_for):
    rows = rows_of(client_for(leader).get("/assistance/export/households/"))
    assert mask_name("王建国") == "王*国" and "王*国" in [r[1] for r in rows]
    assert "王建国" not in [r[1] for r in rows]


def test_the_aid_export_has_the_aid_of_the_year_and_a_total_row(files, office, client_for):
    client = client_for(office)
    rows = rows_of(client.get("/assistance/export/aid/?aid_year=2026"))
    assert [r[4] for r in rows[1:-1]] == [1000.0]
    assert rows[-1][0] == "合计" and rows[-1][4] == 1000.0
    every = rows_of(client.get("/assistance/export/aid/"))
    assert every[-1][4] == pytest.approx(1250.50) and every[-1][1] == "2次"


def test_the_other_county_exports_only_its_own(files, outsider, client_for):
    rows = rows_of(client_for(outsider).get("/assistance/export/households/"))
    assert [r[0] for r in rows[1:]] == [files[2].number]


def test_a_reporter_may_not_export(files, reporter, client_for):
    assert client_for(reporter).get("/assistance/export/households/").status_code == 403

"""The API of meetings, demands, disputes and letters: scoped (another county's record is a 404), filtered like the
list pages, a page at a time, workers' names and phones masked unless the office staff of the case's unit ask for a
full view, which is audited."""

from datetime import date

import pytest

from audit.models import AuditEvent
from cases import scope
from cases.models import Colour, DemandStatus, LetterKind, LetterStatus, Party
from cases.tests import factories_cases as make

API = "/api/v1"


@pytest.fixture
def records(firm_a, firm_b):
    mine = {
        "demand": make.demand(firm_a, status=DemandStatus.CLOSED),
        "dispute": make.agreed(firm_a, agreed_amount="1000", paid="500", colour=Colour.RED),
        "letter": make.letter(firm_a, kind=LetterKind.OPINION, status=LetterStatus.ANSWERED),
        "meeting": make.meeting(firm_a),
    }
    Party.objects.create(dispute=mine["dispute"], side="union", body="东坎街道工会", contact_name="王强",
                         contact_phone="13700001111")  # fmt: skip
    make.demand(firm_a, received_on=date(2026, 5, 5))
    theirs = {
        "demand": make.demand(firm_b),
        "dispute": make.dispute(firm_b),
        "letter": make.letter(firm_b),
        "meeting": make.meeting(firm_b),
    }
    return mine, theirs


PLURAL = {"demand": "demands", "dispute": "disputes", "letter": "letters", "meeting": "meetings"}


@pytest.mark.parametrize("kind", list(PLURAL))
def test_lists_and_details_are_scoped_and_another_countys_record_is_a_404(records, office, outsider, client_for, kind):
    mine, theirs = records
    client = client_for(office)
    listed = client.get(f"{API}/{PLURAL[kind]}").json()
    ids = {row["id"] for row in listed["items"]}
    assert mine[kind].pk in ids and theirs[kind].pk not in ids
    assert client.get(f"{API}/{PLURAL[kind]}/{mine[kind].pk}").status_code == 200
    response = client.get(f"{API}/{PLURAL[kind]}/{theirs[kind].pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client_for(outsider).get(f"{API}/{PLURAL[kind]}/{mine[kind].pk}").status_code == 404


def test_filters_are_the_list_pages_and_give_the_same_rows(records, office, client_for):
    client = client_for(office)
    for path, params, visible, filtered in (
        ("demands", {"month": "2026-05"}, scope.visible_demands, scope.filter_demands),
        ("demands", {"accepted": "1", "from": "2026-01", "to": "2026-04"}, scope.visible_demands, scope.filter_demands),
        ("disputes", {"colour": "red", "outcome": "agreement"}, scope.visible_disputes, scope.filter_disputes),
        ("letters", {"kind": "opinion", "status": "answered"}, scope.visible_letters, scope.filter_letters),
    ):
        body = client.get(f"{API}/{path}", params).json()
        expected = set(filtered(visible(office), params).values_list("pk", flat=True))
        assert {row["id"] for row in body["items"]} == expected and body["count"] == len(expected), (path, params)
    assert client.get(f"{API}/disputes", {"colour": "purple"}).status_code == 422


def test_pages_are_limited_and_offset(records, office, client_for):
    client = client_for(office)
    first = client.get(f"{API}/demands", {"limit": 1}).json()
    second = client.get(f"{API}/demands", {"limit": 1, "offset": 1}).json()
    assert first["count"] == second["count"] == 2
    assert len(first["items"]) == 1 and first["items"][0]["id"] != second["items"][0]["id"]


def test_workers_names_and_phones_are_masked_in_lists_and_details(records, office, leader, client_for):
    mine, _theirs = records
    for user in (office, leader):
        row = client_for(user).get(f"{API}/demands").json()["items"][0]
        assert row["worker_name"] == "张**" and row["worker_phone"] == "138****5678"
        detail = client_for(user).get(f"{API}/disputes/{mine['dispute'].pk}").json()
        assert detail["worker_name"] == "李**" and detail["worker_phone"] == "139****5678"
        assert detail["parties"][0]["contact_phone"] == "137****1111" and detail["full"] is False


def test_the_office_sees_a_full_view_and_it_is_audited(records, office, client_for):
    mine, _theirs = records
    client = client_for(office)
    before = AuditEvent.objects.filter(action="cases.demand_personal_viewed").count()
    detail = client.get(f"{API}/demands/{mine['demand'].pk}", {"full": "true"}).json()
    assert detail["worker_name"] == "张建国" and detail["worker_phone"] == "13812345678" and detail["full"] is True
    assert AuditEvent.objects.filter(action="cases.demand_personal_viewed").count() == before + 1
    dispute = client.get(f"{API}/disputes/{mine['dispute'].pk}", {"full": "true"}).json()
    assert dispute["parties"][0]["contact_phone"] == "13700001111"
    assert AuditEvent.objects.filter(action="cases.dispute_personal_viewed").exists()


def test_a_leader_asking_for_a_full_view_is_refused(records, leader, client_for):
    mine, _theirs = records
    response = client_for(leader).get(f"{API}/demands/{mine['demand'].pk}", {"full": "true"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="cases.demand_personal_viewed").exists()


def test_list_queries_do_not_grow_with_the_rows(firm_a, office, client_for, django_assert_max_num_queries):
    client = client_for(office)
    for n in range(30):
        make.demand(firm_a, received_on=date(2026, 1, 1 + n % 28))
        make.dispute(firm_a)
        make.letter(firm_a)
        make.meeting(firm_a)
    for path in PLURAL.values():
        with django_assert_max_num_queries(12):
            assert len(client.get(f"{API}/{path}").json()["items"]) >= 30


@pytest.mark.parametrize("kind", ["demand", "dispute"])
def test_page_and_api_agree_on_who_sees_the_worker_for_a_town_reporter(records, town_reporter, client_for, kind):
    # The town reporter sees the “查看完整姓名和电话” button on the case's page exactly when the API's full view
    # answers them (and the other way round): one rule per kind, not two.
    mine, _theirs = records
    client = client_for(town_reporter)
    page = client.get(f"/cases/{PLURAL[kind]}/{mine[kind].pk}/").content.decode()
    button = {"demand": 'data-testid="show-full"', "dispute": 'data-testid="show-phone"'}[kind]
    response = client.get(f"{API}/{PLURAL[kind]}/{mine[kind].pk}", {"full": "true"})
    assert response.status_code == (200 if button in page else 403)
    assert button in page  # the town reporter registers and works on its town's cases
    assert response.json()["full"] is True
    assert AuditEvent.objects.filter(action=f"cases.{kind}_personal_viewed").count() == 1

"""The registry through the API: list with filters and paging, one enterprise, register and change (office staff
only, the check digit verified, a stale version 409), a project with its chain; another county gets 404, phones
are masked."""

import json

import pytest
from django.test import Client

from cases.models import Enterprise, Subcontract
from cases.tests.conftest import REAL_CODE, valid_code, wrong_digit
from orgs import services as org_services

pytestmark = pytest.mark.django_db


def api(user):
    raw = org_services.create_api_token(user=user, name="test", actor=user)[1]
    return lambda method, url, body=None: getattr(Client(), method)(
        f"/api/v1{url}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


NEW = {
    "name": "滨海恒润食品有限公司",
    "credit_code": "９１１１００００６０００３７３４１ｌ",
    "unit": "A-T1",
    "industry": "C",
    "workers": 290,
    "has_union": True,
    "union_unit": "A-E1",
    "contact_phone": "13812345678",
}


def test_office_registers_an_enterprise_and_reads_it_masked(office, town_a, union_a):
    call = api(office)
    response = call("post", "/enterprises", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["credit_code"] == REAL_CODE and body["union_unit"] == "A-E1" and body["industry_label"] == "制造业"
    assert body["contact_phone"] == "138****5678"
    one = call("get", f"/enterprises/{body['id']}").json()
    assert one["contact_phone"] == "138****5678" and one["projects"] == []


def test_a_wrong_check_digit_is_422_with_the_reason_and_nothing_is_added(office, town_a):
    response = api(office)("post", "/enterprises", {**NEW, "credit_code": wrong_digit(REAL_CODE), "union_unit": None})
    assert response.status_code == 422
    assert response.json()["message"] == "统一社会信用代码校验位不符，请对照营业执照核对。"
    assert not Enterprise.objects.exists()


def test_negative_workers_are_refused_by_the_schema(office, town_a):
    response = api(office)("post", "/enterprises", {**NEW, "workers": -1, "union_unit": None})
    assert response.status_code == 422 and not Enterprise.objects.exists()


def test_a_reporter_and_a_leader_cannot_register_or_change(reporter, leader, town_a, firm_a):
    for person in (reporter, leader):
        call = api(person)
        response = call("post", "/enterprises", {**NEW, "union_unit": None})
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    response = api(leader)("patch", f"/enterprises/{firm_a.pk}", {"version": 0, "workers": 1})
    assert response.status_code == 403
    firm_a.refresh_from_db()
    assert Enterprise.objects.count() == 1 and firm_a.workers == 101


def test_the_list_filters_pages_and_counts(leader, make_enterprise, town_a, town_a2):
    for n in range(1, 6):
        make_enterprise(town_a if n <= 3 else town_a2, n, has_union=n == 1, industry="E" if n == 2 else "C")
    call = api(leader)
    everything = call("get", "/enterprises?limit=2").json()
    assert everything["count"] == 5 and len(everything["items"]) == 2
    assert all(item["contact_phone"] == "138****5678" for item in everything["items"])
    assert call("get", "/enterprises?unit=A-T2").json()["count"] == 2
    assert call("get", "/enterprises?has_union=true").json()["count"] == 1
    assert call("get", "/enterprises?industry=E").json()["count"] == 1
    assert call("get", f"/enterprises?q={valid_code(4)}").json()["items"][0]["credit_code"] == valid_code(4)
    assert call("get", "/enterprises?unit=B-T1").status_code == 422


def test_another_county_gets_404_and_sees_nothing(outsider, office, firm_a, make_enterprise, town_b):
    call = api(outsider)
    assert call("get", f"/enterprises/{firm_a.pk}").status_code == 404
    assert call("patch", f"/enterprises/{firm_a.pk}", {"version": 0, "workers": 1}).status_code == 404
    assert call("get", "/enterprises").json()["count"] == 0
    project = api(office)(
        "post", "/projects", {"name": "某工程", "unit": "A-T1", "general_contractor": firm_a.credit_code}
    ).json()
    assert call("get", f"/projects/{project['id']}").status_code == 404
    assert call("get", "/projects").json()["count"] == 0
    firm_a.refresh_from_db()
    assert firm_a.workers == 101


def test_a_change_sends_only_what_changes_and_a_stale_version_is_409(office, firm_a, union_a):
    call = api(office)
    response = call("patch", f"/enterprises/{firm_a.pk}", {"version": 0, "workers": 130, "has_union": True})
    assert response.status_code == 200, response.content
    assert response.json()["workers"] == 130 and response.json()["version"] == 1
    firm_a.refresh_from_db()
    assert firm_a.contact_phone == "13812345678" and firm_a.name == "滨海测试企业1有限公司"  # untouched
    stale = call("patch", f"/enterprises/{firm_a.pk}", {"version": 0, "workers": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    linked = call("patch", f"/enterprises/{firm_a.pk}", {"version": 1, "union_unit": "A-E1"})
    assert linked.json()["union_unit"] == "A-E1"
    unlinked = call("patch", f"/enterprises/{firm_a.pk}", {"version": 2, "union_unit": ""})
    assert unlinked.json()["union_unit"] is None


def test_a_project_with_its_chain(office, leader, make_enterprise, town_a, firm_b):
    general, steel, labour = (make_enterprise(town_a, n, name=f"企业{n}") for n in (31, 32, 33))
    call = api(office)
    project = call(
        "post",
        "/projects",
        {
            "name": "滨海港区通用码头二期工程",
            "unit": "A-T1",
            "starts_on": "2025-03-01",
            "ends_on": "2027-02-28",
            "general_contractor": general.credit_code,
        },
    )
    assert project.status_code == 201, project.content
    pid = project.json()["id"]
    first = call("post", f"/projects/{pid}/subcontracts", {"contractor": steel.credit_code, "work": "堆场工程"})
    top = first.json()["chain"][0]["id"]
    second = call("post", f"/projects/{pid}/subcontracts", {"contractor": labour.credit_code, "under": top})
    assert second.status_code == 201
    # A firm of another county is named by its code.
    third = call("post", f"/projects/{pid}/subcontracts", {"contractor": firm_b.credit_code, "under": top})
    assert third.status_code == 201
    read = api(leader)("get", f"/projects/{pid}").json()
    assert read["general_contractor"]["credit_code"] == general.credit_code
    assert [(n["contractor"]["name"], n["depth"], n["under"]) for n in read["chain"]] == [
        ("企业32", 1, None),
        ("企业33", 2, top),
        ("临河测试企业有限公司", 2, top),
    ]
    places = api(leader)("get", f"/enterprises/{labour.pk}").json()["projects"]
    assert places == [{"project": pid, "name": "滨海港区通用码头二期工程", "role": "sub", "under": steel.credit_code}]


def test_a_loop_through_the_api_is_422_and_the_chain_stays(office, make_enterprise, town_a):
    general, steel, labour = (make_enterprise(town_a, n, name=f"企业{n}") for n in (31, 32, 33))
    call = api(office)
    pid = call("post", "/projects", {"name": "工程", "unit": "A-T1", "general_contractor": general.credit_code}).json()[
        "id"
    ]
    top = call("post", f"/projects/{pid}/subcontracts", {"contractor": steel.credit_code}).json()["chain"][0]["id"]
    chain = call("post", f"/projects/{pid}/subcontracts", {"contractor": labour.credit_code, "under": top}).json()
    below = chain["chain"][1]["id"]
    loop = call("patch", f"/projects/{pid}/subcontracts/{top}", {"under": below})
    assert loop.status_code == 422
    assert loop.json()["message"] == "分包关系不能形成闭环：企业32 → 企业33 → 企业32。"
    own = call("post", f"/projects/{pid}/subcontracts", {"contractor": general.credit_code})
    assert own.status_code == 422 and own.json()["message"] == "企业31不能做自己的分包单位。"
    assert Subcontract.objects.get(pk=top).parent is None
    unknown = call("post", f"/projects/{pid}/subcontracts", {"contractor": valid_code(999)})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_enterprise"
    assert call("delete", f"/projects/{pid}/subcontracts/{top}").status_code == 422
    assert call("delete", f"/projects/{pid}/subcontracts/{below}").status_code == 200


def test_the_separated_duties_are_refused(auditor, firm_a):
    response = api(auditor)("get", "/enterprises")
    assert response.status_code == 403 and response.json()["code"] == "separated_duties"

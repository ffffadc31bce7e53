"""The registry's pages as a clerk uses them: the list with its filters, counts and masked phones, an enterprise's
page, the form with the credit code checked, the project page with its chain as a tree; another county's pages are
404, a reporter cannot register."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from cases import services
from cases.models import Enterprise, Industry
from cases.tests.conftest import REAL_CODE, valid_code, wrong_digit
from orgs.models import OrgKind
from orgs.tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


def _form(unit, **changes):
    return {
        "name": "滨海恒润食品有限公司",
        "credit_code": REAL_CODE,
        "org_unit": str(unit.pk),
        "community": "向阳社区",
        "industry": "C",
        "workers": "290",
        "address": "滨海县人民路8号",
        "contact_name": "李娜",
        "contact_phone": "13812345678",
        **changes,
    }


def _text(response):
    return response.content.decode()


# --- the list ----------------------------------------------------------------------------------------------------


def test_the_list_shows_counts_masks_phones_and_filters(client_for, leader, make_enterprise, town_a, town_a2, union_a):
    make_enterprise(town_a, 1, has_union=True, union_unit=union_a, workers=300)
    make_enterprise(town_a, 2, industry=Industry.E, workers=50)
    make_enterprise(town_a2, 3, name="八巨某纺织有限公司", workers=20)
    client = client_for(leader)
    page = _text(client.get("/cases/enterprises/"))
    assert re.search(r'data-testid="count-total">3<', page)
    assert re.search(r'data-testid="count-union">1<', page)
    assert re.search(r'data-testid="count-rate">33.3%<', page)
    assert re.search(r'data-testid="count-workers">370<', page)
    assert "138****5678" in page and "13812345678" not in page
    assert page.count('data-testid="enterprise-row"') == 3

    by_town = _text(client.get("/cases/enterprises/", {"unit": town_a2.pk}))
    assert by_town.count('data-testid="enterprise-row"') == 1 and "八巨某纺织有限公司" in by_town
    with_union = _text(client.get("/cases/enterprises/", {"union": "yes"}))
    assert with_union.count('data-testid="enterprise-row"') == 1
    building = _text(client.get("/cases/enterprises/", {"industry": "E"}))
    assert building.count('data-testid="enterprise-row"') == 1
    by_code = _text(client.get("/cases/enterprises/", {"q": valid_code(3)[:17].lower()}))
    assert by_code.count('data-testid="enterprise-row"') == 1
    by_name = _text(client.get("/cases/enterprises/", {"q": "纺织"}))
    assert re.search(r'data-testid="count-total">1<', by_name)


def test_the_list_costs_the_same_queries_for_3_or_40_enterprises(client_for, office, make_enterprise, town_a, union_a):
    for n in range(1, 4):
        make_enterprise(town_a, n, has_union=n == 1, union_unit=union_a if n == 1 else None)
    client = client_for(office)
    client.get("/cases/enterprises/")  # the session's first touch is not the page's
    with CaptureQueriesContext(connection) as few:
        client.get("/cases/enterprises/")
    for n in range(4, 41):
        make_enterprise(town_a, n)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/cases/enterprises/")
    assert _text(response).count('data-testid="enterprise-row"') == 40
    assert len(many) == len(few) <= 12, [q["sql"] for q in many.captured_queries]
    print(f"list page: {len(many)} queries")


def test_the_nav_offers_the_registry_to_office_and_leader_only(client_for, office, leader, reporter):
    assert "/cases/enterprises/" in _text(client_for(office).get("/"))
    assert "/cases/enterprises/" in _text(client_for(leader).get("/"))
    assert "/cases/enterprises/" not in _text(client_for(reporter).get("/"))


# --- one enterprise ----------------------------------------------------------------------------------------------


def test_the_enterprise_page_shows_its_facts_its_union_and_its_projects(client_for, leader, office, firm_a, union_a):
    services.update_enterprise(enterprise=firm_a, actor=office, version=0, has_union=True, union_unit=union_a)
    project = services.create_project(
        actor=office,
        name="滨海县人民医院新院区建设工程",
        location="",
        org_unit=firm_a.org_unit,
        starts_on=None,
        ends_on=None,
        developer=None,
        general_contractor=firm_a,
    )
    page = _text(client_for(leader).get(f"/cases/enterprises/{firm_a.pk}/"))
    assert firm_a.credit_code in page and "制造业" in page and "101" in page
    assert f'href="/orgs/{union_a.pk}/"' in page
    assert f'href="/cases/projects/{project.pk}/"' in page and "总包" in page
    assert "138****5678" in page and "13812345678" not in page
    assert 'data-testid="show-phone"' not in page  # a leader reads the masked number only


def test_office_sees_the_whole_phone_on_request_and_it_is_audited(client_for, office, firm_a):
    client = client_for(office)
    page = _text(client.post(f"/cases/enterprises/{firm_a.pk}/"))
    assert "13812345678" in page
    assert AuditEvent.objects.filter(action="cases.enterprise_contact_viewed", object_id=str(firm_a.pk)).count() == 1


def test_a_leader_asking_for_the_whole_phone_is_refused(client_for, leader, firm_a):
    response = client_for(leader).post(f"/cases/enterprises/{firm_a.pk}/")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="cases.enterprise_contact_viewed").exists()


def test_another_county_gets_404_on_every_page(client_for, outsider, firm_a, office, town_a):
    project = services.create_project(
        actor=office,
        name="某工程",
        location="",
        org_unit=town_a,
        starts_on=None,
        ends_on=None,
        developer=None,
        general_contractor=firm_a,
    )
    client = client_for(outsider)
    for url in (
        f"/cases/enterprises/{firm_a.pk}/",
        f"/cases/enterprises/{firm_a.pk}/edit/",
        f"/cases/projects/{project.pk}/",
        f"/cases/projects/{project.pk}/edit/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/cases/projects/{project.pk}/subcontracts/", {"contractor": firm_a.credit_code}).status_code
        == 404
    )
    listing = _text(client.get("/cases/enterprises/"))
    assert firm_a.name not in listing and re.search(r'data-testid="count-total">0<', listing)
    assert "某工程" not in _text(client.get("/cases/projects/"))


# --- the form ----------------------------------------------------------------------------------------------------


def test_office_registers_an_enterprise_through_the_form(client_for, office, town_a):
    response = client_for(office).post("/cases/enterprises/new/", _form(town_a))
    enterprise = Enterprise.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/enterprises/{enterprise.pk}/"
    assert enterprise.created_by == office and enterprise.contact_phone == "13812345678"


def test_a_wrong_check_digit_is_shown_beside_the_field_and_nothing_is_saved(client_for, office, town_a):
    response = client_for(office).post("/cases/enterprises/new/", _form(town_a, credit_code=wrong_digit(REAL_CODE)))
    page = _text(response)
    assert response.status_code == 200
    assert re.search(r'data-testid="error-credit_code">统一社会信用代码校验位不符', page)
    assert "滨海恒润食品有限公司" in page  # the typing is kept
    assert not Enterprise.objects.exists()


def test_negative_workers_are_refused_beside_the_field(client_for, office, town_a):
    page = _text(client_for(office).post("/cases/enterprises/new/", _form(town_a, workers="-3")))
    assert re.search(r'data-testid="error-workers">职工人数不能为负数。', page)
    assert not Enterprise.objects.exists()


def test_a_code_typed_full_width_is_accepted(client_for, office, town_a):
    client_for(office).post(
        "/cases/enterprises/new/", _form(town_a, credit_code="９１１１００００６０００３７３４１ｌ")
    )
    assert Enterprise.objects.get().credit_code == REAL_CODE


def test_a_code_already_registered_is_refused_in_the_form(client_for, office, firm_a, town_a):
    page = _text(client_for(office).post("/cases/enterprises/new/", _form(town_a, credit_code=firm_a.credit_code)))
    assert f"该统一社会信用代码已登记：{firm_a.name}。" in page
    assert Enterprise.objects.count() == 1


def test_a_reporter_and_a_leader_cannot_open_or_post_the_form(client_for, reporter, leader, town_a, firm_a):
    for person in (reporter, leader):
        client = client_for(person)
        assert client.get("/cases/enterprises/new/").status_code == 403
        assert client.post("/cases/enterprises/new/", _form(town_a, credit_code=valid_code(77))).status_code == 403
        assert client.get(f"/cases/enterprises/{firm_a.pk}/edit/").status_code in (403, 404)
    assert Enterprise.objects.count() == 1


def test_editing_shows_the_whole_phone_audited_and_a_stale_form_is_refused(client_for, office, firm_a, town_a):
    client = client_for(office)
    page = _text(client.get(f"/cases/enterprises/{firm_a.pk}/edit/"))
    assert 'value="13812345678"' in page
    assert AuditEvent.objects.filter(action="cases.enterprise_contact_viewed").count() == 1
    data = _form(town_a, name=firm_a.name, credit_code=firm_a.credit_code, workers="150", version="0")
    assert client.post(f"/cases/enterprises/{firm_a.pk}/edit/", data).status_code == 302
    stale = _text(client.post(f"/cases/enterprises/{firm_a.pk}/edit/", {**data, "workers": "999"}))
    assert "您打开后该企业信息已被他人修改，本次未保存" in stale
    firm_a.refresh_from_db()
    assert firm_a.workers == 150 and firm_a.version == 1


# --- projects ----------------------------------------------------------------------------------------------------


@pytest.fixture
def chain_firms(make_enterprise, town_a):
    return [
        make_enterprise(town_a, n, name=name)
        for n, name in enumerate(["金桥建设", "五汛钢构", "安泰钢结构", "恒通劳务", "德隆水电"], 20)
    ]


def test_office_registers_a_project_and_draws_its_chain_as_a_tree(client_for, office, town_a, chain_firms):
    general, steel, install, labour, water = chain_firms
    client = client_for(office)
    response = client.post(
        "/cases/projects/new/",
        {
            "name": "滨海县人民医院新院区建设工程",
            "location": "东坎街道海滨大道",
            "org_unit": str(town_a.pk),
            "starts_on": "2025-07-01",
            "ends_on": "2027-06-30",
            "general_contractor": general.credit_code.lower(),
        },
    )
    assert response.status_code == 302
    url = response["Location"]
    client.post(url + "subcontracts/", {"contractor": steel.credit_code, "work": "钢结构工程"})
    first = steel.subcontracts.get()
    client.post(url + "subcontracts/", {"contractor": install.credit_code, "under": str(first.pk)})
    second = install.subcontracts.get()
    client.post(url + "subcontracts/", {"contractor": labour.credit_code, "under": str(second.pk), "work": "劳务分包"})
    client.post(url + "subcontracts/", {"contractor": water.credit_code, "work": "水电安装"})
    page = _text(client.get(url))
    depths = re.findall(r'data-testid="chain-node" data-depth="(\d)"', page)
    assert depths == ["1", "2", "3", "1"]
    assert page.index("五汛钢构") < page.index("安泰钢结构") < page.index("恒通劳务") < page.index("德隆水电")
    assert _nesting(page) == [
        ("chain-general", 1),
        ("chain-node", 2),
        ("chain-node", 3),
        ("chain-node", 4),
        ("chain-node", 2),
    ]


class _Lists(HTMLParser):
    """How deep in nested lists each firm of the chain is drawn; fails on a list closed out of order."""

    def __init__(self):
        super().__init__()
        self.open, self.found = [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "li"):
            self.open.append(tag)
        testid = dict(attrs).get("data-testid", "")
        if testid.startswith("chain-") and testid != "chain":
            self.found.append((testid, self.open.count("ul")))

    def handle_endtag(self, tag):
        if tag in ("ul", "li"):
            assert self.open.pop() == tag


def _nesting(page):
    parser = _Lists()
    parser.feed(page)
    assert parser.open == []
    return parser.found


def test_a_loop_asked_for_on_the_page_is_refused_with_the_reason(client_for, office, town_a, chain_firms):
    general, steel, install, *_others = chain_firms
    project = services.create_project(
        actor=office,
        name="码头工程",
        location="",
        org_unit=town_a,
        starts_on=None,
        ends_on=None,
        developer=None,
        general_contractor=general,
    )
    top = services.add_subcontract(project=project, contractor=steel, actor=office)
    below = services.add_subcontract(project=project, contractor=install, under=top, actor=office)
    client = client_for(office)
    response = client.post(
        f"/cases/projects/{project.pk}/subcontracts/{top.pk}/", {"action": "move", "under": str(below.pk)}, follow=True
    )
    assert "分包关系不能形成闭环" in _text(response)
    top.refresh_from_db()
    assert top.parent is None


def test_an_unregistered_or_wrong_code_in_the_chain_form_says_why(client_for, office, town_a, chain_firms):
    project = services.create_project(
        actor=office,
        name="码头工程",
        location="",
        org_unit=town_a,
        starts_on=None,
        ends_on=None,
        developer=None,
        general_contractor=chain_firms[0],
    )
    client = client_for(office)
    page = _text(client.post(f"/cases/projects/{project.pk}/subcontracts/", {"contractor": valid_code(999)}))
    assert "请先在企业名录中登记" in page
    page = _text(
        client.post(f"/cases/projects/{project.pk}/subcontracts/", {"contractor": wrong_digit(valid_code(21))})
    )
    assert "统一社会信用代码校验位不符" in page
    assert not project.subcontracts.exists()


def test_a_contractor_registered_by_another_county_can_be_named_but_not_opened(
    client_for, office, town_a, chain_firms, firm_b
):
    project = services.create_project(
        actor=office,
        name="码头工程",
        location="",
        org_unit=town_a,
        starts_on=None,
        ends_on=None,
        developer=None,
        general_contractor=chain_firms[0],
    )
    client = client_for(office)
    client.post(f"/cases/projects/{project.pk}/subcontracts/", {"contractor": firm_b.credit_code})
    page = _text(client.get(f"/cases/projects/{project.pk}/"))
    assert firm_b.name in page and f"/cases/enterprises/{firm_b.pk}/" not in page
    assert client.get(f"/cases/enterprises/{firm_b.pk}/").status_code == 404


def test_a_grassroots_union_outside_the_registry_kinds_is_not_offered_as_the_unit(client_for, office, town_a):
    OrgUnitFactory(code="A-G1", name="县人民医院工会", kind=OrgKind.GRASSROOTS, parent=town_a)
    page = _text(client_for(office).get("/cases/enterprises/new/"))
    unit_select = page[page.index('name="org_unit"') : page.index("</select>", page.index('name="org_unit"'))]
    assert "东坎街道工会" in unit_select and "县人民医院工会" not in unit_select

import pytest
from stdnum.cn import uscc

from cases import services
from cases.models import Industry
from orgs.models import OrgKind
from orgs.tests.factories import OrgUnitFactory
from qingdan.actors import SYSTEM

# A real code of the form on a business licence (python-stdnum's own example): its check digit is L.
REAL_CODE = "91110000600037341L"


def valid_code(n):
    """A made-up code of a firm in 滨海 (320922) whose check digit is right."""
    first17 = f"91320922MA{n:07d}"
    return first17 + uscc.calc_check_digit(first17)


def wrong_digit(code):
    """The same code with another check digit."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


@pytest.fixture(autouse=True)
def _on_the_2026_calendar(frozen_clock):
    """This area's tests are written against 2026's calendar (国庆 and its 调休 Saturdays, the year's standards and
    deadlines), so each starts on Wednesday 16 September 2026, 10:00 China time, whatever moment the suite's clock
    was started at; the awkward moments are tried on the whole demo by ``qingdan/tests/test_demo.py``."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    frozen_clock.move_to(datetime(2026, 9, 16, 10, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
def town_a(county_a):
    return OrgUnitFactory(code="A-T1", name="东坎街道工会", kind=OrgKind.TOWN, parent=county_a)


@pytest.fixture
def town_a2(county_a):
    return OrgUnitFactory(code="A-T2", name="八巨镇工会", kind=OrgKind.TOWN, parent=county_a)


@pytest.fixture
def town_b(county_b):
    return OrgUnitFactory(code="B-T1", name="临河城关街道工会", kind=OrgKind.TOWN, parent=county_b)


@pytest.fixture
def union_a(town_a):
    """An enterprise of the org tree that is its own union (kind enterprise)."""
    return OrgUnitFactory(code="A-E1", name="滨海金桥建设工程有限公司", kind=OrgKind.ENTERPRISE, parent=town_a)


@pytest.fixture
def make_enterprise(db):
    """``make_enterprise(unit, n, **facts)``: an enterprise registered by the platform."""

    def make(unit, n=1, **facts):
        values = {
            "name": f"滨海测试企业{n}有限公司",
            "credit_code": valid_code(n),
            "org_unit": unit,
            "community": "向阳社区",
            "industry": Industry.C,
            "workers": 100 + n,
            "has_union": False,
            "union_unit": None,
            "address": "滨海县人民路1号",
            "contact_name": "王强",
            "contact_phone": "13812345678",
            **facts,
        }
        return services.create_enterprise(actor=SYSTEM, **values)

    return make


@pytest.fixture
def firm_a(make_enterprise, town_a):
    return make_enterprise(town_a, 1)


@pytest.fixture
def firm_b(make_enterprise, town_b):
    return make_enterprise(town_b, 2, name="临河测试企业有限公司")


# --- worker demands -----------------------------------------------------------------------------------------------


@pytest.fixture
def sept16(frozen_clock):
    """The demands' tests count working days from Wednesday 16 September 2026 (before 国庆), whatever moment the
    suite's clock was started at."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    frozen_clock.move_to(datetime(2026, 9, 16, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    return frozen_clock


@pytest.fixture
def council_a(county_a):
    """A park council (园区工会) of county A: where a "beyond the enterprise" reply escalates to."""
    return OrgUnitFactory(code="A-G1", name="沿海工业园区工会", kind=OrgKind.GRASSROOTS, parent=county_a)


@pytest.fixture
def make_demand(db, office, firm_a, dept_a):
    """``make_demand(**facts)``: a demand registered by ``office`` for ``firm_a``, sent to ``dept_a``; returns
    ``(demand, code)``."""
    from cases import demand_flow

    def make(**facts):
        values = {
            "actor": office,
            "org_unit": office.org_unit,
            "enterprise": firm_a,
            "source": "hotline",
            "category": "wages",
            "content": "三个月工资未发",
            "worker_name": "张三丰",
            "worker_phone": "13812345678",
            "group_size": 1,
            "handling_unit": dept_a,
            **facts,
        }
        return demand_flow.register_demand(**values)

    return make


# --- labour disputes ----------------------------------------------------------------------------------------------


@pytest.fixture
def town_office(town_a):
    """The office clerk of 东坎街道工会."""
    from orgs.models import Role
    from orgs.tests.factories import UserFactory

    return UserFactory(username="town_office", org_unit=town_a, roles=[Role.OFFICE])


@pytest.fixture
def town_reporter(town_a):
    """东坎街道工会's reporter (the demo's ``dongkan``): registers and mediates its town's disputes."""
    from orgs.models import Role
    from orgs.tests.factories import UserFactory

    return UserFactory(username="dongkan", org_unit=town_a, roles=[Role.REPORTER], phone="13805150200")


@pytest.fixture
def grid_leader(union_a):
    """A grid leader: the reporter of an enterprise union below 东坎街道."""
    from orgs.models import Role
    from orgs.tests.factories import UserFactory

    return UserFactory(username="grid", org_unit=union_a, roles=[Role.REPORTER], phone="13905150300")


@pytest.fixture
def make_dispute(firm_a, town_a):
    """``make_dispute(**facts)``: a dispute registered under 东坎街道 by the platform (yellow by default)."""
    from cases import dispute_flow

    def make(unit=None, actor=SYSTEM, **facts):
        values = {
            "enterprise": firm_a,
            "project": None,
            "subcontract": None,
            "kind": "wages",
            "source": "walk_in",
            "grid": "",
            "summary": "拖欠工资",
            "worker_name": "张三丰",
            "worker_phone": "13812345678",
            "workers": 3,
            "months_in_arrears": "0.5",
            "amount_claimed": "20000",
            **facts,
        }
        return dispute_flow.register(actor=actor, unit=unit or town_a, **values)

    return make

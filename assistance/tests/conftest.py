import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assistance import decisions, households
from assistance.tests.factories import id_number
from orgs.models import OrgKind, Role
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan.actors import SYSTEM


@pytest.fixture(autouse=True)
def _on_the_2026_calendar(frozen_clock):
    """This area's tests are written against 2026's calendar (国庆 and its 调休 Saturdays, the year's standards and
    deadlines), so each starts on Wednesday 16 September 2026, 10:00 China time, whatever moment the suite's clock
    was started at; the awkward moments are tried on the whole demo by ``qingdan/tests/test_demo.py``."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    frozen_clock.move_to(datetime(2026, 9, 16, 10, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
def standard(county_a, county_b):
    decisions.set_standard(unit=county_a, year=2026, monthly=Decimal("800"), actor=SYSTEM)
    decisions.set_standard(unit=county_b, year=2026, monthly=Decimal("780"), actor=SYSTEM)


@pytest.fixture
def union_a(county_a):
    town = OrgUnitFactory(code="A-T1", name="东坎街道工会", kind=OrgKind.TOWN, parent=county_a)
    return OrgUnitFactory(code="A-G1", name="县人民医院工会", kind=OrgKind.GRASSROOTS, parent=town)


@pytest.fixture
def union_reporter(union_a):
    return UserFactory(username="unionrep", org_unit=union_a, roles=[Role.REPORTER])


def person(n, born=datetime.date(1980, 5, 1)):
    return id_number(n, born=born)


def facts(**over):
    base = {
        "identity": "worker",
        "employer": "滨海恒润食品有限公司",
        "address": "滨海县东坎街道人民路8号",
        "phone": "13812345678",
        "main_cause": "illness",
        "annual_income": Decimal("18000"),
        "rigid_expenses": Decimal("0"),
        "accident_costs": Decimal("0"),
        "bank_name": "农业银行",
        "bank_account": "6228480012345671234",
    }
    base.update(over)
    return base


def file(actor, unit, n=1, name="张建国", members=1, **over):
    rows = [{"name": name, "id_number": person(n * 10), "relation": "head"}]
    rows += [
        {"name": f"{name[0]}小{i}", "id_number": person(n * 10 + i, datetime.date(2010, 1, i)), "relation": "child"}
        for i in range(1, members)
    ]
    return households.create_household(actor=actor, org_unit=unit, facts=facts(**over), members=rows)


def pdf(name="authorisation.pdf"):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )

"""Named people shared by every app's tests: two counties under one city.

County A (滨海) holds office, reporter, reviewer, evaluator, leader and the three
separated duties; county B holds ``outsider``, an office clerk who must never see A.
"""

import pytest
from django.test import Client

from checklists import tally
from orgs.models import OrgKind, Role
from orgs.tests.factories import PASSWORD, OrgUnitFactory, UserFactory


@pytest.fixture
def city(db):
    return OrgUnitFactory(code="C1", name="示范市总工会", kind=OrgKind.CITY)


@pytest.fixture
def county_a(city):
    return OrgUnitFactory(code="A", name="滨海县总工会", kind=OrgKind.COUNTY, parent=city)


@pytest.fixture
def county_b(city):
    return OrgUnitFactory(code="B", name="临河县总工会", kind=OrgKind.COUNTY, parent=city)


@pytest.fixture
def dept_a(county_a):
    return OrgUnitFactory(code="A-D1", name="县交通运输局", kind=OrgKind.DEPARTMENT, parent=county_a)


@pytest.fixture
def dept_b(county_b):
    return OrgUnitFactory(code="B-D1", name="临河县交通运输局", kind=OrgKind.DEPARTMENT, parent=county_b)


def _person(username, unit, role):
    return UserFactory(username=username, org_unit=unit, roles=[role])


@pytest.fixture
def office(county_a):
    return _person("office", county_a, Role.OFFICE)


@pytest.fixture
def reporter(dept_a):
    return _person("reporter", dept_a, Role.REPORTER)


@pytest.fixture
def reviewer(county_a):
    return _person("reviewer", county_a, Role.REVIEWER)


@pytest.fixture
def leader(county_a):
    return _person("leader", county_a, Role.LEADER)


@pytest.fixture
def sysadmin(county_a):
    return _person("sysadmin", county_a, Role.SYSADMIN)


@pytest.fixture
def secadmin(county_a):
    return _person("secadmin", county_a, Role.SECADMIN)


@pytest.fixture
def auditor(county_a):
    return _person("auditor", county_a, Role.AUDITOR)


@pytest.fixture
def outsider(county_b):
    return _person("outsider", county_b, Role.OFFICE)


@pytest.fixture
def client_for(db):
    """``client_for(user)``: a test client signed in through the real log-in page."""

    def make(user):
        client = Client()
        response = client.post("/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, "log-in failed"
        return client

    return make


@pytest.fixture
def kept_figures_checked(db):
    """After the test, the close-out figures kept ahead of time (``checklists.tally``) equal those
    computed again from the items, lists and documents: a change that forgot to count fails here.
    A test that writes items straight into the table calls ``tally.rebuild()`` after."""
    yield
    assert tally.drift() == []

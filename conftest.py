"""The frozen clock every test runs under, and the named people shared by every app's tests: two
counties under one city.

County A (滨海) holds office, reporter, reviewer, evaluator, leader and the three
separated duties; county B holds ``outsider``, an office clerk who must never see A.
"""

import io
import os
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import translation

from checklists import tally
from orgs.models import OrgKind, Role
from orgs.tests.factories import PASSWORD, OrgUnitFactory, UserFactory

# A plain mid-month weekday; bin/test and .ci/run set other moments to sweep the awkward ones.
DEFAULT_TEST_NOW = "2026-09-16T10:00"


def _test_now():
    """``QINGDAN_TEST_NOW`` as an aware moment: ISO 8601, naive values in China time (``QINGDAN_TIME_ZONE``)."""
    text = os.environ.get("QINGDAN_TEST_NOW") or DEFAULT_TEST_NOW
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise pytest.UsageError(f"QINGDAN_TEST_NOW={text!r} is not an ISO 8601 moment, e.g. 2027-03-01T00:30") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(os.environ.get("QINGDAN_TIME_ZONE") or "Asia/Shanghai"))
    return moment


TEST_NOW = _test_now()


# The clock is frozen from the start, so that what test modules compute when they are collected (a
# parametrised deadline, say) is dated by it too.
_suite_clock = time_machine.travel(TEST_NOW, tick=False)


def pytest_configure(config):
    _suite_clock.start()


def pytest_unconfigure(config):
    _suite_clock.stop()


def pytest_report_header(config):
    return f"clock: frozen at {TEST_NOW.isoformat()} (QINGDAN_TEST_NOW)"


@pytest.fixture(autouse=True)
def frozen_clock():
    """Every test starts at ``TEST_NOW`` and the clock stands still: no test reads the real calendar. A test
    that needs time to pass moves it, e.g. ``frozen_clock.shift(timedelta(minutes=31))`` or
    ``frozen_clock.move_to(...)``."""
    with time_machine.travel(TEST_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language (``LANGUAGE_CODE``), whatever test ran before it in this process:
    a request leaves the language it chose active in its thread (``LocaleMiddleware`` does not put it back)."""
    translation.deactivate()


@pytest.fixture
def at_once():
    """``at_once(work, times)``: call ``work()`` in ``times`` threads released at the same moment, each on a database
    connection of its own (closed after), and return what each call returned or raised, in the order they ended.
    For tests of two requests racing: mark them ``django_db(transaction=True)``."""

    def run(work, times=2):
        barrier, outcomes = threading.Barrier(times), []

        def one():
            try:
                barrier.wait(10)
                outcomes.append(work())
            except Exception as error:  # noqa: BLE001 - returned for the test to assert on
                outcomes.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=one) for _n in range(times)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        return outcomes

    return run


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo (``load_demo``), loaded once for the module whose tests ask for it: each test runs in its own
    savepoint within the load's transaction, rolled back when the module ends, so nothing leaks into other
    modules. A load takes 20-40 seconds; a module of several tests over the demo pays it once. Every test of
    such a module takes this fixture: one that does not would see the demo or not, depending on its place."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


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
def rule(office):
    """``rule(key, value)``: the county's office sets one of its rules (``orgs.rules``); the lists it has issued
    already follow it too, as if issued after the change (a test sets the rules its story needs)."""
    from checklists import rules as closeout_rules
    from checklists.models import Checklist
    from orgs.rules import set_rule

    def apply(key, value):
        set_rule(unit=office.org_unit, key=key, value=value, actor=office)
        for checklist in Checklist.objects.filter(issuing_unit=office.org_unit):
            checklist.rules[key.removeprefix("closeout.")] = value
            checklist.save(update_fields=["rules"])
            closeout_rules.copied(checklist.rules)

    return apply


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

"""The demo, loaded once for the module that asks for it (``demo``): the overview reads every area, and the demo
is the one place where they all hold records. Every test runs in its own savepoint within the load's transaction,
which is rolled back at the end, so nothing leaks into other modules."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from orgs.models import Role
from orgs.tests.factories import PASSWORD, UserFactory  # noqa: F401 - PASSWORD signs the factories' users in

DEMO_PASSWORD = "Qingdan@2026"  # noqa: S105 - the documented demo password


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo")
        yield
        transaction.set_rollback(True)


def signed_in(username, password=DEMO_PASSWORD):
    client = Client()
    assert client.post("/login/", {"username": username, "password": password}).status_code == 302
    return client


@pytest.fixture
def town_office(demo, db):
    """An office clerk of 东坎街道工会 (the demo's town reporter ``dongkan``'s union), to look from a town."""
    from orgs.models import User

    town = User.objects.get(username="dongkan").org_unit
    return UserFactory(username="town-office", org_unit=town, roles=[Role.OFFICE, Role.LEADER])

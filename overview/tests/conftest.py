"""The demo, loaded once for the module that asks for it (``demo``): the overview reads every area, and the demo
is the one place where they all hold records."""

import pytest
from django.test import Client

from orgs.models import Role
from orgs.tests.factories import PASSWORD, UserFactory  # noqa: F401 - PASSWORD signs the factories' users in

DEMO_PASSWORD = "Qingdan@2026"  # noqa: S105 - the documented demo password


@pytest.fixture
def demo(demo_loaded, db):
    """The demo of the root ``conftest.demo_loaded``, with this test's own savepoint."""


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

import pytest

from orgs.models import Role
from orgs.tests.factories import UserFactory


@pytest.fixture
def city_office(city):
    return UserFactory(username="city-office", org_unit=city, roles=[Role.OFFICE])

import pytest

from jobs.tests import kinds


@pytest.fixture(autouse=True)
def _registered():
    kinds.ran.clear()
    yield

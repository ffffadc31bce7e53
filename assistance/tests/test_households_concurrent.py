"""Two filings of one person at the same moment, in two federations: the database lets exactly one win."""

import threading

import pytest
from django.db import connection

from assistance.models import Household, LivePerson
from assistance.tests.conftest import file
from qingdan.errors import Refused


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writes")
def test_one_person_filed_in_two_federations_at_once_exactly_one_wins(office, outsider, county_a, county_b):
    barrier, won, refused, errors = threading.Barrier(2), [], [], []

    def filing(actor, unit):
        barrier.wait()
        try:
            won.append(file(actor, unit))
        except Refused as refusal:
            refused.append(refusal.message)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=filing, args=pair) for pair in ((office, county_a), (outsider, county_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(won) == 1 and len(refused) == 1
    # The loser sees that the person is already in a live file (named only if they may read it).
    assert Household.objects.count() == 1 and LivePerson.objects.count() == 1

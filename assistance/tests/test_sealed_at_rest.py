"""A household's ID numbers, phone and bank account are sealed in the database: what a dump of the table holds is
not the number, and ``manage.py reseal`` moves every value to a new key."""

import base64

from django.core.management import call_command
from django.db import connection

from assistance.models import Household, Member
from assistance.tests.factories import make_household
from qingdan import protect


def stored(model, field, pk):
    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_the_tables_hold_no_id_number_phone_or_bank_account_in_plain_text(county_a):
    household = make_household(county_a)
    member = household.members.first()
    assert member.id_number.startswith("320922")
    for model, field, pk, plain in (
        (Member, "id_number", member.pk, member.id_number),
        (Household, "phone", household.pk, "13812345678"),
        (Household, "bank_account", household.pk, "6222020200112233445"),
    ):
        raw = stored(model, field, pk)
        assert plain not in raw and raw.startswith("t1$")
    assert Member.objects.get(pk=member.pk).id_number == member.id_number


def test_reseal_moves_every_value_to_the_new_first_key_and_keeps_it_readable(county_a, settings):
    household = make_household(county_a)
    settings.QINGDAN_DATA_KEYS = "k2:" + base64.b64encode(b"another-test-key-for-rotation!!!").decode() + ","
    settings.QINGDAN_DATA_KEYS += "t1:" + base64.b64encode(b"test-only-data-key-not-for-use!!").decode()
    call_command("reseal", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))  # noqa: SIM115
    assert protect.key_id_of(stored(Household, "phone", household.pk)) == "k2"
    assert all(protect.key_id_of(stored(Member, "id_number", m.pk)) == "k2" for m in household.members.all())
    assert Household.objects.get(pk=household.pk).bank_account == "6222020200112233445"

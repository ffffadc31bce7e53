"""Personal data sealed at rest: nothing readable in the database, every key id opens its own values, a changed
byte is caught, and the lookup hash finds a person without the number."""

import base64

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured

from qingdan import protect

NEW_KEY = "k2:" + base64.b64encode(b"another-test-key-for-rotation!!!").decode()


def test_a_sealed_value_holds_no_plain_text_and_opens_again():
    sealed = protect.seal("320922198001011237")
    assert "320922" not in sealed and "1237" not in sealed
    assert sealed.startswith("t1$")
    assert protect.unseal(sealed) == "320922198001011237"


def test_the_same_value_sealed_twice_differs_so_equal_numbers_cannot_be_matched_in_a_dump():
    assert protect.seal("13812345678") != protect.seal("13812345678")


def test_empty_stays_empty():
    assert protect.seal("") == "" and protect.unseal("") == ""


def test_a_changed_byte_is_refused_not_read_as_something_else():
    sealed = protect.seal("6222020200112233445")
    key_id, blob = sealed.split("$")
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        protect.unseal(f"{key_id}${base64.b64encode(bytes(raw)).decode()}")


def test_after_rotation_new_values_use_the_new_key_and_old_ones_still_open(settings):
    old = protect.seal("13812345678")
    settings.QINGDAN_DATA_KEYS = NEW_KEY + "," + settings.QINGDAN_DATA_KEYS
    new = protect.seal("13812345678")
    assert protect.key_id_of(old) == "t1" and protect.key_id_of(new) == "k2"
    assert protect.unseal(old) == protect.unseal(new) == "13812345678"


def test_a_value_whose_key_was_removed_says_which_key_is_missing(settings):
    sealed = protect.seal("13812345678")
    settings.QINGDAN_DATA_KEYS = NEW_KEY
    with pytest.raises(ImproperlyConfigured, match="'t1'"):
        protect.unseal(sealed)


def test_a_malformed_key_stops_with_its_name(settings):
    settings.QINGDAN_DATA_KEYS = "bad:c2hvcnQ="
    with pytest.raises(ImproperlyConfigured, match="'bad'"):
        protect.seal("x")


def test_the_lookup_hash_is_stable_and_depends_on_the_purpose(settings):
    a = protect.lookup_hash("320922198001011237", "id_number")
    assert a == protect.lookup_hash("320922198001011237", "id_number")
    assert a != protect.lookup_hash("320922198001011237", "phone")
    assert "1237" not in a
    settings.QINGDAN_LOOKUP_KEY = base64.b64encode(b"x" * 32).decode()
    assert protect.lookup_hash("320922198001011237", "id_number") != a

"""Personal data at rest (PIPL): ID numbers, phones and bank accounts are sealed with AES-GCM under a key kept
outside the database, and found only through a keyed hash.

Keys come from the environment (``QINGDAN_DATA_KEYS``: ``id:base64-of-32-bytes`` entries, comma-separated, the
first one seals, every one opens; ``QINGDAN_LOOKUP_KEY``: the key of the lookup hashes). Rotating the sealing key
is adding a new first entry and running ``manage.py reseal`` (every sealed value is opened with its own key id and
sealed again with the first); the lookup key is never rotated, as every lookup hash would change with it.
With ``QINGDAN_DEBUG`` on and no keys set, both are derived from the development secret so the demo runs.

``SealedField`` is a text column that holds ``<key id>$<base64 nonce+ciphertext>`` in the database and the plain
value in Python: a dump of the database holds no ID number, phone or bank account in plain text."""

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

NONCE_BYTES = 12
KEY_BYTES = 32


def _derived(label):
    return hashlib.sha256(f"qingdan-{label}|{settings.SECRET_KEY}".encode()).digest()


def _keys():
    """``[(key_id, key_bytes)]``, the sealing key first."""
    raw = getattr(settings, "QINGDAN_DATA_KEYS", "")
    if not raw:
        if not settings.DEBUG:
            raise ImproperlyConfigured("QINGDAN_DATA_KEYS is not set: personal data cannot be sealed.")
        return [("dev", _derived("data"))]
    keys = []
    for entry in raw.split(","):
        key_id, _sep, encoded = entry.strip().partition(":")
        key = base64.b64decode(encoded)
        if not key_id.isalnum() or len(key) != KEY_BYTES:
            raise ImproperlyConfigured(f"QINGDAN_DATA_KEYS entry {key_id!r} is not id:base64 of 32 bytes.")
        keys.append((key_id, key))
    return keys


def _lookup_key():
    raw = getattr(settings, "QINGDAN_LOOKUP_KEY", "")
    if not raw:
        if not settings.DEBUG:
            raise ImproperlyConfigured("QINGDAN_LOOKUP_KEY is not set: personal data cannot be looked up.")
        return _derived("lookup")
    return base64.b64decode(raw)


def seal(value):
    """``value`` (text) sealed with the current key; "" stays ""."""
    if not value:
        return ""
    key_id, key = _keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, value.encode(), key_id.encode())
    return f"{key_id}${base64.b64encode(nonce + sealed).decode()}"


def unseal(stored):
    """The plain text of a sealed value (a value sealed under a key no longer configured raises)."""
    if not stored:
        return ""
    key_id, _sep, encoded = stored.partition("$")
    key = dict(_keys()).get(key_id)
    if key is None:
        raise ImproperlyConfigured(f"No key {key_id!r} in QINGDAN_DATA_KEYS to open a sealed value.")
    blob = base64.b64decode(encoded)
    return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], key_id.encode()).decode()


def current_key_id():
    return _keys()[0][0]


def key_id_of(stored):
    return stored.partition("$")[0] if stored else ""


def lookup_hash(value, purpose):
    """A keyed hash of ``value`` for ``purpose`` (e.g. "id_number"): equal values, equal hashes, in every
    federation of the installation; nothing to reverse without the key."""
    return hmac.new(_lookup_key(), f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()


class SealedField(models.TextField):
    """A text column sealed at rest: the plain value in Python, ``seal(value)`` in the database. It cannot be
    filtered on: search through a ``lookup_hash`` column beside it."""

    def from_db_value(self, value, expression, connection):
        return unseal(value) if value else ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return seal(value) if value else ""

"""One-time codes a worker keeps: the receipt code (回执码) of a demand and the link of a dispute's follow-up
question. Only a keyed hash is stored, so a copy of the database does not let anyone follow a worker's case; the
code is shown once, when it is made."""

import secrets

from django.utils.crypto import salted_hmac

# No 0/O, 1/I/L: a worker reads the code off a slip or a phone screen and types it back.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 31**10 ≈ 8×10^14: not guessable within any rate a page allows


def make_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise(code):
    """A code as typed (lower case, spaces, hyphens) in its canonical form."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def hash_of(code, purpose="cases.receipt"):
    return salted_hmac(purpose, normalise(code), algorithm="sha256").hexdigest()


def pretty(code):
    """``ABCDE-FGHJK``: a code in two halves, as printed."""
    code = normalise(code)
    return f"{code[:5]}-{code[5:]}"

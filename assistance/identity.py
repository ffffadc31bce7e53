"""ID numbers (居民身份证号码, GB 11643): checked by their check digit and birth date with python-stdnum's
``cn.ric``; kept sealed, looked up by a keyed hash, shown masked.

The region (digits 1–6) is kept but not checked against stdnum's list of places: that list misses many codes in
use (滨海县's 320922 among them), and a worker's real ID number must never be refused for it."""

from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from qingdan.protect import lookup_hash
from qingdan.text import nfkc

PURPOSE = "id_number"


def normalise(value):
    return nfkc(value or "").replace(" ", "").upper()


def problem(number):
    """Why a (normalised) ID number is refused, or None."""
    if not number:
        return _("Enter the ID number.")
    if len(number) != 18:
        return _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(number)}
    if not number[:17].isascii() or not number[:17].isdigit() or number[17] not in "0123456789X":
        return _("An ID number is 17 digits followed by a digit or X.")
    if number[17] != ric.calc_check_digit(number):
        return _("The check digit of the ID number does not match; check it against the ID card.")
    try:
        ric.get_birth_date(number)
    except ValidationError:
        return _("The birth date in the ID number is not a real date.")
    return None


def facts(number):
    """``(birth_date, region_code, masked, hash)`` of a valid ID number."""
    return ric.get_birth_date(number), number[:6], mask(number), lookup_hash(number, PURPOSE)


def mask(number):
    return f"{number[:6]}********{number[-4:]}" if len(number) == 18 else "*" * len(number)

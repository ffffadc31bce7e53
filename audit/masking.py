"""Masking of personal data for lists, exports and the audit trail (PIPL)."""

import re

# Keys whose values are personal data wherever they appear in a before/after record.
PERSONAL_KEYS = frozenset({"phone", "mobile", "id_number", "id_card", "bank_account", "password"})


def mask_phone(value):
    """``13812345678`` → ``138****5678``."""
    digits = str(value or "")
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(value):
    """``110105199001011234`` → ``110105********1234``."""
    text = str(value or "")
    if len(text) < 10:
        return "*" * len(text)
    return f"{text[:6]}{'*' * (len(text) - 10)}{text[-4:]}"


def mask_value(key, value):
    if value in (None, ""):
        return value
    if key == "password":
        return "******"
    if key in {"id_number", "id_card"}:
        return mask_id_number(value)
    if key in {"phone", "mobile"}:
        return mask_phone(value)
    return re.sub(r".(?=.{4})", "*", str(value))


def mask_personal(data):
    """Return a copy of ``data`` (a dict, maybe nested) with personal values masked."""
    if isinstance(data, dict):
        return {k: mask_value(k, v) if k in PERSONAL_KEYS else mask_personal(v) for k, v in data.items()}
    if isinstance(data, list):
        return [mask_personal(v) for v in data]
    return data


# An 18-character resident ID number (17 digits and a digit or X) and an 11-digit mainland mobile number, standing
# alone in free text.
_ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def mask_text(text):
    """Every ID number and mobile number in free text (a log line), masked as above: 110105********1234, 138****5678."""
    text = _ID_NUMBER_IN_TEXT.sub(lambda found: mask_id_number(found.group()), text)
    return _MOBILE_IN_TEXT.sub(lambda found: mask_phone(found.group()), text)

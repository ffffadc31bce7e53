"""Strict readers for QINGDAN_* environment variables.

A wrong value stops start-up with a message naming the variable, so that a
typo in a deployment is found at once rather than as odd behaviour later.
"""

import os
import zoneinfo

from django.core.exceptions import ImproperlyConfigured

PREFIX = "QINGDAN_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name, default=None):
    return os.environ.get(PREFIX + name, default)


def _fail(name, value, expected):
    raise ImproperlyConfigured(f"{PREFIX}{name}={value!r} is not valid: expected {expected}.")


def get_str(name, default=None):
    return _raw(name, default)


def get_bool(name, default=False):
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return _fail(name, value, "one of 1/0, true/false, yes/no, on/off")


def get_int(name, default, *, minimum=None):
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        return _fail(name, value, "a whole number")
    if minimum is not None and number < minimum:
        return _fail(name, value, f"a whole number of at least {minimum}")
    return number


def get_list(name, default=()):
    value = _raw(name)
    if value is None:
        return list(default)
    return [part.strip() for part in value.split(",") if part.strip()]


def get_time_zone(name, default):
    value = _raw(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return _fail(name, value, "an IANA time zone such as Asia/Shanghai")
    return value


def get_database(name, default):
    import dj_database_url

    value = _raw(name, default)
    try:
        config = dj_database_url.parse(value, conn_max_age=60)
    except Exception:  # dj_database_url raises several types for a bad URL
        return _fail(name, value, "a URL such as sqlite:///var/qingdan.sqlite3 or postgresql://user@host:5432/qingdan")
    if config.get("ENGINE") not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        return _fail(name, value, "a sqlite:/// or postgresql:// URL")
    if not config.get("NAME"):
        return _fail(name, value, "a URL that names the database")
    return config


def get_url(name, default, schemes):
    """A URL whose scheme is one of ``schemes`` (e.g. ``("redis://", "rediss://")``), or ``default`` when unset."""
    value = _raw(name)
    if value is None or value == "":
        return default
    if not value.startswith(tuple(schemes)) or len(value) <= min(len(s) for s in schemes):
        return _fail(name, value, "a URL starting with " + " or ".join(schemes))
    return value


def get_path(name, default):
    """An absolute path, or ``default`` when unset."""
    from pathlib import Path

    value = _raw(name)
    if value is None or value == "":
        return default
    if not Path(value).is_absolute():
        return _fail(name, value, "an absolute path such as /srv/qingdan/media")
    return Path(value)

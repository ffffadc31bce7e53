"""Busy pages kept between requests (``@kept``), and thrown away by the first write to a table they read.

A kept page is one signed-in user's own page, in one session, language and minute: the key holds the view, the user,
the session, the CSRF cookie, the language, an htmx request's header and the current minute (every date and
"overdue" a page shows is of the minute it was drawn in), and the page is served only for the path and query it was
drawn for. Each user keeps one page per view, so asking for many queries fills no memory. Nothing is shared between
users.

Which writes make a page stale is found, not listed: while a page is drawn, every SELECT it sends is read for the
tables after FROM and JOIN. Every INSERT, UPDATE or DELETE that reaches the database (``save()``, ``update()``,
``bulk_create()``, raw SQL: anything through Django's cursor, in a request, a job or a command) gives its table a
new version once its transaction commits. A kept page is served only while every table it read still has the
version it had when the page was drawn; it lives ``QINGDAN_PAGE_CACHE_SECONDS`` at most (a minute: its key holds
the minute). What writes outside Django's cursor (a restore) calls ``bump({UNKNOWN})``.

The versions live in the default cache, which must be shared by every app server and worker: the page cache is on
by default only with ``QINGDAN_REDIS_URL``. A page is not kept when it cannot be known what it read (a FROM that is
not a quoted table), when it wrote, when it showed a message, when a version changed while it was drawn, or when
it was read from a replica less than ``QINGDAN_REPLICA_PIN_SECONDS`` after a write to one of its tables.

A board of figures (``@kept_for_the_minute``: the overview and its wall screen) is kept for its minute whatever
other people write: its figures add up a county's thousands of units, reporters somewhere in it write every second,
and a leader reads them as of the minute the page names. Only the user's own writes make it stale, so that
whoever has just acted (a 督办 from the board, a close-out) sees the result at once: ``WriterMiddleware`` notes
who sends each request, and each write gives that user's marker a new version as it gives its table one.
"""

import hashlib
import re
import secrets
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils import translation

from qingdan import clock, replica

PAGE = "page:"
VERSION = "page-version:"
ANY = VERSION + "*"  # changes with every write: a page drawn while it changed is not kept
UNKNOWN = "?"  # the table of a write that names none this module can read: every kept page read it
_WRITTEN = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"([^"]+)"', re.I)
_READ = re.compile(r'\b(?:FROM|JOIN)\s+(\(|"[^"]+"|\S+)', re.I)
# The request's bookkeeping, not the user's work: sessions (the idle time-out's stamp) and the database caches.
_BOOKKEEPING = frozenset({"django_session", "qingdan_poll_throttle"})


def enabled():
    return settings.QINGDAN_PAGE_CACHE_SECONDS > 0


class _Reading:
    """What a page being drawn has read, and whether it may be kept."""

    __slots__ = ("tables", "keepable")

    def __init__(self, tables):
        self.tables = {UNKNOWN, *tables}
        self.keepable = True


_reading: ContextVar["_Reading | None"] = ContextVar("qingdan_page_reading", default=None)
_writer: ContextVar["int | None"] = ContextVar("qingdan_page_writer", default=None)
WRITER = "user:"  # a user's marker among the tables: every write sent by one of their requests changes it


class WriterMiddleware:
    """Notes the signed-in user of each request, whose writes make their own boards stale (put it after
    AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token = _writer.set(user.pk if user is not None and user.is_authenticated else None)
        try:
            return self.get_response(request)
        finally:
            _writer.reset(token)


class _Flush:
    """Registered once per transaction (``on_commit``): the tables it wrote get new versions when it commits.
    A rolled-back transaction or savepoint drops it with the writes it covered."""

    def __init__(self):
        self.tables = set()

    def __call__(self):
        bump(self.tables)


def bump(tables):
    """New versions for ``tables``: every kept page that read one of them is stale from now on."""
    if not tables:
        return
    token = f"{secrets.token_hex(6)}:{clock.outside_now().timestamp():.0f}"
    cache.set_many({ANY: token, **{VERSION + table: token for table in tables}}, timeout=None)


def _written(sql):
    """The table an INSERT, UPDATE or DELETE writes; ``UNKNOWN`` for any other change (COPY, a schema change) or
    when it cannot be read; None for a read."""
    words = sql.lstrip().split(None, 1)
    if not words or words[0].upper() not in replica.WRITES:
        return None
    found = _WRITTEN.match(sql)
    return found.group(1) if found else UNKNOWN


def _note_write(connection, table):
    if table in _BOOKKEEPING:
        return
    reading = _reading.get()
    if reading is not None:
        reading.keepable = False  # a page that writes is drawn each time
    writer = _writer.get()
    tables = {table, WRITER + str(writer)} if writer is not None else {table}
    if not connection.in_atomic_block:
        bump(tables)
        return
    flush = next((func for _sids, func, _robust in connection.run_on_commit if isinstance(func, _Flush)), None)
    if flush is None:
        flush = _Flush()
        connection.on_commit(flush, robust=True)  # a cache that fails logs; the committed work stands
    flush.tables.update(tables)


def _note_reads(reading, sql):
    for found in _READ.findall(sql):
        if found == "(":
            continue
        if found.startswith('"'):
            reading.tables.add(found[1:-1])
        else:
            reading.keepable = False  # a FROM that names no quoted table: what it read is not known


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if enabled():
        table = _written(sql)
        if table is not None:
            _note_write(context["connection"], table)
        else:
            reading = _reading.get()
            if reading is not None:
                _note_reads(reading, sql)
    return result


@receiver(connection_created)
def _watch_connection(sender, connection, **kwargs):
    # First in the list: ``execute_wrapper()`` blocks pop the last entry when they end.
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)


def _signed_in_tables():
    """The tables read before the view runs (the user, their roles and unit, in the middleware)."""
    user = get_user_model()
    models = (user, user._meta.get_field("roles").related_model, user._meta.get_field("org_unit").related_model)
    return {model._meta.db_table for model in models}


def _key(request, name):
    """One kept page per view, user, session, language and minute: its path is in the entry, so a user who asks for
    many different queries keeps one page of the view, not one per query."""
    parts = [
        name,
        str(request.user.pk),
        request.session.session_key or "",
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        translation.get_language() or "",
        request.headers.get("HX-Request", ""),
        ",".join(sorted(request.user.role_set)),  # a board is not kept across a change of role or unit
        str(request.user.org_unit_id),
        clock.now().strftime("%Y%m%d%H%M"),
    ]
    return PAGE + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _current(tables):
    keys = [VERSION + table for table in tables]
    found = cache.get_many(keys)
    return [found.get(key) for key in keys]


def _fresh_from_replica(versions):
    """Whether every version is older than the replica's allowed lag (or the page was not read from a replica)."""
    if not replica.reads_replica():
        return True
    limit = clock.outside_now().timestamp() - settings.QINGDAN_REPLICA_PIN_SECONDS
    return all(version is None or float(version.rsplit(":", 1)[1]) < limit for version in versions)


def _served(entry, request):
    body = entry["body"]
    if entry["nonce"]:
        body = body.replace(entry["nonce"].encode(), str(request.csp_nonce).encode())
    response = HttpResponse(body, content_type=entry["type"])
    response["X-Qingdan-Kept"] = "1"
    return response


def kept(view):
    """Keep the view's page between requests (see the module's doc). Put it under the view's role check."""
    return _keeping(view, for_the_minute=False)


def kept_for_the_minute(view):
    """Keep a board of figures for its minute, stale only by the user's own writes (see the module's doc)."""
    return _keeping(view, for_the_minute=True)


def _keeping(view, *, for_the_minute):
    name = f"{view.__module__}.{view.__qualname__}"

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not enabled() or request.method != "GET" or not request.user.is_authenticated or len(request._messages):
            return view(request, *args, **kwargs)
        key = _key(request, name)
        entry = cache.get(key)
        path = request.get_full_path()
        if entry is not None and entry["path"] == path and _current(entry["tables"]) == entry["versions"]:
            return _served(entry, request)
        own = [UNKNOWN, WRITER + str(request.user.pk)] if for_the_minute else None
        before = _current(own) if for_the_minute else cache.get(ANY)
        reading = _Reading(_signed_in_tables())
        token = _reading.set(reading)
        try:
            response = view(request, *args, **kwargs)
        finally:
            _reading.reset(token)
        if (
            not reading.keepable
            or response.status_code != 200
            or response.streaming
            or response.cookies
            or len(request._messages)  # a message the view added is shown once
        ):
            return response
        if for_the_minute:
            tables, versions = own, _current(own)
            changed = versions != before
        else:
            tables = sorted(reading.tables)
            versions = _current([*tables, "*"])
            changed = versions.pop() != before
        if changed or not _fresh_from_replica(versions):
            return response
        nonce = getattr(request, "_csp_nonce", None)
        entry = {"path": path, "tables": tables, "versions": versions, "body": response.content, "nonce": nonce}
        entry["type"] = response["Content-Type"]
        cache.set(key, entry, timeout=settings.QINGDAN_PAGE_CACHE_SECONDS)
        return response

    return wrapper

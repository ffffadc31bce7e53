"""Reads from a replica of the database, where that is safe (``QINGDAN_REPLICA_URL``, ``DATABASES["replica"]``).

A streaming replica lags the primary by a moment. So reads go there only for a GET or HEAD request (a page or an
API call that reads: lists, figures, the overview, exports) from a browser that has not written lately:

- a request with any other method, and every request after the request's own first write to the database (an
  INSERT, UPDATE or DELETE, wherever it comes from), reads the primary;
- a request that wrote marks its browser with a signed cookie, and that browser's requests read the primary for
  ``QINGDAN_REPLICA_PIN_SECONDS``, so that a user never misses a change they have just made;
- inside a transaction (``transaction.atomic``) every read goes to the primary, as every write always does;
- sessions are always read from the primary (a log-out elsewhere counts at once);
- migrations run on the default database only.

Without a replica the middleware does nothing and every query goes to the default database.
"""

from contextvars import ContextVar

from django.conf import settings
from django.core import signing
from django.db import connections

REPLICA = "replica"
PIN_COOKIE = "qingdan_primary"
_PIN_SALT = "qingdan.replica.pin"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Pages whose GET leads straight into a change, or that must see the account as it is now; and the API, whose
# clients keep no cookie to pin them to the primary after their own write.
PRIMARY_PREFIXES = ("/login/", "/logout/", "/password/", "/admin/", "/i18n/", "/api/")
# The first words of the statements that change the database (qingdan/pagecache.py reads the same list).
WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "CREATE", "DROP", "ALTER", "TRUNCATE", "COPY"})
# Tables whose writes are the request's bookkeeping, not the user's work: the idle time-out's session stamp.
_BOOKKEEPING = ("django_session",)
_ALWAYS_PRIMARY_APPS = frozenset({"sessions"})


class _State:
    __slots__ = ("replica_allowed", "wrote", "depth")

    def __init__(self, replica_allowed, depth):
        self.replica_allowed = replica_allowed
        self.wrote = False
        self.depth = depth  # the default connection's open atomic blocks when the request began


_state: ContextVar["_State | None"] = ContextVar("qingdan_replica_state", default=None)


def has_replica():
    return REPLICA in connections.settings


def reads_replica():
    """Whether a read made now goes to the replica."""
    state = _state.get()
    if state is None or not state.replica_allowed or state.wrote:
        return False
    return len(connections["default"].atomic_blocks) <= state.depth


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: the replica for reads while the request allows it, else the primary."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in _ALWAYS_PRIMARY_APPS:
            return "default"
        return REPLICA if reads_replica() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one set of data, in two places

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def _is_write(sql):
    head = sql.lstrip().split(None, 1)[0].upper() if sql and sql.strip() else ""
    if head not in WRITES:
        return False
    lowered = sql.lower()
    return not any(table in lowered for table in _BOOKKEEPING)


def _pinned(request):
    try:
        request.get_signed_cookie(PIN_COOKIE, salt=_PIN_SALT, max_age=settings.QINGDAN_REPLICA_PIN_SECONDS)
    except (KeyError, signing.BadSignature):
        return False
    return True


class ReplicaMiddleware:
    """Decides per request whether its reads may go to the replica; pins a browser that wrote to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not has_replica():
            return self.get_response(request)
        allowed = (
            request.method in SAFE_METHODS and not request.path.startswith(PRIMARY_PREFIXES) and not _pinned(request)
        )
        state = _State(allowed, len(connections["default"].atomic_blocks))
        token = _state.set(state)

        def watch(execute, sql, params, many, context):
            if not state.wrote and _is_write(sql):
                state.wrote = True
            return execute(sql, params, many, context)

        try:
            with connections["default"].execute_wrapper(watch):
                response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote or request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=_PIN_SALT,
                max_age=settings.QINGDAN_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

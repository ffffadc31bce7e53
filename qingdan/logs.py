"""Structured logs: a request id on every answer and every log line, and one access line per request.

``RequestIdMiddleware`` (first in ``MIDDLEWARE``) takes the id nginx sends in ``X-Request-ID`` when it is sane
(``proxy_set_header X-Request-ID $request_id;``), or makes one, answers with it, and keeps it in a context variable
for the whole request. ``RequestContextFilter`` (on the console handler, ``settings.LOGGING``) adds to every record
the request id, the user's id (never a name), the method, the URL pattern's name, and, on the access line, the
status and duration. ``JsonFormatter`` writes one JSON object per line (``QINGDAN_LOG_FORMAT=json``);
``TextFormatter`` the plain lines of the demo.

What is never logged: the path's values and the query string (a search by ID number, a poll link's token), form
fields, names. The access line names the URL pattern (``checklists:item``) and its route (``lists/items/<int:pk>/``).
Both formatters also mask anything in a message that looks like an ID number or a mobile phone number, for log
lines written by code that forgot to.

A background job carries the id of the request that started it: read it with ``get_request_id()`` when the job
is queued, and run the job inside ``request_id_context(that_id)``.
"""

import contextlib
import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from django.utils.functional import empty
from django.utils.log import log_response

from audit.masking import mask_text

ACCESS_LOGGER = logging.getLogger("qingdan.request")
HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; a UUID has 36 characters. Anything else is replaced rather than trusted:
# the id lands in every log line, so it must not carry new lines, quotes or a novel.
_SANE_ID = re.compile(r"[A-Za-z0-9-]{1,64}")

_request_id = contextvars.ContextVar("qingdan_request_id", default=None)
_request = contextvars.ContextVar("qingdan_request", default=None)

# What every record gets, with the value it has outside a request.
FIELDS = {"request_id": "-", "user_id": None, "method": None, "view": None, "status": None, "duration_ms": None}


def clean_request_id(value):
    """``value`` when it is a sane request id (1-64 letters, digits and hyphens), else None."""
    if isinstance(value, str) and _SANE_ID.fullmatch(value):
        return value
    return None


def new_request_id():
    return uuid.uuid4().hex


def get_request_id():
    """The id of the request (or job) being handled, or None outside one."""
    return _request_id.get()


def set_request_id(value):
    """Makes ``value`` (cleaned; a new id when it is not sane) the current request id; returns the token to give
    to ``reset_request_id``."""
    return _request_id.set(clean_request_id(value) or new_request_id())


def reset_request_id(token):
    _request_id.reset(token)


@contextlib.contextmanager
def request_id_context(value=None):
    """Runs a block (a Celery task, a management command) under ``value`` as its request id, or a new one."""
    token = set_request_id(value)
    try:
        yield get_request_id()
    finally:
        reset_request_id(token)


def view_name(request):
    """The URL pattern's name (``namespace:name``), never the path with its ids; ``<unmatched>`` for a path that
    matched no pattern, ``<unnamed>`` for a pattern without a name."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return match.view_name if match.url_name else "<unnamed>"


def _route(request):
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None else None


def user_id(request):
    """The signed-in user's id, read only if the request has already loaded its user (a log line must not cause a
    query)."""
    user = getattr(request, "user", None) if request is not None else None
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty:  # a SimpleLazyObject the request has not evaluated
        return None
    return wrapped.pk if getattr(wrapped, "is_authenticated", False) else None


class RequestIdMiddleware:
    """The request id in and out, and the access line: put first in ``MIDDLEWARE`` so that every answer (a refused
    upload too) carries the id and is counted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request_token = _request.set(request)
        request.request_id = get_request_id()
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response[HEADER] = request.request_id
            if response.status_code >= 400:
                # Django would log this after the middleware, without the request id, and with the path: the
                # route names the page without a poll link's token (a path that matched nothing holds none).
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    _route(request) or request.path,
                    response=response,
                    request=request,
                )
            self._record(request, response.status_code, seconds)
            return response
        finally:
            _request.reset(request_token)
            reset_request_id(token)

    @staticmethod
    def _record(request, status, seconds):
        from qingdan import telemetry  # the metrics are optional to this module's import

        view = view_name(request)
        telemetry.observe_request(view=view, method=request.method, status=status, seconds=seconds)
        duration_ms = round(seconds * 1000, 1)
        ACCESS_LOGGER.info(
            "%s %s %s %.1fms",
            request.method,
            view,
            status,
            duration_ms,
            extra={"status": status, "duration_ms": duration_ms, "route": _route(request)},
        )


class RequestContextFilter(logging.Filter):
    """Adds the request's fields to every record (``FIELDS``), so that a format string may name them."""

    def filter(self, record):
        request = _request.get()
        if request is not None and isinstance(record.args, tuple) and request.path in record.args:
            # Django's own refusals (CSRF, a forbidden or bad request) log the path before our middleware answers:
            # the route names the page without a poll link's token.
            route = _route(request) or request.path
            record.args = tuple(route if arg == request.path else arg for arg in record.args)
        values = {
            "request_id": _request_id.get() or "-",
            "user_id": user_id(request),
            "method": getattr(request, "method", None),
            "view": view_name(request) if request is not None else None,
        }
        for name, default in FIELDS.items():
            if getattr(record, name, None) is None:
                setattr(record, name, values.get(name, default))
        return True


class TextFormatter(logging.Formatter):
    """The plain lines of the demo, their message and exception masked. The default format names the request id."""

    default_format = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

    def __init__(self, fmt=None, *args, **kwargs):
        super().__init__(fmt or self.default_format, *args, **kwargs)

    def format(self, record):
        for name, default in FIELDS.items():  # a handler without the filter still formats
            if not hasattr(record, name):
                setattr(record, name, default)
        return super().format(record)

    def formatMessage(self, record):  # noqa: N802 - logging's name
        record.message = mask_text(record.message)
        return super().formatMessage(record)

    def formatException(self, exc_info):  # noqa: N802 - logging's name
        return mask_text(super().formatException(exc_info))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: the time (UTC), level, logger, message, the request's fields and any exception.
    Only these keys are written: a record's other ``extra`` values never reach the log."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_text(record.getMessage()),
        }
        for name, default in FIELDS.items():
            entry[name] = getattr(record, name, default)
        route = getattr(record, "route", None)
        if route is not None:
            entry["route"] = route
        if record.exc_info:
            entry["exception"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)

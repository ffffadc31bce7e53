"""The /api/v1/ entry point: authentication and JSON errors with stable codes."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from orgs.middleware import separated_duties_message
from orgs.models import ApiToken
from orgs.queries import sees_business
from qingdan import clock
from qingdan.errors import Conflict, Refused, note_refusal


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


READ_METHODS = frozenset({"GET", "HEAD"})


def _may(request, user, business):
    """A read-only token reads only; the business routes are refused to the separated duties (三权分立)."""
    token = getattr(request, "api_token", None)
    if token is not None and token.read_only and request.method not in READ_METHODS:
        raise ApiError(
            403, "read_only_token", _("This token is read-only: it may read (GET) but not send or change anything.")
        )
    if business and not sees_business(user):
        raise ApiError(403, "separated_duties", separated_duties_message(user))


class BearerToken(HttpBearer):
    """``Authorization: Bearer qd_…`` with a personal token of an active, unlocked user. ``business``: the routes
    read the federation's work (every router but the org tree's)."""

    def __init__(self, *, business=True):
        super().__init__()
        self.business = business

    def authenticate(self, request, token):
        found = (
            ApiToken.objects.select_related("user__org_unit")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        now = clock.now()
        if found is None or found.is_expired(now) or not found.user.is_active or found.user.is_locked(now):
            return None  # unknown, expired, or the account is disabled or locked: 401
        revoked = found.user.sessions_revoked_at
        if revoked is not None and found.created_at < revoked:
            return None
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.api_token = found
        _may(request, found.user, self.business)
        request.user = found.user
        return found.user


class Session(SessionAuth):
    """The browser's session, for the pages' own calls."""

    def __init__(self, *, business=True):
        super().__init__()
        self.business = business

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            _may(request, user, self.business)
        return user


api = NinjaAPI(
    title="Qingdan API",
    version="1",
    description="清单 · 工会工作督办考核平台",
    urls_namespace="api",
    auth=[BearerToken(), Session()],
)


def _error(request, status, code, message, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(ApiError)
def _api_error(request, exc):
    return _error(request, exc.status, exc.code, exc.message)


@api.exception_handler(Refused)
def _refused(request, exc):
    return _error(request, 422, "refused", str(exc.message))


@api.exception_handler(Conflict)
def _conflict(request, exc):
    return _error(request, 409, "conflict", str(exc.message))


@api.exception_handler(Http404)
def _not_found(request, exc):
    note_refusal(exc)  # for the audit trail (audit.middleware)
    return _error(request, 404, "not_found", _("Not found, or outside your organisation."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(request, 401, "not_authenticated", _("Sign in or send a valid API token."))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    note_refusal(exc)
    return _error(request, 403, "forbidden", _("Your roles do not allow this."))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    """Ninja's own refusals (a failed CSRF check, a body that is not JSON) in the API's shape."""
    if exc.status_code == 403:
        return _error(request, 403, "csrf_failed", _("The request lacks a valid CSRF token; reload the page."))
    if exc.status_code == 400:
        return _error(request, 400, "bad_request", _("The request body is not valid JSON."))
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    return _error(request, 422, "invalid_input", _("The request is not valid."), details=exc.errors)


def register_routers():
    from assistance.api import router as assistance_router
    from cases.api import router as cases_router
    from cases.api_cases import router as case_records_router
    from checklists.api import router as checklists_router
    from orgs.api import router as orgs_router
    from scoring.api import router as scoring_router
    from surveys.api import router as surveys_router

    # The signed-in user and the org tree are open to the separated duties too.
    api.add_router("/", orgs_router, auth=[BearerToken(business=False), Session(business=False)])
    api.add_router("/", surveys_router)
    api.add_router("/", checklists_router)
    api.add_router("/", cases_router)
    api.add_router("/", case_records_router)
    api.add_router("/", scoring_router)
    api.add_router("/", assistance_router)


register_routers()

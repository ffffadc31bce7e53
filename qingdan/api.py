"""The /api/v1/ entry point: authentication and JSON errors with stable codes."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from orgs.models import ApiToken
from qingdan import clock
from qingdan.errors import Conflict, Refused, note_refusal


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class BearerToken(HttpBearer):
    """``Authorization: Bearer qd_…`` with a personal token of an active, unlocked user."""

    def authenticate(self, request, token):
        found = (
            ApiToken.objects.select_related("user__org_unit")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        now = clock.now()
        expired = found is not None and found.created_at < now - timedelta(days=settings.QINGDAN_API_TOKEN_DAYS)
        if found is None or expired or not found.user.is_active or found.user.is_locked(now):
            return None  # unknown, expired, or the account is disabled or locked: 401
        revoked = found.user.sessions_revoked_at
        if revoked is not None and found.created_at < revoked:
            return None
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="Qingdan API",
    version="1",
    description="清单 · 工会工作督办考核平台",
    urls_namespace="api",
    auth=[BearerToken(), django_auth],
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


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    return _error(request, 422, "invalid_input", _("The request is not valid."), details=exc.errors)


def register_routers():
    from checklists.api import router as checklists_router
    from orgs.api import router as orgs_router
    from scoring.api import router as scoring_router
    from surveys.api import router as surveys_router

    api.add_router("/", orgs_router)
    api.add_router("/", surveys_router)
    api.add_router("/", checklists_router)
    api.add_router("/", scoring_router)


register_routers()

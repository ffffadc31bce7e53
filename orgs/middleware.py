from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from orgs.auth import SESSION_LAST_SEEN, SESSION_LOGIN_AT, log_out
from orgs.queries import sees_business
from qingdan import clock

LAST_SEEN_RESOLUTION = 60  # seconds
# What a user whose password must be changed may still open.
PASSWORD_PATHS = frozenset({"/password/", "/logout/", "/i18n/setlang/"})


class SessionGuardMiddleware:
    """Ends a browser session after the idle time-out, and sessions started
    before the account was disabled (``sessions_revoked_at``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = clock.now().timestamp()
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            login_at = request.session.get(SESSION_LOGIN_AT, 0)
            revoked = user.sessions_revoked_at
            api = request.path.startswith("/api/")
            if revoked is not None and login_at <= revoked.timestamp():
                log_out(request, action="auth.session_revoked")
                return self.get_response(request) if api else redirect_to_login(request.get_full_path())
            if now - last_seen > settings.QINGDAN_IDLE_MINUTES * 60:
                log_out(request, action="auth.session_timeout")
                if api:  # the API answers with its own JSON 401
                    return self.get_response(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": settings.QINGDAN_IDLE_MINUTES},
                )
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= LAST_SEEN_RESOLUTION:
                # Refreshed at most once a minute: a session write on every request would
                # serialise concurrent requests on SQLite (see bench/).
                request.session[SESSION_LAST_SEEN] = now
            if user.must_change_password and not api and request.path not in PASSWORD_PATHS:
                return redirect("password_change")
        return self.get_response(request)


# What a person holding only separated duties may open (三权分立): the workbench, their own profile and password,
# the org tree and the user pages (the system and security administrators' work), the audit trail (the auditor's),
# the admin site, the language switch and the public poll and worker pages. Everything else is the federation's work and is
# refused, so a page added later is closed to them until it is named here. The API refuses in its own
# authentication (``qingdan.api``), where a bearer token's user is known.
DUTY_NAMESPACES = frozenset({"orgs", "users", "audit", "admin", "poll", "worker", "publicity"})
DUTY_PAGES = frozenset(
    {"home", "login", "logout", "profile", "password_change", "set_language", "admin_login"}
    | {"livez", "healthz", "metrics"}  # monitoring (qingdan.health, qingdan.telemetry): no business data
)


def duties_may_open(namespace, url_name):
    return namespace in DUTY_NAMESPACES or (not namespace and url_name in DUTY_PAGES)


def separated_duties_message(user):
    if not user.role_set:
        return _("Your account holds no role for the federation's work yet; ask the security administrator.")
    return _(
        "The system administrator, the security administrator and the auditor do not read the federation's work "
        "(lists, items, files, surveys, assessment): the three duties are kept apart from the business."
    )


class SeparatedDutiesMiddleware:
    """Refuses the business pages to a person whose only roles are the separated duties (``sees_business``),
    with the reason; their read paths return nothing as well (``orgs.queries.root_unit``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        match = request.resolver_match
        if user is None or not user.is_authenticated or match is None or match.namespace == "api":
            return None
        if duties_may_open(match.namespace, match.url_name) or sees_business(user):
            return None
        raise PermissionDenied(separated_duties_message(user))

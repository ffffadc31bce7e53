from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from orgs.auth import SESSION_LAST_SEEN, SESSION_LOGIN_AT, log_out
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

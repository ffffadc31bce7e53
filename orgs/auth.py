"""Log-in, lock-out and log-out, each recorded in the audit trail."""

from datetime import timedelta

from django.conf import settings
from django.contrib import auth
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Result
from audit.services import record
from orgs.models import User
from qingdan import clock

SESSION_LOGIN_AT = "qingdan_login_at"
SESSION_LAST_SEEN = "qingdan_last_seen"


class LoginRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _bad_credentials():
    return LoginRefused(_("Wrong user name or password."))


def authenticate_with_lockout(*, request, username, password):
    """Return the user for a good password, or raise ``LoginRefused``.

    The user row stays locked while the password is checked and the failure counted, so
    parallel guesses are counted one by one; the fifth failure in a row locks the account
    for ``QINGDAN_LOCKOUT_MINUTES``. Each refusal is audited (and committed: the refusal is
    raised only after the transaction ends).
    """
    with transaction.atomic():
        refusal, authenticated = _check(request, username, password)
    if refusal is not None:
        raise refusal
    return authenticated


def _check(request, username, password):
    user = User.objects.select_for_update(of=("self",)).select_related("org_unit").filter(username=username).first()
    if user is None:
        auth.authenticate(request, username=username, password=password)  # same time as a real check
        record(
            action="auth.login_failed",
            actor_username=username[:40],
            result=Result.FAILURE,
            message="unknown user",
            request=request,
        )
        return _bad_credentials(), None
    now = clock.now()
    if user.is_locked(now):
        record(
            action="auth.login_refused_locked",
            actor_username=username,
            obj=user,
            org_unit=user.org_unit,
            result=Result.DENIED,
            request=request,
        )
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return LoginRefused(
            _(
                "This account is locked after repeated failed log-ins. Try again in %(minutes)d minutes or ask the security administrator to unlock it."
            )
            % {"minutes": minutes}
        ), None
    authenticated = auth.authenticate(request, username=username, password=password)
    if authenticated is None:
        _count_failure(user, request)
        return _bad_credentials(), None
    if user.failed_logins:
        User.objects.filter(pk=user.pk).update(failed_logins=0)
    return None, authenticated


def _count_failure(user, request):
    user.failed_logins += 1
    record(
        action="auth.login_failed",
        actor_username=user.username,
        obj=user,
        org_unit=user.org_unit,
        result=Result.FAILURE,
        after={"failed_logins": user.failed_logins},
        request=request,
    )
    if user.failed_logins >= settings.QINGDAN_LOGIN_MAX_FAILURES:
        user.locked_until = clock.now() + timedelta(minutes=settings.QINGDAN_LOCKOUT_MINUTES)
        user.failed_logins = 0
        record(
            action="auth.locked_out",
            actor_username=user.username,
            obj=user,
            org_unit=user.org_unit,
            result=Result.DENIED,
            after={"locked_until": user.locked_until},
            request=request,
        )
    User.objects.filter(pk=user.pk).update(failed_logins=user.failed_logins, locked_until=user.locked_until)


def log_in(request, user):
    """Start a session; Django's login() gives the session a new key."""
    auth.login(request, user)
    now = clock.now().timestamp()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    record(action="auth.login", actor=user, obj=user, request=request)


def log_out(request, *, action="auth.logout"):
    user = request.user
    if user.is_authenticated:
        record(action=action, actor=user, obj=user, request=request)
    auth.logout(request)

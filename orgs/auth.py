"""Log-in, lock-out and log-out, each recorded in the audit trail."""

from datetime import timedelta

from django.conf import settings
from django.contrib import auth
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Result
from audit.services import record
from orgs.models import User

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

    The failure count lives on the user row; the fifth failure in a row locks
    the account for ``QINGDAN_LOCKOUT_MINUTES``. Each refusal is audited.
    """
    user = User.objects.select_related("org_unit").filter(username=username).first()
    now = timezone.now()
    if user is not None and user.is_locked(now):
        record(
            action="auth.login_refused_locked",
            actor_username=username,
            obj=user,
            org_unit=user.org_unit,
            result=Result.DENIED,
            request=request,
        )
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise LoginRefused(
            _(
                "This account is locked after repeated failed log-ins. Try again in %(minutes)d minutes or ask the security administrator to unlock it."
            )
            % {"minutes": minutes}
        )
    authenticated = auth.authenticate(request, username=username, password=password)
    if authenticated is not None:
        if authenticated.failed_logins:
            User.objects.filter(pk=authenticated.pk).update(failed_logins=0)
        return authenticated
    if user is None:
        record(
            action="auth.login_failed",
            actor_username=username,
            result=Result.FAILURE,
            message="unknown user",
            request=request,
        )
        raise _bad_credentials()
    _count_failure(user, request)
    raise _bad_credentials()


def _count_failure(user, request):
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        locked = User.objects.select_for_update().get(pk=user.pk)
        record(
            action="auth.login_failed",
            actor_username=user.username,
            obj=user,
            org_unit=user.org_unit,
            result=Result.FAILURE,
            after={"failed_logins": locked.failed_logins},
            request=request,
        )
        if locked.failed_logins >= settings.QINGDAN_LOGIN_MAX_FAILURES:
            locked.locked_until = timezone.now() + timedelta(minutes=settings.QINGDAN_LOCKOUT_MINUTES)
            locked.failed_logins = 0
            locked.save(update_fields=["locked_until", "failed_logins"])
            record(
                action="auth.locked_out",
                actor_username=user.username,
                obj=user,
                org_unit=user.org_unit,
                result=Result.DENIED,
                after={"locked_until": locked.locked_until},
                request=request,
            )


def log_in(request, user):
    """Start a session; Django's login() gives the session a new key."""
    auth.login(request, user)
    now = timezone.now().timestamp()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    record(action="auth.login", actor=user, obj=user, request=request)


def log_out(request, *, action="auth.logout"):
    user = request.user
    if user.is_authenticated:
        record(action=action, actor=user, obj=user, request=request)
    auth.logout(request)

"""Log-in, throttling and log-out, each recorded in the audit trail.

Wrong passwords are counted over the last ``QINGDAN_LOCKOUT_MINUTES`` in three ways, so that nobody can lock
someone else out from their own computer:

- per account and address: after ``QINGDAN_LOGIN_MAX_FAILURES`` (5) that account waits, from that address only;
  its owner still signs in from their own computer;
- per address, across accounts: after ``QINGDAN_LOGIN_ADDRESS_MAX_FAILURES`` (20) that address waits for every
  account (trying many names from one computer);
- per account, across addresses: after ``QINGDAN_LOGIN_ACCOUNT_MAX_FAILURES`` (100; 0 turns it off) the account
  locks for ``QINGDAN_LOCKOUT_MINUTES``. Reaching it takes at least 20 addresses guessing at once, which only a
  distributed attack has; it caps the guesses any account can take, and the security administrator, or
  ``manage.py unlock_login`` on the server, lifts it.

Every refusal says the same thing and costs one password hash, whether the account exists, the password was
wrong, or the account or address waits, so the answer tells an attacker nothing.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Result
from audit.services import record
from orgs.models import LoginFailure, User
from qingdan import clock
from qingdan.boundary import client_address

SESSION_LOGIN_AT = "qingdan_login_at"
SESSION_LAST_SEEN = "qingdan_last_seen"


class LoginRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def refusal_message():
    """The one answer to every refused log-in."""
    return _("Wrong user name or password. After repeated failures, wait %(minutes)d minutes before trying again.") % {
        "minutes": settings.QINGDAN_LOCKOUT_MINUTES
    }


def authenticate_with_lockout(*, request, username, password):
    """Return the user for a good password, or raise ``LoginRefused`` with the one refusal message.

    The account's row stays locked while the password is checked and the failure counted, so parallel
    guesses at one account are counted one by one. Each refusal is audited (and committed: the refusal is
    raised only after the transaction ends).
    """
    with transaction.atomic():
        refused, authenticated = _check(request, username, password)
    if refused:
        raise LoginRefused(refusal_message())
    return authenticated


def _window_start(now):
    return now - timedelta(minutes=settings.QINGDAN_LOCKOUT_MINUTES)


def waiting(username, address, now):
    """Why log-ins of ``username`` from ``address`` wait now: "address", "pair", or None."""
    recent = LoginFailure.objects.filter(at__gt=_window_start(now))
    if address is not None and recent.filter(address=address).count() >= settings.QINGDAN_LOGIN_ADDRESS_MAX_FAILURES:
        return "address"
    if recent.filter(username=username, address=address).count() >= settings.QINGDAN_LOGIN_MAX_FAILURES:
        return "pair"
    return None


def _check(request, username, password):
    """``(refused, user)``."""
    username = username[:150]
    address = client_address(request)
    now = clock.now()
    user = User.objects.select_for_update(of=("self",)).select_related("org_unit").filter(username=username).first()
    why = waiting(username, address, now)
    if why is None and user is not None and user.is_locked(now):
        why = "account"
    if why is not None:
        make_password(password)  # the same time as a real check
        record(
            action="auth.login_refused_locked",
            actor_username=username,
            obj=user,
            org_unit=user.org_unit if user else None,
            result=Result.DENIED,
            message=why,
            request=request,
        )
        return True, None
    authenticated = auth.authenticate(request, username=username, password=password)  # hashes once either way
    if authenticated is None:
        _count_failure(username, user, address, now, request)
        return True, None
    LoginFailure.objects.filter(username=username, address=address).delete()
    return False, authenticated


def _count_failure(username, user, address, now, request):
    LoginFailure.objects.filter(at__lte=_window_start(now)).delete()  # keep the table to one window
    LoginFailure.objects.create(username=username, address=address, at=now)
    record(
        action="auth.login_failed",
        actor_username=username,
        obj=user,
        org_unit=user.org_unit if user else None,
        result=Result.FAILURE,
        message="" if user else "unknown user",
        request=request,
    )
    why = waiting(username, address, now)
    if why is not None:
        record(
            action="auth.login_throttled",
            actor_username=username,
            obj=user,
            org_unit=user.org_unit if user else None,
            result=Result.DENIED,
            message=why,
            after={"address": address, "minutes": settings.QINGDAN_LOCKOUT_MINUTES},
            request=request,
        )
    ceiling = settings.QINGDAN_LOGIN_ACCOUNT_MAX_FAILURES
    if user is None or not ceiling:
        return
    if LoginFailure.objects.filter(username=username, at__gt=_window_start(now)).count() >= ceiling:
        user.locked_until = now + timedelta(minutes=settings.QINGDAN_LOCKOUT_MINUTES)
        User.objects.filter(pk=user.pk).update(locked_until=user.locked_until)
        record(
            action="auth.locked_out",
            actor_username=user.username,
            obj=user,
            org_unit=user.org_unit,
            result=Result.DENIED,
            after={"locked_until": user.locked_until},
            request=request,
        )


def log_in(request, user):
    """Start a session; Django's login() gives the session a new key."""
    auth.login(request, user)
    now = clock.now().timestamp()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    record(action="auth.login", actor=user, obj=user, request=request)


def log_out(request, *, action="auth.logout"):
    user = request.user
    if user is not None and user.is_authenticated:
        record(action=action, actor=user, obj=user, request=request)
    auth.logout(request)

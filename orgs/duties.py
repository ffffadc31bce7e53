"""Two people for a privileged account (双人复核).

Granting or removing a separated duty, changing the roles of an account that holds one, and resetting its password
are asked for by the security administrator (``orgs.services.set_roles``, ``set_password``) and take effect only
when a second person holding ANOTHER duty (the system administrator or the auditor) confirms, within
``QINGDAN_DUTY_REQUEST_HOURS``; nobody confirms their own request or a change to their own account, and every
step is audited.

Chosen over "only at the server's command line" because the county's three administrators work in the platform,
not on its server: the command line would hand every grant to whoever runs the server (often an outside
contractor), with no second look at all. The command line stays for the first accounts of a fresh install and for
when no second person is left (``manage.py create_admin``, ``grant_duty``, ``reset_password``), audited as
"(command line)".
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audit.services import record
from orgs import services
from orgs.models import SEPARATED_DUTIES, DutyRequest, DutyRequestKind, DutyRequestStatus, Role, User
from orgs.queries import tree_unit, within
from qingdan import clock
from qingdan.actors import SYSTEM
from qingdan.errors import Conflict, Refused


def _duty_of(actor):
    return next(iter(sorted(actor.role_set & SEPARATED_DUTIES)), "")


def ask(*, kind, target, actor, request, **change):
    """Record a change to ``target`` (a ``DutyRequestKind``) that waits for a second person; called by the services
    inside their transaction, with ``target`` locked. One request of a kind waits per account at a time."""
    now = clock.now()
    for stale in DutyRequest.objects.select_for_update().filter(
        target=target, kind=kind, status=DutyRequestStatus.PENDING, expires_at__lte=now
    ):
        _close(stale, DutyRequestStatus.EXPIRED, actor=SYSTEM, action="orgs.duty_request_expired")
    if DutyRequest.objects.filter(target=target, kind=kind, status=DutyRequestStatus.PENDING).exists():
        raise Refused(
            _(
                "A %(kind)s of this account already waits for a second person; it must be confirmed, refused or "
                "withdrawn first."
            )
            % {"kind": DutyRequestKind(kind).label}
        )
    duty_request = DutyRequest.objects.create(
        kind=kind,
        target=target,
        requested_by=actor,
        requested_duty=_duty_of(actor),
        requested_at=now,
        expires_at=now + timedelta(hours=settings.QINGDAN_DUTY_REQUEST_HOURS),
        **change,
    )
    record(
        action="orgs.duty_requested",
        actor=actor,
        obj=duty_request,
        org_unit=target.org_unit,
        after=_request_snapshot(duty_request),
        request=request,
    )
    return duty_request


def _request_snapshot(duty_request):
    snapshot = {
        "kind": duty_request.kind,
        "target": duty_request.target.username,
        "requested_by": duty_request.requested_by.username,
        "expires_at": duty_request.expires_at,
    }
    if duty_request.kind == DutyRequestKind.ROLES:
        snapshot.update(roles_before=duty_request.roles_before, roles=duty_request.roles)
    return snapshot


def may_decide(user, duty_request):
    """Who confirms or refuses a request: a person holding a separated duty other than the one it was asked in,
    neither the person who asked nor the account it changes, with that account in their subtree."""
    unit = tree_unit(user) if user is not SYSTEM and user is not None else None
    if unit is None:
        return False
    duties = user.role_set & SEPARATED_DUTIES
    target_unit = duty_request.target.org_unit
    return (
        bool(duties)
        and duty_request.requested_duty not in duties
        and user.pk not in (duty_request.requested_by_id, duty_request.target_id)
        and target_unit is not None
        and target_unit.is_within(unit)
    )


def decidable(user):
    """``may_decide`` as a filter over ``DutyRequest`` (the requests page and the workbench count)."""
    unit = tree_unit(user) if user is not SYSTEM and user is not None else None
    duties = user.role_set & SEPARATED_DUTIES if unit is not None else set()
    if not duties:
        return Q(pk__in=[])
    return (
        within(unit, "target__org_unit") & ~Q(requested_duty__in=duties) & ~Q(requested_by=user.pk) & ~Q(target=user.pk)
    )


def may_withdraw(user, duty_request):
    return user is not None and user is not SYSTEM and user.pk == duty_request.requested_by_id


def confirm_duty_request(*, duty_request, actor, request=None):
    """The second person confirms: the change takes effect now, audited under both names. Refused to anyone
    ``may_decide`` does not name, once the request has lapsed, or when the person who asked no longer holds
    their duty; a conflict when the account's roles changed since the request."""
    with transaction.atomic():
        locked = (
            DutyRequest.objects.select_for_update(of=("self",))
            .select_related("target__org_unit", "requested_by")
            .get(pk=duty_request.pk)
        )
        if not may_decide(actor, locked):
            raise Refused(
                _(
                    "Only a person of another duty (the system administrator or the auditor when the security "
                    "administrator asked) confirms this, never the person who asked nor the account's owner."
                )
            )
        _check_open(locked)
        asker = locked.requested_by
        if not asker.is_active or not asker.has_role(locked.requested_duty):
            raise Refused(_("The person who asked no longer holds their duty; nothing was changed."))
        target = User.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=locked.target_id)
        if locked.kind == DutyRequestKind.ROLES:
            current = sorted(r.role for r in target.roles.all())
            if current != sorted(locked.roles_before):
                raise Conflict(
                    _("The roles of this account changed since the request; nothing was changed. Ask again.")
                )
            roles = {Role(r) for r in locked.roles}
            services.check_separated_duties(roles)
            services._apply_roles(target, current, roles, actor=actor, request=request, requested_by=asker)
        else:
            target.password = locked.password
            target.must_change_password = True
            target.save(update_fields=["password", "must_change_password"])
            record(
                action="auth.password_reset",
                actor=actor,
                obj=target,
                org_unit=target.org_unit,
                after={"requested_by": asker.username},
                request=request,
            )
            services._revoke_tokens(target, actor, "password_reset", request)
        _close(locked, DutyRequestStatus.CONFIRMED, actor=actor, action="orgs.duty_request_confirmed", request=request)
    return locked


def refuse_duty_request(*, duty_request, actor, request=None):
    """A person who may confirm refuses, or the person who asked withdraws; nothing changes on the account."""
    with transaction.atomic():
        locked = (
            DutyRequest.objects.select_for_update(of=("self",))
            .select_related("target__org_unit", "requested_by")
            .get(pk=duty_request.pk)
        )
        if may_withdraw(actor, locked):
            status, action = DutyRequestStatus.WITHDRAWN, "orgs.duty_request_withdrawn"
        elif may_decide(actor, locked):
            status, action = DutyRequestStatus.REFUSED, "orgs.duty_request_refused"
        else:
            raise Refused(_("Only the person who asked, or a person of another duty, may close this request."))
        if locked.status != DutyRequestStatus.PENDING:
            raise Conflict(_("This request was already decided; nothing was changed."))
        _close(locked, status, actor=actor, action=action, request=request)
    return locked


def _check_open(locked):
    if locked.status != DutyRequestStatus.PENDING:
        raise Conflict(_("This request was already decided; nothing was changed."))
    if locked.expires_at <= clock.now():
        raise Refused(
            _("This request lapsed after %(hours)d hours without a second person; ask again.")
            % {"hours": settings.QINGDAN_DUTY_REQUEST_HOURS}
        )


def _close(locked, status, *, actor, action, request=None):
    locked.status = status
    locked.decided_by = actor if actor is not SYSTEM else None
    locked.decided_at = clock.now()
    locked.password = ""  # the waiting password's hash is not kept once the request is decided
    locked.save(update_fields=["status", "decided_by", "decided_at", "password"])
    record(
        action=action,
        actor=actor,
        obj=locked,
        org_unit=locked.target.org_unit,
        after=_request_snapshot(locked),
        request=request,
    )

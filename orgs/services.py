"""Every change to org units, users, roles, passwords and API tokens goes through here.

``actor=SYSTEM`` is the platform itself (the demo loader, a command run by the operator);
otherwise the actor's roles are checked here, not only in the pages, so that every path
(page, API, admin, command) obeys the same rules.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from audit.services import record
from orgs.models import (
    SEPARATED_DUTIES,
    ApiToken,
    DutyRequestKind,
    LoginFailure,
    OrgUnit,
    Role,
    TokenScope,
    User,
    UserRole,
)
from qingdan import clock
from qingdan.actors import SYSTEM

# Ids in the path are zero-padded so that ordering by path is tree order (/…02/ before /…10/).
PATH_DIGITS = 8


def _require(actor, role, *, not_on=None):
    """Refuse unless the actor (a person) holds ``role``; nobody manages their own account, nor one outside the
    subtree of their unit (the pages show no such account; every other path is refused here too)."""
    if actor is SYSTEM:
        return
    if actor is None or not actor.has_role(role) or (not_on is not None and not_on.pk == actor.pk):
        raise PermissionDenied(_("Your roles do not allow this."))
    if not_on is not None and (
        actor.org_unit is None or not_on.org_unit is None or not not_on.org_unit.is_within(actor.org_unit)
    ):
        raise PermissionDenied(_("This account is outside your organisation."))


def _command_line(actor):
    """How the audit trail names the operator at the server's command line (``actor=SYSTEM``)."""
    return "(command line)" if actor is SYSTEM else ""


def path_for(unit, parent_path):
    return f"{parent_path or '/'}{unit.pk:0{PATH_DIGITS}d}/"


def unit_snapshot(unit):
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent.code if unit.parent else None,
    }


def save_unit(*, unit, actor, request=None):
    """Create or update one org unit, keeping the stored paths of its subtree right.

    The unit and its new parent are locked first, so two moves at once cannot make a loop
    and a unit created under a moving parent waits for the move.
    """
    with transaction.atomic():
        parent = OrgUnit.objects.select_for_update().get(pk=unit.parent_id) if unit.parent_id else None
        before, old_path = None, ""
        if unit.pk:
            current = OrgUnit.objects.select_for_update().get(pk=unit.pk)
            if parent is not None and parent.path.startswith(current.path):
                raise ValidationError(_("A unit cannot be placed under itself or one of its own sub-units."))
            before = unit_snapshot(OrgUnit.objects.select_related("parent").get(pk=unit.pk))
            old_path = current.path
        else:
            unit.path = "/"  # placeholder until the id is known
            unit.save()
        unit.path = path_for(unit, parent.path if parent else "")
        unit.depth = unit.path.count("/") - 2
        unit.save()
        if old_path and old_path != unit.path:
            # One statement rewrites the whole subtree: new prefix + the rest of each old path.
            OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
                path=Concat(Value(unit.path), Substr("path", len(old_path) + 1)),
                depth=F("depth") + (unit.path.count("/") - old_path.count("/")),
            )
        after = unit_snapshot(unit)
        if before != after:
            record(
                action="orgs.unit_saved",
                actor=actor,
                obj=unit,
                org_unit=unit,
                before=before,
                after=after,
                request=request,
            )
    return unit


def check_separated_duties(roles):
    held = SEPARATED_DUTIES.intersection(roles)
    if len(held) > 1:
        names = "、".join(str(Role(r).label) for r in sorted(held))
        raise ValidationError(
            _(
                "System administrator, security administrator and auditor are separate duties; one account cannot hold %(roles)s."
            )
            % {"roles": names},
            code="separated_duties",
        )


def needs_second_person(before, after):
    """Whether a change of roles from ``before`` to ``after`` waits for a second person: it grants or removes a
    separated duty, or it changes the roles of an account that holds one."""
    before, after = set(before), set(after)
    return before != after and bool(SEPARATED_DUTIES.intersection(before | after))


def set_roles(*, user, roles, actor, request=None):
    """Replace the roles of ``user`` (the security administrator's duty). Refuses two of the
    three separated duties on one account.

    A change that grants or removes a separated duty, or touches an account holding one, is only asked for:
    it returns the ``DutyRequest`` that a second person of another duty confirms (``confirm_duty_request``).
    Any other change takes effect and returns None; so does every change made at the server's command line
    (``actor=SYSTEM``), which is how the first privileged accounts are made.
    """
    from orgs import duties  # it applies the change through this module once confirmed

    _require(actor, Role.SECADMIN, not_on=user)
    roles = {Role(r) for r in roles}
    check_separated_duties(roles)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = sorted(r.role for r in locked.roles.all())
        if actor is not SYSTEM and needs_second_person(before, roles):
            return duties.ask(
                kind=DutyRequestKind.ROLES,
                target=locked,
                actor=actor,
                request=request,
                roles_before=before,
                roles=sorted(roles),
            )
        _apply_roles(locked, before, roles, actor=actor, request=request)
    user.__dict__.pop("_role_set", None)
    return None


def _apply_roles(locked, before, roles, *, actor, request, requested_by=None):
    UserRole.objects.filter(user=locked).exclude(role__in=roles).delete()
    for role in roles.difference(before):
        UserRole.objects.create(user=locked, role=role)
    after = sorted(roles)
    if before != after:
        record(
            action="orgs.roles_changed",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before={"roles": before},
            after={"roles": after, **({"requested_by": requested_by.username} if requested_by else {})},
            request=request,
            actor_username=_command_line(actor),
        )
    locked.__dict__.pop("_role_set", None)


def create_user(
    *, username, full_name, org_unit, roles, password, actor, phone="", request=None, must_change_password=None
):
    """A new account (the system administrator's duty). The system administrator may give
    business roles only; the separated duties are granted by the security administrator and a second
    person, or at the server's command line (``actor=SYSTEM``, ``manage.py create_admin``).
    The password must be changed at the first sign-in (``must_change_password``: by default unless the
    platform itself makes the account); with ``password=None`` the account cannot sign in until the
    security administrator sets one."""
    _require(actor, Role.SYSADMIN)
    roles = {Role(r) for r in roles}
    check_separated_duties(roles)
    if actor is not SYSTEM and roles & SEPARATED_DUTIES:
        raise ValidationError(
            _(
                "The system administrator cannot grant the roles of system administrator, security administrator or auditor; the security administrator grants them."
            ),
            code="separated_duties",
        )
    if must_change_password is None:
        must_change_password = actor is not SYSTEM
    candidate = User(
        username=username,
        full_name=full_name,
        org_unit=org_unit,
        phone=phone,
        must_change_password=must_change_password,
    )
    if password is not None:
        validate_password(password, candidate)
    with transaction.atomic():
        if User.objects.select_for_update().filter(username=username).exists():
            raise ValidationError(_("This user name is taken."), code="username_taken")
        candidate.set_password(password)  # None: an unusable password
        candidate.save()
        for role in sorted(roles):
            UserRole.objects.create(user=candidate, role=role)
        record(
            action="orgs.user_created",
            actor=actor,
            obj=candidate,
            org_unit=org_unit,
            after={"username": username, "full_name": full_name, "phone": phone, "roles": sorted(roles)},
            request=request,
            actor_username=_command_line(actor),
        )
    return candidate


def set_password(*, user, password, actor, request=None, must_change_password=None):
    """The security administrator sets a temporary password; it must be changed at sign-in.

    The password of an account holding a separated duty is only asked for: returns the ``DutyRequest`` a
    second person of another duty confirms (the hash of the password waits in it). Otherwise, and at the
    server's command line (``actor=SYSTEM``), the password is set and None returned. It must be changed at
    sign-in (``must_change_password``: by default unless the platform itself sets it, as the demo does).
    """
    from orgs import duties

    _require(actor, Role.SECADMIN, not_on=user)
    validate_password(password, user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if actor is not SYSTEM and locked.has_role(*SEPARATED_DUTIES):
            return duties.ask(
                kind=DutyRequestKind.PASSWORD,
                target=locked,
                actor=actor,
                request=request,
                password=make_password(password),
            )
        user.set_password(password)
        user.must_change_password = actor is not SYSTEM if must_change_password is None else must_change_password
        user.save(update_fields=["password", "must_change_password"])
        record(
            action="auth.password_reset",
            actor=actor,
            obj=user,
            org_unit=user.org_unit,
            request=request,
            actor_username=_command_line(actor),
        )
        _revoke_tokens(user, actor, "password_reset", request)
    return None


def _revoke_tokens(user, actor, why, request=None):
    """A new password ends the API tokens made under the old one."""
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=clock.now())
    if revoked:
        record(
            action="api.tokens_revoked",
            actor=actor,
            obj=user,
            org_unit=user.org_unit,
            after={"tokens": revoked, "why": why},
            request=request,
            actor_username=_command_line(actor),
        )


def change_own_password(*, user, old_password, new_password, request=None):
    """A user replaces their own password after typing the current one."""
    if not user.check_password(old_password):
        raise ValidationError(_("The current password is wrong."), code="wrong_password")
    if old_password == new_password:
        raise ValidationError(_("The new password must differ from the current one."), code="same_password")
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        _revoke_tokens(user, user, "password_changed", request)
        record(action="auth.password_changed", actor=user, obj=user, request=request)
    return user


def set_user_active(*, user, active, actor, request=None):
    """Enable or disable an account. Disabling ends its sessions and its API tokens."""
    _require(actor, Role.SECADMIN, not_on=user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active == active:
            return locked
        locked.is_active = active
        fields = ["is_active"]
        if not active:
            locked.sessions_revoked_at = clock.now()
            fields.append("sessions_revoked_at")
            ApiToken.objects.filter(user=locked, revoked_at__isnull=True).update(revoked_at=locked.sessions_revoked_at)
        locked.save(update_fields=fields)
        record(
            action="orgs.user_enabled" if active else "orgs.user_disabled",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before={"is_active": not active},
            after={"is_active": active},
            request=request,
        )
    return locked


def unlock_user(*, user, actor, request=None):
    """Lift the lock of an account and the waits of its log-ins from every address (``orgs.auth``)."""
    _require(actor, Role.SECADMIN, not_on=user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        failures = LoginFailure.objects.filter(username=locked.username)
        before = {"locked_until": locked.locked_until, "failures": failures.count()}
        failures.delete()
        locked.locked_until = None
        locked.save(update_fields=["locked_until"])
        record(
            action="auth.unlocked",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before=before,
            after={"locked_until": None, "failures": 0},
            request=request,
            actor_username=_command_line(actor),
        )
    return locked


def unlock_address(*, address, actor, request=None):
    """Lift the wait of every log-in from ``address`` (failures over many accounts)."""
    _require(actor, Role.SECADMIN)
    with transaction.atomic():
        failures = LoginFailure.objects.filter(address=address)
        count = failures.count()
        failures.delete()
        record(
            action="auth.address_unlocked",
            actor=actor,
            object_type="address",
            object_id=address,
            before={"failures": count},
            after={"failures": 0},
            request=request,
            actor_username=_command_line(actor),
        )
    return count


def waiting_addresses(user):
    """The addresses from which log-ins of ``user`` wait now (the security administrator's page shows them)."""
    since = clock.now() - timedelta(minutes=settings.QINGDAN_LOCKOUT_MINUTES)
    rows = (
        LoginFailure.objects.filter(username=user.username, at__gt=since)
        .values("address")
        .annotate(n=Count("id"))
        .filter(n__gte=settings.QINGDAN_LOGIN_MAX_FAILURES)
        .order_by("address")
    )
    return [row["address"] or "?" for row in rows]


def create_api_token(*, user, name, actor, scope=TokenScope.READ_WRITE, request=None):
    """Create a personal token that reads only, or reads and writes (``scope``). Returns ``(token, raw)``; ``raw``
    is shown once and never stored."""
    scope = TokenScope(scope)
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, key_hash=ApiToken.hash_key(raw), hint=raw[:10], scope=scope
        )
        record(
            action="api.token_created",
            actor=actor,
            obj=token,
            org_unit=user.org_unit,
            after={"name": name, "scope": scope},
            request=request,
            actor_username=_command_line(actor),
        )
    return token, raw


def revoke_api_token(*, token, actor, request=None):
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
        if updated:
            record(action="api.token_revoked", actor=actor, obj=token, org_unit=token.user.org_unit, request=request)
    token.refresh_from_db()
    return token


def notify(*, users, text, url=""):
    """Put a message in each user's workbench. Call it from ``transaction.on_commit``."""
    from orgs.models import Notification

    Notification.objects.bulk_create(Notification(user=user, text=text[:300], url=url) for user in users)


def unit_people(unit, *roles):
    """Active users of ``unit`` itself holding one of ``roles``."""
    return User.objects.filter(org_unit=unit, is_active=True, roles__role__in=roles).distinct()


def units_people(units, *roles):
    """Active users of any of ``units`` (units, ids or a query of ids) holding one of ``roles``: one query."""
    return User.objects.filter(org_unit__in=units, is_active=True, roles__role__in=roles).distinct()

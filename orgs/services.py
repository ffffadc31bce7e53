"""Every change to org units, users, roles and API tokens goes through here."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from orgs.models import SEPARATED_DUTIES, ApiToken, OrgUnit, Role, User, UserRole

# Ids in the path are zero-padded so that ordering by path is tree order (/…02/ before /…10/).
PATH_DIGITS = 8


def path_for(unit):
    # Read the parent's path from the database: an in-memory parent may be stale after a move.
    prefix = OrgUnit.objects.values_list("path", flat=True).get(pk=unit.parent_id) if unit.parent_id else "/"
    return f"{prefix}{unit.pk:0{PATH_DIGITS}d}/"


def _refresh_subtree_paths(unit, old_path):
    """After ``unit`` moved, rewrite the stored paths of everything beneath it."""
    for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).order_by("depth"):
        child.path = unit.path + child.path[len(old_path) :]
        child.depth = child.path.count("/") - 2
        child.save(update_fields=["path", "depth"])


def unit_snapshot(unit):
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent.code if unit.parent else None,
    }


def save_unit(*, unit, actor, request=None):
    """Create or update one org unit, keeping the stored paths of its subtree right."""
    with transaction.atomic():
        before = None
        old_path = ""
        if unit.pk:
            current = OrgUnit.objects.select_related("parent").get(pk=unit.pk)
            if unit.parent_id and OrgUnit.objects.get(pk=unit.parent_id).path.startswith(current.path):
                raise ValidationError(_("A unit cannot be placed under itself or one of its own sub-units."))
            before = unit_snapshot(current)
            old_path = current.path
        else:
            unit.path = "/"  # placeholder until the id is known
            unit.save()
        unit.path = path_for(unit)
        unit.depth = unit.path.count("/") - 2
        unit.save()
        if old_path and old_path != unit.path:
            _refresh_subtree_paths(unit, old_path)
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


def set_roles(*, user, roles, actor, request=None):
    """Replace the roles of ``user``. Refuses two of the three separated duties."""
    roles = {Role(r) for r in roles}
    check_separated_duties(roles)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = sorted(r.role for r in locked.roles.all())
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
                after={"roles": after},
                request=request,
            )
    user.__dict__.pop("_role_set", None)
    return user


def create_user(*, username, full_name, org_unit, roles, password, actor, phone="", request=None):
    from django.contrib.auth.password_validation import validate_password

    check_separated_duties({Role(r) for r in roles})
    candidate = User(username=username, full_name=full_name, org_unit=org_unit, phone=phone)
    validate_password(password, candidate)
    with transaction.atomic():
        candidate.set_password(password)
        candidate.save()
        for role in sorted(set(roles)):
            UserRole.objects.create(user=candidate, role=role)
        record(
            action="orgs.user_created",
            actor=actor,
            obj=candidate,
            org_unit=org_unit,
            after={"username": username, "full_name": full_name, "phone": phone, "roles": sorted(set(roles))},
            request=request,
        )
    return candidate


def set_password(*, user, password, actor, request=None):
    """Set a password after the house rules (length, character classes, not common)."""
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(action="auth.password_set", actor=actor, obj=user, org_unit=user.org_unit, request=request)
    return user


def set_user_active(*, user, active, actor, request=None):
    """Enable or disable an account. Disabling ends every session it has."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active == active:
            return locked
        locked.is_active = active
        fields = ["is_active"]
        if not active:
            locked.sessions_revoked_at = timezone.now()
            fields.append("sessions_revoked_at")
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
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = {"locked_until": locked.locked_until, "failed_logins": locked.failed_logins}
        locked.locked_until = None
        locked.failed_logins = 0
        locked.save(update_fields=["locked_until", "failed_logins"])
        record(
            action="auth.unlocked",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before=before,
            after={"locked_until": None, "failed_logins": 0},
            request=request,
        )
    return locked


def create_api_token(*, user, name, actor, request=None):
    """Create a personal token. Returns ``(token, raw)``; ``raw`` is shown once and never stored."""
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash_key(raw), hint=raw[:10])
        record(
            action="api.token_created",
            actor=actor,
            obj=token,
            org_unit=user.org_unit,
            after={"name": name},
            request=request,
        )
    return token, raw


def revoke_api_token(*, token, actor, request=None):
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if updated:
            record(action="api.token_revoked", actor=actor, obj=token, org_unit=token.user.org_unit, request=request)
    token.refresh_from_db()
    return token

"""The rules in force for a unit (``qingdan.rules``): its own value, else the nearest unit's above it, else the
rule's default. The office staff of a unit set its rules; every change is audited."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record
from orgs.models import Role, UnitRule
from qingdan import clock, rules
from qingdan.errors import Refused


def _set_on_line(unit, keys):
    """``{key: (value, unit_id)}`` of the values set on ``unit``'s line, the deepest winning."""
    depth = {pk: n for n, pk in enumerate(unit.line_ids)}
    found = {}
    for row in UnitRule.objects.filter(unit_id__in=depth, key__in=keys).values("key", "value", "unit_id"):
        held = found.get(row["key"])
        if held is None or depth[row["unit_id"]] > depth[held[1]]:
            found[row["key"]] = (row["value"], row["unit_id"])
    return found


def in_force(unit, prefix=""):
    """``{key: value}`` of every rule whose key starts with ``prefix``, as in force for ``unit``: one query."""
    declared = {key: rule for key, rule in rules.available().items() if key.startswith(prefix)}
    found = _set_on_line(unit, list(declared))
    return {key: found[key][0] if key in found else rule.default for key, rule in declared.items()}


def to_copy(unit, area_prefix):
    """The rules of one area in force for ``unit``, named without the prefix: what a piece of work copies when
    ``unit`` issues it (read back with ``qingdan.rules.of``)."""
    return {key.removeprefix(area_prefix): value for key, value in in_force(unit, area_prefix).items()}


def value(unit, rule):
    """``rule``'s value in force for ``unit`` today (for what is not issued yet, such as a load warning)."""
    return in_force(unit, rule.key)[rule.key]


def where_set(unit):
    """``[(rule, value, unit_id or None)]`` for the rules page: each rule, its value in force and the unit that
    set it (None: the default)."""
    declared = rules.available()
    found = _set_on_line(unit, list(declared))
    return [(rule, *found.get(key, (rule.default, None))) for key, rule in declared.items()]


def may_set(user, unit):
    """The office staff of the unit itself set its rules."""
    return user.is_active and user.has_role(Role.OFFICE) and user.org_unit_id == unit.pk


def set_rule(*, unit, key, value, actor):
    """Set (or, with ``value=None``, clear so the unit follows the units above it) one of ``unit``'s rules.
    Work already issued keeps the rules it was issued with."""
    rule = rules.available().get(key)
    if rule is None:
        raise Refused(_("There is no such rule."))
    if not may_set(actor, unit):
        raise PermissionDenied(_("Only the office staff of %(unit)s set its rules.") % {"unit": unit.name})
    number = None if value in (None, "") else rule.check(value)
    if value not in (None, "") and number is None:
        raise Refused(
            _("%(rule)s must be a whole number from %(min)d to %(max)d.")
            % {"rule": rule.label, "min": rule.minimum, "max": rule.maximum}
        )
    with transaction.atomic():
        held = UnitRule.objects.select_for_update().filter(unit=unit, key=key).first()
        before = held.value if held else None
        if number is None:
            if held:
                held.delete()
        elif held:
            held.value, held.changed_by, held.changed_at = number, actor, clock.now()
            held.save(update_fields=["value", "changed_by", "changed_at"])
        else:
            UnitRule.objects.create(unit=unit, key=key, value=number, changed_by=actor)
        record(
            action="orgs.rule_set",
            actor=actor,
            obj=unit,
            org_unit=unit,
            before={"rule": key, "value": before},
            after={"rule": key, "value": number},
        )

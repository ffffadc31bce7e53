"""The standard in force for a household and the decisions that freeze its category.

The local minimum living standard of a year is set by the office of a unit for its subtree (``Standard``); the
deepest unit on the household's line with a standard for the year wins. A decision (``Decision``) keeps the
standard, the per-capita income, the category and every line of the calculation as they were on its day: a later
change of standard rewrites no past decision, and a re-check shows the old and the new side by side."""

from django.db import transaction
from django.utils.translation import gettext as _

from assistance import rules
from assistance.category import compute
from assistance.models import Decision, Standard
from audit.services import record
from orgs import rules as org_rules
from orgs.models import Role
from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Refused


def standard_for(unit, year):
    """The ``Standard`` in force for ``unit`` in ``year`` (the deepest on its line), or None."""
    depth = {pk: n for n, pk in enumerate(unit.line_ids)}
    found = Standard.objects.filter(unit_id__in=depth, year=year)
    return max(found, key=lambda s: depth[s.unit_id], default=None)


def may_set_standard(user, unit):
    return user is SYSTEM or (user.is_active and user.has_role(Role.OFFICE) and user.org_unit_id == unit.pk)


def set_standard(*, unit, year, monthly, actor):
    """Set (or change) ``unit``'s standard of ``year``; decisions already made keep the standard they used."""
    if not may_set_standard(actor, unit):
        raise Refused(_("Only the office staff of %(unit)s set its minimum living standard.") % {"unit": unit.name})
    if monthly is None or monthly <= 0:
        raise Refused(_("The minimum living standard must be more than zero."))
    with transaction.atomic():
        held = Standard.objects.select_for_update().filter(unit=unit, year=year).first()
        before = str(held.monthly) if held else None
        if held:
            held.monthly, held.set_by, held.set_at = monthly, person(actor), clock.now()
            held.save(update_fields=["monthly", "set_by", "set_at"])
        else:
            held = Standard.objects.create(unit=unit, year=year, monthly=monthly, set_by=person(actor))
        record(
            action="assistance.standard_set",
            actor=actor,
            obj=held,
            org_unit=unit,
            before={"monthly": before},
            after={"year": year, "monthly": str(monthly)},
        )
    return held


def file_rules(household):
    """The rules a household's file runs under: copied when its first decision was made, else those in force."""
    return household.rules or org_rules.to_copy(household.org_unit, rules.PREFIX)


def preview(household, today=None, *, size=None):
    """The computation for ``household`` today, not saved: ``(Result, Standard)``; refused without a standard."""
    today = today or clock.today()
    standard = standard_for(household.org_unit, today.year)
    if standard is None:
        raise Refused(
            _("No minimum living standard is set for %(year)d for %(unit)s: the office sets it first.")
            % {"year": today.year, "unit": household.org_unit.name}
        )
    result = compute(
        annual_income=household.annual_income,
        rigid_expenses=household.rigid_expenses,
        accident_costs=household.accident_costs,
        size=size or household.members.count(),
        standard=standard.monthly,
        file_rules=file_rules(household),
    )
    return result, standard


def decide(*, household, kind, actor, today=None):
    """Compute and freeze the category of ``household`` as ``kind`` of decision; the household takes it. Call it
    inside the transaction of the step that makes the decision."""
    today = today or clock.today()
    result, _standard = preview(household, today)
    if not household.rules:
        household.rules = org_rules.to_copy(household.org_unit, rules.PREFIX)
    decision = Decision.objects.create(
        household=household,
        kind=kind,
        made_on=today,
        standard=result.standard,
        per_capita=result.per_capita,
        category=result.category,
        lines=result.lines,
        made_by=person(actor),
    )
    household.category = result.category
    household.save(update_fields=["category", "rules"])
    return decision

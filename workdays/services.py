"""Every change to the working-day calendar: a unit's office enters, corrects or removes a day for its unit and
the units below it, marks a year's arrangement as entered, or loads a year from a file. Each change is audited
in its own transaction; the national rows change only with the library (``workdays.national``)."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.services import record
from orgs.models import Role
from qingdan import clock
from qingdan.errors import Refused
from workdays.counting import forget
from workdays.models import CalendarDay, CalendarYear, DayKind, Festival

FIRST_YEAR, LAST_YEAR = 2000, 2099

# Short names the notices and the library use beside the labels.
_SHORT_NAMES = {
    "清明": Festival.QINGMING,
    "端午": Festival.DRAGON_BOAT,
    "中秋": Festival.MID_AUTUMN,
    "国庆": Festival.NATIONAL,
}


def may_edit(user, unit):
    """The office staff of the unit itself enter its calendar, as they set its rules."""
    return bool(user.is_active and user.has_role(Role.OFFICE) and unit is not None and user.org_unit_id == unit.pk)


def _check_may_edit(actor, unit):
    if not may_edit(actor, unit):
        raise PermissionDenied(_("Only the office staff of %(unit)s enter its calendar.") % {"unit": unit.name})


def festival_for(name):
    """The festival ``name`` names (in Chinese or English, full or short), else ""."""
    folded = name.strip().casefold()
    if name.strip() in _SHORT_NAMES:
        return _SHORT_NAMES[name.strip()].value
    for festival in Festival:
        for language in ("zh-hans", "en"):
            with override(language):
                if str(festival.label).casefold() == folded:
                    return festival.value
    return ""


def check_day(day, kind, name):
    """The reason ``(day, kind, name)`` cannot be entered, or None."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return _("The date must lie in a year from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
    if kind not in DayKind.values:
        return _("Choose whether the day is a day off or a make-up working day.")
    if len(name) > CalendarDay.NAME_MAX:
        return _("The name of the day is longer than %(n)d characters.") % {"n": CalendarDay.NAME_MAX}
    return None


def _as_record(row):
    return {"day": row.day.isoformat(), "kind": row.kind, "name": row.festival or row.name} if row else None


def set_day(*, unit, day, kind, name="", actor, request=None):
    """Enter ``day`` as a day off or a make-up working day for ``unit`` and the units below it, replacing what
    the unit had for that day; it overrides the units above and the national calendar on that day."""
    _check_may_edit(actor, unit)
    name = (name or "").strip()
    if reason := check_day(day, kind, name):
        raise Refused(reason)
    festival = festival_for(name)
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(unit=unit, day=day).first()
        before = _as_record(row)
        if row is None:
            row = CalendarDay(unit=unit, day=day)
        row.kind, row.festival, row.name = kind, festival, "" if festival else name
        row.changed_by, row.changed_at = actor, clock.now()
        row.save()
        record(
            action="workdays.day_set",
            actor=actor,
            obj=row,
            org_unit=unit,
            before=before,
            after=_as_record(row),
            request=request,
        )
    forget()
    return row


def remove_day(*, row, actor, request=None):
    """Remove one of the unit's own days: the unit follows the units above it, else the national calendar, on
    that day again."""
    if row.unit_id is None:
        raise Refused(
            _(
                "A day of the national calendar is not removed; enter the same date for your unit with the other "
                "kind, and it holds for your unit and the units below it."
            )
        )
    _check_may_edit(actor, row.unit)
    with transaction.atomic():
        held = CalendarDay.objects.select_for_update().filter(pk=row.pk).first()
        if held is None:
            return  # removed already: the wish is fulfilled
        record(
            action="workdays.day_removed",
            actor=actor,
            obj=held,
            org_unit=row.unit,
            before=_as_record(held),
            after=None,
            request=request,
        )
        held.delete()
    forget()


def mark_year(*, unit, year, entered, actor, request=None):
    """Say that ``unit`` has entered the whole arrangement of ``year`` (its deadlines stop being counted Monday
    to Friday), or, with ``entered=False``, take that back."""
    _check_may_edit(actor, unit)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Refused(
            _("The date must lie in a year from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    own = CalendarDay.objects.filter(unit=unit, day__gte=date(year, 1, 1), day__lte=date(year, 12, 31))
    if entered and not own.exists():
        raise Refused(
            _("No day of %(year)d is entered for %(unit)s yet: enter its days off and make-up working days first.")
            % {"year": year, "unit": unit.name}
        )
    with transaction.atomic():
        held = CalendarYear.objects.select_for_update().filter(unit=unit, year=year).first()
        if entered == (held is not None):
            return
        if entered:
            CalendarYear.objects.create(unit=unit, year=year, entered_by=actor)
        else:
            held.delete()
        record(
            action="workdays.year_entered" if entered else "workdays.year_reopened",
            actor=actor,
            object_type="workdays.calendaryear",
            object_id=str(year),
            org_unit=unit,
            after={"year": year, "entered": entered},
            request=request,
        )
    forget()


def load_year(*, unit, year, days, actor, request=None):
    """Make ``unit``'s own days of ``year`` exactly ``days`` (``[(date, kind, name)]``, checked) and mark the year
    entered, in one transaction: what a file of the State Council's arrangement holds. Returns
    ``(added, changed, removed)``."""
    _check_may_edit(actor, unit)
    wanted = {}
    for day, kind, name in days:
        reason = check_day(day, kind, name)
        if reason is None and day.year != year:
            reason = _("Every date must lie in %(year)d.") % {"year": year}
        if reason:
            raise Refused(reason)
        festival = festival_for(name)
        wanted[day] = (kind, festival, "" if festival else name)
    added = changed = 0
    with transaction.atomic():
        held = {
            row.day: row
            for row in CalendarDay.objects.select_for_update().filter(
                unit=unit, day__gte=date(year, 1, 1), day__lte=date(year, 12, 31)
            )
        }
        removed = [row.pk for day, row in held.items() if day not in wanted]
        CalendarDay.objects.filter(pk__in=removed).delete()
        for day, (kind, festival, name) in sorted(wanted.items()):
            row = held.get(day)
            if row is not None and (row.kind, row.festival, row.name) == (kind, festival, name):
                continue
            if row is None:
                row, added = CalendarDay(unit=unit, day=day), added + 1
            else:
                changed += 1
            row.kind, row.festival, row.name = kind, festival, name
            row.changed_by, row.changed_at = actor, clock.now()
            row.save()
        CalendarYear.objects.get_or_create(unit=unit, year=year, defaults={"entered_by": actor})
        record(
            action="workdays.year_loaded",
            actor=actor,
            object_type="workdays.calendaryear",
            object_id=str(year),
            org_unit=unit,
            after={"year": year, "days": len(wanted), "added": added, "changed": changed, "removed": len(removed)},
            request=request,
        )
    forget()
    return added, changed, len(removed)

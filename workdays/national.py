"""The national calendar that comes with the software: copied from the ``chinesecalendar`` library pinned in
requirements.lock, which transcribes each State Council notice (国务院办公厅关于……部分节假日安排的通知).

Why copied by ``post_migrate`` rather than by a data migration: the national rows must be what the pinned
library says on every database, also after a test database is flushed, and the next version of the library
(with the coming year) must arrive by upgrading the pin and migrating, without a new migration for each year.
The copy is exact for the years the library knows and leaves every unit's own rows alone; it writes only
what differs, so running it again changes nothing. A year the library does not know yet is entered by a
federation on the page 工作日历 (or ``manage.py load_workdays``) until the library catches up.
"""

import chinese_calendar.constants as library

from workdays.models import DayKind


def from_library():
    """``{date: (kind, festival)}`` of every day the library knows, festival as the library's name of it."""
    days = {}
    for source, kind in ((library.holidays, DayKind.HOLIDAY), (library.workdays, DayKind.WORKDAY)):
        for day, english in source.items():
            days[day] = (kind.value, library.Holiday(english).name)
    return days


def sync(*, day_model, year_model, using="default"):
    """Make the national rows of ``day_model`` / ``year_model`` match the library. Returns
    ``(added, changed, removed, years)``."""
    wanted = from_library()
    years = sorted({day.year for day in wanted})
    national = day_model.objects.using(using).filter(unit__isnull=True)
    held = {row.day: row for row in national.filter(day__year__in=years)}
    added = [
        day_model(unit=None, day=day, kind=kind, festival=festival)
        for day, (kind, festival) in sorted(wanted.items())
        if day not in held
    ]
    changed = []
    for day, row in held.items():
        if day in wanted and (row.kind, row.festival) != wanted[day]:
            row.kind, row.festival = wanted[day]
            changed.append(row)
    removed = [row.pk for day, row in held.items() if day not in wanted]
    if removed:
        day_model.objects.using(using).filter(pk__in=removed).delete()
    if changed:
        day_model.objects.using(using).bulk_update(changed, ["kind", "festival"])
    if added:
        day_model.objects.using(using).bulk_create(added)
    entered = set(year_model.objects.using(using).filter(unit__isnull=True).values_list("year", flat=True))
    year_model.objects.using(using).bulk_create([year_model(unit=None, year=y) for y in years if y not in entered])
    return len(added), len(changed), len(removed), years


def sync_after_migrate(sender, *, apps=None, using="default", **kwargs):
    if apps is None:  # a flush (of a test database, say) sends no migration state
        from django.apps import apps
    try:
        day_model, year_model = apps.get_model("workdays", "CalendarDay"), apps.get_model("workdays", "CalendarYear")
    except LookupError:  # migrated to a point before the calendar existed
        return
    sync(day_model=day_model, year_model=year_model, using=using)

from datetime import date

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from orgs.models import OrgUnit, Role
from orgs.queries import get_visible_or_404, visible_to, within
from qingdan import clock
from qingdan.errors import Refused
from qingdan.permissions import role_required
from workdays import services
from workdays.counting import Calendar, warning_for
from workdays.forms import DayForm
from workdays.models import CalendarDay, DayKind, Festival
from workdays.services import FIRST_YEAR, LAST_YEAR

READERS = (Role.OFFICE, Role.LEADER)
WEEKDAYS = [
    pgettext_lazy("weekday", "Mon"),
    pgettext_lazy("weekday", "Tue"),
    pgettext_lazy("weekday", "Wed"),
    pgettext_lazy("weekday", "Thu"),
    pgettext_lazy("weekday", "Fri"),
    pgettext_lazy("weekday", "Sat"),
    pgettext_lazy("weekday", "Sun"),
]


def _year(value, default):
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if FIRST_YEAR <= year <= LAST_YEAR else default


def _page_url(year, unit=None):
    url = f"{reverse('workdays:calendar')}?year={year}"
    return url + (f"&unit={unit.pk}" if unit is not None else "")


@role_required(*READERS)
def calendar_page(request):
    """工作日历: the days off and make-up working days of a year as in force for the user's unit (or a unit below
    it), where each comes from, and for the unit's own office a form to enter or correct a day."""
    own = request.user.org_unit
    unit = own
    if request.GET.get("unit"):
        unit = get_visible_or_404(request.user, OrgUnit.objects.all(), unit_field="", pk=request.GET["unit"])
    today = clock.today()
    year = _year(request.GET.get("year"), today.year)
    editable = unit.pk == own.pk and services.may_edit(request.user, own)
    form = DayForm(request.POST if request.method == "POST" else None, initial={"kind": DayKind.HOLIDAY})
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["day"]
        try:
            services.set_day(
                unit=own,
                day=day,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                actor=request.user,
                request=request,
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The day was saved; deadlines counted from now on follow it."))
            return redirect(_page_url(day.year))
    calendar = Calendar(unit)
    rows = calendar.year_rows(year)
    national, marked_by = calendar.entered_by(year)
    units = OrgUnit.objects.in_bulk({row.unit_id for row in rows if row.unit_id} | set(marked_by))
    months = {}
    for row in rows:
        months.setdefault(row.day.month, []).append(
            {
                "row": row,
                "source": units.get(row.unit_id),
                "own": editable and row.unit_id == unit.pk,
                "weekend": row.day.weekday() >= 5,
                "weekday": WEEKDAYS[row.day.weekday()],
            }
        )
    next_year = today.year + 1
    below = (
        visible_to(request.user, CalendarDay.objects.exclude(unit=unit), unit_field="unit")
        .filter(day__year=year)
        .values("unit_id", "unit__name")
        .annotate(n=Count("id"))
        .order_by("unit__path")
    )
    return render(
        request,
        "workdays/calendar.html",
        {
            "unit": unit,
            "own": unit.pk == own.pk,
            "year": year,
            "years": [y for y in (year - 1, year + 1) if FIRST_YEAR <= y <= LAST_YEAR],
            "months": [
                (formats.date_format(date(year, month, 1), "YEAR_MONTH_FORMAT"), days)
                for month, days in sorted(months.items())
            ],
            "national": national,
            "marked_by": [units[pk] for pk in marked_by if pk in units],
            "own_marked": unit.pk in marked_by,
            "own_rows": any(row.unit_id == unit.pk for row in rows),
            "own_count": sum(1 for row in rows if row.unit_id == unit.pk),
            "warning": warning_for([] if national or marked_by else [year]),
            "next_year": next_year,
            "next_year_missing": today >= date(today.year, 12, 1) and not calendar.covers(next_year),
            "days_off": sum(1 for r in rows if r.kind == DayKind.HOLIDAY and r.day.weekday() < 5),
            "makeup": sum(1 for r in rows if r.kind == DayKind.WORKDAY),
            "working_days": calendar.between(date(year - 1, 12, 31), date(year, 12, 31)),
            "below": below,
            "form": form if editable else None,
            "editable": editable,
            "festivals": Festival.labels,
        },
    )


@role_required(*READERS)
@require_POST
def remove_day(request, pk):
    """Remove one of the unit's own days; a day of a unit outside the user's line and subtree is a 404."""
    unit = request.user.org_unit
    queryset = CalendarDay.objects.select_related("unit").filter(
        Q(unit__isnull=True) | Q(unit_id__in=unit.line_ids) | within(unit, "unit")
    )
    row = get_object_or_404(queryset, pk=pk)
    try:
        services.remove_day(row=row, actor=request.user, request=request)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The day was removed; on that date the unit follows the calendar above it again."))
    return redirect(_page_url(row.day.year))


@role_required(*READERS)
@require_POST
def mark_year(request):
    year = _year(request.POST.get("year"), None)
    if year is None:
        messages.error(
            request, _("Choose a year from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
        return redirect("workdays:calendar")
    entered = request.POST.get("entered") == "1"
    try:
        services.mark_year(unit=request.user.org_unit, year=year, entered=entered, actor=request.user, request=request)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        if entered:
            done = _("%(year)d is marked as entered: its deadlines follow the calendar.")
        else:
            done = _("%(year)d is no longer marked as entered.")
        messages.success(request, done % {"year": year})
    return redirect(_page_url(year))

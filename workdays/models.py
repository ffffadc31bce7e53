"""China's working-day calendar: the days that differ from a plain week (Monday to Friday at work).

A national row (``unit`` empty) comes with the software, copied from the pinned ``chinesecalendar`` library
(``workdays.national``); a unit's row is entered by its office and holds for the unit and the units below it,
the deepest unit on a unit's line winning for that day (``workdays.counting``). A year counts as entered for a
unit when the national calendar or a unit on its line has marked it (``CalendarYear``); a year no one entered is
counted Monday to Friday, and the pages say so.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingdan import clock


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Day off")
    WORKDAY = "workday", _("Make-up working day")


class Festival(models.TextChoices):
    """The statutory holidays by the names the State Council's notices use (the codes are the library's)."""

    NEW_YEAR = "new_years_day", _("New Year's Day")
    SPRING = "spring_festival", _("Spring Festival")
    QINGMING = "tomb_sweeping_day", _("Qingming Festival")
    LABOUR = "labour_day", _("Labour Day")
    DRAGON_BOAT = "dragon_boat_festival", _("Dragon Boat Festival")
    MID_AUTUMN = "mid_autumn_festival", _("Mid-Autumn Festival")
    NATIONAL = "national_day", _("National Day")
    VICTORY_70 = "anti_fascist_70th_day", _("70th anniversary of the victory over fascism")


class CalendarDay(models.Model):
    """One day that is not what its weekday says: a weekday off, or a weekend day at work (调休). Weekend days
    inside a holiday are kept too, so that the page shows the whole holiday."""

    NAME_MAX = 30

    unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty for the national calendar that comes with the software."),
    )
    day = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    festival = models.CharField(_("festival"), max_length=24, choices=Festival.choices, blank=True)
    name = models.CharField(_("name"), max_length=NAME_MAX, blank=True)  # when it is none of the festivals
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="workdays_day_once_per_unit"),
            models.UniqueConstraint(fields=["day"], condition=Q(unit__isnull=True), name="workdays_day_once_national"),
        ]
        indexes = [models.Index(fields=["day"], name="workdays_day_day")]

    def __str__(self):
        return f"{self.day} {self.kind} {self.label}"

    @property
    def label(self):
        """The festival's name in the reader's language, else the name typed."""
        return self.get_festival_display() if self.festival else self.name


class CalendarYear(models.Model):
    """The holiday arrangement of ``year`` is entered: by the software (``unit`` empty) or by a unit's office for
    its subtree. A year without one is counted Monday to Friday, with a warning."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("entered year")
        verbose_name_plural = _("entered years")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="workdays_year_once_per_unit"),
            models.UniqueConstraint(
                fields=["year"], condition=Q(unit__isnull=True), name="workdays_year_once_national"
            ),
        ]

    def __str__(self):
        return str(self.year)

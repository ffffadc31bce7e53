from django.db import models
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgUnit
from qingdan import clock


class IssuedNumber(models.Model):
    """The register of document numbers (发文登记): one row for each number given, for every notice, letter,
    bulletin and certificate of every area. ``kind`` is the area's name for its document, e.g.
    ``checklists.urging`` or ``scoring.bulletin``; each kind of each issuing unit counts from 1 every year."""

    issuing_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("document number"), max_length=80)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("document number")
        verbose_name_plural = _("document numbers")
        constraints = [
            models.UniqueConstraint(fields=["issuing_unit", "kind", "year", "sequence"], name="documents_number_seq")
        ]

    def __str__(self):
        return self.number

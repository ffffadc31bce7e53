from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgUnit
from qingdan import clock


class Evidence(models.Model):
    """A file in a unit's evidence library (佐证材料), kept once by its SHA-256 and attached to anything by any
    area: a list item, an evaluation, a score, a recorded event. The table keeps the name it had when the
    library lived in the close-out area."""

    owner_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        db_table = "checklists_evidence"
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-uploaded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["owner_unit", "sha256"], name="checklists_evidence_once")]

    def __str__(self):
        return self.name

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qingdan import clock


class DigestSent(models.Model):
    """One weekly digest given to one person: the key that makes ``send_digest`` safe to run twice, or twice at
    once (the second insert of the same user and week fails on the constraint and sends nothing)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField(_("week from"))
    sent_at = models.DateTimeField(default=clock.now)
    mailed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("weekly digest sent")
        verbose_name_plural = _("weekly digests sent")
        constraints = [models.UniqueConstraint(fields=["user", "week_start"], name="overview_digest_once")]

    def __str__(self):
        return f"{self.user_id} {self.week_start}"

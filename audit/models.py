from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qingdan import clock


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit row."""


class Result(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")
    ALERT = "alert", _("Alert")


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")


class SealQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit seals cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit seals cannot be deleted")


class AuditEvent(models.Model):
    """One row per event. Rows are only ever inserted: the ORM refuses updates and
    deletes, and database triggers (see the migration) refuse them as well. Each row
    gets a seal (``AuditSeal``) right after its transaction commits, so a row removed or
    changed behind the platform's back is found by ``verify_audit``."""

    created_at = models.DateTimeField(_("time"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    # The name as it was at the time, and the name typed at a failed log-in with no such user.
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("org unit"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    # The unit's place in the tree when the event happened: auditors are scoped by it, so a unit
    # that later moves keeps its history where it was.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, default=Result.SUCCESS)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    message = models.CharField(_("note"), max_length=500, blank=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditSeal(models.Model):
    """The audit trail's hash chain, one seal per event (``audit.chain``): the SHA-256 of the event's content, and
    the hash of this seal over it and the seal before it. Seals are written after the event's transaction has
    committed, in a short transaction of their own (``chain.seal_pending``), so the business transaction never
    waits for the chain. Insert-only like the events, guarded the same ways.

    ``event_id`` is a plain number, not a foreign key: an event deleted behind the platform's back leaves its seal
    behind, naming it."""

    seq = models.PositiveBigIntegerField(primary_key=True)
    event_id = models.BigIntegerField(unique=True)
    event_hash = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=clock.now)

    objects = SealQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]

    def __str__(self):
        return f"{self.seq} {self.event_id} {self.hash[:12]}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit seals cannot be changed")
        kwargs["force_insert"] = True  # the key is given, not generated: never look for a row to update
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit seals cannot be deleted")


class DenialTally(models.Model):
    """The refusals one user (or, signed out, one address) met in one minute. The trail writes the first
    ``QINGDAN_AUDIT_DENIED_PER_MINUTE`` of them one by one and one summary row for the rest, so a flood cannot
    fill it; the requests for objects outside the user's organisation count towards the auditors' alert.
    Working counts, not the record: rows are removed once their minutes are summarised and past the alert
    window."""

    key = models.CharField(max_length=80)
    minute = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    client_ip = models.GenericIPAddressField(null=True)
    refused = models.PositiveIntegerField(default=0)
    out_of_scope = models.PositiveIntegerField(default=0)
    summarised = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "minute"], name="audit_denial_tally_once")]
        indexes = [models.Index(fields=["minute"], name="audit_denial_tally_minute")]

    def __str__(self):
        return f"{self.key} {self.minute:%Y-%m-%d %H:%M} {self.refused}"

"""Joint meetings (联席会议) between an enterprise union and the employer, and worker demands (职工诉求).

A demand is registered under a unit (``org_unit``: the town union or federation that accepted it, which scopes
who reads it), sent to a handling unit (``handling_unit``: a department, the town, a park or community council),
which replies by a deadline counted in working days (``reply_due``, from the rules copied onto the demand when it
was accepted). The worker follows it with a receipt code (回执码), of which only a keyed hash is kept; the rating of
the reply comes through that code alone. States move in ``cases.demand_flow`` and nowhere else."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models.registry import Enterprise
from evidence.models import Evidence
from orgs.models import OrgUnit, User
from qingdan import clock

TEXT_MAX = 5000  # qingdan.text.LONG_TEXT
NAME_MAX = 50
PHONE_MAX = 20
GROUP_MAX = 100_000


class JointMeeting(models.Model):
    """A meeting of an enterprise's union and its management: the worker side raises demands, the meeting
    decides; a decision can become a responsibility-list item (``MeetingDecision.item_id``)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="meetings"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("registered under"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("subject"), max_length=200)
    participants = models.TextField(_("participants"), max_length=TEXT_MAX)
    minutes = models.TextField(_("minutes"), max_length=TEXT_MAX, blank=True)
    attachments = models.ManyToManyField(Evidence, blank=True, related_name="joint_meetings")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["org_unit", "held_on"], name="cases_meeting_unit_day")]

    def __str__(self):
        return f"{self.enterprise} · {self.held_on}"


class MeetingDecision(models.Model):
    """One decision of a joint meeting; ``item_id`` is the responsibility-list item it became, if any (the
    close-out area's record, named by id so this area reads it without owning it)."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="decisions")
    content = models.TextField(_("decision"), max_length=TEXT_MAX)
    item_id = models.PositiveIntegerField(_("list item"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["id"]

    def __str__(self):
        return self.content[:40]


class DemandSource(models.TextChoices):
    MEETING = "meeting", _("Joint meeting")
    HOTLINE = "hotline", _("12351 hotline")
    WALK_IN = "walk_in", _("Walk-in")
    GRID = "grid", _("Grid report")
    PHONE = "phone", _("Worker's phone (QR code)")


class DemandCategory(models.TextChoices):
    WAGES = "wages", _("Wages")
    HOURS = "hours", _("Working hours")
    SAFETY = "safety", _("Safety")
    CONTRACTS = "contracts", _("Labour contracts")
    INSURANCE = "insurance", _("Social insurance")
    WELFARE = "welfare", _("Welfare")
    MANAGEMENT = "management", _("Management")
    OTHER = "other", _("Other")


class DemandStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting acceptance")  # sent by a worker's phone, not yet accepted
    ASSIGNED = "assigned", _("Being handled")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    DECLINED = "declined", _("Not accepted")


class DemandResult(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    PARTLY = "partly", _("Partly resolved")
    UNRESOLVED = "unresolved", _("Unresolved")
    BEYOND = "beyond", _("Beyond the enterprise: escalated")


class Rating(models.TextChoices):
    """The 4-level scale of every satisfaction question (DOMAIN.md)."""

    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY = "fairly", _("Fairly satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Demand(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="demands"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("registered under"), on_delete=models.PROTECT, related_name="registered_demands"
    )
    handling_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        related_name="handled_demands",
        null=True,
        blank=True,
    )
    meeting = models.ForeignKey(
        JointMeeting, verbose_name=_("joint meeting"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="demands",
    )  # fmt: skip
    source = models.CharField(_("source"), max_length=12, choices=DemandSource.choices)
    category = models.CharField(_("category"), max_length=12, choices=DemandCategory.choices)
    # The worker, or the group's representative; masked wherever the role does not need them.
    worker_name = models.CharField(_("worker"), max_length=NAME_MAX)
    worker_phone = models.CharField(_("phone"), max_length=PHONE_MAX, blank=True)
    group_size = models.PositiveIntegerField(_("workers in the group"), default=1)
    content = models.TextField(_("what the worker asks"), max_length=TEXT_MAX)
    status = models.CharField(_("status"), max_length=12, choices=DemandStatus.choices)
    received_on = models.DateField(_("received on"))
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    # The rules in force for the registering unit when the demand was accepted (reply working days, reopen days).
    rules = models.JSONField(default=dict, blank=True)
    reply = models.TextField(_("reply"), max_length=TEXT_MAX, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=DemandResult.choices, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_on_time = models.BooleanField(null=True, blank=True)
    escalated_from = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # the handling unit before a "beyond the enterprise" result sent it up
    called_back_at = models.DateTimeField(_("called back"), null=True, blank=True)
    callback_note = models.TextField(_("call-back note"), max_length=TEXT_MAX, blank=True)
    rating = models.CharField(_("worker's rating"), max_length=16, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    urged = models.PositiveSmallIntegerField(_("times urged"), default=0)
    last_urged_at = models.DateTimeField(null=True, blank=True)
    # HMAC of the worker's receipt code (cases.receipts): the code itself is shown once and never stored.
    receipt_hash = models.CharField(max_length=64, unique=True)
    import_key = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(group_size__gte=1, group_size__lte=GROUP_MAX), name="cases_demand_group"
            ),
            models.UniqueConstraint(
                fields=["org_unit", "import_key"], condition=~Q(import_key=""), name="cases_demand_import_once"
            ),
        ]
        indexes = [
            models.Index(fields=["org_unit", "received_on"], name="cases_demand_unit_day"),
            models.Index(fields=["handling_unit", "status"], name="cases_demand_handler"),
            models.Index(fields=["status", "reply_due"], name="cases_demand_due"),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.get_category_display()}"


class DemandEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted by the worker")
    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", _("Accepted and assigned")
    DECLINED = "declined", _("Not accepted")
    REPLIED = "replied", _("Replied")
    ESCALATED = "escalated", _("Escalated")
    URGED = "urged", _("Urged")
    CALLED_BACK = "called_back", _("Called back")
    RATED = "rated", _("Rated by the worker")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened by the worker")


class DemandEvent(models.Model):
    """A demand's timeline: one row per event, never changed. The worker's own steps have no actor."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=DemandEventKind.choices)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=clock.now)
    note = models.TextField(blank=True, max_length=TEXT_MAX)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["demand", "kind", "at"], name="cases_demand_event")]

    def __str__(self):
        return f"{self.demand_id} {self.kind}"


class DemandNote(models.Model):
    """A private note of the staff beside the official reply: never shown to the worker."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"), max_length=TEXT_MAX)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return self.text[:40]

"""Labour disputes (劳动争议): the workers and the enterprise (and, on a construction project, the firm of the
contractor chain that owes them), the amounts, the warning colour (三色预警) with the reason it was given, the
three parties (三方: union, 人社, 政法) with their actions, three-level mediation (三级调解: enterprise → village or
community → town), the outcome and the follow-up question to the worker thirty days after an agreement.

States and colours move in ``cases.dispute_flow`` and nowhere else."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cases.models.demands import NAME_MAX, PHONE_MAX, TEXT_MAX
from cases.models.registry import Enterprise, Project, Subcontract
from evidence.models import Evidence
from orgs.models import OrgUnit, User
from qingdan import clock

AMOUNT_DIGITS = 14  # up to ¥999,999,999,999.99
WORKERS_MAX = 1_000_000


class DisputeKind(models.TextChoices):
    WAGES = "wages", _("Wage arrears")
    CONTRACT = "contract", _("Labour contract")
    INJURY = "injury", _("Work injury")
    INSURANCE = "insurance", _("Social insurance")
    OTHER = "other", _("Other")


class DisputeSource(models.TextChoices):
    GRID = "grid", _("Grid report")
    WALK_IN = "walk_in", _("Walk-in")
    HOTLINE = "hotline", _("12351 hotline")
    DEMAND = "demand", _("From a demand")
    REFERRAL = "referral", _("Referred by another body")


class Colour(models.TextChoices):
    """The wage-arrears warning colour, from the least to the most urgent (the order ``LEVELS`` gives)."""

    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


COLOURS = [Colour.YELLOW, Colour.ORANGE, Colour.RED]


class Level(models.TextChoices):
    """The three mediation levels, taken one at a time from the bottom."""

    ENTERPRISE = "enterprise", _("Enterprise")
    VILLAGE = "village", _("Village / community")
    TOWN = "town", _("Town / street")


LEVELS = [Level.ENTERPRISE, Level.VILLAGE, Level.TOWN]


class DisputeStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    MEDIATING = "mediating", _("In mediation")
    AGREED = "agreed", _("Agreement reached")  # waiting for the payment and the worker's follow-up answer
    CLOSED = "closed", _("Closed")
    REFERRED = "referred", _("Referred to arbitration or court")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Outcome(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement")
    ARBITRATION = "arbitration", _("Referred to arbitration")
    COURT = "court", _("Referred to court")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Dispute(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("registered under"), on_delete=models.PROTECT, related_name="registered_disputes"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="disputes"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("construction project"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="disputes",
    )  # fmt: skip
    # The firm of the project's chain that owes the workers (None: the general contractor itself).
    subcontract = models.ForeignKey(
        Subcontract, verbose_name=_("subcontractor"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="disputes",
    )  # fmt: skip
    demand = models.ForeignKey("cases.Demand", on_delete=models.PROTECT, null=True, blank=True, related_name="disputes")
    kind = models.CharField(_("type"), max_length=12, choices=DisputeKind.choices)
    source = models.CharField(_("source"), max_length=12, choices=DisputeSource.choices)
    grid = models.CharField(_("grid"), max_length=NAME_MAX, blank=True)
    summary = models.TextField(_("facts"), max_length=TEXT_MAX)
    worker_name = models.CharField(_("workers' representative"), max_length=NAME_MAX)
    worker_phone = models.CharField(_("phone"), max_length=PHONE_MAX, blank=True)
    workers = models.PositiveIntegerField(_("workers involved"), default=1)
    months_in_arrears = models.DecimalField(_("months in arrears"), max_digits=4, decimal_places=1, default=0)
    amount_claimed = models.DecimalField(_("amount claimed"), max_digits=AMOUNT_DIGITS, decimal_places=2, default=0)
    amount_agreed = models.DecimalField(
        _("amount agreed"), max_digits=AMOUNT_DIGITS, decimal_places=2, null=True, blank=True
    )
    amount_paid = models.DecimalField(
        _("amount paid"), max_digits=AMOUNT_DIGITS, decimal_places=2, null=True, blank=True
    )
    colour = models.CharField(_("warning colour"), max_length=8, choices=Colour.choices)
    colour_reason = models.CharField(_("why this colour"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=DisputeStatus.choices)
    level = models.CharField(_("mediation level"), max_length=12, choices=Level.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    judicial_confirmation = models.BooleanField(_("judicial confirmation requested"), default=False)
    outcome_note = models.TextField(_("outcome note"), max_length=TEXT_MAX, blank=True)
    received_on = models.DateField(_("received on"))
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # The rules in force for the registering unit when the dispute was registered (colour lines, deadlines).
    rules = models.JSONField(default=dict, blank=True)
    attachments = models.ManyToManyField(Evidence, blank=True, related_name="disputes")
    reported_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    import_key = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("labour dispute")
        verbose_name_plural = _("labour disputes")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(workers__gte=1, workers__lte=WORKERS_MAX, months_in_arrears__gte=0, amount_claimed__gte=0),
                name="cases_dispute_facts_positive",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__isnull=True)
                | (Q(amount_agreed__isnull=False) & Q(amount_paid__gte=0) & Q(amount_paid__lte=F("amount_agreed"))),
                name="cases_dispute_paid_within_agreed",
            ),
            models.CheckConstraint(
                condition=Q(amount_agreed__isnull=True) | Q(amount_agreed__gte=0), name="cases_dispute_agreed_positive"
            ),
            models.UniqueConstraint(
                fields=["org_unit", "import_key"], condition=~Q(import_key=""), name="cases_dispute_import_once"
            ),
        ]
        indexes = [
            models.Index(fields=["org_unit", "received_on"], name="cases_dispute_unit_day"),
            models.Index(fields=["status", "colour"], name="cases_dispute_status_colour"),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.get_kind_display()}"


class DisputeEventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    CHANGED = "changed", _("Facts changed")
    COLOUR = "colour", _("Warning colour changed")
    MEDIATION_STARTED = "mediation", _("Mediation accepted")
    SESSION = "session", _("Mediation session")
    LEVEL_FAILED = "level_failed", _("Mediation failed at this level")
    ESCALATED = "escalated", _("Escalated on a missed deadline")
    OUTCOME = "outcome", _("Outcome recorded")
    PAID = "paid", _("Payment recorded")
    FOLLOW_UP = "follow_up", _("Follow-up answered")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    PARTY = "party", _("Party action")


class DisputeEvent(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=DisputeEventKind.choices)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=clock.now)
    note = models.TextField(blank=True, max_length=TEXT_MAX)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dispute", "kind", "at"], name="cases_dispute_event")]

    def __str__(self):
        return f"{self.dispute_id} {self.kind}"


class Side(models.TextChoices):
    UNION = "union", _("Trade union")
    HRSS = "hrss", _("Human resources and social security")
    LEGAL = "legal", _("Political and legal affairs")


class Party(models.Model):
    """One of the three parties on a dispute, with its contact."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("party"), max_length=8, choices=Side.choices)
    body = models.CharField(_("body"), max_length=100)
    contact_name = models.CharField(_("contact person"), max_length=NAME_MAX)
    contact_phone = models.CharField(_("contact phone"), max_length=PHONE_MAX, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["dispute", "side"], name="cases_party_side_once")]

    def __str__(self):
        return f"{self.get_side_display()} · {self.body}"


class PartyAction(models.Model):
    """An action a party takes on, with its own deadline; done when ``done_on`` is set."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(_("action"), max_length=300)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.action


class MediationOutcome(models.TextChoices):
    AGREED = "agreed", _("Agreement")
    FAILED = "failed", _("Failed: passed up")
    TIMED_OUT = "timed_out", _("Deadline missed: passed up")
    ENDED = "ended", _("Ended without agreement")  # the top level failed: arbitration, court or withdrawal follows


class Mediation(models.Model):
    """One level of a dispute's mediation. One level is open at a time (``ended_on`` empty)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="mediations")
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    mediator = models.CharField(_("mediator"), max_length=NAME_MAX)
    accepted_on = models.DateField(_("accepted on"))
    due_on = models.DateField(_("due on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=MediationOutcome.choices, blank=True)

    class Meta:
        ordering = ["accepted_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "level"], name="cases_mediation_level_once"),
            models.UniqueConstraint(
                fields=["dispute"], condition=Q(ended_on__isnull=True), name="cases_mediation_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.dispute_id} {self.get_level_display()}"


class MediationSession(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("held on"))
    note = models.TextField(_("record"), max_length=TEXT_MAX)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.mediation_id} {self.held_on}"


class FollowUp(models.Model):
    """The one-question poll "是否已足额拿到款项？" to the worker thirty days after an agreement: a one-time link
    (only its keyed hash is kept); a "no" reopens the dispute."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("due on"))
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)  # made when issued
    issued_at = models.DateTimeField(null=True, blank=True)  # the link was made and handed to the worker
    answered_at = models.DateTimeField(null=True, blank=True)
    paid_in_full = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute"], condition=Q(answered_at__isnull=True), name="cases_follow_up_one_open"
            )
        ]

    def __str__(self):
        return f"{self.dispute_id} {self.due_on}"

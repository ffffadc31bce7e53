from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgUnit
from qingdan import clock


class Category(models.Model):
    """A reform content (改革内容) or other heading the office files its lists under."""

    owner_unit = models.ForeignKey(OrgUnit, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["owner_unit", "name"], name="checklists_category_unique")]

    def __str__(self):
        return self.name


class Checklist(models.Model):
    """A responsibility list (清单) issued by an office to one responsible unit."""

    issuing_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("issuing office"), on_delete=models.PROTECT, related_name="issued_checklists"
    )
    responsible_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="checklists"
    )
    co_units = models.ManyToManyField(OrgUnit, verbose_name=_("co-units"), blank=True, related_name="co_checklists")
    title = models.CharField(_("title"), max_length=200)
    doc_number = models.CharField(_("document number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), default=clock.today)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="checklists"
    )
    # The list key of a bulk upload: the same file uploaded twice finds its lists again.
    import_key = models.CharField(max_length=60, blank=True)
    # The close-out rules in force for the issuing office when the list was issued (``checklists.rules``): a
    # later change of the federation's rules leaves the work already under way as it was issued.
    rules = models.JSONField(default=dict, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("responsibility list")
        verbose_name_plural = _("responsibility lists")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_unit", "import_key"], condition=~Q(import_key=""), name="checklists_list_import_key"
            ),
        ]
        indexes = [
            # The lists a unit received or an office issued in a period (the load warning, a period's metrics).
            models.Index(fields=["responsible_unit", "issued_on"], name="checklists_list_unit_issued"),
            models.Index(fields=["issuing_unit", "issued_on"], name="checklists_list_office_issued"),
        ]

    def __str__(self):
        return self.title


class ItemStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    APPLIED = "applied", _("Applied")
    RECTIFYING = "rectifying", _("Rectifying")
    DEEP_REVIEW = "deep_review", _("Deep review")
    CLOSED = "closed", _("Closed out")


OPEN_STATUSES = frozenset({ItemStatus.ISSUED, ItemStatus.APPLIED, ItemStatus.RECTIFYING, ItemStatus.DEEP_REVIEW})


class Item(models.Model):
    """One item (事项) of a list, driven to a verified close-out (销号)."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    # Copied from the list: every read path scopes and groups items by it.
    responsible_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="items"
    )
    position = models.PositiveSmallIntegerField(default=0)
    content = models.TextField(_("content"))
    standard = models.TextField(_("requirement / completion standard"), blank=True)
    deadline = models.DateField(_("deadline"))
    original_deadline = models.DateField(_("original deadline"))
    deep_review_required = models.BooleanField(_("deep verification required"), default=False)
    person_in_charge = models.CharField(_("person responsible"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.ISSUED)
    applications = models.PositiveSmallIntegerField(_("applications"), default=0)
    rectifications = models.PositiveSmallIntegerField(_("rectifications"), default=0)
    urgings = models.PositiveSmallIntegerField(_("urgings"), default=0)
    last_urged_on = models.DateField(null=True, blank=True)
    # Urgings about the current deadline (a rectification's new deadline starts again at 0): what the
    # supervision colour reads; ``urgings`` keeps the whole count for the figures.
    deadline_urgings = models.PositiveSmallIntegerField(default=0)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("third-party evaluator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations_assigned",
    )
    satisfaction_poll = models.ForeignKey(
        "surveys.Poll", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An item of a problem list (问题清单) tracks one survey finding; the survey shows its progress.
    finding = models.ForeignKey(
        "surveys.Finding", null=True, blank=True, on_delete=models.PROTECT, related_name="tracked_items"
    )
    satisfaction = models.FloatField(_("satisfaction rate"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Files of the unit's evidence library (佐证材料); the table keeps the name it had before the library
    # became an app of its own.
    evidence = models.ManyToManyField(
        "evidence.Evidence", blank=True, related_name="items", db_table="checklists_evidence_items"
    )
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["responsible_unit", "status"], name="checklists_item_unit_status"),
            models.Index(fields=["status", "deadline"], name="checklists_item_due"),
            # The open items (a tenth of a province's) by unit: the open item list of an office's subtree reads
            # these alone instead of every item the subtree ever had (queries.visible_items), from the index
            # alone on PostgreSQL (the id is kept in it).
            models.Index(
                fields=["responsible_unit"],
                include=["id"],
                condition=~Q(status=ItemStatus.CLOSED),
                name="checklists_item_open_unit",
            ),
        ]

    def __str__(self):
        return self.content[:40]

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def first_pass(self):
        """Closed at the first application, with no rectification."""
        return self.status == ItemStatus.CLOSED and self.rectifications == 0


class EventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    APPLIED = "applied", _("Applied for close-out")
    PASSED = "passed", _("Verification passed")
    FAILED = "failed", _("Verification failed: rectification")
    DEEP_REVIEW = "deep_review", _("Sent to deep review")
    EVALUATED = "evaluated", _("Deep review recorded")
    CLOSED = "closed", _("Closed out")
    URGED = "urged", _("Urged")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    EXTENSION_REFUSED = "extension_refused", _("Extension refused")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")


class ItemEvent(models.Model):
    """The item's timeline: one row per event, never changed."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=clock.now)
    opinion = models.TextField(_("opinion"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    document = models.ForeignKey("Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # An item's events of one kind in a period (its timeline, the urgings a period counts).
            models.Index(fields=["item", "kind", "at"], name="checklists_event_item_kind_at"),
            # Whether a person ever applied (permissions.verifiable).
            models.Index(fields=["actor", "kind"], name="checklists_event_actor_kind"),
        ]

    def __str__(self):
        return f"{self.item_id} {self.kind}"


class DocumentKind(models.TextChoices):
    URGING = "urging", _("Urging notice")
    RECTIFICATION = "rectification", _("Rectification opinion letter")
    CONFIRMATION = "confirmation", _("Close-out confirmation")


class Document(models.Model):
    """An official document issued about an item, numbered per office, kind and year."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    issuing_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("document number"), max_length=60)
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_unit", "kind", "year", "sequence"], name="checklists_document_seq"
            ),
        ]
        # An item's documents in date order (its page and archive).
        indexes = [models.Index(fields=["item", "created_at"], name="checklists_document_item_at")]

    def __str__(self):
        return self.number


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Extension(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="extensions")
    new_deadline = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="pending"), name="checklists_one_pending_extension"
            ),
        ]

    def __str__(self):
        return f"{self.item_id} → {self.new_deadline}"


class Conclusion(models.TextChoices):
    PASS = "pass", _("Passed")
    FAIL = "fail", _("Failed")


class Evaluation(models.Model):
    """A third-party evaluator's deep review (深度验收) of an item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="evaluations")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    report_notes = models.TextField(_("hearing the report (听汇报)"), blank=True)
    ledger_notes = models.TextField(_("checking the ledgers (查台账)"), blank=True)
    site_notes = models.TextField(_("visiting the site (看现场)"), blank=True)
    symposium_notes = models.TextField(_("symposium with workers (座谈会)"), blank=True)
    conclusion = models.CharField(_("conclusion"), max_length=8, choices=Conclusion.choices)
    opinion = models.TextField(_("opinion"))
    satisfaction = models.FloatField(null=True, blank=True)
    # Minutes, photos of the site, sign-in sheets of the symposium: kept in the evaluator's library.
    attachments = models.ManyToManyField("evidence.Evidence", blank=True, related_name="evaluations")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"{self.item_id} {self.conclusion}"


class RuleInUse(models.Model):
    """A value of a close-out rule that some list was issued with (``Checklist.rules``): the handful of values a
    filter over every list has to apply (``rules.each_list``), without reading every list to find them."""

    name = models.CharField(max_length=64)
    value = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "value"], name="checklists_rule_in_use_once")]

    def __str__(self):
        return f"{self.name}={self.value}"


class ItemTally(models.Model):
    """The close-out figures of the items of one responsible unit, issuing office, category and month
    of issue, kept up to date in the transaction of every change (``checklists/tally.py``): the figures
    page adds up these rows instead of every item (a province has 2,000,000). "Overdue now" depends on
    today, so it is counted from the items."""

    responsible_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    issuing_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    category_key = models.PositiveIntegerField(default=0)  # the category's id, 0 for none
    month = models.DateField()  # the first day of the month the list was issued in
    issued = models.IntegerField(default=0)
    applied = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    first_pass = models.IntegerField(default=0)
    urgings = models.IntegerField(default=0)
    rectifications = models.IntegerField(default=0)
    # The items' satisfaction rates added up in ten-thousandths (``tally.RATE_SCALE``): whole numbers add and
    # subtract exactly, so the kept sum never drifts from a recount.
    satisfaction_sum = models.BigIntegerField(default=0)
    rated = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["responsible_unit", "issuing_unit", "category_key", "month"], name="checklists_tally_key"
            ),
        ]

    def __str__(self):
        return f"{self.responsible_unit_id} {self.month:%Y-%m}: {self.closed}/{self.issued}"


class UnitLoad(models.Model):
    """What one unit received in one month (基层减负): lists (as responsible unit or co-unit), items,
    urging notices and official documents, kept up to date like ``ItemTally``."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    lists = models.IntegerField(default=0)
    items = models.IntegerField(default=0)
    urgings = models.IntegerField(default=0)
    documents = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="checklists_load_key")]
        indexes = [models.Index(fields=["month"], name="checklists_load_month")]

    def __str__(self):
        return f"{self.unit_id} {self.month:%Y-%m}: {self.items}"

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgUnit
from qingdan import clock


class QuestionnaireKind(models.TextChoices):
    UNIT = "unit", _("Unit survey")
    WORKER = "worker", _("Worker poll")


class Questionnaire(models.Model):
    """A questionnaire: sections (the dimensions) holding questions. Frozen once it has
    responses; a new version is a copy (``copied_from``)."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionnaireKind.choices, default=QuestionnaireKind.UNIT)
    owner_unit = models.ForeignKey(OrgUnit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies")
    # The first version of the line this one belongs to (empty for a first version): copies number on from it.
    first_version = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def is_frozen(self):
        """Sent to units, given to workers or answered: its questions no longer change."""
        return self.responses.exists() or self.distributions.exists() or self.polls.exists()


class Section(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("dimension"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "title"], name="surveys_section_title_unique")]

    def __str__(self):
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    RATING = "rating", _("Rating scale")
    SATISFACTION = "satisfaction", _("Satisfaction (4 levels)")
    NUMBER = "number", _("Number")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")


CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SATISFACTION})
TEXT_KINDS = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})
# The four levels of a satisfaction poll (满意度测评) and their scores out of 100.
SATISFACTION_LEVELS = [
    ("very_satisfied", "非常满意", 100),
    ("satisfied", "满意", 75),
    ("basic", "基本满意", 50),
    ("unsatisfied", "不满意", 0),
]
SATISFIED_VALUES = frozenset({"very_satisfied", "satisfied"})


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("number"), max_length=20)
    text = models.CharField(_("question"), max_length=500)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    required = models.BooleanField(_("required"), default=True)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=14, decimal_places=2, null=True, blank=True)
    scale_max = models.PositiveSmallIntegerField(_("scale points"), null=True, blank=True)
    show_if_question = models.ForeignKey(
        "self", verbose_name=_("shown if question"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    show_if_option = models.ForeignKey(
        "Option", verbose_name=_("has the answer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="surveys_question_code_unique")]

    def __str__(self):
        return f"{self.code} {self.text}"

    @property
    def is_scored(self):
        return self.kind in (QuestionKind.SINGLE, QuestionKind.RATING, QuestionKind.SATISFACTION)


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    value = models.CharField(max_length=40)
    label = models.CharField(_("option"), max_length=200)
    # Points out of 100 this choice earns for its dimension; empty for choices that are not scored.
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "value"], name="surveys_option_value_unique")]

    def __str__(self):
        return self.label


class Distribution(models.Model):
    """A questionnaire sent to a set of org units; each target owes one response."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="distributions")
    title = models.CharField(_("title"), max_length=200)
    issuing_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+"
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    # The survey rules in force for the issuing unit when it was sent (``surveys.rules``).
    rules = models.JSONField(default=dict, editable=False)

    class Meta:
        verbose_name = _("distribution")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="surveys_dist_dates")
        ]

    def __str__(self):
        return self.title


class ResponseStatus(models.TextChoices):
    PENDING = "pending", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")


class Target(models.Model):
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="targets")
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="survey_targets"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ResponseStatus.choices, default=ResponseStatus.PENDING
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders"), default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(_("reason for return"), max_length=500, blank=True)
    # A response sent back gets its own date to submit by; until then the distribution's closing date holds.
    due_on = models.DateField(_("resubmit by"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["distribution", "org_unit"], name="surveys_target_unique")]
        indexes = [models.Index(fields=["org_unit", "status"], name="surveys_target_inbox")]

    def __str__(self):
        return f"{self.distribution} · {self.org_unit}"

    @property
    def deadline(self):
        return self.due_on or self.distribution.closes_on

    @property
    def on_time(self):
        return self.submitted_at is not None and timezone.localdate(self.submitted_at) <= self.distribution.closes_on


class PollMode(models.TextChoices):
    TOKENS = "tokens", _("One-time tokens")
    OPEN = "open", _("Open link with a cap")


def _slug():
    return secrets.token_urlsafe(9)


class Poll(models.Model):
    """A worker poll: anonymous answers on a phone, by one-time tokens or an open link."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="polls")
    title = models.CharField(_("title"), max_length=200)
    owner_unit = models.ForeignKey(OrgUnit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+")
    subject_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit whose workers answer"), on_delete=models.PROTECT, related_name="worker_polls"
    )
    mode = models.CharField(_("mode"), max_length=16, choices=PollMode.choices, default=PollMode.TOKENS)
    cap = models.PositiveIntegerField(_("most answers"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"))
    slug = models.CharField(max_length=20, unique=True, default=_slug, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("worker poll")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    def is_closed(self, now=None):
        return (now or clock.now()) >= self.closes_at


class PollToken(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=24, unique=True, default=_slug)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.token


class Response(models.Model):
    """One filled questionnaire: a unit's (``target``) or an anonymous worker's (``poll``)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    target = models.OneToOneField(Target, null=True, blank=True, on_delete=models.CASCADE, related_name="response")
    poll = models.ForeignKey(Poll, null=True, blank=True, on_delete=models.CASCADE, related_name="responses")
    token = models.OneToOneField(PollToken, null=True, blank=True, on_delete=models.PROTECT, related_name="response")
    # A hash of the device cookie, so an open link cannot be answered twice from one phone.
    device = models.CharField(max_length=64, blank=True)
    # A keyed hash (HMAC under the secret key, salted with the poll) of the network address an answer came from:
    # it throttles an open link and shows bursts on the poll's page. The address itself is never kept.
    address = models.CharField(max_length=32, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    is_final = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(target__isnull=False, poll__isnull=True) | Q(target__isnull=True, poll__isnull=False),
                name="surveys_response_one_source",
            ),
            models.UniqueConstraint(fields=["poll", "device"], condition=~Q(device=""), name="surveys_one_per_device"),
        ]
        indexes = [
            models.Index(fields=["questionnaire", "is_final"], name="surveys_response_final"),
            models.Index(fields=["poll", "submitted_at"], name="surveys_response_poll_time"),
        ]

    def __str__(self):
        return f"{self.questionnaire} #{self.pk}"


class Answer(models.Model):
    """One answer; a multiple-choice question has one row per option picked."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(Option, null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    number = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["question", "option"], name="surveys_answer_stats")]

    def __str__(self):
        return f"{self.question.code}: {self.option or self.number or self.text}"


class Finding(models.Model):
    """A problem (问题) the office marks in a survey; the close-out area turns findings into lists."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="findings")
    # The unit of the office that recorded it: findings are scoped by it, not by the questionnaire's owner.
    owner_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("recorded by unit"), on_delete=models.PROTECT, related_name="+"
    )
    distribution = models.ForeignKey(
        Distribution, null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.CASCADE, related_name="findings")
    response = models.ForeignKey(Response, null=True, blank=True, on_delete=models.CASCADE, related_name="findings")
    note = models.TextField(_("finding"))
    suggested_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("suggested responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("finding")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.note[:40]

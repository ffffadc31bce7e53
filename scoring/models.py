from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgUnit
from qingdan import clock

POINTS = {"max_digits": 8, "decimal_places": 2}
MONEY = {"max_digits": 14, "decimal_places": 2}


class Rubric(models.Model):
    """An assessment method (考核办法): sections and criteria adding up to full marks."""

    owner_unit = models.ForeignKey(OrgUnit, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    full_marks = models.DecimalField(_("full marks"), **POINTS)
    # A rubric can be held to a largest share of full marks judged by hand (浙江: 20%).
    max_manual_share = models.DecimalField(
        _("largest share judged by hand (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    excellent_from = models.DecimalField(_("excellent from"), **POINTS)
    good_from = models.DecimalField(_("good from"), **POINTS)
    pass_from = models.DecimalField(_("pass from"), **POINTS)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Set when the first round uses it: from then on nothing in it changes.
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rubric")
        ordering = ["-year", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner_unit", "name", "year"], name="scoring_rubric_unique")]

    def __str__(self):
        return f"{self.name}（{self.year}）"


class Section(models.Model):
    """A chapter or layer of a rubric (党的建设, 业务工作 → 基础工作 …), nested to any depth."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    max_points = models.DecimalField(_("points"), **POINTS)
    # A deductions section (扣分项目) has 0 points and may stop at a floor, e.g. −20 (扣完为止).
    floor = models.DecimalField(_("lowest score"), null=True, blank=True, **POINTS)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class Kind(models.TextChoices):
    MANUAL = "manual", _("Judged by hand")
    RATIO = "ratio", _("Points × a rate")
    TIERED = "tiered", _("Tiers of a rate")
    PER_OCCURRENCE = "per_occurrence", _("Points per occurrence")
    CONDITION = "condition", _("Condition met by a date")
    VETO = "veto", _("One-vote veto")


METRIC_KINDS = frozenset({Kind.RATIO, Kind.TIERED, Kind.PER_OCCURRENCE})


class Criterion(models.Model):
    """An article of a rubric, scored by hand or from the platform's records (declarative, never code)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("standard"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    max_points = models.DecimalField(_("points"), **POINTS)
    metric = models.CharField(_("metric"), max_length=60, blank=True)
    # Tiered: [{"from": "70", "points": "3"}, …] with "from" a percentage, highest first.
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    points_each = models.DecimalField(_("points each"), null=True, blank=True, **POINTS)
    # Per occurrence: the most points gained or lost in all (绝对值), or none for no limit on deductions.
    cap = models.DecimalField(_("cap"), null=True, blank=True, **POINTS)
    condition_by = models.DateField(_("condition met by"), null=True, blank=True)
    reason_required = models.BooleanField(_("reason required"), default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name

    @property
    def is_computed(self):
        """Filled in from records with no one asked: a metric kind, or a condition or veto a metric decides."""
        return self.kind in METRIC_KINDS or bool(self.metric)

    @property
    def is_veto(self):
        return self.kind == Kind.VETO

    @property
    def is_deduction(self):
        return self.kind == Kind.PER_OCCURRENCE and (self.points_each or 0) < 0

    @property
    def counts_to_full_marks(self):
        """The points this criterion adds to its section's maximum (deductions and vetoes add none)."""
        if self.kind == Kind.VETO:
            return Decimal(0)
        if self.kind == Kind.PER_OCCURRENCE:
            return self.cap if (self.points_each or 0) > 0 and self.cap is not None else Decimal(0)
        return self.max_points


class EventKind(models.TextChoices):
    COMMENDATION = "commendation", _("Leader's written praise (批示)")
    MEDIA = "media", _("Media report")
    TRAINING = "training", _("Attendance at higher-level training")
    INCIDENT = "incident", _("Serious incident (veto)")
    OTHER = "other", _("Other event")


class Level(models.IntegerChoices):
    COUNTY = 1, _("County")
    CITY = 2, _("City")
    PROVINCE = 3, _("Province")
    NATIONAL = 4, _("National")


class RecordedEvent(models.Model):
    """An event entered by hand for per-occurrence criteria: praise, media reports, training, incidents."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    happened_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("recorded event")
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["kind", "happened_on"], name="scoring_event_kind_day")]

    def __str__(self):
        return self.title


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    REVIEW = "review", _("Review")
    PUBLISHED = "published", _("Published")


class FundMethod(models.TextChoices):
    NONE = "none", _("Not linked to funds")
    PER_GRADE = "per_grade", _("Fixed amount per grade")
    POOL = "pool", _("Pool split by score above a floor")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    # Not "Pass": that msgid means 通过验收 in the close-out area; a grade reads 合格.
    PASS = "pass", _("Satisfactory")
    FAIL = "fail", _("Fail")


class Round(models.Model):
    """An assessment round: a rubric applied to a set of units for a period."""

    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="rounds")
    owner_unit = models.ForeignKey(OrgUnit, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    status = models.CharField(_("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    units = models.ManyToManyField(OrgUnit, through="Result", related_name="+")
    fund_method = models.CharField(
        _("fund allocation"), max_length=16, choices=FundMethod.choices, default=FundMethod.NONE
    )
    # Per grade: {"excellent": "50000", …}; pool: the pool, a base amount per unit and a score floor.
    fund_per_grade = models.JSONField(default=dict, blank=True)
    fund_pool = models.DecimalField(_("fund pool (yuan)"), null=True, blank=True, **MONEY)
    fund_base = models.DecimalField(_("base amount per unit (yuan)"), null=True, blank=True, **MONEY)
    fund_floor = models.DecimalField(_("score floor"), null=True, blank=True, **POINTS)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    bulletin_number = models.CharField(_("document number"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("assessment round")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="scoring_round_dates")
        ]

    def __str__(self):
        return self.name

    @property
    def is_draft(self):
        return self.status == RoundStatus.DRAFT

    @property
    def in_self_assessment(self):
        return self.status == RoundStatus.SELF_ASSESSMENT


class Result(models.Model):
    """One unit's standing in a round: totals per section, rank, grade, funds. Derived, never typed."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("total"), default=0, **POINTS)
    section_points = models.JSONField(default=dict)  # section id → points
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    fund_amount = models.DecimalField(_("fund subsidy (yuan)"), null=True, blank=True, **MONEY)
    fund_note = models.CharField(max_length=300, blank=True)
    self_submitted_at = models.DateTimeField(_("self-assessment submitted"), null=True, blank=True)

    class Meta:
        ordering = ["rank", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="scoring_result_unique")]

    def __str__(self):
        return f"{self.round} · {self.unit}"


class Score(models.Model):
    """One criterion's points for one unit in a round, with the value and records it came from."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    # What the metric said: a rate as numerator ÷ denominator, a count, or the day a condition held.
    numerator = models.IntegerField(null=True, blank=True)
    denominator = models.IntegerField(null=True, blank=True)
    day = models.DateField(null=True, blank=True)
    computed = models.DecimalField(null=True, blank=True, **POINTS)
    self_points = models.DecimalField(_("self-assessed points"), null=True, blank=True, **POINTS)
    self_reason = models.TextField(_("self-assessment reason"), blank=True)
    self_day = models.DateField(_("condition met on"), null=True, blank=True)
    reviewed = models.DecimalField(_("reviewed points"), null=True, blank=True, **POINTS)
    review_reason = models.TextField(_("review reason"), blank=True)
    adjusted = models.DecimalField(_("adjusted points"), null=True, blank=True, **POINTS)
    adjust_reason = models.TextField(_("adjustment reason"), blank=True)
    vetoed = models.BooleanField(default=False)
    points = models.DecimalField(_("points"), default=0, **POINTS)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")
    version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "unit", "criterion"], name="scoring_score_unique")]

    def __str__(self):
        return f"{self.unit} · {self.criterion}: {self.points}"


class Stage(models.TextChoices):
    SELF = "self", _("Self-assessment")
    REVIEW = "review", _("Review")
    ADJUST = "adjust", _("Adjustment")
    AFTER_PUBLICATION = "amend", _("Change after publication")


class ScoreChange(models.Model):
    """The history of every hand-entered or adjusted score: who, when, from what, to what, why."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="changes")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    before = models.DecimalField(null=True, blank=True, **POINTS)
    after = models.DecimalField(null=True, blank=True, **POINTS)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.score_id} {self.stage}: {self.before} → {self.after}"

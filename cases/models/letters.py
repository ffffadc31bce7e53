"""一函两书: the union's legal-supervision letters to an employer, 提示函 → 意见书 → 建议书, each a numbered official
document with a delivery receipt and a reply deadline in working days; an unanswered letter escalates to the
next kind (``escalated_from`` keeps the chain). States move in ``cases.letter_flow`` and nowhere else."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models.demands import TEXT_MAX
from cases.models.registry import Enterprise
from evidence.models import Evidence
from orgs.models import OrgUnit, User
from qingdan import clock


class LetterKind(models.TextChoices):
    NOTICE = "notice", _("Reminder letter (提示函)")
    OPINION = "opinion", _("Opinion letter (意见书)")
    PROPOSAL = "proposal", _("Proposal letter (建议书)")


LETTER_ORDER = [LetterKind.NOTICE, LetterKind.OPINION, LetterKind.PROPOSAL]


class LetterStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    DELIVERED = "delivered", _("Delivered")
    ANSWERED = "answered", _("Answered")
    ESCALATED = "escalated", _("Escalated")  # unanswered by its deadline: the next letter was issued
    LAPSED = "lapsed", _("Unanswered")  # a 建议书 unanswered: nothing above it


class Letter(models.Model):
    issuing_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="issued_letters"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="letters"
    )
    # A 建议书 goes to the labour bureau, not the employer: the addressee as printed.
    addressee = models.CharField(_("addressee"), max_length=100)
    dispute = models.ForeignKey(
        "cases.Dispute", on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    demand = models.ForeignKey("cases.Demand", on_delete=models.PROTECT, null=True, blank=True, related_name="letters")
    escalated_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="escalated_to"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LetterKind.choices)
    number = models.CharField(_("document number"), max_length=60, unique=True)
    issued_on = models.DateField(_("issued on"))
    problem = models.TextField(_("problem found"), max_length=TEXT_MAX)
    request = models.TextField(_("what the union asks"), max_length=TEXT_MAX)
    reply_due = models.DateField(_("reply due"), null=True, blank=True)  # from delivery, in working days
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    receipt = models.ForeignKey(
        Evidence, verbose_name=_("delivery receipt"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("the employer's answer"), max_length=TEXT_MAX, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=LetterStatus.choices)
    rules = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("supervision letter")
        verbose_name_plural = _("supervision letters")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(delivered_on__isnull=False),
                name="cases_letter_answer_after_delivery",
            )
        ]
        indexes = [models.Index(fields=["issuing_unit", "issued_on"], name="cases_letter_unit_day")]

    def __str__(self):
        return self.number

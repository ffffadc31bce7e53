"""The registry the demands and disputes area hangs on: enterprises (企业名录) and the contractor chains of
construction projects (工程项目的总包、分包链), which a migrant worker's wage case names from top to bottom.

An enterprise sits in the subtree of a town union or a federation (``org_unit``), which scopes who reads it;
its own union, when the tree holds one, is a unit of kind enterprise or grassroots (``union_unit``). Its risk
history is what the disputes recorded against it later say, read from them, not kept here."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgKind, OrgUnit, User
from qingdan import clock

# Units an enterprise is registered under: a town or street union, or a federation above it.
REGISTRY_KINDS = (OrgKind.TOWN, OrgKind.COUNTY, OrgKind.CITY, OrgKind.PROVINCE)
# Units that are an enterprise's own union: the enterprise itself as a unit of the tree, or a grassroots union
# (a joint union of an industry or an area covers several small firms).
UNION_KINDS = (OrgKind.ENTERPRISE, OrgKind.GRASSROOTS)
# More workers than any one employer has: a typing slip, not a firm.
WORKERS_MAX = 10_000_000


class Industry(models.TextChoices):
    """The sections (门类) of GB/T 4754-2017, Industrial classification for national economic activities."""

    A = "A", _("Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("Mining")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, heat, gas and water production and supply")
    E = "E", _("Construction")
    F = "F", _("Wholesale and retail trade")
    G = "G", _("Transport, storage and postal services")
    H = "H", _("Accommodation and catering")
    I = "I", _("Information transmission, software and IT services")  # noqa: E741 - the standard's letter
    J = "J", _("Finance")
    K = "K", _("Real estate")
    L = "L", _("Leasing and business services")
    M = "M", _("Scientific research and technical services")
    N = "N", _("Water conservancy, environment and public facilities management")
    O = "O", _("Resident services, repair and other services")  # noqa: E741 - the standard's letter
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Culture, sports and entertainment")
    S = "S", _("Public administration, social security and social organisations")
    T = "T", _("International organisations")


class Enterprise(models.Model):
    NAME_MAX = 100
    CODE_LENGTH = 18
    COMMUNITY_MAX = 50
    ADDRESS_MAX = 200
    CONTACT_MAX = 50
    PHONE_MAX = 20

    name = models.CharField(_("enterprise name"), max_length=NAME_MAX)
    # 统一社会信用代码 (GB 32100-2015): stored compact and upper case, its check digit verified on the way in.
    credit_code = models.CharField(_("unified social credit code"), max_length=CODE_LENGTH, unique=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("registered under"), on_delete=models.PROTECT, related_name="registered_enterprises"
    )
    community = models.CharField(_("village / community"), max_length=COMMUNITY_MAX, blank=True)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    workers = models.PositiveIntegerField(_("workers"), default=0)
    has_union = models.BooleanField(_("has a union"), default=False)
    union_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("union unit"),
        on_delete=models.PROTECT,
        related_name="union_of_enterprises",
        null=True,
        blank=True,
    )
    address = models.CharField(_("address"), max_length=ADDRESS_MAX, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=CONTACT_MAX, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=PHONE_MAX, blank=True)
    created_at = models.DateTimeField(_("registered"), default=clock.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("last changed"), default=clock.now, editable=False)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Sent back with every change: a form read before someone else's change is refused, not overwritten.
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(has_union=True) | Q(union_unit__isnull=True), name="cases_enterprise_union_needs_union"
            ),
            models.CheckConstraint(condition=Q(workers__lte=WORKERS_MAX), name="cases_enterprise_workers_bounded"),
        ]
        indexes = [models.Index(fields=["org_unit", "name"], name="cases_enterprise_unit_name")]

    def __str__(self):
        return self.name


class Project(models.Model):
    """A construction project (工程项目): where and when, who builds it for whom. The chain of firms under its
    general contractor is its ``subcontracts``."""

    NAME_MAX = 100
    LOCATION_MAX = 200

    name = models.CharField(_("project name"), max_length=NAME_MAX)
    location = models.CharField(_("location"), max_length=LOCATION_MAX, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("registered under"), on_delete=models.PROTECT, related_name="projects"
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # 建设单位: the developer answers for wages with the general contractor under the wage rules for migrant workers.
    developer = models.ForeignKey(
        Enterprise,
        verbose_name=_("developer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="developed_projects",
    )
    general_contractor = models.ForeignKey(
        Enterprise, verbose_name=_("general contractor"), on_delete=models.PROTECT, related_name="general_contracts"
    )
    created_at = models.DateTimeField(_("registered"), default=clock.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("last changed"), default=clock.now, editable=False)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("construction project")
        verbose_name_plural = _("construction projects")
        ordering = ["-starts_on", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="cases_project_name_once"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="cases_project_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name


class Subcontract(models.Model):
    """One firm in a project's chain: under the general contractor (``parent`` empty) or under another
    subcontractor. A firm appears once in a project's chain, so the chain is a tree below the general contractor."""

    WORK_MAX = 100

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="subcontracts")
    contractor = models.ForeignKey(
        Enterprise, verbose_name=_("subcontractor"), on_delete=models.PROTECT, related_name="subcontracts"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("under"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    work = models.CharField(_("work subcontracted"), max_length=WORK_MAX, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("subcontract")
        verbose_name_plural = _("subcontracts")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "contractor"], name="cases_subcontract_firm_once"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="cases_subcontract_not_under_itself"),
        ]

    def __str__(self):
        return f"{self.project} · {self.contractor}"

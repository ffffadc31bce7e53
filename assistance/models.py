"""The hardship-worker archive (困难职工帮扶): households (以户为单位) with their members, the standards their category
is computed against, the decisions that froze each computation, the archive workflow (first check, home visit,
checks by other departments, 公示), aid, preferential certificates, pairing with cadres and their contacts, the
monthly incomes an exit is judged on.

ID numbers, phones and bank accounts are sealed at rest (``qingdan.protect.SealedField``) and found through keyed
hashes; a person's hash is held by one live file in the whole installation (``LivePerson``). States move in
``assistance.workflow`` and nowhere else."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evidence.models import Evidence
from orgs.models import OrgUnit, User
from qingdan import clock
from qingdan.protect import SealedField

TEXT_MAX = 5000
NAME_MAX = 50
MONEY = {"max_digits": 12, "decimal_places": 2}  # up to ¥9,999,999,999.99


class Standard(models.Model):
    """The local minimum living standard (低保标准) of a region for a year, per person and month, set by the office
    of the unit covering the region (usually a county federation) and in force for the units below it."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("region"), on_delete=models.PROTECT, related_name="standards")
    year = models.PositiveSmallIntegerField(_("year"))
    monthly = models.DecimalField(_("minimum living standard (yuan per person per month)"), **MONEY)
    set_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    set_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("minimum living standard")
        verbose_name_plural = _("minimum living standards")
        ordering = ["unit", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="assistance_standard_once"),
            models.CheckConstraint(condition=Q(monthly__gt=0), name="assistance_standard_positive"),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}: {self.monthly}"


class Category(models.TextChoices):
    DEEP = "deep", _("Deep hardship")
    RELATIVE = "relative", _("Relative hardship")
    ACCIDENT = "accident", _("Accidental hardship")
    NONE = "none", _("Not eligible")


class Cause(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    DISABILITY = "disability", _("Disability")
    SCHOOLING = "schooling", _("Children's schooling")
    UNEMPLOYMENT = "unemployment", _("Unemployment")
    LOW_INCOME = "low_income", _("Low income")
    ACCIDENT = "accident", _("Accident or disaster")
    HOUSING = "housing", _("Housing")
    OTHER = "other", _("Other")


class Identity(models.TextChoices):
    WORKER = "worker", _("Worker")
    MIGRANT = "migrant", _("Migrant worker")


class FileStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    FIRST_CHECKED = "first_checked", _("First check passed")
    VISITED = "visited", _("Home visit done")
    CHECKING = "checking", _("Checks by departments")
    PUBLICISED = "publicised", _("Public notice (公示)")
    ARCHIVED = "archived", _("Archived")
    PERMANENT = "permanent", _("Permanent support (兜底)")
    TEMPORARY = "temporary", _("Temporary aid")
    EXITED = "exited", _("Exited hardship")
    REJECTED = "rejected", _("Not admitted")
    CANCELLED = "cancelled", _("Cancelled")


# Files that hold their members' ID numbers: a person is in at most one of them in the whole installation.
LIVE_STATUSES = [s for s in FileStatus if s not in (FileStatus.REJECTED, FileStatus.CANCELLED)]
# Files that may receive aid.
AIDED_STATUSES = [FileStatus.ARCHIVED, FileStatus.PERMANENT, FileStatus.TEMPORARY]


class Household(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("managed by"), on_delete=models.PROTECT, related_name="hardship_households"
    )
    number = models.CharField(_("file number"), max_length=40, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=FileStatus.choices)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, blank=True)
    head_name = models.CharField(_("head of household"), max_length=NAME_MAX)
    head_pinyin = models.CharField(max_length=200, blank=True, db_index=True)  # for likely duplicates
    identity = models.CharField(_("identity"), max_length=10, choices=Identity.choices, default=Identity.WORKER)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    employer_union = models.ForeignKey(
        OrgUnit, verbose_name=_("employer's union"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    address = models.CharField(_("address"), max_length=200)
    phone = SealedField(_("phone"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)
    bank_account = SealedField(_("bank account for aid"), blank=True)
    main_cause = models.CharField(_("main cause of hardship"), max_length=14, choices=Cause.choices)
    other_causes = models.JSONField(_("other causes"), default=list, blank=True)
    annual_income = models.DecimalField(_("household disposable income last year"), **MONEY, default=0)
    rigid_expenses = models.DecimalField(_("rigid expenses last year"), **MONEY, default=0)
    accident_costs = models.DecimalField(_("disaster, accident or illness costs this year"), **MONEY, default=0)
    applied_on = models.DateField(_("applied on"))
    archived_on = models.DateField(_("archived on"), null=True, blank=True)
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    relapses = models.PositiveSmallIntegerField(_("times re-archived"), default=0)
    authorisation = models.ForeignKey(
        Evidence, verbose_name=_("signed authorisation for financial checks"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    attachments = models.ManyToManyField(Evidence, blank=True, related_name="hardship_households")
    rules = models.JSONField(default=dict, blank=True)
    import_key = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("last changed"), default=clock.now)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("hardship household")
        verbose_name_plural = _("hardship households")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annual_income__gte=0, rigid_expenses__gte=0, accident_costs__gte=0),
                name="assistance_household_money_positive",
            ),
            models.UniqueConstraint(
                fields=["org_unit", "import_key"], condition=~Q(import_key=""), name="assistance_import_once"
            ),
        ]
        indexes = [
            models.Index(fields=["org_unit", "status"], name="assistance_household_unit"),
            models.Index(fields=["status", "updated_at"], name="assistance_household_stale"),
        ]

    def __str__(self):
        return self.number


class Relation(models.TextChoices):
    HEAD = "head", _("Head")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    OTHER = "other", _("Other relative")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    CHRONIC = "chronic", _("Chronic illness")
    SERIOUS = "serious", _("Serious illness")
    DISABLED = "disabled", _("Disabled")


class Work(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    UNEMPLOYED = "unemployed", _("Unemployed")
    RETIRED = "retired", _("Retired")
    STUDENT = "student", _("Student")
    UNABLE = "unable", _("Unable to work")
    CHILD = "child", _("Below working age")


class Member(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=NAME_MAX)
    relation = models.CharField(_("relation to the head"), max_length=8, choices=Relation.choices)
    id_number = SealedField(_("ID number"))
    id_hash = models.CharField(max_length=64, db_index=True)
    id_masked = models.CharField(_("ID number"), max_length=18)  # 110105********1234: what lists show
    birth_date = models.DateField(_("birth date"))  # from the ID number
    region_code = models.CharField(_("region of the ID number"), max_length=6)
    health = models.CharField(_("health"), max_length=10, choices=Health.choices, default=Health.HEALTHY)
    work = models.CharField(_("work"), max_length=10, choices=Work.choices, default=Work.EMPLOYED)
    annual_income = models.DecimalField(_("income last year"), **MONEY, default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "id_hash"], name="assistance_member_once"),
            models.UniqueConstraint(fields=["household"], condition=Q(relation="head"), name="assistance_one_head"),
            models.CheckConstraint(condition=Q(annual_income__gte=0), name="assistance_member_income_positive"),
        ]

    def __str__(self):
        return self.name


class LivePerson(models.Model):
    """A person's keyed hash held by the one live file they are in: the database refuses a second, in whatever
    federation it is filed, even when two are filed at the same moment. Freed when the file is rejected or
    cancelled."""

    id_hash = models.CharField(max_length=64, unique=True)
    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="live")

    def __str__(self):
        return self.id_hash[:12]


class Decision(models.Model):
    """A computation of the category, frozen: the standard, the multipliers and every line as they were on the
    day, so a later change of standard does not rewrite it (a re-check makes a new decision beside it)."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Application")
        REVIEW = "review", _("Yearly review")
        RECHECK = "recheck", _("Re-check")
        EXIT = "exit", _("Exit")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    made_on = models.DateField(_("decided on"))
    standard = models.DecimalField(_("minimum living standard"), **MONEY)
    per_capita = models.DecimalField(_("per-capita monthly income"), **MONEY)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    lines = models.JSONField(_("calculation"), default=list)  # [[label, value], …] as shown and printed
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["made_on", "id"]

    def __str__(self):
        return f"{self.household_id} {self.made_on} {self.category}"


class CheckDepartment(models.Model):
    """A department the federation asks about every applicant (民政, 住建, 公安, 车管, 市场监管, 社保, 税务 …):
    the list a unit sets for its subtree."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="check_departments")
    name = models.CharField(_("department"), max_length=50)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["unit", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="assistance_check_department_once")]

    def __str__(self):
        return self.name


class DepartmentCheck(models.Model):
    """One department's check of one household: sent a name and the keyed hash only, answered by its due date."""

    class Result(models.TextChoices):
        CLEAR = "clear", _("Nothing found")
        FOUND = "found", _("Found a bar (assets, business, income)")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="checks")
    department = models.CharField(_("department"), max_length=50)
    sent_on = models.DateField(_("sent on"))
    due_on = models.DateField(_("reply due"))
    result = models.CharField(_("result"), max_length=8, choices=Result.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["household", "department"], name="assistance_check_once")]

    def __str__(self):
        return f"{self.household_id} {self.department}"


class Publicity(models.Model):
    """公示: a public page (masked) for a set period; taken down by itself when the period ends."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="publicities")
    slug = models.CharField(max_length=32, unique=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    taken_down_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "id"]

    def __str__(self):
        return self.slug


class Objection(models.Model):
    publicity = models.ForeignKey(Publicity, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("objection"), max_length=TEXT_MAX)
    received_at = models.DateTimeField(default=clock.now)
    address_hash = models.CharField(max_length=64, blank=True)
    handled_note = models.TextField(_("how it was handled"), max_length=TEXT_MAX, blank=True)
    handled_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self):
        return self.text[:40]


class AidKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday condolence (两节慰问)")
    SCHOOLING = "schooling", _("Education aid")
    MEDICAL = "medical", _("Medical aid")
    LIVING = "living", _("Living aid")
    EMPLOYMENT = "employment", _("Employment help")
    SEASONS = "seasons", _("Four-seasons care")
    OTHER = "other", _("Other")


class Aid(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="aid")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("given by"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=AidKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    given_on = models.DateField(_("given on"))
    source = models.CharField(_("source of funds"), max_length=100)
    delivered_by = models.CharField(_("delivered by"), max_length=NAME_MAX)
    note = models.CharField(_("note"), max_length=300, blank=True)
    import_key = models.CharField(max_length=60, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("aid")
        verbose_name_plural = _("aid")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="assistance_aid_positive"),
            models.UniqueConstraint(
                fields=["org_unit", "import_key"], condition=~Q(import_key=""), name="assistance_aid_import_once"
            ),
        ]
        indexes = [models.Index(fields=["household", "given_on"], name="assistance_aid_household_day")]

    def __str__(self):
        return f"{self.household_id} {self.kind} {self.amount}"


class Certificate(models.Model):
    """优惠证 of a deep-hardship family: numbered through the platform's numbering, valid between two dates."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("certificate number"), max_length=60, unique=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    honoured_by = models.JSONField(_("bodies that honour it"), default=list)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_on__gt=models.F("issued_on")), name="assistance_cert_dates")
        ]

    def __str__(self):
        return self.number


class Pairing(models.Model):
    """结对: a cadre paired with a family, one-to-many."""

    cadre = models.ForeignKey(User, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="pairings")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="pairings")
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["-since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "cadre"], condition=Q(until__isnull=True), name="assistance_pairing_open_once"
            )
        ]

    def __str__(self):
        return f"{self.cadre_id} → {self.household_id}"


class Contact(models.Model):
    """A visit or a phone follow-up, logged from a phone."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Home visit")
        PHONE = "phone", _("Phone call")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="contacts")
    cadre = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    on = models.DateField(_("date"))
    note = models.TextField(_("what was found"), max_length=TEXT_MAX)

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["household", "on"], name="assistance_contact_day")]

    def __str__(self):
        return f"{self.household_id} {self.kind} {self.on}"


class MonthlyIncome(models.Model):
    """A month's per-capita income of an archived family, with its evidence: six consecutive months above the line
    are what an exit is judged on."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="monthly_incomes")
    month = models.DateField(_("month"))  # the first day of the month
    per_capita = models.DecimalField(_("per-capita income"), **MONEY)
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["household", "month"]
        constraints = [
            models.UniqueConstraint(fields=["household", "month"], name="assistance_month_once"),
            models.CheckConstraint(condition=Q(per_capita__gte=0), name="assistance_month_positive"),
        ]

    def __str__(self):
        return f"{self.household_id} {self.month:%Y-%m}"


class EventKind(models.TextChoices):
    APPLIED = "applied", _("Applied")
    FIRST_CHECKED = "first_checked", _("First check")
    VISITED = "visited", _("Home visit")
    CHECKS_SENT = "checks_sent", _("Sent to departments")
    CHECK_ANSWERED = "check_answered", _("Department answered")
    PUBLICISED = "publicised", _("Public notice opened")
    OBJECTION = "objection", _("Objection received")
    ARCHIVED = "archived", _("Archived")
    REJECTED = "rejected", _("Not admitted")
    PROMOTED = "promoted", _("Temporary file promoted")
    AID = "aid", _("Aid given")
    CERTIFICATE = "certificate", _("Certificate issued")
    REVIEWED = "reviewed", _("Yearly review")
    EXITED = "exited", _("Exited hardship")
    PERMANENT = "permanent", _("Moved to permanent support")
    REARCHIVED = "rearchived", _("Re-archived after relapse")
    CANCELLED = "cancelled", _("Cancelled")
    CHANGED = "changed", _("Facts changed")
    FULL_VIEW = "full_view", _("Full record viewed")


class Event(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=clock.now)
    note = models.TextField(blank=True, max_length=TEXT_MAX)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["household", "kind", "at"], name="assistance_event_kind_at")]

    def __str__(self):
        return f"{self.household_id} {self.kind}"


class AccessRequest(models.Model):
    """A person of another federation asking to read one household's full record (e.g. to settle a duplicate):
    with a reason, granted by the managing unit's office, for a limited time; every use audited."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="access_requests")
    requester = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    requested_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    granted = models.BooleanField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.requester_id} → {self.household_id}"

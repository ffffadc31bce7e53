import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingdan import clock


class OrgKind(models.TextChoices):
    PROVINCE = "province", _("Provincial federation")
    CITY = "city", _("City federation")
    COUNTY = "county", _("County federation")
    TOWN = "town", _("Town / street union")
    GRASSROOTS = "grassroots", _("Grassroots union")
    DEPARTMENT = "department", _("Competent department")
    ENTERPRISE = "enterprise", _("Enterprise")
    OTHER = "other", _("Other body")


class OrgUnit(models.Model):
    """A node of the one org tree.

    ``path`` holds the zero-padded ids from the root down, e.g. ``/00000001/00000005/``,
    so a subtree at any depth is one indexed prefix query (see ``orgs.queries``) and
    ordering by path lists the tree in order.
    """

    CODE_MAX = 32
    NAME_MAX = 100
    MAX_DEPTH = 20  # levels below the root; the stored path has room for 28

    code = models.CharField(_("code"), max_length=CODE_MAX, unique=True)
    name = models.CharField(_("name"), max_length=NAME_MAX)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The prefix of the document numbers (文号) the unit issues, e.g. 滨产改办 in 滨产改办〔2026〕12号.
    document_prefix = models.CharField(_("document number prefix"), max_length=20, blank=True)
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%' whatever the collation.
            models.Index(fields=["path"], name="orgs_unit_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.name

    def is_within(self, ancestor):
        """Whether this unit is ``ancestor`` or lies below it."""
        return self.path.startswith(ancestor.path)

    @property
    def line_ids(self):
        """The ids from the root down to this unit: its ancestors, then itself."""
        return [int(part) for part in self.path.strip("/").split("/")]

    def head_at(self, depth):
        """The id of this unit's ancestor at ``depth`` (itself when ``depth`` is its own)."""
        return self.line_ids[depth]


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", _("System administrator")
    SECADMIN = "secadmin", _("Security administrator")
    AUDITOR = "auditor", _("Auditor")
    OFFICE = "office", _("Office staff")
    REPORTER = "reporter", _("Unit reporter")
    REVIEWER = "reviewer", _("Reviewer")
    EVALUATOR = "evaluator", _("Third-party evaluator")
    LEADER = "leader", _("Leader")


# Three separate duties (三权分立): no account may hold two of them.
SEPARATED_DUTIES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="users", null=True
    )
    # Set only when failed log-ins for this account from many addresses pass QINGDAN_LOGIN_ACCOUNT_MAX_FAILURES
    # (orgs.auth); a few wrong passwords block the address they came from, not the account.
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, editable=False)
    # Sessions and API tokens started before this moment stop working (disabling a user sets it).
    sessions_revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when someone else chose the password (a new account, a reset): it must be changed at sign-in.
    must_change_password = models.BooleanField(_("must change password"), default=False, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username

    @property
    def role_set(self):
        if not hasattr(self, "_role_set"):
            self._role_set = frozenset(Role(r.role) for r in self.roles.all())
        return self._role_set

    def has_role(self, *roles):
        return bool(self.role_set.intersection(roles))

    def is_locked(self, now=None):
        return self.locked_until is not None and self.locked_until > (now or clock.now())


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="orgs_userrole_unique")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class TokenScope(models.TextChoices):
    READ_ONLY = "read", _("Read only")
    READ_WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the token is shown once. A read-only token is
    refused on every call that is not GET or HEAD (``qingdan.api.BearerToken``)."""

    PREFIX = "qd_"
    Scope = TokenScope

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("token begins"), max_length=12, editable=False)
    # Tokens made before scopes existed keep working as they did: read and write.
    scope = models.CharField(
        _("scope"), max_length=8, choices=TokenScope.choices, default=TokenScope.READ_WRITE, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user"], condition=Q(revoked_at__isnull=True), name="orgs_token_active")]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def hash_key(raw):
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def read_only(self):
        return self.scope == TokenScope.READ_ONLY

    @property
    def expires_at(self):
        return self.created_at + timedelta(days=settings.QINGDAN_API_TOKEN_DAYS)

    def is_expired(self, now=None):
        return self.expires_at <= (now or clock.now())


class Notification(models.Model):
    """A message in a user's workbench, e.g. "an urging notice was issued to your unit"."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="orgs_notification_unread")]

    def __str__(self):
        return self.text


class UnitRule(models.Model):
    """A rule of the federation (``qingdan.rules``) set by a unit's office for the unit and the units below it;
    a unit without its own value follows the nearest unit above it that has one, else the rule's default."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="rules")
    key = models.CharField(max_length=64)
    value = models.IntegerField(_("value"))
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [models.UniqueConstraint(fields=["unit", "key"], name="orgs_unit_rule_once")]

    def __str__(self):
        return f"{self.key}={self.value}"


class LoginFailure(models.Model):
    """One wrong password (or unknown name): the name typed and the address it came from. ``orgs.auth`` counts
    them over the last ``QINGDAN_LOCKOUT_MINUTES`` per name and address, per address, and per name."""

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [
            models.Index(fields=["username", "address", "at"], name="orgs_loginfail_pair"),
            models.Index(fields=["address", "at"], name="orgs_loginfail_address"),
            models.Index(fields=["at"], name="orgs_loginfail_at"),
        ]

    def __str__(self):
        return f"{self.username} @ {self.address}"


class DutyRequestKind(models.TextChoices):
    ROLES = "roles", _("Change of roles")
    PASSWORD = "password", _("Password reset")


class DutyRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class DutyRequest(models.Model):
    """A change to what a privileged account may do, asked for by one person and confirmed by a second person of
    another separated duty (双人复核): granting or removing a duty, changing the roles of an account that holds one,
    resetting its password. It takes effect only when confirmed (``orgs.services.confirm_duty_request``), and
    lapses after ``QINGDAN_DUTY_REQUEST_HOURS``."""

    Kind = DutyRequestKind
    Status = DutyRequestStatus

    kind = models.CharField(_("kind"), max_length=16, choices=DutyRequestKind.choices)
    target = models.ForeignKey(User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="duty_requests")
    # The roles before and the whole set asked for (a change of roles).
    roles_before = models.JSONField(default=list, blank=True)
    roles = models.JSONField(default=list, blank=True)
    # The hash of the temporary password asked for (a reset); emptied once the request is decided.
    password = models.CharField(max_length=128, blank=True, editable=False)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_duty = models.CharField(max_length=16, choices=Role.choices)
    requested_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=16, choices=DutyRequestStatus.choices, default=DutyRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("request to a second person")
        verbose_name_plural = _("requests to a second person")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "kind"],
                condition=Q(status=DutyRequestStatus.PENDING),
                name="orgs_duty_request_one_open",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.target}"

    def is_open(self, now=None):
        return self.status == DutyRequestStatus.PENDING and self.expires_at > (now or clock.now())

    @property
    def roles_added(self):
        return [Role(r) for r in sorted(set(self.roles) - set(self.roles_before))]

    @property
    def roles_removed(self):
        return [Role(r) for r in sorted(set(self.roles_before) - set(self.roles))]

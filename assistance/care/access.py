import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

from assistance import decisions
from assistance import rules as archive_rules
from assistance.models import (
    AIDED_STATUSES,
    Category,
    FileStatus,
    Health,
    Pairing,
)
from orgs.models import Role
from orgs.queries import sees_business
from qingdan import clock
from qingdan.actors import SYSTEM

CENT = Decimal("0.01")
CERTIFICATE_KIND = "assistance.certificate"
CERTIFICATE_MARK = "困证"
# Seed 003: the 8 bodies of 椒江 that honour the certificate; an office may name others.
HONOURING_BODIES = ["医院", "学校", "公交", "自来水", "燃气", "电力", "有线电视", "超市"]
RENEW_DAYS = 30  # a certificate may be renewed from this many days before it expires
MONEY_MAX = Decimal("9999999999.99")

# action: (statuses it may start from, status it leads to)
TRANSITIONS = {
    "review": ({FileStatus.ARCHIVED, FileStatus.PERMANENT}, None),
    "exit": ({FileStatus.ARCHIVED, FileStatus.PERMANENT}, FileStatus.EXITED),
    "permanent": ({FileStatus.ARCHIVED}, FileStatus.PERMANENT),
    "rearchive": ({FileStatus.EXITED}, FileStatus.ARCHIVED),
}
INCOME_STATUSES = [*AIDED_STATUSES, FileStatus.EXITED]
SERIOUS = [Health.SERIOUS, Health.DISABLED]


def _rule(household, rule):
    return decisions.file_rules(household).get(rule.key.removeprefix(archive_rules.PREFIX), rule.default)


def add_months(day, months):
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_of(day):
    return day.replace(day=1)


def _yuan(value):
    return f"¥{value.quantize(CENT, ROUND_HALF_UP):,.2f}"


# --- who may act --------------------------------------------------------------------------------------------------


def _in_charge(user, household, *roles):
    """``user`` holds one of ``roles`` in the unit managing ``household`` or a unit above it."""
    if user is SYSTEM:
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.org_unit_id is None or not sees_business(user) or not user.has_role(*roles):
        return False
    return household.org_unit.is_within(user.org_unit)


def can_manage(user, household):
    """Office staff and unit reporters of the managing unit or above give aid and record incomes."""
    return _in_charge(user, household, Role.OFFICE, Role.REPORTER)


def can_give_aid(user, household):
    return can_manage(user, household) and household.status in AIDED_STATUSES


def can_record_month(user, household):
    return can_manage(user, household) and household.status in INCOME_STATUSES


def can_issue_certificate(user, household):
    """The federation's office issues the certificate, to deep-hardship families on file."""
    return (
        _in_charge(user, household, Role.OFFICE)
        and household.status in (FileStatus.ARCHIVED, FileStatus.PERMANENT)
        and household.category == Category.DEEP
    )


def can_revoke_certificate(user, certificate):
    return _in_charge(user, certificate.household, Role.OFFICE) and certificate.revoked_on is None


def can_renew_certificate(user, certificate, today=None):
    today = today or clock.today()
    return (
        can_issue_certificate(user, certificate.household)
        and certificate.revoked_on is None
        and certificate.expires_on <= today + datetime.timedelta(days=RENEW_DAYS)
    )


def can_pair(user, household):
    return _in_charge(user, household, Role.OFFICE) and household.status in INCOME_STATUSES


def can_unpair(user, pairing):
    return pairing.until is None and (_in_charge(user, pairing.household, Role.OFFICE) or user == pairing.cadre)


def is_paired(user, household):
    if user is SYSTEM or user is None or not getattr(user, "pk", None):
        return False
    return Pairing.objects.filter(household=household, cadre=user, until__isnull=True).exists()


def can_log_contact(user, household):
    """Only a cadre paired with the family logs a visit or a call to it."""
    return household.status in INCOME_STATUSES and (user is SYSTEM or is_paired(user, household))


def can_review(user, household):
    return _in_charge(user, household, Role.OFFICE) and household.status in TRANSITIONS["review"][0]


def can_exit(user, household):
    return _in_charge(user, household, Role.OFFICE) and household.status in TRANSITIONS["exit"][0]


def can_move_to_permanent(user, household):
    return _in_charge(user, household, Role.OFFICE) and household.status in TRANSITIONS["permanent"][0]


def can_rearchive(user, household):
    return _in_charge(user, household, Role.OFFICE) and household.status in TRANSITIONS["rearchive"][0]

"""What happens to an archived family (困难职工帮扶): aid, the preferential certificate (优惠证), pairing with cadres
and their visits and calls, monthly incomes, the yearly review, exit (脱困), permanent support (兜底) and the fast
re-archiving of a family that relapses. Every change is one function here with keyword-only arguments: it asks the
``can_*`` predicate the pages ask to show its button, locks the household, checks the version a form was read at
(``Conflict``), writes an audit row and a timeline ``Event`` in the same transaction and notifies on commit.

The exit line: a family exits when its per-capita monthly income has been above the *relative-hardship line* of
its file's rules (the local minimum living standard of this year × ``assistance.relative_percent``, the line
``decisions.preview`` shows) for ``assistance.exit_months`` consecutive months, each with evidence. Above the bare
standard alone a family is still in relative hardship and could be archived again the next day; above the relative
line it is out of every category the archive admits on income.
"""

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from assistance import decisions
from assistance import rules as archive_rules
from assistance.models import (
    AIDED_STATUSES,
    Aid,
    AidKind,
    Category,
    Certificate,
    Contact,
    Decision,
    Event,
    EventKind,
    FileStatus,
    Health,
    Household,
    MonthlyIncome,
    Pairing,
)
from audit.services import record
from documents import numbering
from orgs.models import OrgKind, OrgUnit, Role
from orgs.queries import sees_business
from orgs.services import notify
from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Conflict, Refused

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


# --- shared steps -------------------------------------------------------------------------------------------------


def _lock(household, version):
    locked = Household.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=household.pk)
    if version is not None and locked.version != version:
        raise Conflict(_("The family's file has changed since you read it; read it again and retry."))
    return locked


def _status_refusal(household, doing):
    return Refused(
        _("The file of %(number)s is “%(status)s”: %(doing)s is not possible now.")
        % {"number": household.number, "status": FileStatus(household.status).label, "doing": doing}
    )


def _move(household, action, doing):
    allowed, _to = TRANSITIONS[action]
    if household.status not in allowed:
        raise _status_refusal(household, doing)


def _touch(household, fields=()):
    household.version += 1
    household.updated_at = clock.now()
    household.save(update_fields=["version", "updated_at", *fields])


def _event(household, event_kind, actor, note="", **data):
    return Event.objects.create(household=household, kind=event_kind, actor=person(actor), note=note, data=data)


def _notify_office(household, text, url=""):
    """On commit: the office staff of the managing unit, else of the nearest union above it."""
    line = household.org_unit.line_ids

    def send():
        from orgs.models import User

        staff = {}
        for user in User.objects.filter(org_unit_id__in=line, is_active=True, roles__role=Role.OFFICE).distinct():
            staff.setdefault(user.org_unit_id, []).append(user)
        notify(users=next((staff[u] for u in reversed(line) if u in staff), []), text=text, url=url)

    transaction.on_commit(send)


def _money(amount, what):
    if amount is None:
        raise Refused(_("Enter the %(what)s.") % {"what": what})
    amount = Decimal(amount)
    if amount <= 0:
        raise Refused(
            _("The %(what)s must be more than zero; ¥%(amount)s was entered.") % {"what": what, "amount": amount}
        )
    if amount > MONEY_MAX or amount != amount.quantize(CENT):
        raise Refused(_("The %(what)s has at most two decimals and ten digits before them.") % {"what": what})
    return amount


def _text(value, what, limit, *, required=True):
    value = (value or "").strip()
    if required and not value:
        raise Refused(_("Enter %(what)s.") % {"what": what})
    if len(value) > limit:
        raise Refused(_("%(what)s is longer than %(n)d characters.") % {"what": what, "n": limit})
    from qingdan import text as clean_text

    try:
        return clean_text.clean(value)
    except clean_text.Unclean as unclean:
        raise Refused(unclean.message) from None


def _not_future(day, what, today):
    if day is None:
        raise Refused(_("Enter the %(what)s.") % {"what": what})
    if day > today:
        raise Refused(_("The %(what)s %(day)s is in the future.") % {"what": what, "day": f"{day:%Y-%m-%d}"})
    return day


# --- aid ----------------------------------------------------------------------------------------------------------


def give_aid(*, household, actor, kind, amount, given_on, source, delivered_by, note="", unit=None):
    """Record aid given to an archived (or permanent, or temporary) family; refused for any other file."""
    today = clock.today()
    if not can_manage(actor, household):
        raise Refused(_("Only office staff and reporters of the unit managing the file record its aid."))
    if kind not in AidKind.values:
        raise Refused(_("Choose the kind of aid."))
    amount = _money(amount, _("amount of aid"))
    _not_future(given_on, _("date the aid was given"), today)
    source = _text(source, _("the source of funds"), 100)
    delivered_by = _text(delivered_by, _("who delivered it"), 50)
    note = _text(note, _("the note"), 300, required=False)
    with transaction.atomic():
        locked = _lock(household, None)
        if locked.status not in AIDED_STATUSES:
            raise Refused(
                _(
                    "%(number)s is “%(status)s”: aid is given only to archived families (archived, permanent support"
                    " or temporary aid)."
                )
                % {"number": locked.number, "status": FileStatus(locked.status).label}
            )
        giver = unit or (actor.org_unit if actor is not SYSTEM else locked.org_unit)
        aid = Aid.objects.create(
            household=locked,
            org_unit=giver,
            kind=kind,
            amount=amount,
            given_on=given_on,
            source=source,
            delivered_by=delivered_by,
            note=note,
            created_by=person(actor),
        )
        _event(locked, EventKind.AID, actor, note, kind=kind, amount=str(amount), given_on=str(given_on))
        record(
            action="assistance.aid_given",
            actor=actor,
            obj=aid,
            org_unit=locked.org_unit,
            after={"household": locked.number, "kind": kind, "amount": str(amount), "given_on": str(given_on)},
        )
    return aid


# --- certificates -------------------------------------------------------------------------------------------------


def is_valid(certificate, today=None):
    today = today or clock.today()
    return certificate.revoked_on is None and certificate.issued_on <= today <= certificate.expires_on


def is_expired(certificate, today=None):
    today = today or clock.today()
    return certificate.revoked_on is None and certificate.expires_on < today


def _bodies(honoured_by):
    bodies = []
    for body in honoured_by or []:
        body = _text(body, _("a body that honours it"), 50, required=False)
        if body and body not in bodies:
            bodies.append(body)
    if not bodies:
        raise Refused(_("Name at least one body that honours the certificate."))
    if len(bodies) > 30:
        raise Refused(_("A certificate names at most 30 bodies."))
    return bodies


def _issuer(actor, household):
    """The unit whose number the certificate takes: the issuing office's, or (for the platform) the federation of
    county level or above that manages the family."""
    if actor is not SYSTEM:
        return actor.org_unit
    line = {u.pk: u for u in OrgUnit.objects.filter(pk__in=household.org_unit.line_ids)}
    counties = [line[pk] for pk in household.org_unit.line_ids if pk in line and line[pk].kind == OrgKind.COUNTY]
    return counties[-1] if counties else household.org_unit


def _issue(locked, actor, bodies, today):
    months = _rule(locked, archive_rules.CERTIFICATE_MONTHS)
    taken = numbering.take(issuer=_issuer(actor, locked), kind=CERTIFICATE_KIND, mark=CERTIFICATE_MARK)
    certificate = Certificate.objects.create(
        household=locked,
        number=taken.number,
        issued_on=today,
        expires_on=add_months(today, months) - datetime.timedelta(days=1),
        honoured_by=bodies,
        issued_by=person(actor),
    )
    _event(locked, EventKind.CERTIFICATE, actor, number=certificate.number, expires_on=str(certificate.expires_on))
    record(
        action="assistance.certificate_issued",
        actor=actor,
        obj=certificate,
        org_unit=locked.org_unit,
        after={"household": locked.number, "number": certificate.number, "expires_on": str(certificate.expires_on)},
    )
    return certificate


def _deep_only(locked):
    if locked.status not in (FileStatus.ARCHIVED, FileStatus.PERMANENT):
        raise _status_refusal(locked, _("issuing a preferential certificate"))
    if locked.category != Category.DEEP:
        label = Category(locked.category).label if locked.category else _("no category yet")
        raise Refused(
            _("The preferential certificate is for deep-hardship families only; %(number)s is “%(category)s”.")
            % {"number": locked.number, "category": label}
        )


def issue_certificate(*, household, actor, honoured_by=None):
    """Issue a numbered certificate (困证) to a deep-hardship family; one valid certificate at a time."""
    today = clock.today()
    if not _in_charge(actor, household, Role.OFFICE):
        raise Refused(_("Only the office staff of the federation issue preferential certificates."))
    bodies = _bodies(HONOURING_BODIES if honoured_by is None else honoured_by)
    with transaction.atomic():
        locked = _lock(household, None)
        _deep_only(locked)
        held = Certificate.objects.filter(
            household=locked, revoked_on__isnull=True, issued_on__lte=today, expires_on__gte=today
        ).first()
        if held is not None:
            raise Refused(
                _("%(number)s already holds certificate %(cert)s, valid until %(day)s: renew it when it is due.")
                % {"number": locked.number, "cert": held.number, "day": f"{held.expires_on:%Y-%m-%d}"}
            )
        certificate = _issue(locked, actor, bodies, today)
    _notify_office(
        household,
        _("Certificate %(cert)s issued to %(number)s.") % {"cert": certificate.number, "number": household.number},
        reverse("assistance:certificate", args=[certificate.pk]),
    )
    return certificate


def renew_certificate(*, certificate, actor):
    """A new certificate (a new number, dates from today) in place of one expired or expiring within
    ``RENEW_DAYS``; the old one, if still running, is revoked as replaced."""
    today = clock.today()
    household = certificate.household
    if not _in_charge(actor, household, Role.OFFICE):
        raise Refused(_("Only the office staff of the federation issue preferential certificates."))
    with transaction.atomic():
        locked = _lock(household, None)
        old = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if old.revoked_on is not None:
            raise Refused(
                _("Certificate %(cert)s was revoked; a revoked certificate is not renewed.") % {"cert": old.number}
            )
        if old.expires_on > today + datetime.timedelta(days=RENEW_DAYS):
            raise Refused(
                _("Certificate %(cert)s is valid until %(day)s; it is renewed from %(days)d days before.")
                % {"cert": old.number, "day": f"{old.expires_on:%Y-%m-%d}", "days": RENEW_DAYS}
            )
        if Certificate.objects.filter(household=locked, issued_on__gt=old.issued_on, revoked_on__isnull=True).exists():
            raise Refused(_("Certificate %(cert)s was renewed already.") % {"cert": old.number})
        _deep_only(locked)
        if old.expires_on >= today:
            old.revoked_on = today
            old.save(update_fields=["revoked_on"])
        certificate = _issue(locked, actor, list(old.honoured_by), today)
        record(
            action="assistance.certificate_renewed",
            actor=actor,
            obj=certificate,
            org_unit=locked.org_unit,
            before={"number": old.number},
            after={"number": certificate.number},
        )
    return certificate


def revoke_certificate(*, certificate, actor, reason):
    if not can_revoke_certificate(actor, certificate):
        if certificate.revoked_on is not None:
            raise Refused(_("Certificate %(cert)s is revoked already.") % {"cert": certificate.number})
        raise Refused(_("Only the office staff of the federation revoke preferential certificates."))
    reason = _text(reason, _("the reason"), 300)
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_on is not None:
            raise Refused(_("Certificate %(cert)s is revoked already.") % {"cert": locked.number})
        locked.revoked_on = clock.today()
        locked.save(update_fields=["revoked_on"])
        _event(locked.household, EventKind.CERTIFICATE, actor, reason, number=locked.number, revoked=True)
        record(
            action="assistance.certificate_revoked",
            actor=actor,
            obj=locked,
            org_unit=locked.household.org_unit,
            after={"number": locked.number, "reason": reason},
        )
    return locked


def certificate_problem(certificate, today=None):
    """Why ``certificate`` cannot be used (printed as valid, a benefit recorded against it) today, or None."""
    today = today or clock.today()
    if certificate.revoked_on is not None:
        return _("Certificate %(cert)s was revoked on %(day)s and is no longer valid.") % {
            "cert": certificate.number,
            "day": f"{certificate.revoked_on:%Y-%m-%d}",
        }
    if certificate.expires_on < today:
        return _("Certificate %(cert)s expired on %(day)s: renew it before it is used.") % {
            "cert": certificate.number,
            "day": f"{certificate.expires_on:%Y-%m-%d}",
        }
    if certificate.household.status not in (FileStatus.ARCHIVED, FileStatus.PERMANENT):
        return _("The family of certificate %(cert)s is no longer on file as in hardship.") % {
            "cert": certificate.number
        }
    return None


def record_benefit(*, certificate, actor, body, on, note=""):
    """A benefit given against the certificate (free water, a fee waived …), as a body reports it; refused on a
    certificate expired or revoked."""
    today = clock.today()
    if not can_manage(actor, certificate.household):
        raise Refused(_("Only office staff and reporters of the unit managing the file record its benefits."))
    body = _text(body, _("the body"), 50)
    note = _text(note, _("the note"), 300, required=False)
    _not_future(on, _("date of the benefit"), today)
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().select_related("household").get(pk=certificate.pk)
        problem = certificate_problem(locked, today)
        if problem is None and not locked.issued_on <= on <= locked.expires_on:
            problem = _("Certificate %(cert)s was valid from %(start)s to %(end)s, not on %(day)s.") % {
                "cert": locked.number,
                "start": f"{locked.issued_on:%Y-%m-%d}",
                "end": f"{locked.expires_on:%Y-%m-%d}",
                "day": f"{on:%Y-%m-%d}",
            }
        if problem:
            raise Refused(problem)
        event = _event(
            locked.household, EventKind.CERTIFICATE, actor, note, number=locked.number, benefit=body, on=str(on)
        )
        record(
            action="assistance.certificate_used",
            actor=actor,
            obj=locked,
            org_unit=locked.household.org_unit,
            after={"number": locked.number, "body": body, "on": str(on)},
        )
    return event


# --- pairing and contacts -----------------------------------------------------------------------------------------


def cadre_problem(cadre, household, actor):
    if cadre is None or not cadre.is_active or cadre.org_unit_id is None or not sees_business(cadre):
        return _("Choose an active colleague as the cadre.")
    if actor is not SYSTEM and not cadre.org_unit.is_within(actor.org_unit):
        return _("%(name)s is outside your organisation.") % {"name": cadre.display_name}
    if not household.org_unit.is_within(cadre.org_unit):
        return _("%(name)s works in %(unit)s and cannot read the file of %(number)s, which %(manager)s manages.") % {
            "name": cadre.display_name,
            "unit": cadre.org_unit.name,
            "number": household.number,
            "manager": household.org_unit.name,
        }
    return None


def pair(*, household, cadre, actor, since=None):
    """Pair ``cadre`` with the family (one cadre may hold many families; a family may have more than one)."""
    today = clock.today()
    since = since or today
    if not _in_charge(actor, household, Role.OFFICE):
        raise Refused(_("Only the office staff of the federation pair cadres with families."))
    problem = cadre_problem(cadre, household, actor)
    if problem:
        raise Refused(problem)
    _not_future(since, _("pairing date"), today)
    with transaction.atomic():
        locked = _lock(household, None)
        if locked.status not in INCOME_STATUSES:
            raise _status_refusal(locked, _("pairing a cadre"))
        if Pairing.objects.filter(household=locked, cadre=cadre, until__isnull=True).exists():
            raise Refused(
                _("%(name)s is already paired with %(number)s.") % {"name": cadre.display_name, "number": locked.number}
            )
        pairing = Pairing.objects.create(household=locked, cadre=cadre, since=since)
        _event(
            locked, EventKind.CHANGED, actor, _("Paired with %(name)s") % {"name": cadre.display_name}, paired=cadre.pk
        )
        record(
            action="assistance.paired",
            actor=actor,
            obj=pairing,
            org_unit=locked.org_unit,
            after={"household": locked.number, "cadre": cadre.username, "since": str(since)},
        )
    url = reverse("assistance:contact_new") + f"?household={household.pk}"
    transaction.on_commit(
        lambda: notify(
            users=[cadre], text=_("You are paired with the family %(number)s.") % {"number": household.number}, url=url
        )
    )
    return pairing


def unpair(*, pairing, actor):
    if not can_unpair(actor, pairing):
        if pairing.until is not None:
            raise Refused(_("This pairing ended on %(day)s.") % {"day": f"{pairing.until:%Y-%m-%d}"})
        raise Refused(_("Only the office staff or the cadre end a pairing."))
    with transaction.atomic():
        locked = Pairing.objects.select_for_update().select_related("household__org_unit", "cadre").get(pk=pairing.pk)
        if locked.until is not None:
            raise Refused(_("This pairing ended on %(day)s.") % {"day": f"{locked.until:%Y-%m-%d}"})
        locked.until = max(clock.today(), locked.since)
        locked.save(update_fields=["until"])
        record(
            action="assistance.unpaired",
            actor=actor,
            obj=locked,
            org_unit=locked.household.org_unit,
            after={"household": locked.household.number, "cadre": locked.cadre.username, "until": str(locked.until)},
        )
    return locked


def log_contact(*, household, actor, kind, on, note):
    """A visit or a phone call to a family, logged by a cadre paired with it."""
    today = clock.today()
    if kind not in Contact.Kind.values:
        raise Refused(_("Choose a home visit or a phone call."))
    _not_future(on, _("date of the contact"), today)
    note = _text(note, _("what was found on the visit"), 5000)
    with transaction.atomic():
        locked = _lock(household, None)
        if not can_log_contact(actor, locked):
            if locked.status not in INCOME_STATUSES:
                raise _status_refusal(locked, _("logging a contact"))
            raise Refused(
                _("%(number)s is not one of your paired families: only its paired cadre logs its visits and calls.")
                % {"number": locked.number}
            )
        contact = Contact.objects.create(household=locked, cadre=actor, kind=kind, on=on, note=note)
        record(
            action="assistance.contact_logged",
            actor=actor,
            obj=contact,
            org_unit=locked.org_unit,
            after={"household": locked.number, "kind": kind, "on": str(on)},
        )
    return contact


# --- monthly incomes and exit ------------------------------------------------------------------------------------


def record_month(*, household, actor, month, per_capita, evidence=None, version=None):
    """The per-capita income of one month with its evidence (an ``Evidence`` already kept, e.g. through
    ``evidence.services.keep_with``); the same month again replaces the figure, the old one kept in the audit."""
    today = clock.today()
    if not can_manage(actor, household):
        raise Refused(_("Only office staff and reporters of the unit managing the file record its incomes."))
    if month is None:
        raise Refused(_("Enter the month."))
    month = first_of(month)
    if month > first_of(today):
        raise Refused(_("%(month)s has not begun yet.") % {"month": f"{month:%Y-%m}"})
    if per_capita is None or Decimal(per_capita) < 0:
        raise Refused(_("A per-capita income is zero or more."))
    per_capita = Decimal(per_capita)
    if per_capita > MONEY_MAX or per_capita != per_capita.quantize(CENT):
        raise Refused(_("The per-capita income has at most two decimals and ten digits before them."))
    with transaction.atomic():
        locked = _lock(household, version)
        if locked.status not in INCOME_STATUSES:
            raise _status_refusal(locked, _("recording a monthly income"))
        held = MonthlyIncome.objects.select_for_update().filter(household=locked, month=month).first()
        before = None
        if held is None:
            held = MonthlyIncome(household=locked, month=month)
        else:
            before = {"per_capita": str(held.per_capita), "evidence": held.evidence_id}
            evidence = evidence or held.evidence
        held.per_capita, held.evidence, held.recorded_by = per_capita, evidence, person(actor)
        held.save()
        _touch(locked)
        record(
            action="assistance.month_recorded",
            actor=actor,
            obj=held,
            org_unit=locked.org_unit,
            before=before,
            after={"household": locked.number, "month": f"{month:%Y-%m}", "per_capita": str(per_capita),
                   "evidence": getattr(evidence, "pk", None)},
        )  # fmt: skip
    return held


@dataclass
class ExitCheck:
    """The months an exit is judged on, each ``(month, per_capita or None, has evidence, above)``."""

    line: Decimal
    months: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    no_evidence: list = field(default_factory=list)
    below: list = field(default_factory=list)
    needed: int = 6

    @property
    def ok(self):
        return not (self.missing or self.no_evidence or self.below)

    def message(self):
        parts = []
        if self.missing:
            parts.append(_("no income recorded for %(months)s") % {"months": "、".join(self.missing)})
        if self.no_evidence:
            parts.append(_("no evidence for %(months)s") % {"months": "、".join(self.no_evidence)})
        if self.below:
            parts.append(
                _("not above the line of %(line)s in %(months)s")
                % {"line": _yuan(self.line), "months": "、".join(self.below)}
            )
        return _(
            "An exit needs %(n)d consecutive months above the relative-hardship line of %(line)s, each with evidence: "
            "%(problems)s."
        ) % {"n": self.needed, "line": _yuan(self.line), "problems": "；".join(parts)}


def exit_line(household, today=None):
    """The relative-hardship line of the family's rules this year (yuan per person and month)."""
    _result, standard = decisions.preview(household, today, size=max(household.members.count(), 1))
    percent = _rule(household, archive_rules.RELATIVE_PERCENT)
    return (standard.monthly * percent / 100).quantize(CENT, ROUND_HALF_UP)


def exit_check(household, today=None):
    """The last ``EXIT_MONTHS`` complete months before this one, as an exit judges them."""
    today = today or clock.today()
    needed = _rule(household, archive_rules.EXIT_MONTHS)
    line = exit_line(household, today)
    last = add_months(first_of(today), -1)
    window = [add_months(last, -n) for n in range(needed - 1, -1, -1)]
    held = {m.month: m for m in MonthlyIncome.objects.filter(household=household, month__in=window)}
    check = ExitCheck(line=line, needed=needed)
    for month in window:
        name = f"{month:%Y-%m}"
        income = held.get(month)
        if income is None:
            check.missing.append(name)
            check.months.append((month, None, False, False))
            continue
        above = income.per_capita > line
        check.months.append((month, income.per_capita, income.evidence_id is not None, above))
        if income.evidence_id is None:
            check.no_evidence.append(name)
        if not above:
            check.below.append(name)
    return check


def _revoke_running_certificates(household, today):
    Certificate.objects.filter(household=household, revoked_on__isnull=True, expires_on__gte=today).update(
        revoked_on=today
    )


def exit_hardship(*, household, actor, version):
    """脱困: the family leaves hardship once its income has been above the line for ``EXIT_MONTHS`` months with
    evidence. Freezes an EXIT decision; the file stays live (EXITED) and its members stay held, so a relapse is
    re-archived at once. Running certificates are revoked: they are for families in hardship."""
    today = clock.today()
    if not _in_charge(actor, household, Role.OFFICE):
        raise Refused(_("Only the office staff of the federation decide an exit."))
    with transaction.atomic():
        locked = _lock(household, version)
        _move(locked, "exit", _("an exit"))
        check = exit_check(locked, today)
        if not check.ok:
            raise Refused(check.message())
        decision = decisions.decide(household=locked, kind=Decision.Kind.EXIT, actor=actor, today=today)
        before = locked.status
        locked.status, locked.exited_on = FileStatus.EXITED, today
        _touch(locked, ["status", "exited_on"])
        _revoke_running_certificates(locked, today)
        _event(locked, EventKind.EXITED, actor, decision=decision.pk, line=str(check.line))
        record(
            action="assistance.exited",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before={"status": before},
            after={"status": locked.status, "exited_on": str(today), "decision": decision.pk},
        )
    _notify_office(
        locked,
        _("%(number)s has exited hardship; follow it up in a year.") % {"number": locked.number},
        reverse("assistance:follow_ups"),
    )
    return locked


def permanent_grounds(household):
    """The members whose illness or disability, as the record says, keeps the family from exiting."""
    return [m for m in household.members.all() if m.health in SERIOUS]


def move_to_permanent(*, household, actor, version, reason):
    """兜底: a family that cannot exit through a member's serious illness or disability stays on permanent
    support, with a reason."""
    if not _in_charge(actor, household, Role.OFFICE):
        raise Refused(_("Only the office staff of the federation move a family to permanent support."))
    reason = _text(reason, _("the reason"), 1000)
    with transaction.atomic():
        locked = _lock(household, version)
        _move(locked, "permanent", _("moving to permanent support"))
        grounds = permanent_grounds(locked)
        if not grounds:
            raise Refused(
                _(
                    "Permanent support is for families who cannot exit through illness or disability; no member of "
                    "%(number)s is recorded with a serious illness or a disability."
                )
                % {"number": locked.number}
            )
        before = locked.status
        locked.status = FileStatus.PERMANENT
        _touch(locked, ["status"])
        _event(locked, EventKind.PERMANENT, actor, reason, members=[m.pk for m in grounds])
        record(
            action="assistance.permanent",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before={"status": before},
            after={"status": locked.status, "reason": reason},
        )
    return locked


FACTS = ("annual_income", "rigid_expenses", "accident_costs")


def _set_facts(locked, facts):
    before, after = {}, {}
    for name in FACTS:
        if name not in facts or facts[name] is None:
            continue
        value = Decimal(facts[name])
        if value < 0 or value > MONEY_MAX:
            raise Refused(_("Incomes, expenses and costs are zero or more."))
        before[name], after[name] = str(getattr(locked, name)), str(value)
        setattr(locked, name, value)
    locked.save(update_fields=list(FACTS))
    return before, after


def review(*, household, actor, version, note="", **facts):
    """The yearly review (年审): records the new facts, freezes a REVIEW decision; a family now above every line
    is shown the way to exit (the exit itself still needs its months)."""
    today = clock.today()
    if not _in_charge(actor, household, Role.OFFICE):
        raise Refused(_("Only the office staff of the federation review a file."))
    note = _text(note, _("the note"), 1000, required=False)
    with transaction.atomic():
        locked = _lock(household, version)
        _move(locked, "review", _("a yearly review"))
        previous = locked.decisions.order_by("-made_on", "-id").first()
        before, after = _set_facts(locked, facts)
        decision = decisions.decide(household=locked, kind=Decision.Kind.REVIEW, actor=actor, today=today)
        locked.reviewed_on = today
        _touch(locked, ["reviewed_on"])
        _event(
            locked,
            EventKind.REVIEWED,
            actor,
            note,
            decision=decision.pk,
            previous=getattr(previous, "pk", None),
            category=decision.category,
        )
        record(
            action="assistance.reviewed",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before={**before, "category": getattr(previous, "category", "")},
            after={**after, "category": decision.category, "decision": decision.pk},
        )
    return decision


def rearchive(*, household, actor, version, reason, **facts):
    """A relapse: an exited family archived again at once on its new facts (EXITED → ARCHIVED), with a new
    decision; counted in ``relapses``."""
    today = clock.today()
    if not _in_charge(actor, household, Role.OFFICE):
        raise Refused(_("Only the office staff of the federation re-archive a family."))
    reason = _text(reason, _("the reason"), 1000)
    with transaction.atomic():
        locked = _lock(household, version)
        _move(locked, "rearchive", _("re-archiving"))
        before, after = _set_facts(locked, facts)
        decision = decisions.decide(household=locked, kind=Decision.Kind.RECHECK, actor=actor, today=today)
        if decision.category == Category.NONE:
            raise Refused(
                _(
                    "On these facts %(number)s is above every line (per-capita %(pc)s a month): it is not in hardship "
                    "again, so it is not re-archived."
                )
                % {"number": locked.number, "pc": _yuan(decision.per_capita)}
            )
        exited_on = locked.exited_on
        locked.status, locked.archived_on, locked.exited_on = FileStatus.ARCHIVED, today, None
        locked.reviewed_on = today
        locked.relapses += 1
        _touch(locked, ["status", "archived_on", "exited_on", "reviewed_on", "relapses"])
        _event(locked, EventKind.REARCHIVED, actor, reason, decision=decision.pk, exited_on=str(exited_on))
        record(
            action="assistance.rearchived",
            actor=actor,
            obj=locked,
            org_unit=locked.org_unit,
            before={**before, "status": FileStatus.EXITED, "exited_on": str(exited_on)},
            after={**after, "status": locked.status, "relapses": locked.relapses, "decision": decision.pk},
        )
    _notify_office(
        locked,
        _("%(number)s relapsed and is archived again.") % {"number": locked.number},
        reverse("assistance:household", args=[locked.pk]),
    )
    return locked


# --- the daily scan -----------------------------------------------------------------------------------------------


def scan(today=None):
    """Flags of the day, as notifications (once a day per person and flag, so running it twice is harmless):
    cadres whose paired families were not visited in ``VISIT_DAYS``, offices with expired certificates, reviews
    overdue and exited families due a follow-up. Returns the counts."""
    from assistance import care_queries
    from orgs.models import Notification, User

    today = today or clock.today()
    counts = {"not_visited": 0, "expired": 0, "review_due": 0, "follow_up": 0}
    start = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    messages = {}  # user pk → [(text, url)]

    def add(user_pk, text, url):
        messages.setdefault(user_pk, []).append((text, url))

    not_visited = care_queries.not_visited(Pairing.objects.all(), today).select_related("household")
    for pairing in not_visited:
        counts["not_visited"] += 1
        add(
            pairing.cadre_id,
            _("%(number)s has not been visited for %(days)d days or more.")
            % {"number": pairing.household.number, "days": archive_rules.VISIT_DAYS.default},
            reverse("assistance:contact_new") + f"?household={pairing.household_id}",
        )
    offices = {}

    def office_of(unit_id):
        """The office staff of the nearest unit on the line (the unit itself, else the union above it)."""
        if unit_id not in offices:
            line = OrgUnit.objects.get(pk=unit_id).line_ids
            staff = {}
            for pk, unit in User.objects.filter(
                org_unit_id__in=line, is_active=True, roles__role=Role.OFFICE
            ).values_list("pk", "org_unit_id"):
                staff.setdefault(unit, []).append(pk)
            offices[unit_id] = next((staff[u] for u in reversed(line) if u in staff), [])
        return offices[unit_id]

    by_unit = {}
    for certificate in care_queries.expired_certificates(Certificate.objects.all(), today).select_related("household"):
        counts["expired"] += 1
        by_unit.setdefault(certificate.household.org_unit_id, [0, 0, 0])[0] += 1
    for household in Household.objects.filter(care_queries.review_overdue(today)).only("org_unit_id"):
        counts["review_due"] += 1
        by_unit.setdefault(household.org_unit_id, [0, 0, 0])[1] += 1
    for household in care_queries.follow_ups_due(Household.objects.all(), today).only("org_unit_id"):
        counts["follow_up"] += 1
        by_unit.setdefault(household.org_unit_id, [0, 0, 0])[2] += 1
    for unit_id, (expired, review_due, follow_up) in by_unit.items():
        for pk in office_of(unit_id):
            if expired:
                add(pk, _("%(n)d preferential certificates have expired.") % {"n": expired},
                    reverse("assistance:certificates") + "?expired=1")  # fmt: skip
            if review_due:
                add(pk, _("%(n)d files are due their yearly review.") % {"n": review_due},
                    reverse("assistance:households") + "?review_due=1")  # fmt: skip
            if follow_up:
                add(pk, _("%(n)d exited families are due a follow-up visit.") % {"n": follow_up},
                    reverse("assistance:follow_ups") + "?due=1")  # fmt: skip
    with transaction.atomic():
        sent = set(
            Notification.objects.filter(user_id__in=list(messages), created_at__gte=start).values_list(
                "user_id", "text"
            )
        )
        Notification.objects.bulk_create(
            Notification(user_id=pk, text=text[:300], url=url)
            for pk, items in messages.items()
            for text, url in items
            if (pk, text[:300]) not in sent
        )
    return counts


# --- the household page's parts -----------------------------------------------------------------------------------


def care_context(user, household):
    """What ``assistance/care/_household_*.html`` show on the household page, as ``{"care": …}``: a few queries."""
    from assistance import care_queries

    today = clock.today()
    years, total = care_queries.household_totals(household)
    certificate = household.certificates.order_by("-issued_on", "-id").first()
    pairings = list(household.pairings.filter(until__isnull=True).select_related("cadre__org_unit"))
    contacts = household.contacts.select_related("cadre").order_by("-on", "-id")[:5]
    last_visit = household.contacts.filter(kind=Contact.Kind.VISIT).order_by("-on").values_list("on", flat=True).first()
    return {
        "care": {
            "aid_total": total,
            "aid_years": years,
            "recent_aid": household.aid.select_related("org_unit").order_by("-given_on", "-id")[:5],
            "certificate": certificate,
            "certificate_problem": certificate_problem(certificate, today) if certificate else None,
            "pairings": pairings,
            "contacts": contacts,
            "last_visit": last_visit,
            "visit_late": bool(pairings)
            and (last_visit is None or (today - last_visit).days > _rule(household, archive_rules.VISIT_DAYS)),
            "follow_up_on": household.exited_on
            + datetime.timedelta(days=_rule(household, archive_rules.FOLLOW_UP_DAYS))
            if household.exited_on
            else None,
            "can_give_aid": can_give_aid(user, household),
            "can_issue_certificate": can_issue_certificate(user, household)
            and not (certificate and is_valid(certificate, today)),
            "can_pair": can_pair(user, household),
            "can_log_contact": user is not SYSTEM and can_log_contact(user, household),
            "can_review": can_review(user, household),
            "can_exit": can_exit(user, household),
            "can_rearchive": can_rearchive(user, household),
            "can_record_month": can_record_month(user, household),
        }
    }

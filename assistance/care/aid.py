import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from assistance import rules as archive_rules
from assistance.care.access import (
    CERTIFICATE_KIND,
    CERTIFICATE_MARK,
    HONOURING_BODIES,
    RENEW_DAYS,
    _in_charge,
    _rule,
    add_months,
    can_manage,
    can_revoke_certificate,
)
from assistance.care.steps import _event, _lock, _money, _not_future, _notify_office, _status_refusal, _text
from assistance.models import (
    AIDED_STATUSES,
    Aid,
    AidKind,
    Category,
    Certificate,
    EventKind,
    FileStatus,
)
from audit.services import record
from documents import numbering
from orgs.models import OrgKind, OrgUnit, Role
from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Refused

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

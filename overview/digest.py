"""The weekly digest of leaders and office staff: what changed in their subtree last week and what is overdue now,
gathered from what every area offers (``qingdan.digests``), sorted by delay, never about the reader's own actions.

``send_weekly_digest`` gives one person one week's digest once: a notification linking to the digest page and,
when mail is configured (``QINGDAN_EMAIL_HOST``), a plain-text mail.
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from orgs.models import Role, User
from orgs.queries import root_unit
from orgs.services import notify
from overview.models import DigestSent
from qingdan import clock, digests

logger = logging.getLogger(__name__)

READERS = (Role.LEADER, Role.OFFICE)
OVERDUE_SHOWN = 30  # overdue lines the page and the mail list, longest delay first; the rest are "and N more"
CHANGED_SHOWN = 10  # changed lines each area lists; its counts cover them all


@dataclass
class Area:
    label: str
    counts: list[tuple[str, int]]
    total: int
    lines: list[digests.Line]
    more: int  # changed lines not listed


@dataclass
class OverdueLine:
    area: str
    line: digests.Line


@dataclass
class Digest:
    user: User
    start: date
    end: date
    areas: list[Area] = field(default_factory=list)
    overdue: list[OverdueLine] = field(default_factory=list)
    overdue_total: int = 0

    @property
    def changed_total(self):
        return sum(area.total for area in self.areas)

    @property
    def overdue_more(self):
        return self.overdue_total - len(self.overdue)

    @property
    def url(self):
        return reverse("overview:digest", args=[self.start.isoformat()])


def week_of(day):
    """The Monday and the Sunday of the week holding ``day``."""
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def last_week(today=None):
    """The Monday of the week that ended last Sunday (on a Sunday, the week before the one ending today)."""
    today = today or clock.today()
    last_sunday = today - timedelta(days=today.isoweekday())
    return last_sunday - timedelta(days=6)


def may_read(user):
    return root_unit(user) is not None and user.has_role(*READERS)


def readers():
    """Active leaders and office staff who read the federation's work: the people a digest goes to."""
    users = User.objects.filter(is_active=True, org_unit__isnull=False, roles__role__in=READERS).distinct()
    return [
        user for user in users.select_related("org_unit").prefetch_related("roles").order_by("pk") if may_read(user)
    ]


def build(user, start, today=None):
    """The digest of the week starting on ``start`` (a Monday) for ``user``, in their subtree."""
    today = today or clock.today()
    digest = Digest(user=user, start=start, end=start + timedelta(days=6))
    overdue = []
    for source in digests.sources():
        offer = source.offer(user, digest.start, digest.end, today)
        total = sum(offer.counts.values())
        if total:
            lines = sorted(offer.changed, key=lambda line: (line.day or date.min, line.unit, line.text))
            digest.areas.append(
                Area(
                    label=str(source.label),
                    counts=list(offer.counts.items()),
                    total=total,
                    lines=lines[:CHANGED_SHOWN],
                    more=total - min(len(lines), CHANGED_SHOWN),
                )
            )
        overdue += [OverdueLine(area=str(source.label), line=line) for line in offer.overdue]
        digest.overdue_total += offer.overdue_total
    overdue.sort(key=lambda entry: (-entry.line.delay, entry.line.unit, entry.line.text))
    digest.overdue = overdue[:OVERDUE_SHOWN]
    return digest


def summary(digest):
    """The notification's text (at most 300 characters): the week, what changed per area, what is overdue."""
    changed = " · ".join(f"{area.label} {area.total}" for area in digest.areas)
    text = _("Weekly digest %(start)s to %(end)s: %(changed)s %(overdue)s") % {
        "start": digest.start.isoformat(),
        "end": digest.end.isoformat(),
        "changed": _("changed: %(areas)s.") % {"areas": changed} if changed else _("nothing changed."),
        "overdue": _("%(n)d overdue now.") % {"n": digest.overdue_total},
    }
    if digest.overdue:
        first = digest.overdue[0].line
        text = _("%(summary)s Longest: %(text)s (%(unit)s, %(days)d days).") % {
            "summary": text,
            "text": first.text,
            "unit": first.unit,
            "days": first.delay,
        }
    return text if len(text) <= 300 else text[:299] + "…"


def mail_enabled():
    return bool(settings.QINGDAN_EMAIL_HOST)


def send_weekly_digest(*, user, start, today=None, site_url=""):
    """Give ``user`` the digest of the week from ``start``: a notification and, when mail is configured and the
    user has an address, a mail. Once per user and week: returns False (and sends nothing) when it was given
    already, by an earlier run or by one running at the same moment."""
    digest = build(user, start, today)
    try:
        with transaction.atomic():
            sent = DigestSent.objects.create(user=user, week_start=start)
            notify(users=[user], text=summary(digest), url=digest.url)
    except IntegrityError:
        return False
    if mail_enabled() and user.email:
        body = render_to_string("overview/digest_mail.txt", {"digest": digest, "site_url": site_url})
        subject = _("Qingdan weekly digest %(start)s") % {"start": start.isoformat()}
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
        except (OSError, smtplib.SMTPException):
            # A mail server that fails leaves the notification given (``mailed`` stays false) and the run goes on
            # to the next person: the digest is given once, and its page keeps it readable.
            logger.warning("weekly digest: mail to user %s failed", user.pk, exc_info=True)
        else:
            DigestSent.objects.filter(pk=sent.pk).update(mailed=True)
    return True


def send_all(start, *, today=None, progress=None, site_url=""):
    """Send the week's digest to every reader; returns ``(sent, skipped)``."""
    people = readers()
    sent = skipped = 0
    with translation.override(settings.LANGUAGE_CODE):
        for done, user in enumerate(people, start=1):
            if DigestSent.objects.filter(user=user, week_start=start).exists():
                skipped += 1
            elif send_weekly_digest(user=user, start=start, today=today, site_url=site_url):
                sent += 1
            else:
                skipped += 1
            if progress:
                progress(done, len(people))
    return sent, skipped

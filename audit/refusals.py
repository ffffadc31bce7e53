"""Refusals in the audit trail: what a user (or, on the public poll pages, an address) tried and was refused,
kept within bounds so that a flood cannot fill the trail, and an alert to the auditors when someone keeps
asking for what lies outside their organisation.

The request's own transaction has ended (rolled back, for a refused change) when ``record_refusal`` runs: the
middleware writes the row in a transaction of its own, so the refusal is kept and the refused change is not.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from audit.models import AuditEvent, DenialTally, Result
from audit.services import client_ip, record
from qingdan import clock

# pg_advisory_xact_lock key of the refusal counts ("QDRF"); not the chain's, which only sealing takes.
LOCK_KEY = 0x51445246


def _lock_counts():
    """One refusal at a time: the counts and the once-per-window alert stay exact. SQLite's transactions take the
    database's write lock already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


class Kind:
    """The ``action`` of a refusal's row."""

    DENIED = "access.denied"  # 403: the user's roles do not allow the page or action
    REFUSED = "access.refused"  # the rules refused the action (qingdan.errors.Refused)
    OUT_OF_SCOPE = "access.out_of_scope"  # 404 from a lookup: no such object, or outside the user's subtree
    SUMMARY = "access.refusals_summarised"  # the refusals of one minute beyond the per-minute limit
    ALERT = "audit.out_of_scope_alert"  # repeated requests outside the user's organisation


def record_refusal(*, request, kind, reason, object_type="", object_id="", status=None):
    """Record one refusal of ``request``: a denied row while this user (or address) has met fewer than
    ``QINGDAN_AUDIT_DENIED_PER_MINUTE`` this minute, else only a count that a summary row reports when the minute
    is over. Requests outside the user's organisation count towards the auditors' alert. Call it outside the
    request's failed transaction."""
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    address = client_ip(request)
    now = clock.now()
    minute = now.replace(second=0, microsecond=0)
    with transaction.atomic():
        _lock_counts()
        summarise_closed_minutes(before=minute)
        key = f"user:{user.pk}" if user is not None else f"ip:{address}"
        tally, _created = DenialTally.objects.get_or_create(
            key=key, minute=minute, defaults={"actor": user, "client_ip": address}
        )
        tally.refused += 1
        tally.out_of_scope += kind == Kind.OUT_OF_SCOPE
        tally.save(update_fields=["refused", "out_of_scope"])
        if tally.refused <= settings.QINGDAN_AUDIT_DENIED_PER_MINUTE:
            record(
                action=kind,
                actor=user,
                actor_username="" if user is not None else "(anonymous)",
                object_type=object_type[:64],
                object_id=str(object_id)[:64],
                result=Result.DENIED,
                after={"method": request.method, "path": request.path[:300], "status": status},
                message=str(reason),
                request=request,
            )
        if kind == Kind.OUT_OF_SCOPE and user is not None:
            _alert_if_repeated(user, key, now, request)


def summarise_closed_minutes(*, before=None):
    """One summary row for each minute, ended before ``before`` (now by default), in which someone met more
    refusals than were written one by one; then drop the counts the alert no longer needs."""
    before = before or clock.now().replace(second=0, microsecond=0)
    limit = settings.QINGDAN_AUDIT_DENIED_PER_MINUTE
    with transaction.atomic(savepoint=False):
        _lock_counts()
        pending = DenialTally.objects.select_related("actor__org_unit").filter(
            minute__lt=before, summarised=False, refused__gt=limit
        )
        for tally in pending.order_by("minute", "id"):
            more = tally.refused - limit
            record(
                action=Kind.SUMMARY,
                actor=tally.actor,
                actor_username="" if tally.actor else "(anonymous)",
                result=Result.DENIED,
                after={
                    "minute": tally.minute,
                    "refused": tally.refused,
                    "written": limit,
                    "client_ip": tally.client_ip,
                },
                message=_("%(n)s more refused in this minute, counted but not written one by one.") % {"n": more},
            )
            DenialTally.objects.filter(pk=tally.pk).update(summarised=True)
        window = timedelta(minutes=settings.QINGDAN_AUDIT_ALERT_MINUTES)
        DenialTally.objects.filter(minute__lt=before - window).exclude(summarised=False, refused__gt=limit).delete()


def _alert_if_repeated(user, key, now, request):
    minutes = settings.QINGDAN_AUDIT_ALERT_MINUTES
    since = now - timedelta(minutes=minutes)
    count = DenialTally.objects.filter(key=key, minute__gt=since).aggregate(n=Sum("out_of_scope"))["n"] or 0
    if count < settings.QINGDAN_AUDIT_ALERT_OUT_OF_SCOPE:
        return
    if AuditEvent.objects.filter(action=Kind.ALERT, actor=user, created_at__gt=since).exists():
        return  # once per window
    text = _(
        "Audit alert: %(user)s asked %(n)s times within %(minutes)s minutes for records outside their organisation."
    ) % {
        "user": f"{user.username}（{user.full_name}）" if user.full_name else user.username,
        "n": count,
        "minutes": minutes,
    }
    record(
        action=Kind.ALERT,
        actor=user,
        result=Result.ALERT,
        after={"out_of_scope": count, "minutes": minutes},
        message=text,
        request=request,
    )
    auditors = list(auditors_of(user))
    url = reverse("audit:list") + "?" + urlencode({"actor": user.username, "result": Result.DENIED})

    def tell():
        from orgs.services import notify

        notify(users=auditors, text=text, url=url)

    transaction.on_commit(tell)


def auditors_of(user):
    """The auditors of the user's federation: those of the nearest unit above the user (or the user's own) that
    has any, who see the user's events in their trail."""
    from orgs.models import Role, User

    unit = user.org_unit
    if unit is None:
        return User.objects.none()
    people = User.objects.filter(org_unit__in=unit.line_ids, is_active=True, roles__role=Role.AUDITOR).select_related(
        "org_unit"
    )
    deepest = max((person.org_unit.depth for person in people), default=None)
    return [person for person in people if person.org_unit.depth == deepest]

"""公示 and the worker's own application, the archive's two public doors (no log-in).

A notice shows only what a public notice may: the head's name masked (张*), the category, the managing unit and
the period; no ID number, no address, no phone. Objections come through the QR code on the notice. ``scan(today)``
takes down every notice whose period has ended (run daily: ``manage.py scan_publicity``); the page then says the
notice has ended and shows nothing personal.

A grassroots union's QR code carries a signed token of the union: a worker fills one phone-first form and an
APPLIED file is created for that union. Both doors are throttled per client address (a keyed hash, never the
address itself)."""

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from assistance import households
from assistance.models import EventKind, Household, Objection, Publicity
from audit.services import record
from orgs.models import OrgUnit
from qingdan import clock, throttles
from qingdan.actors import SYSTEM
from qingdan.errors import Refused
from qingdan.protect import lookup_hash

APPLY_SALT = "assistance.apply"
APPLY_PER_HOUR = 5  # applications per client address and hour
OBJECTIONS_PER_HOUR = 5
WINDOW = 3600


def masked_name(name):
    name = name or ""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def is_open(publicity, today=None):
    today = today or clock.today()
    return publicity.taken_down_on is None and publicity.starts_on <= today <= publicity.ends_on


def address_key(address):
    return lookup_hash(address or "", "client_address") if address else ""


def _throttle(kind, address, limit):
    """Count one more from ``address`` in the hour, or refuse: nothing is stored when refused."""
    if address:
        # "-times": the moments of the window; the keys of before held a bare count, which a deploy may find.
        message = _("Too many submissions from this network just now; please try again in an hour.")
        throttles.admit(
            [(f"assistance-{kind}-times:{address}", limit, message)],
            window=WINDOW,
            explain=lambda reason, _wait: reason,
        )


def submit_objection(*, publicity, text, address=""):
    """An objection from the public while the notice is open."""
    text = (text or "").strip()
    if not text:
        raise Refused(_("Write your objection."))
    if not is_open(publicity):
        raise Refused(_("This public notice has ended; objections are no longer received here."))
    hashed = address_key(address)
    with transaction.atomic():
        publicity = Publicity.objects.select_for_update().select_related("household__org_unit").get(pk=publicity.pk)
        _throttle("objection", hashed, OBJECTIONS_PER_HOUR)
        objection = Objection.objects.create(publicity=publicity, text=text, address_hash=hashed)
        household = publicity.household
        households.event(household, EventKind.OBJECTION, SYSTEM, objection=objection.pk)
        record(
            action="assistance.objection_received",
            actor_username="public",
            obj=household,
            org_unit=household.org_unit,
            after={"objection": objection.pk},
        )
    return objection


def scan(today=None):
    """Take down every notice whose period has ended, each with its audit record; returns how many. Safe to run
    twice at once: a notice is taken down by a conditional update, and only the scan whose update took it records
    it."""
    today = today or clock.today()
    ended = Publicity.objects.filter(taken_down_on__isnull=True, ends_on__lt=today).select_related(
        "household__org_unit"
    )
    taken = 0
    for notice in ended.order_by("pk"):
        with transaction.atomic():
            if not Publicity.objects.filter(pk=notice.pk, taken_down_on__isnull=True).update(taken_down_on=today):
                continue
            record(
                action="assistance.notice_taken_down",
                actor_username="system",
                obj=notice.household,
                org_unit=notice.household.org_unit,
                after={
                    "publicity": notice.pk,
                    "ends_on": notice.ends_on.isoformat(),
                    "taken_down_on": today.isoformat(),
                },
            )
        taken += 1
    return taken


# --- the worker's application ----------------------------------------------------------------------------------------


def apply_token(unit):
    return signing.dumps(unit.pk, salt=APPLY_SALT, compress=True)


def unit_of_token(token):
    try:
        pk = signing.loads(token, salt=APPLY_SALT)
    except signing.BadSignature:
        return None
    return OrgUnit.objects.filter(pk=pk).first()


def apply_by_phone(*, unit, facts, head, declared_size=None, address=""):
    """A worker's own application from a union's QR code: an APPLIED file of that union, with its head and the
    household size the worker declares (kept on the APPLIED event, in the same transaction)."""
    if unit.kind not in households.FILING_KINDS:
        raise Refused(_("This code does not belong to a union."))
    with transaction.atomic():  # counted with the file it stores, one application of an address at a time
        _throttle("apply", address_key(address), APPLY_PER_HOUR)
        return households.create_household(
            actor=SYSTEM, org_unit=unit, facts={**facts, "source": "phone"}, members=[head], declared_size=declared_size
        )


def household_of(publicity):
    return Household.objects.select_related("org_unit").get(pk=publicity.household_id)

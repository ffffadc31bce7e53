from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from assistance.care.access import CENT, MONEY_MAX, TRANSITIONS
from assistance.models import (
    Event,
    FileStatus,
    Household,
)
from orgs.models import Role
from orgs.services import notify
from qingdan import clock
from qingdan.actors import person
from qingdan.errors import Conflict, Refused

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

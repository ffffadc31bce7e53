from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from cases.dispute_flow.access import AMOUNT_MAX, GRID_MAX, MONTHS_MAX, county_of
from cases.models import (
    DisputeKind,
    DisputeSource,
    Enterprise,
)
from cases.models.demands import NAME_MAX, PHONE_MAX, TEXT_MAX
from cases.models.disputes import WORKERS_MAX
from cases.services import normalise_phone, phone_problem
from qingdan.errors import Refused
from qingdan.text import Unclean, clean

# --- checking facts -----------------------------------------------------------------------------------------------


def _text(value, *, label, most, required=False, multiline=False):
    try:
        value = clean(str(value or ""), multiline=multiline)
    except Unclean as unclean:
        raise Refused(_("The %(field)s %(problem)s") % {"field": label, "problem": unclean.message}) from None
    if required and not value:
        raise Refused(_("Fill in the %(field)s.") % {"field": label})
    if len(value) > most:
        raise Refused(_("The %(field)s is longer than %(n)d characters.") % {"field": label, "n": most})
    return value


def _decimal(value, *, label):
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise Refused(_("The %(field)s is not a number.") % {"field": label}) from None
    if not number.is_finite():
        raise Refused(_("The %(field)s is not a number.") % {"field": label})
    if number < 0:
        raise Refused(_("The %(field)s cannot be negative.") % {"field": label})
    return number


def clean_months(value):
    months = _decimal(value, label=_("months in arrears"))
    if months > MONTHS_MAX:
        raise Refused(_("Months in arrears go up to 99.9; check the number."))
    if months != months.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP):
        raise Refused(_("Give the months in arrears with one decimal at most, e.g. 2.5."))
    return months.quantize(Decimal("0.1"))


def clean_amount(value, *, label=None):
    label = label or _("amount claimed")
    amount = _decimal(value, label=label)
    if amount > AMOUNT_MAX:
        raise Refused(
            _("The %(field)s is more than ¥%(max)s; check the number.") % {"field": label, "max": f"{AMOUNT_MAX:,.2f}"}
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise Refused(_("The %(field)s has at most two decimals (fen).") % {"field": label})
    return amount.quantize(Decimal("0.01"))


def clean_workers(value):
    try:
        workers = int(value)
    except (TypeError, ValueError):
        raise Refused(_("The number of workers involved is not a whole number.")) from None
    if workers < 1:
        raise Refused(_("At least one worker is involved."))
    if workers > WORKERS_MAX:
        raise Refused(_("The number of workers involved is more than %(n)s.") % {"n": f"{WORKERS_MAX:,}"})
    return workers


FACTS = (
    "enterprise",
    "project",
    "subcontract",
    "kind",
    "source",
    "grid",
    "summary",
    "worker_name",
    "worker_phone",
    "workers",
    "months_in_arrears",
    "amount_claimed",
)
COLOUR_FACTS = ("workers", "months_in_arrears", "amount_claimed")


def _clean_facts(facts, *, unit):
    """The facts normalised and checked against ``unit`` (the registering unit); the first problem is refused."""
    facts = dict(facts)
    enterprise = facts.get("enterprise")
    if not isinstance(enterprise, Enterprise):
        raise Refused(_("Choose the enterprise from the registry."))
    county = county_of(unit) or unit
    if not enterprise.org_unit.is_within(county):
        raise Refused(
            _("%(name)s is registered outside %(county)s; a dispute names an enterprise of its own county.")
            % {"name": enterprise.name, "county": county.name}
        )
    project, subcontract = facts.get("project"), facts.get("subcontract")
    if project is not None and not project.org_unit.is_within(county):
        raise Refused(_("The project %(name)s is outside %(county)s.") % {"name": project.name, "county": county.name})
    if subcontract is not None and (project is None or subcontract.project_id != project.pk):
        raise Refused(_("The subcontractor must be a firm of the chosen project's contractor chain; choose it again."))
    if facts.get("kind") not in DisputeKind.values:
        raise Refused(_("Choose the type of dispute."))
    if facts.get("source") not in DisputeSource.values:
        raise Refused(_("Choose where the dispute came from."))
    facts["grid"] = _text(facts.get("grid"), label=_("grid"), most=GRID_MAX)
    facts["summary"] = _text(facts.get("summary"), label=_("facts"), most=TEXT_MAX, required=True, multiline=True)
    facts["worker_name"] = _text(
        facts.get("worker_name"), label=_("workers' representative"), most=NAME_MAX, required=True
    )
    phone = normalise_phone(_text(facts.get("worker_phone"), label=_("phone"), most=PHONE_MAX))
    if problem := phone_problem(phone):
        raise Refused(problem)
    facts["worker_phone"] = phone
    facts["workers"] = clean_workers(facts.get("workers"))
    facts["months_in_arrears"] = clean_months(facts.get("months_in_arrears"))
    facts["amount_claimed"] = clean_amount(facts.get("amount_claimed"))
    return {key: facts.get(key) for key in FACTS}


def snapshot(dispute):
    """The facts as the audit trail keeps them (``phone`` is masked there)."""
    return {
        "enterprise": dispute.enterprise.credit_code,
        "project": dispute.project.name if dispute.project_id else None,
        "subcontract": dispute.subcontract.contractor.credit_code if dispute.subcontract_id else None,
        "kind": dispute.kind,
        "source": dispute.source,
        "grid": dispute.grid,
        "summary": dispute.summary,
        "worker_name": dispute.worker_name,
        "phone": dispute.worker_phone,
        "workers": dispute.workers,
        "months_in_arrears": str(dispute.months_in_arrears),
        "amount_claimed": str(dispute.amount_claimed),
        "colour": dispute.colour,
    }

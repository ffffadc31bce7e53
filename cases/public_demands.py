"""The worker's pages (no log-in), phone first: send a demand from the enterprise's QR poster and keep the receipt
code; follow it with the code, read the official reply, rate it once, or say it is not resolved.

Both doors are throttled per client address (its keyed hash only, through ``qingdan.throttles``): demands sent, and wrong receipt codes, so that codes cannot be guessed one after another."""

import math

from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from audit.services import client_ip
from cases import demand_flow, receipts, rules
from cases.forms_demands import CodeForm, RateForm, ReopenForm, WorkerDemandForm
from cases.models import DemandEventKind, DemandStatus, Enterprise
from cases.views_demands import enterprise_of_key
from qingdan import clock, throttles
from qingdan.errors import Refused
from qingdan.throttles import Throttled

SENT_KEY = "cases_worker_receipt"
WINDOW = 3600  # seconds
SENDS_PER_ADDRESS = 20  # a workshop behind one NAT address may send a few; a script may not send hundreds
WRONG_CODES_PER_ADDRESS = 10  # 10 guesses an hour among 31^10 codes: nothing to find
# What the worker's timeline shows: the steps, never who took them nor the staff's notes.
PUBLIC_EVENTS = {
    DemandEventKind.SUBMITTED,
    DemandEventKind.REGISTERED,
    DemandEventKind.ACCEPTED,
    DemandEventKind.DECLINED,
    DemandEventKind.REPLIED,
    DemandEventKind.ESCALATED,
    DemandEventKind.URGED,
    DemandEventKind.CALLED_BACK,
    DemandEventKind.RATED,
    DemandEventKind.CLOSED,
    DemandEventKind.REOPENED,
}


def _address(request):
    address = client_ip(request) or ""
    return salted_hmac("cases.worker-address", address, algorithm="sha256").hexdigest()[:32] if address else ""


def _try_again(message, wait):
    minutes = max(1, math.ceil(wait / 60))
    retry = ngettext("Please try again in %(n)d minute.", "Please try again in %(n)d minutes.", minutes) % {
        "n": minutes
    }
    return f"{message} {retry}"


def _check(kind, address, limit, message):
    """Raise ``Throttled`` when ``address`` has had its fill of ``kind`` in the last hour."""
    if address:
        throttles.check([(f"demand-{kind}:{address}", limit, message)], window=WINDOW, explain=_try_again)


def _count(kind, address):
    if address:
        throttles.count([f"demand-{kind}:{address}"], window=WINDOW)


def _throttled(request, throttled, template, context):
    response = render(request, template, {**context, "notice": throttled.message}, status=429)
    response["Retry-After"] = str(throttled.retry_after)
    return response


# --- sending ------------------------------------------------------------------------------------------------------


@never_cache
def send(request, key):
    pk = enterprise_of_key(key)
    enterprise = Enterprise.objects.filter(pk=pk).first() if pk is not None else None
    if enterprise is None:
        return render(request, "cases/worker/demand_not_found.html", status=404)
    form = WorkerDemandForm(request.POST if request.method == "POST" else None, initial={"group_size": 1})
    context = {"enterprise": enterprise, "form": form}
    if request.method == "POST" and form.is_valid():
        address = _address(request)
        try:
            # One transaction: two sends from one address are counted one after the other, and only when stored.
            with transaction.atomic():
                _check("sent", address, SENDS_PER_ADDRESS, _("Many demands came from your network just now."))
                demand, code = demand_flow.submit_demand(enterprise=enterprise, request=request, **form.cleaned_data)
                _count("sent", address)
        except Throttled as throttled:
            return _throttled(request, throttled, "cases/worker/demand_form.html", context)
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            request.session[SENT_KEY] = code
            return redirect("worker:demand_sent")
    return render(request, "cases/worker/demand_form.html", context, status=422 if form.errors else 200)


@never_cache
def sent(request):
    """The receipt code, once: a reload shows the page without it."""
    code = request.session.pop(SENT_KEY, None)
    return render(request, "cases/worker/demand_sent.html", {"code": receipts.pretty(code) if code else None})


# --- following ----------------------------------------------------------------------------------------------------


def _status_context(demand, code):
    today = clock.today()
    shows_reply = demand.status in (DemandStatus.REPLIED, DemandStatus.CLOSED, DemandStatus.DECLINED)
    return {
        "demand": demand_flow.labelled(demand),
        "events": demand_flow.labelled_events(e for e in demand.events.all() if e.kind in PUBLIC_EVENTS),
        "shows_reply": shows_reply,
        "rate_form": RateForm(initial={"code": code}, prefix="rate") if demand_flow.can_rate(demand) else None,
        "reopen_form": ReopenForm(initial={"code": code}, prefix="reopen")
        if demand_flow.can_reopen(demand, today)
        else None,
        "reopen_days": rules.of(demand, rules.REOPEN_DAYS),
        "code": receipts.pretty(code),
    }


@never_cache
def follow(request):
    """The code-entry page, and the demand as the worker sees it once the code is right. The code travels in the
    form's body (never in the address, which logs keep); rating and reopening post it again."""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    raw_code = request.POST.get(f"{action}-code" if action in ("rate", "reopen") else "code", "")
    form = CodeForm(request.POST if request.method == "POST" and not action else None)
    context = {"form": form}
    if request.method != "POST":
        return render(request, "cases/worker/demand_follow.html", context)
    address = _address(request)
    try:
        # One transaction: guesses sent at once from one address are checked and counted one after the other.
        with transaction.atomic():
            _check("wrong", address, WRONG_CODES_PER_ADDRESS, _("Too many wrong receipt codes came from your network."))
            demand = demand_flow.find_by_code(raw_code[:20]) if len(raw_code) <= 20 else None
            if demand is None:
                _count("wrong", address)
    except Throttled as throttled:
        return _throttled(request, throttled, "cases/worker/demand_follow.html", context)
    if demand is None:
        form = CodeForm(initial={"code": raw_code[:20]})
        form.is_bound = False
        context = {"form": form, "error": _("No demand has this receipt code; check the code on your slip.")}
        return render(request, "cases/worker/demand_follow.html", context, status=404)
    code = receipts.normalise(raw_code)
    notice, error = "", ""
    if action in ("rate", "reopen"):
        bound = (RateForm if action == "rate" else ReopenForm)(request.POST, prefix=action)
        if not bound.is_valid():
            error = " ".join(e for errors in bound.errors.values() for e in errors)
        else:
            try:
                if action == "rate":
                    demand = demand_flow.rate_demand(code=code, rating=bound.cleaned_data["rating"], request=request)
                    notice = _("Thank you: your rating is saved.")
                else:
                    demand = demand_flow.reopen_demand(code=code, reason=bound.cleaned_data["reason"], request=request)
                    notice = _("Your demand is being handled again; the handling unit has been told.")
            except Refused as refused:
                error = refused.message
        demand = demand_flow.find_by_code(code)
    context = {**_status_context(demand, code), "notice": notice, "error": error}
    return render(request, "cases/worker/demand_status.html", context, status=422 if error else 200)

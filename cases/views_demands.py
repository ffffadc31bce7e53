"""The demands pages: the list with its filter bar and export, registering a demand (and its receipt slip, shown
once), a demand with its timeline and the actions this user may take now, and an enterprise's QR poster."""

import re

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.masking import mask_phone
from audit.services import record
from cases import demand_flow, exports_demands, inbox_demands, receipts
from cases.forms_demands import (
    AcceptForm,
    CallbackForm,
    DeclineForm,
    DemandFilterForm,
    DemandForm,
    NoteForm,
    ReplyForm,
    UrgeForm,
)
from cases.models import DemandStatus
from cases.queries import get_enterprise, visible_enterprises
from cases.scope import filter_demands, get_demand, get_meeting, visible_demands
from orgs.models import OrgUnit
from orgs.queries import root_unit
from qingdan import clock
from qingdan.errors import Conflict, Refused
from qingdan.pages import export_stem, form_filters, paginate, query_without_page, xlsx_response

RECEIPTS_KEY = "cases_demand_receipts"  # {demand pk: code} until the slip is shown, once
POSTER_SALT = "cases.demand-poster"


def poster_key(enterprise):
    """The enterprise's part of its poster's link: signed, so the links cannot be walked one enterprise after
    another."""
    return signing.Signer(salt=POSTER_SALT).sign(str(enterprise.pk)).replace(":", "-")


def enterprise_of_key(key):
    try:
        return int(signing.Signer(salt=POSTER_SALT).unsign(key.replace("-", ":", 1)))
    except (signing.BadSignature, ValueError):
        return None


# --- the list -----------------------------------------------------------------------------------------------------


def _filtered(request):
    demands = filter_demands(visible_demands(request.user), request.GET)
    task = request.GET.get("task", "")
    if task in inbox_demands.Task.LABELS:
        demands = demands.filter(inbox_demands.task_filter(request.user, task))
    return demands, task


def _filter_units(user):
    unit = root_unit(user)
    if unit is None:
        return []
    return list(OrgUnit.objects.filter(parent=unit, kind__in=("town", "county")).order_by("path")[:60])


@login_required
def demand_list(request):
    demands, task = _filtered(request)
    page = paginate(
        request, demands.select_related("enterprise", "org_unit", "handling_unit").order_by("-received_on", "-id")
    )
    today = clock.today()
    for demand in page.object_list:
        demand_flow.labelled(demand)
        demand.masked_name = exports_demands.mask_name(demand.worker_name)
        demand.overdue = _overdue(demand, today)
    unit = root_unit(request.user)
    return render(
        request,
        "cases/demands/list.html",
        {
            "form": DemandFilterForm(request.GET or None, units=_filter_units(request.user)),
            "page": page,
            "task": inbox_demands.Task.LABELS.get(task),
            "query": query_without_page(request),
            "filters": request.GET.urlencode(),
            "can_register": unit is not None and demand_flow.can_register(request.user, request.user.org_unit),
        },
    )


@login_required
def demand_export(request):
    demands, task = _filtered(request)
    form = DemandFilterForm(request.GET or None, units=_filter_units(request.user))
    words = [*form_filters(form), inbox_demands.Task.LABELS.get(task, "")]
    stem = export_stem(root_unit(request.user), _("Worker demands"), *words)
    return xlsx_response(exports_demands.demands_xlsx(demands.order_by("-received_on", "-id")), stem)


# --- registering --------------------------------------------------------------------------------------------------


@login_required
def demand_new(request):
    unit = request.user.org_unit
    if unit is None or not demand_flow.can_register(request.user, unit):
        raise PermissionDenied(_("Only the office staff of a federation or a town union register demands."))
    meeting = None
    meeting_id = request.GET.get("meeting") or request.POST.get("meeting")
    if meeting_id:
        if not re.fullmatch(r"[0-9]{1,12}", str(meeting_id)):
            raise Http404
        meeting = get_meeting(request.user, int(meeting_id))
    initial = {"received_on": clock.today(), "group_size": 1}
    if meeting is not None:
        initial.update(meeting=meeting.pk, received_on=meeting.held_on, enterprise=meeting.enterprise_id)
    form = DemandForm(
        request.POST if request.method == "POST" else None, initial=initial, user=request.user, unit=unit,
        meeting=meeting,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            demand, code = demand_flow.register_demand(
                actor=request.user,
                org_unit=unit,
                enterprise=meeting.enterprise if meeting else data["enterprise"],
                source=data["source"] or "meeting",
                category=data["category"],
                content=data["content"],
                worker_name=data["worker_name"],
                worker_phone=data["worker_phone"],
                group_size=data["group_size"],
                handling_unit=data["handling_unit"],
                received_on=data["received_on"],
                meeting=meeting,
                request=request,
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            kept = request.session.get(RECEIPTS_KEY, {})
            kept[str(demand.pk)] = code
            request.session[RECEIPTS_KEY] = kept
            messages.success(request, _("The demand is registered and sent to %(unit)s.") % {
                "unit": demand.handling_unit.name})  # fmt: skip
            if warning := demand_flow.deadline_warning(demand):
                messages.warning(request, warning)
            return redirect("cases:demand_slip", pk=demand.pk)
    return render(request, "cases/demands/form.html", {"form": form, "meeting": meeting})


@never_cache
@login_required
def demand_slip(request, pk):
    """The receipt slip, printed for the worker: the code is in it the first time only."""
    demand = get_demand(request.user, pk)
    kept = request.session.get(RECEIPTS_KEY, {})
    code = kept.pop(str(demand.pk), None)
    request.session[RECEIPTS_KEY] = kept
    return render(
        request,
        "cases/demands/slip.html",
        {
            "demand": demand,
            "code": receipts.pretty(code) if code else None,
            "follow_url": request.build_absolute_uri(reverse("worker:demand_follow")),
        },
    )


# --- a demand -----------------------------------------------------------------------------------------------------

ACTIONS = {
    "accept": (AcceptForm, demand_flow.can_accept),
    "decline": (DeclineForm, demand_flow.can_decline),
    "reply": (ReplyForm, demand_flow.can_reply),
    "call_back": (CallbackForm, demand_flow.can_call_back),
    "urge": (UrgeForm, demand_flow.can_urge),
    "note": (NoteForm, demand_flow.can_keep_notes),
}
NEEDS_DEMAND = {"accept", "reply"}


def _form(action, demand, data=None):
    form_class = ACTIONS[action][0]
    kwargs = {"demand": demand} if action in NEEDS_DEMAND else {}
    initial = {"version": demand.version}
    if action == "accept" and demand.enterprise.org_unit_id:
        initial["handling_unit"] = demand.org_unit_id
    return form_class(data, initial=initial, prefix=action, **kwargs)


def _context(request, demand, *, show_full=False, bound=None):
    user = request.user
    forms = {action: _form(action, demand) for action, (_f, allowed) in ACTIONS.items() if allowed(user, demand)}
    if bound is not None:
        forms[bound[0]] = bound[1]
    notes = demand.notes.select_related("author") if demand_flow.can_keep_notes(user, demand) else None
    today = clock.today()
    return {
        "demand": demand_flow.labelled(demand),
        "events": demand_flow.labelled_events(demand.events.select_related("actor")),
        "notes": notes,
        "forms": forms,
        "show_full": show_full,
        "can_see_worker": demand_flow.can_see_worker(user, demand),
        "masked_name": exports_demands.mask_name(demand.worker_name),
        "masked_phone": mask_phone(demand.worker_phone) if demand.worker_phone else "",
        "overdue": _overdue(demand, today),
        "warning": demand_flow.deadline_warning(demand) if demand.status == DemandStatus.ASSIGNED else "",
        "reopen_open": demand_flow.can_reopen(demand, today),
        # A demand may reach a unit whose enterprise is registered outside the user's subtree: name it, no link.
        "enterprise_visible": visible_enterprises(user).filter(pk=demand.enterprise_id).exists(),
    }


@login_required
def demand_detail(request, pk):
    demand = get_demand(request.user, pk)
    show_full = False
    if request.method == "POST":
        if not demand_flow.can_see_worker(request.user, demand):
            raise PermissionDenied(_("Only the staff of the registering unit see the worker's full name and phone."))
        record(action="cases.demand_worker_viewed", actor=request.user, obj=demand, org_unit=demand.org_unit,
               request=request)  # fmt: skip
        show_full = True
    return render(request, "cases/demands/detail.html", _context(request, demand, show_full=show_full))


@require_POST
@login_required
def demand_action(request, pk, action):
    demand = get_demand(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    form = _form(action, demand, request.POST)
    if not form.is_valid():
        return render(request, "cases/demands/detail.html", _context(request, demand, bound=(action, form)), status=422)
    data = form.cleaned_data
    version = data.get("version")
    version = version if version is not None else -1
    common = {"demand": demand, "actor": request.user, "request": request}
    try:
        if action == "accept":
            demand_flow.accept_demand(version=version, handling_unit=data["handling_unit"], **common)
            done = _("The demand is accepted and sent to %(unit)s.") % {"unit": data["handling_unit"].name}
        elif action == "decline":
            demand_flow.decline_demand(version=version, reason=data["reason"], **common)
            done = _("The demand is not accepted; the worker can read the reason with the receipt code.")
        elif action == "reply":
            demand_flow.reply_demand(
                version=version, reply=data["reply"], result=data["result"], escalate_to=data["escalate_to"], **common
            )
            done = _("The reply is saved; the worker can read it with the receipt code.")
            if data["result"] == "beyond":
                done = _("The demand is escalated to %(unit)s.") % {"unit": data["escalate_to"].name}
        elif action == "call_back":
            demand_flow.call_back(version=version, note=data["note"], **common)
            done = _("The call-back is recorded and the demand is closed.")
        elif action == "urge":
            demand_flow.urge_demand(version=version, **common)
            done = _("The handling unit is urged.")
        else:
            demand_flow.add_note(demand=demand, actor=request.user, text_=data["text"], request=request)
            done = _("The note is saved.")
    except (Refused, Conflict) as refused:
        form.add_error(None, refused.message)
        demand.refresh_from_db()
        return render(request, "cases/demands/detail.html", _context(request, demand, bound=(action, form)), status=422)
    messages.success(request, done)
    return redirect("cases:demand", pk=demand.pk)


# --- the QR poster ------------------------------------------------------------------------------------------------


@login_required
def demand_poster(request, pk):
    """An A4 poster for the enterprise's notice board: a QR code leading to the worker's demand form."""
    enterprise = get_enterprise(request.user, pk)
    url = request.build_absolute_uri(reverse("worker:demand_form", args=[poster_key(enterprise)]))
    # Drawn here as an inline SVG, as the polls' codes are: no file, no request to anywhere.
    svg = segno.make(url, error="m").svg_inline(scale=1, omitsize=True, border=2, svgclass="qd-qr")
    return render(request, "cases/demands/poster.html", {"enterprise": enterprise, "url": url, "svg": svg})


def _overdue(demand, today):
    """Still waiting for its reply after the deadline: the list's ``overdue=1`` filter, for one demand."""
    return demand.status == DemandStatus.ASSIGNED and demand.reply_due is not None and demand.reply_due < today

"""The labour disputes pages: the list with its filters and export, registering (and the grid leader's phone
form), a dispute with its parties, mediation levels, outcome, follow-up and timeline, and the actions on it.
Thin: every change is a function of ``cases.dispute_flow``, which asks the same ``can_*`` as the page."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

import workdays
from cases import dispute_flow as flow
from cases import exports_disputes, inbox_disputes
from cases.forms_disputes import (
    ActionDoneForm,
    AgreementForm,
    DisputeFilterForm,
    DisputeForm,
    FailLevelForm,
    GridForm,
    MediatorForm,
    NoteForm,
    PartyActionForm,
    PartyForm,
    PaymentForm,
    ReferForm,
    SessionForm,
    StartMediationForm,
)
from cases.models import (
    Colour,
    DisputeEventKind,
    Enterprise,
    Level,
    Mediation,
    Outcome,
    Party,
    PartyAction,
    Side,
    Subcontract,
)
from cases.queries import get_enterprise, visible_enterprises, visible_projects
from cases.scope import filter_disputes, get_dispute, visible_disputes
from orgs.models import OrgUnit
from orgs.queries import root_unit, visible_units, within
from qingdan import clock
from qingdan.errors import Conflict, Refused
from qingdan.pages import export_stem, form_filters, paginate, query_without_page, xlsx_response

COLOUR_RANK = Case(
    When(colour=Colour.RED, then=Value(0)),
    When(colour=Colour.ORANGE, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
HISTORY_MAX = 50  # disputes shown on an enterprise's page


def mask_name(name):
    """``张三丰`` → ``张**``: workers' names in lists."""
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


# --- the list -----------------------------------------------------------------------------------------------------


def _filtered(request):
    disputes = filter_disputes(visible_disputes(request.user), request.GET)
    task = request.GET.get("task", "")
    if task in inbox_disputes.Task.LABELS:
        disputes = disputes.filter(inbox_disputes.task_filter(request.user, task))
    return disputes


def _units(user):
    return [(u.pk, "\u3000" * max(u.depth - user.org_unit.depth, 0) + u.name) for u in _register_units(user)]


def _register_units(user):
    unit = root_unit(user)
    if unit is None:
        return OrgUnit.objects.none()
    return visible_units(user).filter(kind__in=flow.REGISTER_KINDS).order_by("path")


@login_required
def dispute_list(request):
    disputes = _filtered(request)
    page = paginate(
        request,
        disputes.select_related("enterprise", "org_unit")
        .annotate(rank=COLOUR_RANK)
        .order_by("rank", "-received_on", "-id"),
    )
    for dispute in page.object_list:
        dispute.masked_name = mask_name(dispute.worker_name)
        dispute.status_label = flow.status_label(dispute.status)
    task = request.GET.get("task", "")
    return render(
        request,
        "cases/disputes/list.html",
        {
            "page": page,
            "form": DisputeFilterForm(request.GET or None, units=_units(request.user)),
            "query": query_without_page(request),
            "filters": request.GET.urlencode(),
            "task_label": inbox_disputes.Task.LABELS.get(task),
            "can_register": flow.can_register(request.user),
            "can_report_grid": flow.can_report_grid(request.user),
        },
    )


@login_required
def dispute_export(request):
    disputes = _filtered(request).select_related("enterprise", "org_unit", "project", "subcontract__contractor")
    return xlsx_response(
        exports_disputes.disputes_xlsx(disputes.annotate(rank=COLOUR_RANK).order_by("rank", "-received_on", "-id")),
        export_stem(
            root_unit(request.user),
            _("Labour disputes"),
            *form_filters(DisputeFilterForm(request.GET or None, units=_units(request.user))),
            inbox_disputes.Task.LABELS.get(request.GET.get("task", ""), ""),
        ),
    )


# --- registering --------------------------------------------------------------------------------------------------


def _pick_lists(user):
    enterprises = visible_enterprises(user).order_by("name").values_list("pk", "name")
    projects = visible_projects(user).order_by("name").values_list("pk", "name")
    subcontracts = [
        (s.pk, f"{s.project.name} · {s.contractor.name}")
        for s in Subcontract.objects.filter(project__in=visible_projects(user))
        .select_related("project", "contractor")
        .order_by("project__name", "id")
    ]
    return {"enterprises": list(enterprises), "projects": list(projects), "subcontracts": subcontracts}


def _facts(form, user):
    data = form.cleaned_data
    enterprise = visible_enterprises(user).filter(pk=data["enterprise"]).first()
    project = visible_projects(user).filter(pk=data["project"]).first() if data.get("project") else None
    subcontract = Subcontract.objects.filter(pk=data["subcontract"]).first() if data.get("subcontract") else None
    return {
        "enterprise": enterprise,
        "project": project,
        "subcontract": subcontract,
        "kind": data["kind"],
        "source": data["source"],
        "grid": data["grid"],
        "summary": data["summary"],
        "worker_name": data["worker_name"],
        "worker_phone": data["worker_phone"],
        "workers": data["workers"],
        "months_in_arrears": data["months_in_arrears"],
        "amount_claimed": data["amount_claimed"],
    }


@login_required
def dispute_new(request):
    if not flow.can_register(request.user):
        if flow.can_report_grid(request.user):
            return redirect("cases:dispute_grid")
        raise PermissionDenied(_("Only the staff of a federation or a town union register disputes."))
    units = _units(request.user)
    form = DisputeForm(
        request.POST if request.method == "POST" else None,
        units=units,
        initial={"unit": request.user.org_unit_id, "kind": "wages", "source": "walk_in", "workers": 1},
        **_pick_lists(request.user),
    )
    if request.method == "POST" and form.is_valid():
        unit = _register_units(request.user).filter(pk=form.cleaned_data["unit"]).first()
        try:
            if unit is None:
                raise Refused(_("Choose the unit the dispute is registered under."))
            dispute = flow.register(actor=request.user, unit=unit, request=request, **_facts(form, request.user))
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                _("The dispute is registered: %(colour)s warning.") % {"colour": Colour(dispute.colour).label},
            )
            return redirect("cases:dispute", pk=dispute.pk)
    return render(request, "cases/disputes/form.html", {"form": form, "dispute": None})


@login_required
def dispute_edit(request, pk):
    dispute = get_dispute(request.user, pk)
    if not flow.can_change_facts(request.user, dispute):
        raise PermissionDenied(_("The facts of this dispute cannot be changed by you now."))
    if request.method == "POST":
        form = DisputeForm(request.POST, editing=True, **_pick_lists(request.user))
        if form.is_valid():
            try:
                flow.change_facts(
                    dispute=dispute, actor=request.user, version=form.version_read(), request=request,
                    **_facts(form, request.user),
                )  # fmt: skip
            except (Refused, Conflict) as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("The facts are saved."))
                return redirect("cases:dispute", pk=dispute.pk)
    else:
        initial = {key: getattr(dispute, key) for key in flow.FACTS}
        initial.update(
            enterprise=dispute.enterprise_id,
            project=dispute.project_id or "",
            subcontract=dispute.subcontract_id or "",
            version=dispute.version,
        )
        form = DisputeForm(initial=initial, editing=True, **_pick_lists(request.user))
        if dispute.worker_phone:
            flow.record_phone_view(dispute=dispute, actor=request.user, request=request)
    return render(request, "cases/disputes/form.html", {"form": form, "dispute": dispute})


@login_required
def dispute_grid(request):
    """The grid leader's phone form (网格员上报)."""
    town = flow.grid_town(request.user)
    if town is None:
        raise PermissionDenied(
            _("Only a grid leader (a reporter of a town union or of a unit below it) reports from a grid.")
        )
    enterprises = list(Enterprise.objects.filter(within(town, "org_unit")).order_by("name").values_list("pk", "name"))
    form = GridForm(request.POST if request.method == "POST" else None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dispute = flow.report_from_grid(
                actor=request.user,
                enterprise=Enterprise.objects.filter(within(town, "org_unit"), pk=data["enterprise"]).first(),
                grid=data["grid"],
                workers=data["workers"],
                months_in_arrears=data["months_in_arrears"],
                amount_claimed=data["amount_claimed"],
                summary=data["summary"],
                request=request,
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            if flow.handles(request.user, dispute):
                messages.success(
                    request,
                    _("Reported: %(colour)s warning. The town union has it.")
                    % {"colour": Colour(dispute.colour).label},
                )
                return redirect("cases:dispute", pk=dispute.pk)
            return render(request, "cases/disputes/grid_thanks.html", {"dispute": dispute, "town": town})
    return render(request, "cases/disputes/grid.html", {"form": form, "town": town})


# --- one dispute --------------------------------------------------------------------------------------------------


def _detail_context(request, dispute, show_phone=False):
    user = request.user
    today = clock.today()
    parties = list(
        Party.objects.filter(dispute=dispute).prefetch_related(
            Prefetch("actions", queryset=PartyAction.objects.order_by("due_on", "id"))
        )
    )
    for party in parties:
        for item in party.actions.all():
            item.overdue = item.done_on is None and item.due_on < today
    mediations = list(
        Mediation.objects.filter(dispute=dispute).prefetch_related("sessions").order_by("accepted_on", "id")
    )
    open_level = next((m for m in mediations if m.ended_on is None), None)
    dispute._open_level_cache = open_level
    for mediation in mediations:
        mediation.overdue = mediation.ended_on is None and mediation.due_on < today
        mediation.warning = workdays.warning(mediation.accepted_on, mediation.due_on, unit=dispute.org_unit)
    next_level = flow.level_above(open_level.level) if open_level else None
    can = {
        "change_facts": flow.can_change_facts(user, dispute),
        "parties": flow.can_manage_parties(user, dispute),
        "start_mediation": flow.can_start_mediation(user, dispute),
        "mediate": flow.can_mediate(user, dispute),
        "agree": flow.can_record_agreement(user, dispute),
        "refer": flow.can_refer(user, dispute),
        "withdraw": flow.can_withdraw(user, dispute),
        "pay": flow.can_record_payment(user, dispute),
        "follow_up": flow.can_issue_follow_up(user, dispute),
        "reopen": flow.can_reopen(user, dispute),
        "see_phone": flow.can_see_phone(user, dispute),
    }
    version = {"version": dispute.version}
    chain = []
    if dispute.subcontract_id:
        node = Subcontract.objects.select_related("contractor", "parent").get(pk=dispute.subcontract_id)
        while node is not None:
            chain.insert(0, node)
            node = (
                Subcontract.objects.select_related("contractor", "parent").get(pk=node.parent_id)
                if node.parent_id
                else None
            )
    dispute.status_label, dispute.outcome_label = flow.status_label(dispute.status), flow.outcome_label(dispute.outcome)
    return {
        "dispute": dispute,
        # The enterprise may be registered outside the user's subtree (a grid leader's dispute): no link then.
        "enterprise_visible": visible_enterprises(user).filter(pk=dispute.enterprise_id).exists(),
        "colour_class": {"red": "qd-red", "orange": "qd-orange", "yellow": "qd-yellow"}[dispute.colour],
        "events": _events(dispute),
        "parties": parties,
        "sides_missing": [s for s in Side if s not in {p.side for p in parties}],
        "mediations": mediations,
        "open_level": open_level,
        "next_level": Level(next_level).label if next_level else None,
        "follow_ups": list(dispute.follow_ups.order_by("due_on", "id")),
        "can": can,
        "acting": any(v for k, v in can.items() if k != "see_phone"),
        "show_phone": show_phone,
        # The representative's name is personal like the phone: in full only with the audited full view.
        "masked_name": mask_name(dispute.worker_name),
        "chain": chain,
        "forms": {
            "party": PartyForm(initial=version, auto_id="party_%s"),
            "action": PartyActionForm(initial=version, auto_id="action_%s"),
            "start": StartMediationForm(initial={**version, "accepted_on": today}, auto_id="start_%s"),
            "session": SessionForm(initial={**version, "held_on": today}, auto_id="session_%s"),
            "mediator": MediatorForm(initial=version, auto_id="mediator_%s"),
            "fail": FailLevelForm(initial={**version, "next_level": next_level or ""}, auto_id="fail_%s"),
            "agree": AgreementForm(initial=version, auto_id="agree_%s"),
            "refer": ReferForm(initial=version, auto_id="refer_%s"),
            "withdraw": NoteForm(initial=version, auto_id="withdraw_%s"),
            "pay": PaymentForm(initial=version, auto_id="pay_%s"),
            "reopen": NoteForm(initial=version, auto_id="reopen_%s"),
        },
    }


def _money(value):
    return f"¥{Decimal(value):,.2f}" if value not in (None, "") else ""


def _level(value):
    return str(Level(value).label) if value in Level.values else ""


def _event_text(event):
    """What an event says beside its kind, from the data it keeps."""
    data, kind = event.data or {}, event.kind
    if kind == DisputeEventKind.REGISTERED:
        return f"{Colour(data['colour']).label} · {data.get('reason', '')}" if data.get("colour") else ""
    if kind == DisputeEventKind.COLOUR:
        return f"{Colour(data['old']).label} → {Colour(data['new']).label}"
    if kind == DisputeEventKind.MEDIATION_STARTED:
        if data.get("mediator_named"):
            return _level(data.get("level"))
        return _("%(level)s, due %(day)s") % {"level": _level(data.get("level")), "day": data.get("due_on", "")}
    if kind in (DisputeEventKind.LEVEL_FAILED, DisputeEventKind.ESCALATED):
        if data.get("to") == "county":
            return _("%(level)s past its deadline (%(day)s): the county federation is told") % {
                "level": _level(data.get("level")),
                "day": data.get("due_on", ""),
            }
        if data.get("to"):
            return f"{_level(data.get('level'))} → {_level(data['to'])}"
        return _level(data.get("level"))
    if kind == DisputeEventKind.SESSION:
        return f"{_level(data.get('level'))} · {data.get('held_on', '')}"
    if kind == DisputeEventKind.OUTCOME:
        text = str(flow.outcome_label(data["outcome"])) if data.get("outcome") in Outcome.values else ""
        if data.get("amount"):
            text += " · " + _money(data["amount"])
        if data.get("judicial"):
            text += " · " + _("judicial confirmation requested")
        return text
    if kind == DisputeEventKind.PAID:
        return _("%(amount)s, %(total)s in all") % {
            "amount": _money(data.get("amount")),
            "total": _money(data.get("total")),
        }
    if kind == DisputeEventKind.FOLLOW_UP:
        return _("paid in full") if data.get("paid_in_full") else _("not paid in full")
    if kind == DisputeEventKind.PARTY:
        return str(Side(data["side"]).label) if data.get("side") in Side.values else ""
    if kind == DisputeEventKind.REOPENED:
        return _level(data.get("level"))
    return ""


def _events(dispute):
    events = list(dispute.events.select_related("actor").order_by("at", "id"))
    for event in events:
        event.text, event.label = _event_text(event), flow.event_label(event.kind)
    return events


@login_required
def dispute_detail(request, pk):
    dispute = get_dispute(request.user, pk)
    show_phone = False
    if request.method == "POST":
        flow.record_phone_view(dispute=dispute, actor=request.user, request=request)
        show_phone = True
    return render(request, "cases/disputes/detail.html", _detail_context(request, dispute, show_phone))


def _act(action, dispute, form, user, request):
    data = form.cleaned_data
    version = form.version_read()
    common = {"dispute": dispute, "actor": user, "version": version, "request": request}
    if action == "party":
        flow.set_party(side=data["side"], body=data["body"], contact_name=data["contact_name"],
                       contact_phone=data["contact_phone"], **common)  # fmt: skip
        return _("The party is saved.")
    if action == "action":
        party = dispute.parties.filter(side=data["side"]).first()
        if party is None:
            raise Refused(_("Name this party (its body and contact) before giving it an action."))
        flow.add_party_action(party=party, actor=user, version=version, action=data["action"], due_on=data["due_on"],
                              request=request)  # fmt: skip
        return _("The action is added.")
    if action == "done":
        item = (
            PartyAction.objects.filter(party__dispute=dispute, pk=data["item"]).select_related("party__dispute").first()
        )
        if item is None:
            raise Http404
        flow.complete_party_action(item=item, actor=user, version=version, request=request)
        return _("The action is marked done.")
    if action == "start":
        flow.start_mediation(level=data["level"], mediator=data["mediator"], accepted_on=data["accepted_on"], **common)
        return _("Mediation is accepted at the enterprise level.")
    if action == "session":
        flow.record_session(held_on=data["held_on"], note=data["note"], **common)
        return _("The session is recorded.")
    if action == "mediator":
        flow.assign_mediator(mediator=data["mediator"], **common)
        return _("The mediator is named.")
    if action == "fail":
        opened = flow.fail_level(
            note=data["note"], next_level=data["next_level"] or None, mediator=data["mediator"], **common
        )
        if opened is None:
            return _(
                "Mediation ended without agreement: refer the dispute to arbitration or court, or record its withdrawal."
            )
        return _("%(level)s mediation is open.") % {"level": Level(opened.level).label}
    if action == "agree":
        flow.record_agreement(amount_agreed=data["amount_agreed"], judicial_confirmation=data["judicial_confirmation"],
                              note=data["note"], **common)  # fmt: skip
        return _("The agreement is recorded.")
    if action == "refer":
        flow.refer(to=data["to"], note=data["note"], **common)
        return _("The dispute is referred.")
    if action == "withdraw":
        flow.withdraw(note=data["note"], **common)
        return _("The withdrawal is recorded.")
    if action == "pay":
        flow.record_payment(amount=data["amount"], **common)
        return _("The payment is recorded.")
    if action == "reopen":
        flow.reopen(note=data["note"], **common)
        return _("The dispute is reopened.")
    raise Http404


ACTION_FORMS = {
    "party": PartyForm,
    "action": PartyActionForm,
    "done": ActionDoneForm,
    "start": StartMediationForm,
    "session": SessionForm,
    "mediator": MediatorForm,
    "fail": FailLevelForm,
    "agree": AgreementForm,
    "refer": ReferForm,
    "withdraw": NoteForm,
    "pay": PaymentForm,
    "reopen": NoteForm,
}


@require_POST
@login_required
def dispute_act(request, pk, action):
    dispute = get_dispute(request.user, pk)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[n].label if n in form.fields else ''}：{e}" if n != "__all__" else e
                                          for n, errors in form.errors.items() for e in errors))  # fmt: skip
        return redirect("cases:dispute", pk=dispute.pk)
    try:
        done = _act(action, dispute, form, request.user, request)
    except (Refused, Conflict) as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done)
    return redirect("cases:dispute", pk=dispute.pk)


@require_POST
@login_required
def follow_up_link(request, pk):
    """Make the follow-up's one-time link and show it once, with its QR code."""
    dispute = get_dispute(request.user, pk)
    try:
        follow_up, code = flow.issue_follow_up(dispute=dispute, actor=request.user, request=request)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect("cases:dispute", pk=dispute.pk)
    url = request.build_absolute_uri(reverse("worker:follow_up", args=[code]))
    return render(
        request,
        "cases/disputes/follow_up_link.html",
        {"dispute": dispute, "follow_up": follow_up, "url": url, "qr": qr_svg(url), "code": code},
    )


def qr_svg(url):
    """An inline SVG QR code made here (no file, no outside request), as the survey polls make theirs."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=1, omitsize=True, border=2, svgclass="qd-qr")


# --- an enterprise's risk history ---------------------------------------------------------------------------------


def risk_history(user, enterprise):
    """The disputes the user may read that were recorded against ``enterprise`` (as the employer or as the firm
    of a contractor chain that owes), newest first."""
    return (
        visible_disputes(user)
        .filter(Q(enterprise=enterprise) | Q(subcontract__contractor=enterprise))
        .select_related("org_unit")
        .order_by("-received_on", "-id")
    )


@login_required
def enterprise_disputes(request, pk):
    """The fragment the enterprise's page loads (htmx): its risk history."""
    enterprise = get_enterprise(request.user, pk)
    disputes = risk_history(request.user, enterprise)
    shown = list(disputes[:HISTORY_MAX])
    for dispute in shown:
        dispute.status_label = flow.status_label(dispute.status)
    return render(
        request,
        "cases/disputes/enterprise_history.html",
        {
            "enterprise": enterprise,
            "disputes": shown,
            "total": disputes.count(),
            "red": disputes.filter(colour=Colour.RED).count(),
        },
    )

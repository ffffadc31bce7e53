"""The household pages: the list (the filters of ``assistance.scope``), a new file, a file with its members,
decisions, workflow steps and timeline, the actions the user may take now, the full record (with a reason),
likely duplicates side by side, access requests, and the union's application QR code."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistance import care, decisions, households, inbox, publicity, workflow
from assistance.forms_households import (
    AccessRequestForm,
    CheckAnswerForm,
    FilterForm,
    HouseholdForm,
    MemberForm,
    NoteForm,
    ReasonForm,
    VisitForm,
)
from assistance.models import AccessRequest, DepartmentCheck, FileStatus, Member, Objection
from assistance.scope import filter_households, get_household, visible_households
from evidence import services as evidence
from orgs.models import Role
from orgs.queries import visible_units
from qingdan import clock
from qingdan.errors import Conflict, Refused
from qingdan.pages import paginate, query_without_page
from qingdan.permissions import role_required


def _names_shown(user):
    """Office staff work with the names; everyone else reads them masked (张*)."""
    return user.has_role(Role.OFFICE)


@login_required
def household_list(request):
    form = FilterForm(request.GET or None)
    rows = filter_households(visible_households(request.user), request.GET)
    task = request.GET.get("task", "")
    if task:
        rows = rows.filter(inbox.task_filter(request.user, task))
    page = paginate(request, rows.select_related("org_unit").order_by("-applied_on", "-id"))
    return render(
        request,
        "assistance/households/list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "names_shown": _names_shown(request.user),
            "can_file": households.can_file(request.user),
            "task_label": inbox.LABELS.get(task),
        },
    )


def _member_rows(post):
    """Other members typed on the new-file form (rows m-0 … m-5); returns (rows, errors)."""
    rows, errors = [], []
    for i in range(6):
        name = (post.get(f"m-{i}-name") or "").strip()
        number = (post.get(f"m-{i}-id_number") or "").strip()
        if not name and not number:
            continue
        form = MemberForm(
            {**{k.removeprefix(f"m-{i}-"): v for k, v in post.items() if k.startswith(f"m-{i}-")}, "version": 0}
        )
        if form.is_valid():
            rows.append(form.member())
        else:
            for field, errs in form.errors.items():
                errors.extend(
                    f"{name or _('Member')} · {form.fields[field].label if field in form.fields else ''}：{e}"
                    for e in errs
                )
    return rows, errors


@login_required
def household_new(request):
    if not households.can_file(request.user):
        raise PermissionDenied
    form = HouseholdForm(request.POST or None, request.FILES or None, user=request.user)
    member_errors = []
    if request.method == "POST" and form.is_valid():
        members, member_errors = _member_rows(request.POST)
        if not member_errors:
            status = FileStatus.TEMPORARY if form.cleaned_data.get("temporary") else FileStatus.APPLIED
            uploads = request.FILES.getlist("files")
            try:
                household = evidence.keep_with(
                    uploads,
                    actor=request.user,
                    then=lambda pieces: households.create_household(
                        actor=request.user,
                        org_unit=form.cleaned_data["unit"],
                        facts=form.facts(),
                        members=[form.head(), *members],
                        status=status,
                        files=pieces,
                        request=request,
                    ),
                )
            except Refused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("File %(number)s is created.") % {"number": household.number})
                return redirect("assistance:household", pk=household.pk)
    return render(
        request,
        "assistance/households/form.html",
        {
            "form": form,
            "household": None,
            "member_errors": member_errors,
            "member_slots": range(6),
            "post": request.POST,
        },
    )


@login_required
def household_edit(request, pk):
    household = get_household(request.user, pk)
    if not households.can_edit(request.user, household):
        raise PermissionDenied
    if request.method == "POST":
        form = HouseholdForm(request.POST, user=request.user, household=household)
        if form.is_valid():
            try:
                households.update_household(
                    household=household,
                    actor=request.user,
                    version=form.cleaned_data.get("version") if form.cleaned_data.get("version") is not None else -1,
                    facts=form.facts(),
                    request=request,
                )
            except (Refused, Conflict) as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("The file is saved."))
                return redirect("assistance:household", pk=household.pk)
    else:
        initial = {k: getattr(household, k) for k in households.FACTS}
        initial["version"] = household.version
        form = HouseholdForm(initial=initial, user=request.user, household=household)
    return render(request, "assistance/households/form.html", {"form": form, "household": household})


@login_required
@require_POST
def member_add(request, pk):
    household = get_household(request.user, pk)
    form = MemberForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''}：{e}")
        return redirect("assistance:household", pk=pk)
    try:
        households.add_member(
            household=household, actor=request.user, version=form.cleaned_data["version"], member=form.member(),
            request=request,
        )  # fmt: skip
    except (Refused, Conflict) as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("%(name)s is added.") % {"name": form.cleaned_data["name"]})
    return redirect("assistance:household", pk=pk)


def _detail_context(request, household, full=None):
    user = request.user
    members = list(household.members.all())
    if full is not None:
        numbers = dict(zip([m.pk for m in household.members.all()], [n for _name, n in full["members"]], strict=False))
        for m in members:
            m.full_id = numbers.get(m.pk, m.id_masked)
    decisions_made = list(household.decisions.select_related("made_by"))
    checks = list(household.checks.all())
    notices = list(
        household.publicities.prefetch_related(
            Prefetch("objections", queryset=Objection.objects.order_by("received_at"))
        )
    )
    today = clock.today()
    preview = None
    if household.status in (FileStatus.APPLIED, FileStatus.TEMPORARY):
        try:
            preview = decisions.preview(household)[0]
        except Refused as refused:
            preview = refused.message
    actions = {name: workflow.can_act(user, household, name) for name in workflow.TRANSITIONS}
    return {
        **care.care_context(user, household),  # aid, certificate, pairing and exit: the care part's own sections
        "household": household,
        "members": members,
        "decisions": decisions_made,
        "pair": decisions_made[-2:] if len(decisions_made) >= 2 else None,
        "checks": checks,
        "checks_overdue": [c for c in checks if not c.result and c.due_on < today],
        "notices": notices,
        "open_notice": next((n for n in notices if publicity.is_open(n, today)), None),
        "events": household.events.select_related("actor").order_by("-at", "-id")[:100],
        "steps": workflow.steps(household),
        "preview": preview,
        "actions": actions,
        "can_edit": households.can_edit(user, household),
        "can_answer": workflow.can_answer_check(user, household),
        "can_recheck": workflow.can_recheck(user, household),
        "can_view_full": households.can_view_full(user, household),
        "can_manage": households.can_manage(user, household),
        "names_shown": _names_shown(user) or full is not None,
        "full": full,
        "sent": workflow.what_is_sent(household) if checks else None,
        "bank_masked": households.bank_masked(household.bank_account),
        "today": today,
        "reason_form": ReasonForm(initial={"version": household.version}),
        "member_form": MemberForm(initial={"version": household.version}),
        "answer_form": CheckAnswerForm(),
        "duplicates": households.likely_duplicates(user, household) if households.can_manage(user, household) else [],
        "access_requests": household.access_requests.filter(granted__isnull=True).select_related("requester")
        if households.can_manage(user, household)
        else [],
    }


@login_required
def household_detail(request, pk):
    household = get_household(request.user, pk)
    full = None
    if request.method == "POST":
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                full = households.full_view(
                    household=household, actor=request.user, reason=form.cleaned_data["reason"], request=request
                )
            except Refused as refused:
                messages.error(request, refused.message)
        else:
            messages.error(request, _("Type the reason for reading the full record."))
    return render(request, "assistance/households/detail.html", _detail_context(request, household, full))


ACTIONS = {
    "pass_first_check": (NoteForm, lambda h, u, d, r: workflow.pass_first_check(household=h, actor=u, version=d["version"], note=d["note"], request=r)),
    "reject": (ReasonForm, lambda h, u, d, r: workflow.reject(household=h, actor=u, version=d["version"], reason=d["reason"], request=r)),
    "cancel": (ReasonForm, lambda h, u, d, r: workflow.cancel(household=h, actor=u, version=d["version"], reason=d["reason"], request=r)),
    "send_checks": (NoteForm, lambda h, u, d, r: workflow.send_checks(household=h, actor=u, version=d["version"], request=r)),
    "publicise": (NoteForm, lambda h, u, d, r: workflow.publicise(household=h, actor=u, version=d["version"], note=d["note"], request=r)),
    "archive": (NoteForm, lambda h, u, d, r: workflow.archive(household=h, actor=u, version=d["version"], request=r)),
    "promote": (NoteForm, lambda h, u, d, r: workflow.promote(household=h, actor=u, version=d["version"], note=d["note"], request=r)),
    "recheck": (NoteForm, lambda h, u, d, r: workflow.recheck(household=h, actor=u, version=d["version"], request=r)),
}  # fmt: skip
DONE = {
    "pass_first_check": _("The first check is passed; the category is decided."),
    "reject": _("The household is not admitted."),
    "cancel": _("The file is cancelled."),
    "send_checks": _("The checks are sent to the departments."),
    "publicise": _("The public notice is open."),
    "archive": _("The file is archived."),
    "promote": _("The temporary file is promoted."),
    "recheck": _("The category is computed again."),
    "record_visit": _("The home visit is recorded."),
}


@login_required
@require_POST
def household_act(request, pk, action):
    household = get_household(request.user, pk)
    if action == "record_visit":
        return _record_visit(request, household)
    if action not in ACTIONS:
        raise Http404
    form_class, run = ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errs:
                messages.error(request, f"{label}：{e}" if label else e)
        if "version" in form.errors:
            messages.error(
                request, _("This file was changed by someone else since you read it; read it again and retry.")
            )
        return redirect("assistance:household", pk=pk)
    try:
        run(household, request.user, form.cleaned_data, request)
    except (Refused, Conflict) as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, DONE[action])
    return redirect("assistance:household", pk=pk)


def _record_visit(request, household):
    form = VisitForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''}：{e}")
        return redirect("assistance:household", pk=household.pk)
    uploads = request.FILES.getlist("authorisation")
    try:
        evidence.keep_with(
            uploads,
            actor=request.user,
            then=lambda pieces: workflow.record_visit(
                household=household,
                actor=request.user,
                version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                authorisation=pieces[0] if pieces else None,
                request=request,
            ),
        )
    except (Refused, Conflict) as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, DONE["record_visit"])
    return redirect("assistance:household", pk=household.pk)


@login_required
@require_POST
def check_answer(request, pk, check_pk):
    household = get_household(request.user, pk)
    check = get_object_or_404(DepartmentCheck, pk=check_pk, household=household)
    form = CheckAnswerForm(request.POST)
    if form.is_valid():
        try:
            workflow.answer_check(
                check=check,
                actor=request.user,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("%(dept)s's result is recorded.") % {"dept": check.department})
    else:
        messages.error(request, _("Choose the department's result."))
    return redirect("assistance:household", pk=pk)


@login_required
@require_POST
def objection_handle(request, pk, objection_pk):
    household = get_household(request.user, pk)
    objection = get_object_or_404(Objection, pk=objection_pk, publicity__household=household)
    try:
        workflow.handle_objection(
            objection=objection, actor=request.user, note=request.POST.get("note", "")[:2000], request=request
        )
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The objection is handled."))
    return redirect("assistance:household", pk=pk)


@login_required
def duplicates(request, pk, other_pk):
    household = get_household(request.user, pk)
    other = get_household(request.user, other_pk)
    if not (households.can_manage(request.user, household) and households.can_manage(request.user, other)):
        raise PermissionDenied
    if request.method == "POST":
        try:
            if request.POST.get("choice") == "keep_apart":
                households.keep_apart(household=household, other=other, actor=request.user, request=request)
                messages.success(request, _("The two files are kept apart."))
                return redirect("assistance:household", pk=household.pk)
            kept, dropped = (household, other) if request.POST.get("choice") == "keep_left" else (other, household)
            versions = {household.pk: request.POST.get("version_left"), other.pk: request.POST.get("version_right")}
            households.merge(
                keep=kept, drop=dropped, actor=request.user, request=request,
                version_keep=int(versions[kept.pk] or -1), version_drop=int(versions[dropped.pk] or -1),
            )  # fmt: skip
        except (Refused, Conflict, ValueError) as refused:
            messages.error(request, getattr(refused, "message", _("The form is not valid.")))
        else:
            messages.success(request, _("The files are merged into %(number)s.") % {"number": kept.number})
            return redirect("assistance:household", pk=kept.pk)
    pair = []
    for h in (household, other):
        pair.append({"household": h, "members": list(h.members.all()), "bank": households.bank_masked(h.bank_account)})
    return render(
        request, "assistance/households/duplicates.html", {"pair": pair, "household": household, "other": other}
    )


# --- access from another federation ----------------------------------------------------------------------------------


@role_required(Role.OFFICE)
def access_requests(request):
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and "decide" in request.POST:
        access = get_object_or_404(
            AccessRequest.objects.select_related("household__org_unit"), pk=request.POST.get("decide")
        )
        get_household(request.user, access.household_id)  # another county's request: 404
        try:
            households.decide_access(
                access=access, actor=request.user, grant=request.POST.get("grant") == "1", request=request
            )
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The request is decided."))
        return redirect("assistance:access_requests")
    if request.method == "POST" and form.is_valid():
        try:
            households.request_access(
                id_number=form.cleaned_data["id_number"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Your request is sent to the office managing the file."))
            return redirect("assistance:access_requests")
    incoming = AccessRequest.objects.filter(
        household__in=visible_households(request.user), granted__isnull=True
    ).select_related("household", "requester__org_unit")
    mine = AccessRequest.objects.filter(requester=request.user).select_related("household__org_unit")[:50]
    return render(
        request,
        "assistance/households/access.html",
        {"form": form, "incoming": incoming, "mine": mine, "now": clock.now()},
    )


@role_required(Role.OFFICE)
def access_view(request, access_pk):
    """A granted request's full record, each use audited; refused once it has expired."""
    access = get_object_or_404(
        AccessRequest.objects.select_related("household__org_unit"), pk=access_pk, requester=request.user
    )
    household = access.household
    if households.granted_access(request.user, household) is None:
        raise Http404
    full = households.full_view(household=household, actor=request.user, reason=access.reason, request=request)
    members = list(Member.objects.filter(household=household))
    return render(
        request,
        "assistance/households/access_view.html",
        {"household": household, "full": full, "members": members, "access": access},
    )


# --- the union's application QR code ------------------------------------------------------------------------------------


@role_required(Role.OFFICE, Role.REPORTER)
def apply_code(request):
    units = visible_units(request.user).filter(kind__in=households.FILING_KINDS).order_by("path")
    unit = (
        units.filter(pk=request.GET.get("unit") or request.user.org_unit_id).first()
        if str(request.GET.get("unit", "")).isdigit() or not request.GET.get("unit")
        else None
    )
    if unit is None:
        unit = units.first()
    url = request.build_absolute_uri(reverse("publicity:apply", args=[publicity.apply_token(unit)])) if unit else ""
    svg = segno.make(url, error="m").svg_inline(scale=1, omitsize=True, border=2, svgclass="qd-qr") if url else ""
    return render(
        request, "assistance/households/apply_code.html", {"unit": unit, "units": units[:300], "url": url, "svg": svg}
    )

"""The joint meetings' pages (联席会议): the list, a new meeting, a meeting with its decisions (each can become a
responsibility-list item, whose state the page shows), its files and the demands raised from it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import meeting_flow as flow
from cases import scope
from cases.forms_meetings import AddToMeetingForm, DecisionItemForm, MeetingFilterForm, MeetingForm
from cases.models import MeetingDecision
from cases.queries import get_enterprise
from checklists.queries import visible_items
from evidence import services as library
from qingdan import clock
from qingdan.errors import Conflict, Refused
from qingdan.pages import paginate, query_without_page


@login_required
def meeting_list(request):
    meetings = scope.filter_meetings(scope.visible_meetings(request.user), request.GET)
    if request.GET.get("decisions") == "open":  # the workbench's link: decisions not yet issued as items
        meetings = meetings.filter(Exists(MeetingDecision.objects.filter(meeting=OuterRef("pk"), item_id__isnull=True)))
    page = paginate(request, meetings.select_related("enterprise", "org_unit").order_by("-held_on", "-id"))
    form = MeetingFilterForm(request.GET or None)
    form.is_valid()
    return render(
        request,
        "cases/meetings/list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_record": flow.can_record_meeting(request.user),
        },
    )


def _files(request, name="attachments"):
    files = request.FILES.getlist(name)
    if problems := library.problems(files):  # every file is checked before any is kept
        raise Refused("；".join(problems))
    return files


@login_required
def meeting_new(request):
    user = request.user
    if not flow.can_record_meeting(user):
        raise PermissionDenied(_("Only office staff or a town union's reporter record joint meetings."))
    initial = {"held_on": clock.today()}
    if (request.GET.get("enterprise") or "").isdigit():
        initial["enterprise"] = get_enterprise(user, int(request.GET["enterprise"][:11])).pk
    form = MeetingForm(request.POST if request.method == "POST" else None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = library.keep_with(
                _files(request),
                actor=user,
                then=lambda pieces: flow.record_meeting(
                    actor=user,
                    enterprise=data["enterprise"],
                    held_on=data["held_on"],
                    title=data["title"],
                    participants=data["participants"],
                    minutes=data["minutes"],
                    decisions=form.decision_lines(),
                    attachments=pieces,
                    request=request,
                ),
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The joint meeting is recorded."))
            return redirect("cases:meeting", pk=meeting.pk)
    return render(request, "cases/meetings/form.html", {"form": form})


def _demand_new_url(meeting):
    """Where a demand is raised from the meeting (the demands' own form), if that page exists yet."""
    try:
        return reverse("cases:demand_new") + f"?meeting={meeting.pk}"
    except NoReverseMatch:
        return ""


def _context(request, meeting, *, add_form=None, item_forms=None):
    user = request.user
    decisions = list(meeting.decisions.all())
    items = {
        item.pk: item
        for item in visible_items(user)
        .filter(pk__in=[d.item_id for d in decisions if d.item_id])
        .select_related("responsible_unit")
    }
    item_forms = item_forms or {}
    for decision in decisions:
        decision.meeting = meeting
        decision.item = items.get(decision.item_id)
        decision.can_make_item = flow.can_make_item(user, decision)
        if decision.can_make_item and decision.pk not in item_forms:
            item_forms[decision.pk] = DecisionItemForm(user=user, meeting=meeting, auto_id=f"d{decision.pk}_%s")
        decision.form = item_forms.get(decision.pk)
    can_change = flow.can_change_meeting(user, meeting)
    demands = list(
        scope.visible_demands(user).filter(meeting=meeting).select_related("handling_unit").order_by("received_on")
    )
    return {
        "meeting": meeting,
        "decisions": decisions,
        "attachments": list(meeting.attachments.order_by("name")),
        "demands": demands,
        "demand_new_url": _demand_new_url(meeting) if can_change else "",
        "can_change": can_change,
        "add_form": add_form or (AddToMeetingForm(initial={"version": meeting.version}) if can_change else None),
        "union_unit": flow.item_unit(meeting),
    }


@login_required
def meeting_detail(request, pk):
    meeting = scope.get_meeting(request.user, pk)
    return render(request, "cases/meetings/detail.html", _context(request, meeting))


@require_POST
@login_required
def meeting_add(request, pk):
    meeting = scope.get_meeting(request.user, pk)
    if not flow.can_change_meeting(request.user, meeting):
        raise PermissionDenied
    form = AddToMeetingForm(request.POST)
    if form.is_valid():
        try:
            library.keep_with(
                _files(request),
                actor=request.user,
                then=lambda pieces: flow.add_to_meeting(
                    meeting=meeting,
                    actor=request.user,
                    version=form.cleaned_data["version"],
                    decisions=form.decision_lines(),
                    attachments=pieces,
                    request=request,
                ),
            )
        except (Refused, Conflict) as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect("cases:meeting", pk=meeting.pk)
    return render(request, "cases/meetings/detail.html", _context(request, meeting, add_form=form))


@require_POST
@login_required
def decision_item(request, pk, decision_pk):
    meeting = scope.get_meeting(request.user, pk)
    decision = meeting.decisions.filter(pk=decision_pk).first()
    if decision is None:
        raise Http404
    decision.meeting = meeting
    if decision.item_id is None and not flow.can_make_item(request.user, decision):
        raise PermissionDenied
    form = DecisionItemForm(request.POST, user=request.user, meeting=meeting, auto_id=f"d{decision.pk}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = flow.decision_to_item(
                decision=decision,
                actor=request.user,
                deadline=data["deadline"],
                standard=data["standard"],
                responsible_unit=data.get("responsible_unit"),
                request=request,
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                _("The decision is issued as a list item to %(unit)s, due %(day)s.")
                % {"unit": item.responsible_unit.name, "day": item.deadline},
            )
            return redirect("cases:meeting", pk=meeting.pk)
    return render(request, "cases/meetings/detail.html", _context(request, meeting, item_forms={decision.pk: form}))

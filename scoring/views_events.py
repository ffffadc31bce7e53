"""Events recorded by hand for the per-occurrence criteria (加减分事项): praise by leaders, media reports,
training attended, serious incidents. The list of the user's subtree with its filters; office staff record
one (with evidence into their office's library) and withdraw one recorded in error, with a reason: it
stays on record, struck through, and stops counting.

Every change goes through ``scoring.events.record_event`` / ``withdraw_event``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from evidence import services as library
from orgs.models import Role
from orgs.queries import within
from qingdan import metrics
from qingdan.errors import Refused
from qingdan.pages import paginate, query_without_page
from qingdan.permissions import role_required
from scoring import events
from scoring.forms_events import EventFilterForm, EventForm, WithdrawForm
from scoring.models import RecordedEvent
from scoring.queries import visible_events


def get_event(user, pk):
    try:
        return visible_events(user).get(pk=pk)
    except (RecordedEvent.DoesNotExist, ValueError):
        raise Http404 from None


def may_withdraw(user, event):
    return event.withdrawn_at is None and user.has_role(Role.OFFICE) and event.unit.is_within(user.org_unit)


@login_required
def event_list(request):
    form = EventFilterForm(request.GET or None, user=request.user)
    events = visible_events(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["unit"]:
            events = events.filter(within(data["unit"], "unit"))
        if data["year"]:
            events = events.filter(happened_on__year=data["year"])
    events = events.annotate(evidence_count=Count("evidence")).order_by("-happened_on", "-id")
    page = paginate(request, events)
    return render(
        request,
        "scoring/event_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_record": request.user.has_role(Role.OFFICE),
        },
    )


@role_required(Role.OFFICE)
def event_new(request):
    """The event and its evidence: every file is checked before any is kept, and a refusal keeps none."""
    user = request.user
    form = EventForm(request.POST if request.method == "POST" else None, user=user)
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        files = request.FILES.getlist("files")
        problems = library.problems(files)
        if not problems:
            try:
                # The files go into the office's own library, where its staff find them again.
                event = library.keep_with(
                    files,
                    actor=user,
                    unit=user.org_unit,
                    then=lambda evidence: events.record_event(
                        actor=user,
                        unit=data["unit"],
                        kind=data["kind"],
                        level=data["level"],
                        happened_on=data["happened_on"],
                        title=data["title"],
                        source=data["source"],
                        evidence=evidence,
                    ),
                )
            except Refused as refused:
                problems.append(refused.message)
            else:
                messages.success(request, _("The event is recorded."))
                return redirect("scoring:event", pk=event.pk)
    return render(
        request,
        "scoring/event_form.html",
        {
            "form": form,
            "problems": problems,
            "accept": ",".join(library.TYPES),
        },
    )


def _counted_by(event):
    """The recorded-event metrics that count this event (asked of the metrics themselves)."""
    if event.withdrawn_at is not None:
        return []
    found = []
    for entry in metrics.available().values():
        if entry.area != "scoring" or entry.kind != metrics.COUNT or entry.records_of is None:
            continue
        page = entry.records_of(event.unit, event.happened_on, event.happened_on)
        wanted = f"/events/{event.pk}/"
        if any(row.url.endswith(wanted) for row in page.rows):
            found.append(entry.label)  # the label: a metric is callable, which a template would call
    return found


def _render_event(request, event, withdraw_form=None, status=200):
    user = request.user
    can_withdraw = may_withdraw(user, event)
    if can_withdraw and withdraw_form is None:
        withdraw_form = WithdrawForm()
    withdrawal = None
    if event.withdrawn_at is not None:
        withdrawal = (
            AuditEvent.objects.filter(
                object_type=RecordedEvent._meta.label_lower, object_id=str(event.pk), action="scoring.event_withdrawn"
            )
            .select_related("actor")
            .order_by("-created_at", "-id")
            .first()
        )
    return render(
        request,
        "scoring/event_detail.html",
        {
            "event": event,
            "evidence": list(event.evidence.order_by("uploaded_at", "id")),
            "counted_by": _counted_by(event),
            "withdrawal": withdrawal,
            "can_withdraw": can_withdraw,
            "withdraw_form": withdraw_form,
        },
        status=status,
    )


@login_required
def event_detail(request, pk):
    return _render_event(request, get_event(request.user, pk))


@role_required(Role.OFFICE)
@require_POST
def event_withdraw(request, pk):
    event = get_event(request.user, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _render_event(request, event, withdraw_form=form)
    try:
        events.withdraw_event(event=event, actor=request.user, reason=form.cleaned_data["reason"])
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect("scoring:event", pk=event.pk)
    messages.success(request, _("The event is withdrawn; it no longer counts."))
    return redirect("scoring:event", pk=event.pk)

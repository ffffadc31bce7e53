from django.apps import apps
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from audit.describe import change_text, describe
from audit.forms import EventFilterForm
from audit.queries import filter_events, visible_events
from audit.refusals import summarise_closed_minutes
from orgs.models import Role
from qingdan.pages import paginate, query_without_page, xlsx_response
from qingdan.permissions import role_required
from qingdan.spreadsheets import write_workbook

EXPORT_CHUNK = 500  # events described at a time: one query per model for each chunk


def _filtered(request):
    summarise_closed_minutes()  # a flood of refusals that has ended shows as its summary row at once
    form = EventFilterForm(request.GET or None)
    events = visible_events(request.user)
    if form.is_valid():
        events = filter_events(events, form.cleaned_data)
    return form, events


def _one_record(form):
    """The record the page is limited to (from a 历史 link): its kind and number, and the page without it."""
    if not form.is_valid() or not form.cleaned_data.get("object_type"):
        return None
    object_type, number = form.cleaned_data["object_type"], form.cleaned_data.get("object_id", "")
    try:
        kind = str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        kind = _("Page")
    rest = {k: v for k, v in form.data.items() if k not in ("object_type", "object_id", "page") and v}
    return {"kind": kind, "number": number, "clear": reverse("audit:list") + "?" + urlencode(rest)}


@role_required(Role.AUDITOR)
def event_list(request):
    form, events = _filtered(request)
    page = paginate(request, events)
    entries = describe(page.object_list, request.user)
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            "entries": entries,
            "one_record": _one_record(form),
            "query": query_without_page(request),
        },
    )


@role_required(Role.AUDITOR)
def event_export(request):
    _form, events = _filtered(request)
    header = [
        _("Time"),
        _("User"),
        _("User's unit"),
        _("Action"),
        _("Record"),
        _("Record type"),
        _("Record number"),
        _("Org unit"),
        _("Result"),
        _("Change"),
        _("Note"),
        _("Client address"),
        _("Action code"),
    ]

    def rows():
        chunk = []
        for event in events.iterator(chunk_size=2000):
            chunk.append(event)
            if len(chunk) == EXPORT_CHUNK:
                yield from _rows(chunk)
                chunk = []
        yield from _rows(chunk)

    def _rows(chunk):
        for entry in describe(chunk, request.user):
            e, subject = entry.event, entry.subject
            yield [
                timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.who,
                entry.unit,
                entry.action,
                subject.name if subject else "",
                subject.kind if subject else "",
                subject.number if subject else "",
                e.org_unit.name if e.org_unit else "",
                str(e.get_result_display()),
                change_text(entry),
                e.message,
                e.client_ip or "",
                e.action,
            ]

    return xlsx_response(write_workbook(_("Audit log"), header, rows()), _("audit-log"))

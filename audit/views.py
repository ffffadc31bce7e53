import json

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.forms import EventFilterForm
from audit.queries import filter_events, visible_events
from audit.refusals import summarise_closed_minutes
from orgs.models import Role
from qingdan.pages import paginate, query_without_page, xlsx_response
from qingdan.permissions import role_required
from qingdan.spreadsheets import write_workbook


def _filtered(request):
    summarise_closed_minutes()  # a flood of refusals that has ended shows as its summary row at once
    form = EventFilterForm(request.GET or None)
    events = visible_events(request.user)
    if form.is_valid():
        events = filter_events(events, form.cleaned_data)
    return form, events


@role_required(Role.AUDITOR)
def event_list(request):
    form, events = _filtered(request)
    page = paginate(request, events)
    return render(request, "audit/event_list.html", {"form": form, "page": page, "query": query_without_page(request)})


@role_required(Role.AUDITOR)
def event_export(request):
    _form, events = _filtered(request)
    header = [
        _("Time"),
        _("User name"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Org unit"),
        _("Result"),
        _("Before"),
        _("After"),
        _("Note"),
        _("Client address"),
    ]

    def rows():
        for e in events.iterator(chunk_size=2000):
            yield [
                timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                e.actor_username,
                e.action,
                e.object_type,
                e.object_id,
                e.org_unit.name if e.org_unit else "",
                str(e.get_result_display()),
                json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
                json.dumps(e.after, ensure_ascii=False) if e.after is not None else "",
                e.message,
                e.client_ip or "",
            ]

    return xlsx_response(write_workbook(_("Audit log"), header, rows()), _("audit-log"))

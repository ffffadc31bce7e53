from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import DisallowedHost
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from assistance import inbox as assistance_inbox
from assistance import inbox_care as assistance_care_inbox
from audit import inbox as audit_inbox
from cases import inbox_demands as demand_inbox
from cases import inbox_disputes
from cases import inbox_letters as letters_inbox
from checklists import inbox as checklist_inbox
from orgs import inbox as org_inbox
from orgs.queries import org_summary
from qingdan.pagecache import kept
from scoring import inbox as scoring_inbox
from surveys import inbox as survey_inbox


@login_required
@kept
def home(request):
    """The workbench (工作台): what waits for this user in every area, then the org figures."""
    checklist_tasks, unit_items = checklist_inbox.workbench(request.user)
    tasks = (
        inbox_disputes.items(request.user)
        + org_inbox.items(request.user)
        + audit_inbox.items(request.user)
        + checklist_tasks
        + survey_inbox.items(request.user)
        + scoring_inbox.items(request.user)
        + letters_inbox.items(request.user)
        + demand_inbox.items(request.user)
        + assistance_inbox.items(request.user)
        + assistance_care_inbox.items(request.user)
    )
    # A red labour dispute tops everything (``first``), then whatever is overdue.
    tasks.sort(key=lambda item: (not item.get("first"), not item.get("overdue")))
    return render(
        request,
        "home.html",
        {
            **org_summary(request.user),
            "tasks": tasks,
            # A reporter's own unit at a glance, so the workbench says something even when nothing waits.
            "unit_items": unit_items,
            "next_deadline": checklist_inbox.next_deadline(request.user),
        },
    )


# The error pages (``handler400/403/404`` in ``qingdan.urls``): inside the normal layout for a signed-in user (the
# menu, a breadcrumb to the workbench, the reason, a way back to the page they came from), bare for anyone else.


def _back(request):
    """The page the user came from, when it is one of ours and not the refused page itself; else None."""
    back = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    if not back or not url_has_allowed_host_and_scheme(back, allowed_hosts={host}, require_https=request.is_secure()):
        return None
    parts = urlsplit(back)
    if parts.path in ("", request.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")  # a path of ours, never a host


def _error_page(request, template, status, context):
    return render(request, template, {**context, "back": _back(request)}, status=status)


def bad_request(request, exception=None):
    return _error_page(request, "400.html", 400, {"message": ""})


def permission_denied(request, exception=None):
    # As Django's own handler: the refusal's own words when it has some, else the page's general reason.
    return _error_page(request, "403.html", 403, {"exception": str(exception or "")})


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404, {})

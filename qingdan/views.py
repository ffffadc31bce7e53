from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from assistance import inbox as assistance_inbox
from assistance import inbox_care as assistance_care_inbox
from audit import inbox as audit_inbox
from cases import inbox_demands as demand_inbox
from cases import inbox_disputes
from cases import inbox_letters as letters_inbox
from checklists import inbox as checklist_inbox
from orgs import inbox as org_inbox
from orgs.queries import org_summary
from scoring import inbox as scoring_inbox
from surveys import inbox as survey_inbox


@login_required
def home(request):
    """The workbench (工作台): what waits for this user in every area, then the org figures."""
    tasks = (
        inbox_disputes.items(request.user)
        + org_inbox.items(request.user)
        + audit_inbox.items(request.user)
        + checklist_inbox.items(request.user)
        + survey_inbox.items(request.user)
        + scoring_inbox.items(request.user)
        + letters_inbox.items(request.user)
        + demand_inbox.items(request.user)
        + assistance_inbox.items(request.user)
        + assistance_care_inbox.items(request.user)
    )
    # A red labour dispute tops everything (``first``), then whatever is overdue.
    tasks.sort(key=lambda item: (not item.get("first"), not item.get("overdue")))
    return render(request, "home.html", {**org_summary(request.user), "tasks": tasks})

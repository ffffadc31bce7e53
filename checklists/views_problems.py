"""Problem lists (问题清单) from survey findings: the office picks findings and issues them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from checklists import services
from checklists.forms_problems import ProblemListForm
from orgs.models import Role
from qingdan.errors import Refused
from qingdan.permissions import role_required
from surveys.queries import get_questionnaire, visible_findings


@role_required(Role.OFFICE)
def problem_lists(request, questionnaire_pk):
    questionnaire = get_questionnaire(request.user, questionnaire_pk)
    findings = visible_findings(request.user).filter(questionnaire=questionnaire).prefetch_related("tracked_items")
    form = ProblemListForm(
        request.POST if request.method == "POST" else None,
        findings=findings.filter(tracked_items__isnull=True),
        initial={"title": _("Problem list of “%(survey)s”") % {"survey": questionnaire.title}},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = services.issue_problem_lists(
                actor=request.user,
                findings=data["findings"],
                title=data["title"],
                deadline=data["deadline"],
                doc_number=data["doc_number"],
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("%(n)d problem lists issued.") % {"n": len(issued)})
            return redirect("checklists:problems", questionnaire_pk=questionnaire.pk)
    return render(
        request, "checklists/problems.html", {"questionnaire": questionnaire, "form": form, "findings": findings}
    )

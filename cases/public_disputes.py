"""The worker's page of the follow-up question (no log-in): "是否已足额拿到款项？", answered once from the link the
union handed over. Yes closes the dispute; no reopens it and tells the staff."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from cases import dispute_flow as flow
from cases.forms_disputes import FollowUpAnswerForm
from qingdan.errors import Refused


@never_cache
def follow_up(request, code):
    found = flow.follow_up_for(code[:40])
    if found is None:
        return render(request, "cases/worker/follow_up_unknown.html", status=404)
    if found.answered_at is not None:
        return render(request, "cases/worker/follow_up_used.html", {"follow_up": found}, status=410)
    form = FollowUpAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            answered = flow.answer_follow_up(
                code=code[:40], paid_in_full=form.cleaned_data["answer"] == "yes", request=request
            )
        except Refused as refused:
            return render(request, "cases/worker/follow_up_used.html", {"message": refused.message}, status=409)
        return render(request, "cases/worker/follow_up_thanks.html", {"follow_up": answered})
    return render(request, "cases/worker/follow_up.html", {"form": form, "follow_up": found, "dispute": found.dispute})

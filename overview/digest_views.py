"""The digest page: one week's digest computed for the signed-in leader or office clerk, in their subtree."""

from datetime import date

from django.http import Http404
from django.shortcuts import render

from orgs.models import Role
from overview import digest
from qingdan.permissions import role_required


@role_required(Role.LEADER, Role.OFFICE)
def digest_page(request, week):
    try:
        start = date.fromisoformat(week)
    except ValueError:
        raise Http404 from None
    if start.weekday() != 0:
        raise Http404  # a week is named by its Monday, as the notification links it
    found = digest.build(request.user, start)
    weeks = {
        "previous": digest.week_of(start.fromordinal(start.toordinal() - 7))[0],
        "next": digest.week_of(start.fromordinal(start.toordinal() + 7))[0],
        "last": digest.last_week(),
    }
    return render(request, "overview/digest.html", {"digest": found, "weeks": weeks})

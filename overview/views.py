"""The 驾驶舱 (leaders and office staff): every area's cards for the user's subtree, monthly trends, the units
below ranked, the exceptions panel with its one-click 督办, and the wall display for a large screen."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.models import OrgUnit, Role
from orgs.queries import get_in_tree_or_404, root_unit
from overview import board, supervision
from qingdan import cards, clock
from qingdan.errors import Refused
from qingdan.pagecache import kept_for_the_minute
from qingdan.permissions import role_required

VIEWERS = (Role.OFFICE, Role.LEADER)
EXCEPTIONS_SHOWN = 50


@role_required(*VIEWERS)
@kept_for_the_minute
def dashboard(request):
    with cards.one_reading():
        return _dashboard(request)


def _dashboard(request):
    ranked_by, ranking = board.ranking(request.user)
    found = board.exceptions(request.user)
    labels = {card.key: str(card.label) for card in cards.available()}  # translated once, not once per exception
    return render(
        request,
        "overview/dashboard.html",
        {
            "unit": root_unit(request.user),
            "shown": board.card_values(request.user),
            "trends": board.trends(request.user),
            "ranked_by": ranked_by,
            "ranking": ranking,
            "exceptions": [(e, labels[e.kind]) for e in found[:EXCEPTIONS_SHOWN]],
            "exceptions_total": len(found),
            "may_supervise": request.user.has_role(Role.OFFICE),
            "now": f"{timezone.localtime(clock.now()):%Y-%m-%d %H:%M}",
        },
    )


def _wall_context(request):
    with cards.one_reading():
        return _wall_figures(request)


def _wall_figures(request):
    ranked_by, ranking = board.ranking(request.user)
    found = board.exceptions(request.user)
    return {
        "unit": root_unit(request.user),
        "shown": board.card_values(request.user),
        "ranked_by": ranked_by,
        "ranking": ranking[:10],
        "exceptions_total": len(found),
        "exceptions_red": sum(1 for e in found if e.red),
        "now": f"{timezone.localtime(clock.now()):%Y-%m-%d %H:%M}",
    }


@role_required(*VIEWERS)
@kept_for_the_minute
def wall(request):
    """Counts and rates only, never a person's name; the page reloads its figures every five minutes."""
    return render(request, "overview/wall.html", _wall_context(request))


@role_required(*VIEWERS)
@kept_for_the_minute
def wall_figures(request):
    """The wall's figures alone, for its htmx refresh."""
    return render(request, "overview/wall_figures.html", _wall_context(request))


@require_POST
@role_required(*VIEWERS)
def supervise(request):
    """Issue a 督办 about one exception of the panel (office staff), then back to the 驾驶舱 with the outcome."""
    key = request.POST.get("exception", "")
    parts = key.split(":")
    if len(parts) != 3 or not parts[1].isascii() or not parts[1].isdigit() or len(parts[1]) > 18:
        messages.error(request, _("This exception is not on your overview."))
        return redirect("overview:dashboard")
    # A unit outside the user's subtree answers 404, as every lookup does.
    get_in_tree_or_404(request.user, OrgUnit.objects.all(), unit_field="", pk=int(parts[1]))
    try:
        if not request.user.has_role(Role.OFFICE):
            raise Refused(_("Only office staff issue a supervision item."))
        exception = board.find_exception(request.user, key)
        if exception is None:
            raise Refused(_("This exception is no longer on your overview: it may have been dealt with."))
        card = cards.get(exception.kind)
        checklist = supervision.issue_supervision(actor=request.user, exception=exception, card_label=card.label)
    except Refused as refused:
        existing = getattr(refused, "existing", None)
        if existing is not None:
            link = reverse("checklists:list", args=[existing.pk])
            messages.warning(request, format_html('{} <a href="{}">{}</a>', refused.message, link, existing.title))
        else:
            messages.error(request, refused.message)
        return redirect("overview:dashboard")
    item = checklist.items.order_by("position").first()
    messages.success(
        request,
        format_html(
            '{} <a href="{}" data-testid="supervision-link">{}</a>',
            _("Supervision item issued to %(unit)s, due %(day)s.")
            % {"unit": checklist.responsible_unit.name, "day": item.deadline},
            reverse("checklists:item", args=[item.pk]),
            _("Open the item"),
        ),
    )
    return redirect("overview:dashboard")

"""The assessment's overview card (see ``qingdan.cards``): the latest published round the user sees, its first and
last unit, read from the round's own results (``scoring.queries.visible_results``, ranked as the results page)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qingdan.cards import CardValue, card
from scoring.models import RoundStatus
from scoring.queries import visible_results, visible_rounds


def latest_round(user):
    return visible_rounds(user).filter(status=RoundStatus.PUBLISHED).order_by("-published_at", "-id").first()


def ranked(user, round_):
    """The round's results in rank order, as its results page lists them by default."""
    return list(visible_results(user, round_).filter(rank__isnull=False).order_by("rank", "unit__path"))


@card("ranking", gettext_lazy("Latest assessment ranking"), order=30)
def ranking(user):
    round_ = latest_round(user)
    if round_ is None:
        return CardValue(value=None, text="—", url=reverse("scoring:rounds"), detail=_("No round published yet"))
    results = ranked(user, round_)
    url = reverse("scoring:results", args=[round_.pk])
    if not results:
        return CardValue(value=None, text="—", url=url, detail=round_.name)
    first, last = results[0], results[-1]

    def line(label, result):
        return (
            label,
            f"{result.unit.name} {result.total}",
            reverse("scoring:result", args=[round_.pk, result.unit_id]),
        )

    return CardValue(
        value=first.total,
        text=str(first.total),
        url=url,
        numerator=len(results),
        detail=_("%(round)s · %(n)d units ranked") % {"round": round_.name, "n": len(results)},
        extra=(line(_("First"), first), line(_("Last"), last)),
    )

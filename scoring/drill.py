"""What the drill-down from a score shows beside its points, for the page and the API alike.

Once published, every unit that sees the round sees every unit's points and how they follow; the records
behind them (event titles, item contents, urging numbers) and the evidence stay with the office running
the round and the assessed unit (with the units below it, whose records they are).

The points were computed from the records as they stood then; the records are listed as they stand now.
When a record was withdrawn or added since, the drill-down says so rather than list records the frozen
points do not follow from.
"""

from dataclasses import dataclass, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qingdan import metrics
from qingdan.permissions import may_open
from scoring.queries import runs

RECORDS_HIDDEN = gettext_lazy(
    "The records are shown only to the office running the assessment and to the assessed unit."
)


def records_visible(user, round, unit):
    """The user may read the records and the evidence behind ``unit``'s scores: the office side of the round,
    or a unit at or below the assessed unit (its own staff sit at the unit, which ``is_within`` counts)."""
    own = getattr(user, "org_unit", None)
    return own is not None and (runs(user, round) or own.is_within(unit))


@dataclass(frozen=True)
class Drift:
    then: int
    now: int
    counted_only: bool  # a rate with as many records as before, of which a different number counts

    @property
    def message(self):
        values = {"then": f"{self.then:,}", "now": f"{self.now:,}"}
        if self.counted_only:
            return _("The records changed since the points were computed: %(then)s counted then, %(now)s now.") % values
        return _("The records changed since the points were computed: %(then)s then, %(now)s now.") % values


def values_now(entry, unit, round):
    """The metric's value for ``unit`` from today's records, as ``scoring.workflow`` computes it."""
    return entry([unit], round.period_start, round.period_end).get(unit.pk)


def drift(entry, score, now):
    """How the records differ from those the points were computed from (``now``: ``values_now``), or None.

    A count compares its number; a rate its denominator (the records listed), then its numerator (those
    counted). The metric is asked again rather than the list counted: a list may group its records
    (a poll for its answers)."""
    if entry is None or score.numerator is None or now is None:
        return None
    if entry.kind == metrics.COUNT and now.numerator != score.numerator:
        return Drift(then=score.numerator, now=now.numerator, counted_only=False)
    if entry.kind == metrics.RATE and score.denominator is not None:
        if now.denominator != score.denominator:
            return Drift(then=score.denominator, now=now.denominator, counted_only=False)
        if now.numerator != score.numerator:
            return Drift(then=score.numerator, now=now.numerator, counted_only=True)
    return None


def linked_for(user, page):
    """``page`` (a metric's ``RecordPage``) with a link only on the records whose page ``user`` may open: the
    metrics list their records once for everyone who may read them, and the survey pages behind the survey
    figures are the office's (and the leaders'), not the assessed unit's."""
    if page is None:
        return None
    rows = [row if not row.url or may_open(user, row.url) else replace(row, url="") for row in page.rows]
    return replace(page, rows=rows)

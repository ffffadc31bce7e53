"""What the 驾驶舱 shows, read only through ``qingdan.cards``: every area's cards for the user's subtree, their
monthly trends (every month drawn, 0 when empty), the units directly below ranked by the first card that ranks
(units behind first), and the exceptions of every area, longest delayed first."""

from dataclasses import dataclass

from orgs.models import OrgUnit
from orgs.queries import root_unit
from qingdan import cards, clock

MONTHS = 12


@dataclass
class Shown:
    card: cards.Card
    value: cards.CardValue


def card_values(user):
    return [Shown(card, card(user)) for card in cards.available()]


def trends(user, months=MONTHS):
    """``[{key, label, kind, months, values}]``: one series per card that has a trend, over the last ``months``."""
    span = cards.last_months(clock.today(), months)
    result = []
    for card in cards.available():
        if card.trend_of is None:
            continue
        points = dict(card.trend_of(user, span))
        result.append(
            {
                "key": card.key,
                "label": str(card.trend_label or card.label),
                "months": [f"{month:%Y-%m}" for month in span],
                "values": [points.get(month) or 0 for month in span],
            }
        )
    return result


@dataclass
class Ranked:
    unit: OrgUnit
    value: cards.CardValue


def ranking(user):
    """``(card, [Ranked])``: the units directly below the user's unit by the first card that ranks, the lowest
    first (those without a figure last); ``(None, [])`` when no card ranks or the unit has none below."""
    unit = root_unit(user)
    card = next((c for c in cards.available() if c.ranking_of is not None), None)
    if unit is None or card is None:
        return None, []
    children = list(OrgUnit.objects.filter(parent=unit).order_by("path"))
    if not children:
        return card, []
    values = card.ranking_of(user, children)
    rows = [Ranked(child, values[child.pk]) for child in children if child.pk in values]
    rows.sort(key=lambda r: (r.value.value is None, r.value.value if r.value.value is not None else 0, r.unit.path))
    return card, rows


def exceptions(user):
    """Every card's exceptions for the user, the longest delayed first (red before others on the same day)."""
    found = []
    for card in cards.available():
        if card.exceptions_of is not None:
            found.extend(card.exceptions_of(user))
    return sorted(found, key=lambda e: (-e.delay_days, not e.red, e.unit_name, e.kind, e.ref))


def find_exception(user, key):
    """The user's exception named ``key`` (``CardException.key``), or None."""
    kind = key.split(":", 1)[0]
    card = next((c for c in cards.available() if c.key == kind and c.exceptions_of is not None), None)
    if card is None:
        return None
    return next((e for e in card.exceptions_of(user) if e.key == key), None)

"""The wage-arrears warning colour (欠薪三色预警) by the federation's rule: yellow up to ``cases.yellow_max_months``
months in arrears, orange up to ``cases.orange_max_months``, red above; one level up (red at most) when
``cases.raise_workers`` or more workers, or ``cases.raise_amount_yuan`` or more yuan, are involved.

``colour_of`` is a pure function of a dispute's facts and the rules it copied, so the flow recomputes it on every
change of a fact, the import computes it for historic cases, and a test walks every boundary."""

from decimal import Decimal

from django.utils.translation import gettext as _

from cases import rules
from cases.models.disputes import COLOURS, Colour


def _months(value):
    return f"{Decimal(value).normalize():f}"


def colour_of(*, months, workers, amount, case_rules):
    """``(colour, reason)`` for a dispute ``months`` in arrears with ``workers`` and ``amount`` (yuan) claimed,
    under ``case_rules`` (a dispute's copied ``rules``, named without the area's prefix; {} for the defaults)."""

    def rule(r):
        return case_rules.get(r.key.removeprefix(rules.PREFIX), r.default)

    months = Decimal(months)
    yellow, orange = rule(rules.YELLOW_MONTHS), rule(rules.ORANGE_MONTHS)
    if months <= yellow:
        base = Colour.YELLOW
        why = _("%(m)s months in arrears (at most %(line)s: yellow)") % {"m": _months(months), "line": yellow}
    elif months <= orange:
        base = Colour.ORANGE
        why = _("%(m)s months in arrears (over %(low)s, at most %(line)s: orange)") % {
            "m": _months(months),
            "low": yellow,
            "line": orange,
        }
    else:
        base = Colour.RED
        why = _("%(m)s months in arrears (over %(line)s: red)") % {"m": _months(months), "line": orange}
    raisers = []
    if workers >= rule(rules.RAISE_WORKERS):
        raisers.append(_("%(n)d workers (%(line)d or more)") % {"n": workers, "line": rule(rules.RAISE_WORKERS)})
    if Decimal(amount) >= rule(rules.RAISE_AMOUNT):
        raisers.append(
            _("¥%(amount)s claimed (¥%(line)s or more)")
            % {"amount": f"{Decimal(amount):,.2f}", "line": f"{rule(rules.RAISE_AMOUNT):,}"}
        )
    if not raisers:
        return base, why
    raised = COLOURS[min(COLOURS.index(base) + 1, len(COLOURS) - 1)]
    if raised == base:
        return base, _("%(why)s; %(raisers)s") % {"why": why, "raisers": _(", ").join(raisers)}
    return raised, _("%(why)s; one level up to %(colour)s for %(raisers)s") % {
        "why": why,
        "colour": Colour(raised).label,
        "raisers": _(", ").join(raisers),
    }

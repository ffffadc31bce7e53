"""Fund allocation (经费补助挂钩): the amount each unit of a round receives, and how it was worked out.

- Fixed amount per grade: each unit gets its grade's amount.
- Pool: every unit gets the base amount; what is left of the pool is shared by the units scoring at or
  above the floor, in proportion to their scores. Shares are whole yuan, by largest remainder (ties to
  the higher score, then the unit's code), so the amounts add up to the pool exactly.
"""

from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from scoring.models import FundMethod, Grade

YUAN = Decimal(1)


class FundError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def money(value, label):
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise FundError(_("%(label)s must be an amount in yuan.") % {"label": label}) from None
    if not amount.is_finite() or amount < 0 or amount >= 10**12:
        raise FundError(_("%(label)s must be an amount in yuan from 0.") % {"label": label})
    return amount.quantize(Decimal("0.01"))


def clean_per_grade(table):
    return {grade: str(money(table.get(grade, 0) or 0, Grade(grade).label)) for grade in Grade.values}


def clean_pool(*, pool, base, floor, units):
    """Check a pool before it is used: whole yuan, enough for the base amounts."""
    pool = money(pool, _("The pool"))
    base = money(base or 0, _("The base amount"))
    if pool != pool.to_integral_value() or base != base.to_integral_value():
        raise FundError(_("The pool and the base amount are split in whole yuan: give them without fen."))
    if pool <= 0:
        raise FundError(_("The pool must be more than 0 yuan."))
    if base * units > pool:
        raise FundError(
            _("The pool of ¥%(pool)s cannot pay the base of ¥%(base)s to %(n)s units (¥%(need)s).")
            % {"pool": f"{pool:,.2f}", "base": f"{base:,.2f}", "n": units, "need": f"{base * units:,.2f}"}
        )
    return pool, base, _floor(floor)


def _floor(value):
    try:
        floor = Decimal(str(value or 0))
    except (InvalidOperation, ValueError):
        floor = None
    if floor is None or not floor.is_finite() or not 0 <= floor < 10**6:
        raise FundError(_("The score floor must be a number of points from 0 to 999,999."))
    return floor


def allocate(round, results):
    """``{unit_id: (amount, note)}`` for ``results`` (each with ``unit``, ``total``, ``grade``)."""
    if round.fund_method == FundMethod.PER_GRADE:
        table = clean_per_grade(round.fund_per_grade)
        return {
            r.unit_id: (
                Decimal(table[r.grade]),
                _("%(grade)s: ¥%(amount)s per unit")
                % {"grade": Grade(r.grade).label, "amount": f"{Decimal(table[r.grade]):,.2f}"},
            )
            for r in results
        }
    if round.fund_method != FundMethod.POOL:
        return {r.unit_id: (None, "") for r in results}
    pool, base, floor = clean_pool(
        pool=round.fund_pool, base=round.fund_base, floor=round.fund_floor, units=len(results)
    )
    sharing = [r for r in results if r.total >= floor and r.total > 0]
    rest = pool - base * len(results)
    weight = sum((r.total for r in sharing), Decimal(0))
    if rest > 0 and not sharing:
        raise FundError(
            _("No unit scores at least the floor of %(floor)s, so ¥%(rest)s of the pool cannot be split.")
            % {"floor": floor, "rest": f"{rest:,.2f}"}
        )
    exact = {r.unit_id: rest * r.total / weight for r in sharing} if sharing else {}
    whole = {key: value.to_integral_value(rounding=ROUND_FLOOR) for key, value in exact.items()}
    left = int(rest - sum(whole.values(), Decimal(0)))
    order = sorted(sharing, key=lambda r: (-(exact[r.unit_id] - whole[r.unit_id]), -r.total, r.unit.code))
    for r in order[:left]:
        whole[r.unit_id] += YUAN
    allocation = {}
    for r in results:
        share = whole.get(r.unit_id, Decimal(0))
        if r.unit_id in whole:
            note = _("base ¥%(base)s + ¥%(rest)s × %(score)s ÷ %(weight)s = ¥%(amount)s") % {
                "base": f"{base:,.2f}",
                "rest": f"{rest:,.2f}",
                "score": r.total,
                "weight": weight,
                "amount": f"{base + share:,.2f}",
            }
        else:
            note = _("base ¥%(base)s only: below the floor of %(floor)s") % {"base": f"{base:,.2f}", "floor": floor}
        allocation[r.unit_id] = ((base + share).quantize(Decimal("0.01")), note)
    return allocation

"""The hardship category of a household (DOMAIN.md): per-capita monthly income = (annual disposable income − rigid
expenses) ÷ 12 ÷ household size, against the local minimum living standard (低保) of the year:

- deep hardship (深度困难): below the standard;
- relative hardship (相对困难): below the federation's multiple of it (``assistance.relative_percent``, 200%;
  seed 000's marginal families use 150%);
- accidental hardship (意外致困): a year's disaster, accident or illness costs above ``assistance.accident_percent``
  (80%) of the household's income, whatever the per-capita income;
- otherwise not eligible.

``compute`` is a pure function returning the category with every line of the calculation, as the page shows it
and as a decision freezes it."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from assistance import rules
from assistance.models import Category

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Result:
    category: str
    per_capita: Decimal
    standard: Decimal
    lines: list  # [[label, value], …]


def _yuan(value):
    return f"¥{value.quantize(CENT, ROUND_HALF_UP):,.2f}"


def compute(*, annual_income, rigid_expenses, accident_costs, size, standard, file_rules):
    """The category of a household of ``size`` people under ``standard`` (yuan per person and month) and the
    rules ``file_rules`` (a file's copied rules, without the area prefix; {} for the defaults)."""

    def rule(r):
        return file_rules.get(r.key.removeprefix(rules.PREFIX), r.default)

    income, expenses, costs = Decimal(annual_income), Decimal(rigid_expenses), Decimal(accident_costs)
    standard = Decimal(standard)
    disposable = income - expenses
    per_capita = (disposable / 12 / size).quantize(CENT, ROUND_HALF_UP)
    relative_line = (standard * rule(rules.RELATIVE_PERCENT) / 100).quantize(CENT, ROUND_HALF_UP)
    accident_line = (income * rule(rules.ACCIDENT_PERCENT) / 100).quantize(CENT, ROUND_HALF_UP)
    lines = [
        [_("Household disposable income last year"), _yuan(income)],
        [_("Rigid expenses last year"), _yuan(expenses)],
        [_("Household size"), str(size)],
        [_("Per-capita monthly income = (income − expenses) ÷ 12 ÷ size"), _yuan(per_capita)],
        [_("Local minimum living standard (per person and month)"), _yuan(standard)],
        [
            _("Relative hardship line (%(p)d%% of the standard)") % {"p": rule(rules.RELATIVE_PERCENT)},
            _yuan(relative_line),
        ],
        [_("Disaster, accident or illness costs this year"), _yuan(costs)],
        [_("Accident line (%(p)d%% of the year's income)") % {"p": rule(rules.ACCIDENT_PERCENT)}, _yuan(accident_line)],
    ]
    if per_capita < standard:
        category, why = Category.DEEP, _("below the standard: deep hardship")
    elif per_capita < relative_line:
        category, why = Category.RELATIVE, _("below the relative hardship line: relative hardship")
    elif costs > accident_line:
        category, why = Category.ACCIDENT, _("costs above the accident line: accidental hardship")
    else:
        category, why = Category.NONE, _("above every line: not eligible")
    lines.append([_("Result"), why])
    return Result(category=category, per_capita=per_capita, standard=standard, lines=lines)

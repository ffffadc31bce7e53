"""The survey area's rules: set per federation on the rules page, copied onto each distribution when it is sent
(``Distribution.rules``)."""

from django.utils.translation import gettext_lazy as _

from qingdan.rules import declare

RESUBMIT_DAYS = declare(
    "surveys.resubmit_days", _("Days a unit has to resubmit a response sent back"),
    default=7, minimum=1, maximum=90, unit=_("days"), area="surveys",
)  # fmt: skip


def in_force(unit):
    """The survey rules in force for ``unit``, as copied onto a distribution it sends: ``{name: value}``."""
    from orgs.rules import in_force

    return {key.removeprefix("surveys."): value for key, value in in_force(unit, "surveys.").items()}


def of(distribution, rule):
    return distribution.rules.get(rule.key.removeprefix("surveys."), rule.default)

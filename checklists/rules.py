"""The close-out's rules (DOMAIN.md, "Rules from wider practice"): set per federation on the rules page and
copied onto each list when it is issued (``Checklist.rules``)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qingdan.rules import declare
from qingdan.rules import of as _of

PREFIX = "closeout."
of = _of  # a close-out rule's value as a list copied it: ``rules.of(item.checklist, rules.URGE_INTERVAL)``

AREA = "checklists"
SATISFACTION = declare(
    "closeout.satisfaction_percent", _("Satisfaction a deep review needs to close an item"),
    default=80, minimum=1, maximum=100, unit="%", area=AREA,
)  # fmt: skip
POLL_MIN_ANSWERS = declare(
    "closeout.poll_min_answers", _("Fewest poll answers that can close an item"),
    default=10, minimum=1, maximum=10000, unit=_("answers"), area=AREA,
)  # fmt: skip
POLL_TOKENS = declare(
    "closeout.poll_tokens", _("Links made for a satisfaction poll"),
    default=30, minimum=1, maximum=10000, unit=_("links"), area=AREA,
)  # fmt: skip
POLL_DAYS = declare(
    "closeout.poll_days", _("Days a satisfaction poll stays open"),
    default=14, minimum=1, maximum=365, unit=_("days"), area=AREA,
)  # fmt: skip
URGE_INTERVAL = declare(
    "closeout.urge_interval_days", _("Days between two urgings of an overdue item"),
    default=7, minimum=1, maximum=365, unit=_("days"), area=AREA,
)  # fmt: skip
DUE_SOON = declare(
    "closeout.due_soon_days", _("Days before its deadline an item turns blue"),
    default=7, minimum=0, maximum=365, unit=_("days"), area=AREA,
)  # fmt: skip
LONG_OVERDUE = declare(
    "closeout.long_overdue_days", _("Days overdue after which an item turns red"),
    default=30, minimum=1, maximum=3650, unit=_("days"), area=AREA,
)  # fmt: skip
LOAD_WARNING = declare(
    "closeout.unit_load_warning", _("Items a unit may receive in a month before the office is warned"),
    default=30, minimum=1, maximum=100000, unit=pgettext_lazy("quantity", "items"), area=AREA,
)  # fmt: skip


def each_list(rule, build):
    """A filter that applies each list's own ``rule``: ``build(value)`` for the items of the lists holding each
    value in use, joined by OR. The values in use are a handful (one per change of the rule); with one, the
    filter is ``build(value)`` alone, as fast as a fixed rule."""
    from checklists.models import RuleInUse

    name = rule.key.removeprefix(PREFIX)
    values = set(RuleInUse.objects.filter(name=name).values_list("value", flat=True))
    if len(values) <= 1:
        return build(values.pop() if values else rule.default)
    lookup = f"checklist__rules__{name}"
    joined = Q(pk__in=[])
    for value in values:
        joined |= Q(**{lookup: value}) & build(value)
    return joined


def copied(rules):
    """Note the values a list (or a batch of lists) was issued with, for ``each_list``: one insert."""
    from checklists.models import RuleInUse

    RuleInUse.objects.bulk_create(
        [RuleInUse(name=name, value=value) for name, value in rules.items()], ignore_conflicts=True
    )

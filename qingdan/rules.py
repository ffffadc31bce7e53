"""The registry of a federation's rules (工作规则): thresholds, intervals and limits an office sets for its own
subtree, such as the satisfaction a deep review needs or the days between two urgings.

An area declares its rules in its ``rules.py`` with ``declare``; the values live in ``orgs`` as records owned
by a unit and inherited down the tree (``orgs.rules``), and an area copies the rules in force onto a piece of
work when it is issued, so that a later change never alters work already under way. Environment variables
keep deployment settings only.
"""

from dataclasses import dataclass

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Rule:
    key: str  # "<area>.<name>", e.g. "closeout.urge_interval_days"
    label: str
    default: int
    minimum: int
    maximum: int
    unit: str  # the word after the number: 天, %, 份, 项
    area: str  # the app that declares it

    def check(self, value):
        """``value`` as an int within the rule's range, or None."""
        try:
            number = int(value)
        except (TypeError, ValueError):
            return None
        return number if self.minimum <= number <= self.maximum else None


_REGISTRY: dict[str, Rule] = {}
_discovered = False


def declare(key, label, *, default, minimum, maximum, unit, area):
    rule = Rule(key=key, label=label, default=default, minimum=minimum, maximum=maximum, unit=unit, area=area)
    _REGISTRY[key] = rule
    return rule


def _discover():
    global _discovered
    if not _discovered:
        autodiscover_modules("rules")
        _discovered = True


def available():
    """Every rule an installed area declares, by key, in the order declared."""
    _discover()
    return {key: rule for key, rule in _REGISTRY.items() if apps.is_installed(rule.area)}


def defaults(prefix=""):
    return {key: rule.default for key, rule in available().items() if key.startswith(prefix)}


def of(work, rule):
    """``rule``'s value for a piece of work (a list, a distribution) that copied its area's rules, by name
    without the area's prefix, into ``work.rules`` when it was issued."""
    return work.rules.get(rule.key.split(".", 1)[1], rule.default)

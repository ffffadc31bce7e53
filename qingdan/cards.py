"""The registry of overview cards (驾驶舱): each area's key figures for a user's subtree.

An area declares its cards in its ``cards.py`` with ``@card``; the overview reads them through
``available()`` and never reaches into the area's tables. A card's figure is computed by the same
code as the area's own page, and names that page (``CardValue.url``), so the two always agree.

    @card("close_out", _("Close-out rate"), order=10)
    def close_out(user) -> CardValue: ...

    @close_out.trend
    def _(user, months) -> [(month, value)]: ...   # every month asked for, 0 when empty

    @close_out.exceptions
    def _(user) -> [CardException]: ...                # what is behind, per unit or case

    @close_out.ranking
    def _(user, units) -> {unit_id: CardValue}: ... # the units below, each over its subtree
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.utils.module_loading import autodiscover_modules

COUNT = "count"
RATE = "rate"


@dataclass(frozen=True)
class CardValue:
    """A card's figure for one user (or unit): ``value`` is a count or a rate (0..1, None without a
    denominator); ``text`` is how it reads (``90.9%``, ``1,204``); ``url`` the area page showing the same
    number; ``detail`` a short line under it (``20 / 22``, the leader of a ranking)."""

    value: object
    text: str
    url: str = ""
    numerator: int | None = None
    denominator: int | None = None
    detail: str = ""
    # A card with more than one figure (a ranking's first and last): (label, text, url)
    extra: tuple = ()


@dataclass(frozen=True)
class CardException:
    """Something behind for a unit: overdue work, a red dispute. Never a person's name in ``text``."""

    kind: str  # the card key it belongs to
    unit_id: int
    unit_name: str
    text: str
    url: str
    delay_days: int = 0
    red: bool = False
    ref: str = ""  # what identifies it within its kind and unit (a case's id), for issuing a 督办 once a day

    @property
    def key(self):
        """What names this exception in a form: kind, unit and reference."""
        return f"{self.kind}:{self.unit_id}:{self.ref}"


@dataclass
class Card:
    key: str
    label: str
    area: str
    order: int
    compute: object
    kind: str = COUNT
    trend_of: object = None
    trend_label: str = ""
    exceptions_of: object = None
    ranking_of: object = None
    extra: dict = field(default_factory=dict)

    do_not_call_in_templates = True  # a template reads its key and label; calling it needs the user

    def trend(self, label=""):
        """Decorator: ``(user, months) -> [(month, value)]``, labelled ``label`` in the chart."""

        def register(func):
            self.trend_of, self.trend_label = func, label
            return func

        return register

    def exceptions(self, func):
        self.exceptions_of = func
        return func

    def ranking(self, func):
        self.ranking_of = func
        return func

    def __call__(self, user):
        return self.compute(user)


_REGISTRY: dict[str, Card] = {}


def card(key, label, *, order, kind=COUNT):
    """Register the decorated function ``(user) -> CardValue`` as an overview card of its area."""

    def register(func):
        area = func.__module__.split(".")[0]
        entry = Card(key=key, label=label, area=area, order=order, compute=func, kind=kind)
        _REGISTRY[key] = entry
        return entry

    return register


_discovered = False


def _discover():
    global _discovered
    if not _discovered:
        autodiscover_modules("cards")
        _discovered = True


def available():
    """Every card an installed area provides, in their order."""
    _discover()
    cards = [entry for entry in _REGISTRY.values() if apps.is_installed(entry.area)]
    return sorted(cards, key=lambda c: (c.order, c.key))


def get(key):
    return next((c for c in available() if c.key == key), None)


def last_months(today, n):
    """The first days of the ``n`` months ending with ``today``'s, oldest first."""
    months, month = [], today.replace(day=1)
    for _step in range(n):
        months.append(month)
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    return months[::-1]


def next_month(month):
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def every_month(months, values):
    """``[(month, value)]`` for every month of ``months``: those missing from ``values`` ({month: value}) as 0."""
    return [(month, values.get(month) or 0) for month in months]


# --- one reading of the figures per page --------------------------------------------------------

_reading = ContextVar("cards_reading", default=None)


@contextmanager
def one_reading():
    """Within the block (one request of the overview), what ``shared`` computes is computed once: two cards
    of an area read the same figures (the close-out rate and the items overdue both come from the figures
    page's table), so the page asks the database once. Outside it, ``shared`` computes every time."""
    token = _reading.set({})
    try:
        yield
    finally:
        _reading.reset(token)


def shared(key, compute):
    """``compute()``, or, within ``one_reading``, what it returned the first time for ``key`` (name the user
    in ``key``: a figure is always of one user's subtree)."""
    memo = _reading.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]

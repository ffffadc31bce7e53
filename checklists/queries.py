"""Read paths of the close-out area, scoped by the org tree."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checklists import rules
from checklists.models import Checklist, EventKind, Item, ItemEvent, ItemStatus
from orgs.models import Role
from orgs.queries import among_subtree, holds_every_unit, root_unit, within
from qingdan import clock


def visible_items(user, narrow=None):
    """Items of the user's subtree — as responsible unit (an issuing office's lists only go to units
    inside it, so its items are covered too) or as co-unit — and items assigned to the user for deep
    review. A user who is only a third-party evaluator sees the assigned items and nothing else.
    ``narrow``, a filter on the item's own columns (its status), is applied inside each branch, where an
    index serves it: the open items of a county's subtree are a tenth of the items it ever had."""
    narrow = narrow or Q()
    unit = root_unit(user)
    if unit is None:
        return Item.objects.none()
    if user.role_set == {Role.EVALUATOR}:
        return Item.objects.filter(narrow, evaluator=user)
    if holds_every_unit(unit):
        return Item.objects.filter(narrow)  # the province's office: every item's unit lies within its tree
    # A union of three index-friendly branches: an OR across them cannot use an index and, with a
    # province's 300,000 units, never finishes (bench/closeout_bench.py).
    own = Item.objects.filter(narrow, among_subtree(unit, "responsible_unit")).order_by().values("pk")
    co = Item.objects.filter(narrow, within(unit, "checklist__co_units")).order_by().values("pk")
    assigned = Item.objects.filter(narrow, evaluator=user).order_by().values("pk")
    return Item.objects.filter(narrow, pk__in=own.union(co, assigned))


def visible_items_of_unit(user, unit, *, below=False, narrow=None):
    """``visible_items(user)`` narrowed to the items ``unit`` is responsible for (with ``below``, its
    whole subtree's). The same rows, found faster: when the unit lies within the user's own subtree
    (and the user is not only an evaluator), every such item is visible through the first branch of
    the union, so a plain filter on the unit replaces the union (bench/closeout_bench.py). ``narrow`` as
    for ``visible_items``."""
    mine = root_unit(user)
    lookup = within(unit, "responsible_unit") if below else Q(responsible_unit=unit)
    plain = mine is not None and user.role_set != {Role.EVALUATOR} and unit.is_within(mine)
    narrow = narrow or Q()
    return Item.objects.filter(narrow, lookup) if plain else visible_items(user, narrow).filter(lookup)


def visible_checklists(user):
    unit = root_unit(user)
    if unit is None:
        return Checklist.objects.none()
    co = Checklist.co_units.through.objects.filter(within(unit, "orgunit"), checklist_id=OuterRef("pk"))
    return Checklist.objects.filter(within(unit, "responsible_unit") | within(unit, "issuing_unit") | Exists(co))


def get_checklist(user, pk):
    checklist = (
        visible_checklists(user)
        .select_related("responsible_unit", "issuing_unit", "category", "created_by")
        .filter(pk=pk)
        .first()
    )
    if checklist is None:
        raise Http404
    return checklist


def get_item(user, pk):
    item = (
        visible_items(user)
        .select_related("checklist__issuing_unit", "checklist__category", "responsible_unit", "evaluator")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


class Colour:
    BLUE, YELLOW, RED = "blue", "yellow", "red"
    LABELS = {BLUE: _("Deadline near"), YELLOW: _("Urged once"), RED: _("Urged twice or long overdue")}


def supervision_colour(item, today=None):
    """Blue when the deadline is near, yellow after the first urging, red after the second or when
    long overdue; nothing for closed items or items far from their deadline. Only the urgings about
    the current deadline count: a new deadline (rectification, extension) starts the colour afresh."""
    if item.status not in (ItemStatus.ISSUED, ItemStatus.RECTIFYING):
        return None  # applied or in review: the unit has done its part
    today = today or clock.today()
    long_overdue, due_soon = rules.of(item.checklist, rules.LONG_OVERDUE), rules.of(item.checklist, rules.DUE_SOON)
    if item.deadline_urgings >= 2 or (today - item.deadline).days > long_overdue:
        return Colour.RED
    if item.deadline_urgings >= 1:
        return Colour.YELLOW
    if today <= item.deadline <= today + timedelta(days=due_soon):
        return Colour.BLUE
    return None


def colour_filter(colour, today=None):
    """The same rule as a query filter, for list pages and figures."""
    today = today or clock.today()
    long_overdue = rules.each_list(rules.LONG_OVERDUE, lambda days: Q(deadline__lt=today - timedelta(days=days)))
    open_ = Q(status__in=(ItemStatus.ISSUED, ItemStatus.RECTIFYING))
    red = open_ & (Q(deadline_urgings__gte=2) | long_overdue)
    if colour == Colour.RED:
        return red
    if colour == Colour.YELLOW:
        return open_ & Q(deadline_urgings=1) & ~long_overdue
    due_soon = rules.each_list(rules.DUE_SOON, lambda days: Q(deadline__lte=today + timedelta(days=days)))
    return open_ & Q(deadline_urgings=0) & ~long_overdue & Q(deadline__gte=today) & due_soon


class Late:
    """How late an item is (the late flag), kept through the application so the reviewer sees it:
    ``OVERDUE`` not applied for and past the deadline; ``APPLIED_LATE`` applied for after the deadline;
    ``WAITING`` applied for in time but still waiting for review past the deadline; ``CLOSED_LATE``
    closed out after the deadline. ``days``: how many days past the deadline (today, or the closing day)."""

    OVERDUE, APPLIED_LATE, WAITING, CLOSED_LATE = "overdue", "applied_late", "waiting", "closed_late"
    LABELS = {
        OVERDUE: _("Overdue %(days)d days"),
        APPLIED_LATE: _("Applied late, overdue %(days)d days"),
        WAITING: _("Waiting for review, overdue %(days)d days"),
        CLOSED_LATE: _("Closed out late, %(days)d days after the deadline"),
    }

    def __init__(self, kind, days):
        self.kind, self.days = kind, days

    def __str__(self):
        return str(self.LABELS[self.kind]) % {"days": self.days}

    @property
    def open(self):
        return self.kind != self.CLOSED_LATE


IN_REVIEW = (ItemStatus.APPLIED, ItemStatus.DEEP_REVIEW)


def with_applied_at(items):
    """``items`` with ``applied_at``, the moment of the latest application (what ``lateness`` reads)."""
    last = ItemEvent.objects.filter(item=OuterRef("pk"), kind=EventKind.APPLIED).order_by("-at", "-id")
    return items.annotate(applied_at=Subquery(last.values("at")[:1]))


def lateness(item, today=None):
    """The item's late flag (``Late``) or None: the one place that says whether an item is late. Reads
    ``item.applied_at`` for items in review (``with_applied_at``, or set by the item page from its timeline)."""
    today = today or clock.today()
    if item.status == ItemStatus.CLOSED:
        closed = timezone.localdate(item.closed_at) if item.closed_at else None
        return Late(Late.CLOSED_LATE, (closed - item.deadline).days) if closed and closed > item.deadline else None
    if item.status in IN_REVIEW:
        applied = getattr(item, "applied_at", None)
        if applied is not None and timezone.localdate(applied) > item.deadline:
            return Late(Late.APPLIED_LATE, (today - item.deadline).days)
        return Late(Late.WAITING, (today - item.deadline).days) if item.deadline < today else None
    return Late(Late.OVERDUE, (today - item.deadline).days) if item.deadline < today else None


def late_filter(today=None):
    """Open items past their deadline, applied for or not: the late flag's open kinds as a query
    (an item applied late is past its deadline now, so the deadline alone decides)."""
    today = today or clock.today()
    return Q(status__in=[s for s in ItemStatus.values if s != ItemStatus.CLOSED], deadline__lt=today)


def is_id(value):
    """A database id typed in an address or form: ASCII digits of a sane length (not "²", not 10**30)."""
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= 18


def evidence_seen_through(user):
    """Library files attached to the items ``user`` sees, or to their deep reviews (see ``evidence.access``)."""
    from checklists.models import Evaluation

    items = visible_items(user).values("pk")
    on_items = Item.evidence.through.objects.filter(evidence_id=OuterRef("pk"), item_id__in=items)
    in_reviews = Evaluation.attachments.through.objects.filter(
        evidence_id=OuterRef("pk"), evaluation__item_id__in=items
    )
    return Q(Exists(on_items)) | Q(Exists(in_reviews))

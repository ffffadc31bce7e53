"""Joint meetings, demands, labour disputes and supervision letters in the API, read-only: lists and details scoped to
the user's subtree (``cases.scope``; a record outside it is a 404), filtered with the list pages' own parameters
(``cases.scope.filter_*``), a page at a time.

Workers' names and phones are masked (张*, 138****5678). A detail asked with ``full=true`` shows them in full to whoever
the case's own page shows them to (``demand_flow.can_see_worker`` for a demand, ``dispute_flow.can_see_phone`` for a
dispute), and that view is audited; anyone else asking gets 403."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema

from audit.masking import mask_phone
from audit.services import record
from cases import demand_flow, dispute_flow, scope
from cases.models import (
    Colour,
    DemandCategory,
    DemandResult,
    DemandSource,
    DemandStatus,
    DisputeKind,
    DisputeStatus,
    LetterKind,
    LetterStatus,
    Level,
    Outcome,
    Rating,
)

router = Router(tags=["cases: demands and disputes"])
PAGE_MAX = 500
ID_MAX = 2**62
MONTH = r"^\d{4}-\d{2}$"


def mask_name(name):
    """``张建国`` → ``张**``: the family name stays, so a clerk can tell cases apart without knowing the worker."""
    name = name or ""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


# --- schemas ---------------------------------------------------------------------------------------------------


class EnterpriseRef(Schema):
    id: int
    name: str
    credit_code: str


class MeetingOut(Schema):
    id: int
    enterprise: EnterpriseRef
    unit: str
    unit_name: str
    held_on: date
    title: str
    demands: int

    @staticmethod
    def resolve_unit(meeting):
        return meeting.org_unit.code

    @staticmethod
    def resolve_unit_name(meeting):
        return meeting.org_unit.name

    @staticmethod
    def resolve_demands(meeting):
        return getattr(meeting, "demand_count", 0)


class DecisionOut(Schema):
    content: str
    item_id: int | None


class MeetingDetail(MeetingOut):
    participants: str
    minutes: str
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_decisions(meeting):
        return list(meeting.decisions.all())


def _person(obj, name):
    """A worker's name or phone as this reader may see it (``obj.full`` set by the detail for a full view)."""
    value = getattr(obj, name)
    if getattr(obj, "full", False):
        return value
    return mask_phone(value) if value and name.endswith("phone") else mask_name(value)


class DemandOut(Schema):
    id: int
    enterprise: EnterpriseRef
    unit: str
    unit_name: str
    handling_unit: str | None
    meeting: int | None = Field(None, alias="meeting_id")
    source: DemandSource
    category: DemandCategory
    category_label: str
    worker_name: str  # masked: 张*
    worker_phone: str  # masked: 138****5678
    group_size: int
    status: DemandStatus
    status_label: str
    received_on: date
    reply_due: date | None
    result: DemandResult | str
    replied_at: datetime | None
    replied_on_time: bool | None
    rating: Rating | str
    closed_at: datetime | None
    version: int

    @staticmethod
    def resolve_unit(demand):
        return demand.org_unit.code

    @staticmethod
    def resolve_unit_name(demand):
        return demand.org_unit.name

    @staticmethod
    def resolve_handling_unit(demand):
        return demand.handling_unit.code if demand.handling_unit_id else None

    @staticmethod
    def resolve_category_label(demand):
        return str(demand.get_category_display())

    @staticmethod
    def resolve_status_label(demand):
        return str(demand.get_status_display())

    @staticmethod
    def resolve_worker_name(demand):
        return _person(demand, "worker_name")

    @staticmethod
    def resolve_worker_phone(demand):
        return _person(demand, "worker_phone")


class DemandDetail(DemandOut):
    content: str
    reply: str
    reopened: int
    urged: int
    full: bool = False  # names and phones shown in full (an audited view)


class DisputeOut(Schema):
    id: int
    enterprise: EnterpriseRef
    unit: str
    unit_name: str
    kind: DisputeKind
    kind_label: str
    worker_name: str  # masked
    worker_phone: str  # masked
    workers: int
    months_in_arrears: Decimal
    amount_claimed: Decimal
    amount_agreed: Decimal | None
    amount_paid: Decimal | None
    colour: Colour
    colour_label: str
    colour_reason: str
    status: DisputeStatus
    status_label: str
    level: Level | str
    outcome: Outcome | str
    received_on: date
    agreed_on: date | None
    closed_on: date | None
    version: int

    @staticmethod
    def resolve_unit(dispute):
        return dispute.org_unit.code

    @staticmethod
    def resolve_unit_name(dispute):
        return dispute.org_unit.name

    @staticmethod
    def resolve_kind_label(dispute):
        return str(dispute.get_kind_display())

    @staticmethod
    def resolve_colour_label(dispute):
        return str(dispute.get_colour_display())

    @staticmethod
    def resolve_status_label(dispute):
        return str(dispute.get_status_display())

    @staticmethod
    def resolve_worker_name(dispute):
        return _person(dispute, "worker_name")

    @staticmethod
    def resolve_worker_phone(dispute):
        return _person(dispute, "worker_phone")


class MediationOut(Schema):
    level: Level
    accepted_on: date
    due_on: date
    ended_on: date | None
    outcome: str


class PartyOut(Schema):
    side: str
    body: str
    contact_name: str
    contact_phone: str  # masked unless a full view

    @staticmethod
    def resolve_contact_name(party):
        return party.contact_name

    @staticmethod
    def resolve_contact_phone(party):
        return party.contact_phone if getattr(party, "full", False) else mask_phone(party.contact_phone)


class DisputeDetail(DisputeOut):
    summary: str
    judicial_confirmation: bool
    outcome_note: str
    mediations: list[MediationOut]
    parties: list[PartyOut]
    full: bool = False

    @staticmethod
    def resolve_mediations(dispute):
        return list(dispute.mediations.all())

    @staticmethod
    def resolve_parties(dispute):
        parties = list(dispute.parties.all())
        for party in parties:
            party.full = getattr(dispute, "full", False)
        return parties


class LetterOut(Schema):
    id: int
    number: str
    kind: LetterKind
    kind_label: str
    enterprise: EnterpriseRef
    unit: str
    addressee: str
    status: LetterStatus
    status_label: str
    issued_on: date
    reply_due: date | None
    delivered_on: date | None
    answered_on: date | None
    escalated_from: int | None = Field(None, alias="escalated_from_id")

    @staticmethod
    def resolve_unit(letter):
        return letter.issuing_unit.code

    @staticmethod
    def resolve_kind_label(letter):
        return str(letter.get_kind_display())

    @staticmethod
    def resolve_status_label(letter):
        return str(letter.get_status_display())


class LetterDetail(LetterOut):
    problem: str
    request: str
    answer: str


class MeetingPage(Schema):
    count: int
    items: list[MeetingOut]


class DemandPage(Schema):
    count: int
    items: list[DemandOut]


class DisputePage(Schema):
    count: int
    items: list[DisputeOut]


class LetterPage(Schema):
    count: int
    items: list[LetterOut]


# The list pages' filters (cases.scope): documented here, applied by scope.filter_* to the query string as sent.
class _Common(Schema):
    unit: int | None = Field(None, ge=1, le=ID_MAX, description="an org unit id: registered within its subtree")
    own: str | None = Field(None, max_length=1, description="1 with unit: registered at that unit itself")
    enterprise: int | None = Field(None, ge=1, le=ID_MAX)
    month: str | None = Field(None, max_length=7, pattern=MONTH, description="YYYY-MM")
    from_: str | None = Field(None, alias="from", max_length=7, pattern=MONTH, description="YYYY-MM, included")
    to: str | None = Field(None, max_length=7, pattern=MONTH, description="YYYY-MM, included")
    limit: int = Field(100, ge=1, le=10**6)
    offset: int = Field(0, ge=0, le=ID_MAX)


class MeetingFilters(_Common):
    q: str = Field("", max_length=100)


class DemandFilters(_Common):
    status: DemandStatus | None = None
    category: DemandCategory | None = None
    source: DemandSource | None = None
    result: DemandResult | None = None
    overdue: str | None = Field(None, max_length=1)
    on_time: str | None = Field(None, max_length=1)
    rated: str | None = Field(None, max_length=3, description="1: very satisfied or satisfied; any: rated")
    accepted: str | None = Field(None, max_length=1)
    replied: str | None = Field(None, max_length=1)
    q: str = Field("", max_length=100)


class DisputeFilters(_Common):
    status: DisputeStatus | None = None
    colour: Colour | None = None
    level: Level | None = None
    kind: DisputeKind | None = None
    outcome: Outcome | None = None
    open: str | None = Field(None, max_length=1)
    q: str = Field("", max_length=100)


class LetterFilters(_Common):
    kind: LetterKind | None = None
    status: LetterStatus | None = None
    overdue: str | None = Field(None, max_length=1)


class DetailQuery(Schema):
    full: bool = False


def _page(rows, limit, offset):
    limit = min(limit, PAGE_MAX)
    return {"count": rows.count(), "items": list(rows[offset : offset + limit])}


def _full_view(request, obj, kind, full):
    """Mark ``obj`` for a full view of its personal data when asked and allowed; audit it."""
    if not full:
        return obj
    # The same predicate as the page of each kind, so page and API agree on who sees the worker.
    allowed = demand_flow.can_see_worker if kind == "demand" else dispute_flow.can_see_phone
    if not allowed(request.user, obj):
        raise PermissionDenied
    record(action=f"cases.{kind}_personal_viewed", actor=request.user, obj=obj, org_unit=obj.org_unit, request=request)
    obj.full = True
    return obj


# --- routes ----------------------------------------------------------------------------------------------------


@router.get("/meetings", response=MeetingPage)
def list_meetings(request, filters: Query[MeetingFilters]):
    """Joint meetings of the user's subtree, latest first; filters as on the meetings page."""
    from django.db.models import Count

    meetings = scope.filter_meetings(scope.visible_meetings(request.user), request.GET)
    meetings = meetings.select_related("enterprise", "org_unit").annotate(demand_count=Count("demands"))
    return _page(meetings.order_by("-held_on", "-id"), filters.limit, filters.offset)


@router.get("/meetings/{meeting_id}", response=MeetingDetail)
def read_meeting(request, meeting_id: int):
    meeting = scope.get_meeting(request.user, meeting_id)
    meeting.demand_count = meeting.demands.count()
    return meeting


@router.get("/demands", response=DemandPage)
def list_demands(request, filters: Query[DemandFilters]):
    """Demands the user reads (registered in their subtree or sent to it to handle), latest first; filters as on
    the demands page. Names and phones masked."""
    demands = scope.filter_demands(scope.visible_demands(request.user), request.GET)
    demands = demands.select_related("enterprise", "org_unit", "handling_unit")
    return _page(demands.order_by("-received_on", "-id"), filters.limit, filters.offset)


@router.get("/demands/{demand_id}", response=DemandDetail)
def read_demand(request, demand_id: int, query: Query[DetailQuery]):
    """One demand; ``full=true`` shows the worker's name and phone to the office staff of its unit (audited)."""
    return _full_view(request, scope.get_demand(request.user, demand_id), "demand", query.full)


@router.get("/disputes", response=DisputePage)
def list_disputes(request, filters: Query[DisputeFilters]):
    """Labour disputes of the user's subtree, latest first; filters as on the disputes page. Names and phones
    masked."""
    disputes = scope.filter_disputes(scope.visible_disputes(request.user), request.GET)
    disputes = disputes.select_related("enterprise", "org_unit")
    return _page(disputes.order_by("-received_on", "-id"), filters.limit, filters.offset)


@router.get("/disputes/{dispute_id}", response=DisputeDetail)
def read_dispute(request, dispute_id: int, query: Query[DetailQuery]):
    """One dispute with its mediation levels and the three parties; ``full=true`` as for a demand."""
    return _full_view(request, scope.get_dispute(request.user, dispute_id), "dispute", query.full)


@router.get("/letters", response=LetterPage)
def list_letters(request, filters: Query[LetterFilters]):
    """Supervision letters (一函两书) issued by the user's subtree, latest first; filters as on the letters page."""
    letters = scope.filter_letters(scope.visible_letters(request.user), request.GET)
    return _page(letters.select_related("enterprise", "issuing_unit").order_by("-issued_on", "-id"), filters.limit,
                 filters.offset)  # fmt: skip


@router.get("/letters/{letter_id}", response=LetterDetail)
def read_letter(request, letter_id: int):
    return scope.get_letter(request.user, letter_id)

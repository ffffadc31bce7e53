"""Lists and items in the API: issue a list, read and filter items, drive the close-out workflow,
read the figures. Every change calls ``checklists.workflow`` or ``checklists.services``: a refusal
is 422 ``refused`` with the reason, a stale ``version`` is 409 ``conflict``."""

from datetime import date, datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from checklists import figures, services, workflow
from checklists.models import Conclusion, Extension, ExtensionStatus, ItemStatus
from checklists.queries import get_item, visible_items
from evidence.models import Evidence
from orgs.models import OrgUnit, Role
from orgs.queries import root_unit, visible_units, visible_users
from qingdan import clock
from qingdan.api import ApiError
from qingdan.text import LONG_TEXT

router = Router(tags=["checklists"])
FIGURE_VIEWERS = (Role.OFFICE, Role.LEADER, Role.REVIEWER)
PAGE_MAX = 500


def _unit(user, code):
    unit = visible_units(user).filter(code=code).first()
    if unit is None:
        raise ApiError(
            422, "unknown_unit", _("No unit with the code “%(code)s” in your organisation.") % {"code": code}
        )
    return unit


# --- schemas ---------------------------------------------------------------------------------


class ItemIn(Schema):
    content: str = Field(max_length=LONG_TEXT)
    standard: str = Field("", max_length=LONG_TEXT)
    deadline: date
    deep_review_required: bool = False
    person_in_charge: str = Field("", max_length=50)


class ChecklistIn(Schema):
    responsible_unit: str = Field(max_length=OrgUnit.CODE_MAX)  # unit code
    co_units: list[Annotated[str, StringConstraints(max_length=OrgUnit.CODE_MAX)]] = []
    title: str = Field(max_length=200)
    doc_number: str = Field("", max_length=60)
    issued_on: date | None = None
    category: str = Field("", max_length=100)  # a category name of the office's catalogue; added when new
    import_key: str = Field("", max_length=60)  # the same key sent again returns the list made the first time
    confirm_load: bool = False  # issue to a unit past the load warning line all the same
    items: list[ItemIn]


class ItemOut(Schema):
    id: int
    checklist: int
    list_title: str
    content: str
    standard: str
    responsible_unit: str
    status: ItemStatus
    deadline: date
    original_deadline: date
    deep_review_required: bool
    person_in_charge: str
    applications: int
    rectifications: int
    urgings: int
    satisfaction: float | None
    closed_at: datetime | None
    version: int

    @staticmethod
    def resolve_checklist(item):
        return item.checklist_id

    @staticmethod
    def resolve_list_title(item):
        return item.checklist.title

    @staticmethod
    def resolve_responsible_unit(item):
        return item.responsible_unit.code


class ChecklistOut(Schema):
    id: int
    title: str
    doc_number: str
    responsible_unit: str
    co_units: list[str]
    issued_on: date
    category: str | None
    import_key: str
    items: list[ItemOut]

    @staticmethod
    def resolve_responsible_unit(checklist):
        return checklist.responsible_unit.code

    @staticmethod
    def resolve_co_units(checklist):
        return sorted(checklist.co_units.values_list("code", flat=True))

    @staticmethod
    def resolve_category(checklist):
        return checklist.category.name if checklist.category_id else None

    @staticmethod
    def resolve_items(checklist):
        return list(checklist.items.select_related("checklist", "responsible_unit").order_by("position", "id"))


class EventOut(Schema):
    kind: str
    label: str
    actor: str | None
    at: datetime
    opinion: str
    document: str | None
    data: dict


class DocumentOut(Schema):
    id: int
    kind: str
    number: str
    created_at: datetime


class ExtensionOut(Schema):
    id: int
    new_deadline: date
    reason: str
    status: ExtensionStatus
    decision_note: str


class EvidenceOut(Schema):
    id: int
    name: str
    sha256: str


class ItemDetail(ItemOut):
    issuing_unit: str
    evaluator: str | None
    timeline: list[EventOut]
    documents: list[DocumentOut]
    extensions: list[ExtensionOut]
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_issuing_unit(item):
        return item.checklist.issuing_unit.code

    @staticmethod
    def resolve_evaluator(item):
        return item.evaluator.username if item.evaluator_id else None

    @staticmethod
    def resolve_timeline(item):
        return [
            {
                "kind": event.kind,
                "label": str(event.get_kind_display()),
                "actor": event.actor.display_name if event.actor_id else None,
                "at": event.at,
                "opinion": event.opinion,
                "document": event.document.number if event.document_id else None,
                "data": event.data,
            }
            for event in item.events.select_related("actor", "document").order_by("at", "id")
        ]

    @staticmethod
    def resolve_documents(item):
        return list(item.documents.order_by("created_at", "id"))

    @staticmethod
    def resolve_extensions(item):
        return list(item.extensions.order_by("-requested_at", "-id"))

    @staticmethod
    def resolve_evidence(item):
        return list(item.evidence.order_by("id"))


class ItemPage(Schema):
    count: int
    items: list[ItemOut]


class ItemFilters(Schema):
    status: ItemStatus | None = None
    unit: str | None = Field(None, max_length=OrgUnit.CODE_MAX)  # unit code
    category: int | None = Field(None, ge=1, le=2**62)
    overdue: bool | None = None
    limit: int = Field(100, ge=1, le=10**6)
    offset: int = Field(0, ge=0, le=2**62)


class ApplyIn(Schema):
    report: str = Field(max_length=LONG_TEXT)
    evidence: list[int] = []  # ids from the unit's evidence library
    version: int


class VerifyIn(Schema):
    passed: bool
    opinion: str = Field(max_length=LONG_TEXT)
    version: int
    deep_review: bool = False
    evaluator: str | None = Field(None, max_length=150)  # username of the third-party evaluator
    findings: str = Field("", max_length=LONG_TEXT)
    fixes: str = Field("", max_length=LONG_TEXT)
    new_deadline: date | None = None


class UrgeOut(Schema):
    urged: bool
    document: str | None
    urgings: int


class ExtensionIn(Schema):
    new_deadline: date
    reason: str = Field(max_length=LONG_TEXT)
    version: int


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=LONG_TEXT)


class EvaluationIn(Schema):
    conclusion: Conclusion
    opinion: str = Field(max_length=LONG_TEXT)
    version: int
    report_notes: str = Field("", max_length=LONG_TEXT)
    ledger_notes: str = Field("", max_length=LONG_TEXT)
    site_notes: str = Field("", max_length=LONG_TEXT)
    symposium_notes: str = Field("", max_length=LONG_TEXT)
    new_deadline: date | None = None


class FigureOut(Schema):
    key: str
    label: str
    issued: int
    applied: int
    closed: int
    close_rate: float | None
    first_pass: int
    first_pass_rate: float | None
    overdue: int
    urgings: int
    rectifications: int
    satisfaction: float | None


class FiguresOut(Schema):
    group: str
    total: FigureOut
    rows: list[FigureOut]


# --- lists -----------------------------------------------------------------------------------


@router.post("/lists", response={200: ChecklistOut, 201: ChecklistOut})
def create_list(request, payload: ChecklistIn):
    """Issue a list with its items (office staff). With an ``import_key`` sent before, the list made
    then is returned (200) and nothing is created. A unit past the load warning line needs
    ``confirm_load: true`` (else 422 ``load_warning``)."""
    user = request.user
    if not user.has_role(Role.OFFICE):
        raise PermissionDenied
    office = user.org_unit
    if payload.import_key:
        found = office.issued_checklists.filter(import_key=payload.import_key).first()
        if found is not None:
            return Status(200, found)
    unit = _unit(user, payload.responsible_unit)
    co_units = [_unit(user, code) for code in dict.fromkeys(payload.co_units)]
    if not payload.confirm_load and (warning := services.load_warning(unit, len(payload.items), office)):
        raise ApiError(422, "load_warning", warning)
    with transaction.atomic():
        category = None
        if payload.category.strip():
            category = services.category(office_unit=office, name=payload.category.strip()[:100], actor=user)
        checklist = services.issue_checklist(
            actor=user,
            responsible_unit=unit,
            co_units=co_units,
            title=payload.title,
            doc_number=payload.doc_number.strip(),
            issued_on=payload.issued_on,
            category=category,
            import_key=payload.import_key,
            items=[item.model_dump() for item in payload.items],
        )
    if checklist is None:  # the same key arrived meanwhile
        return Status(200, office.issued_checklists.get(import_key=payload.import_key))
    return Status(201, checklist)


# --- items -----------------------------------------------------------------------------------


@router.get("/items", response=ItemPage)
def list_items(request, filters: Query[ItemFilters]):
    """Items the user may see, filtered by status, responsible unit code, category id, overdue now."""
    items = visible_items(request.user)
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.unit:
        items = items.filter(responsible_unit__code=filters.unit)
    if filters.category is not None:
        items = items.filter(checklist__category_id=filters.category)
    if filters.overdue is not None:
        overdue = figures.overdue_q(clock.today())
        items = items.filter(overdue) if filters.overdue else items.exclude(overdue)
    limit = min(max(filters.limit, 1), PAGE_MAX)
    offset = max(filters.offset, 0)
    page = items.select_related("checklist", "responsible_unit").order_by("deadline", "id")[offset : offset + limit]
    return {"count": items.count(), "items": list(page)}


def _item(request, item_id):
    return get_item(request.user, item_id)


@router.get("/items/{item_id}", response=ItemDetail)
def read_item(request, item_id: int):
    """An item with its timeline, documents, extensions and evidence; ``version`` goes back with each action."""
    return _item(request, item_id)


def _act(request, item_id, action):
    item = _item(request, item_id)
    action(item)
    return get_item(request.user, item_id)


@router.post("/items/{item_id}/apply", response=ItemOut)
def apply(request, item_id: int, payload: ApplyIn):
    """The unit's reporter applies for close-out with a report and evidence from the unit's library."""
    evidence = list(Evidence.objects.filter(owner_unit=request.user.org_unit, pk__in=payload.evidence))
    if len(evidence) != len(set(payload.evidence)):
        raise ApiError(422, "refused", _("Only your own unit's evidence can be attached."))
    return _act(
        request,
        item_id,
        lambda item: workflow.apply_for_closeout(
            item=item, actor=request.user, report=payload.report, evidence=evidence, version=payload.version
        ),
    )


@router.post("/items/{item_id}/verify", response=ItemOut)
def verify(request, item_id: int, payload: VerifyIn):
    """A reviewer passes (closed, or deep review with ``evaluator``) or fails (findings, fixes, new deadline)."""
    evaluator = None
    if payload.evaluator:
        evaluator = visible_users(request.user).filter(username=payload.evaluator).first()
        if evaluator is None:
            raise ApiError(422, "refused", _("Choose the third-party evaluator for the deep review."))
    return _act(
        request,
        item_id,
        lambda item: workflow.verify(
            item=item,
            actor=request.user,
            passed=payload.passed,
            opinion=payload.opinion,
            version=payload.version,
            deep_review=payload.deep_review,
            evaluator=evaluator,
            findings=payload.findings,
            fixes=payload.fixes,
            new_deadline=payload.new_deadline,
        ),
    )


@router.post("/items/{item_id}/urge", response=UrgeOut)
def urge(request, item_id: int):
    """Office staff issue an urging notice for an item past its deadline (once a day at most)."""
    found = {}

    def run(item):
        found["document"] = workflow.urge(item=item, actor=request.user)

    item = _act(request, item_id, run)
    document = found["document"]
    return {"urged": document is not None, "document": document.number if document else None, "urgings": item.urgings}


@router.post("/items/{item_id}/extensions", response={201: ExtensionOut})
def request_extension(request, item_id: int, payload: ExtensionIn):
    """Before the deadline the unit's reporter asks for a later date with a reason."""
    found = {}

    def run(item):
        found["extension"] = workflow.request_extension(
            item=item,
            actor=request.user,
            new_deadline=payload.new_deadline,
            reason=payload.reason,
            version=payload.version,
        )

    _act(request, item_id, run)
    return Status(201, found["extension"])


@router.post("/items/{item_id}/extensions/{extension_id}/decision", response=ExtensionOut)
def decide_extension(request, item_id: int, extension_id: int, payload: DecisionIn):
    """The issuing office approves (the deadline moves; the original stays on record) or refuses."""
    item = _item(request, item_id)
    extension = Extension.objects.filter(item=item, pk=extension_id).first()
    if extension is None:
        raise Http404
    return workflow.decide_extension(
        extension=extension, actor=request.user, approve=payload.approve, note=payload.note
    )


@router.post("/items/{item_id}/evaluation", response=ItemOut)
def record_evaluation(request, item_id: int, payload: EvaluationIn):
    """The assigned evaluator records the deep review; the item closes only when it passes and the
    workers' satisfaction reaches the threshold, else it goes back to rectification (``new_deadline``)."""
    return _act(
        request,
        item_id,
        lambda item: workflow.record_evaluation(
            item=item,
            actor=request.user,
            conclusion=payload.conclusion,
            opinion=payload.opinion,
            report_notes=payload.report_notes,
            ledger_notes=payload.ledger_notes,
            site_notes=payload.site_notes,
            symposium_notes=payload.symposium_notes,
            new_deadline=payload.new_deadline,
            version=payload.version,
        ),
    )


# --- figures ---------------------------------------------------------------------------------


def _figure(row, key):
    return {
        "key": key,
        "label": row.label,
        **{name: getattr(row, name) for name in figures.MEASURES},
        "close_rate": row.close_rate,
        "first_pass_rate": row.first_pass_rate,
    }


@router.get("/figures", response=FiguresOut)
def read_figures(request, group: Literal["unit", "category", "office", "month"] = "unit"):
    """Close-out figures of the items the user's subtree is responsible for, in total and per group
    (``key``: a unit code, a category name, a month as 2026-09), as the figures page shows them."""
    if not request.user.has_role(*FIGURE_VIEWERS):
        raise PermissionDenied
    total, rows = figures.table(root_unit(request.user), group, clock.today())
    total.label = _("Total")
    return {"group": group, "total": _figure(total, ""), "rows": [_figure(row, row.code) for row in rows]}

"""The hardship archive in the API, read-only for now: households (list and detail), aid (list) and the figures.

Reads are scoped to the user's subtree (a household outside it is a 404) and take the household list's filters
(``assistance.scope``; ``unit`` by its code). Every ID number, phone and bank account is masked
(``110105********1234``, ``138****5678``, ``***************3445``); the API offers no full view, so none is audited
here. Changes go through the pages until the archive's workflow is in the API."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from assistance import exports, figures
from assistance.models import Aid, Member
from assistance.scope import filter_households, get_household, visible_households, year_range
from audit.masking import mask_phone
from orgs.models import OrgUnit, Role
from orgs.queries import root_unit, visible_units
from qingdan import clock
from qingdan.api import ApiError

router = Router(tags=["assistance"])
PAGE_MAX = 500
ID_MAX = 2**62
FIGURE_VIEWERS = (Role.OFFICE, Role.LEADER)


def _names(user):
    return exports.sees_names(user)


class MemberOut(Schema):
    name: str
    relation: str
    id_number: str  # masked: 320922********0011
    birth_date: date
    health: str
    work: str


class HouseholdOut(Schema):
    id: int
    number: str
    unit: str
    unit_name: str
    status: str
    status_label: str
    category: str
    main_cause: str
    head_name: str  # masked (王*明) for every role but the office staff
    phone: str  # masked
    bank_account: str  # masked: last four digits
    applied_on: date
    archived_on: date | None
    exited_on: date | None
    reviewed_on: date | None


class HouseholdDetail(HouseholdOut):
    address: str
    annual_income: Decimal
    members: list[MemberOut]


class HouseholdPage(Schema):
    count: int
    items: list[HouseholdOut]


class HouseholdFilters(Schema):
    status: str = Field("", max_length=20)
    category: str = Field("", max_length=20)
    cause: str = Field("", max_length=20)
    identity: str = Field("", max_length=20)
    unit: str | None = Field(None, max_length=OrgUnit.CODE_MAX)  # a unit code: its whole subtree
    own: str = Field("", max_length=1)
    year: int | None = Field(None, ge=1901, le=2999)
    exited_year: int | None = Field(None, ge=1901, le=2999)
    archived_year: int | None = Field(None, ge=1901, le=2999)
    aid_year: int | None = Field(None, ge=1901, le=2999)
    aid_kind: str = Field("", max_length=20)
    stale: str = Field("", max_length=1)
    review_due: str = Field("", max_length=1)
    no_aid: str = Field("", max_length=1)
    not_visited: str = Field("", max_length=1)
    visit_days: int | None = Field(None, ge=1, le=10000)
    q: str = Field("", max_length=50)
    limit: int = Field(100, ge=1, le=10**6)
    offset: int = Field(0, ge=0, le=ID_MAX)


def _unit(user, code):
    unit = visible_units(user).filter(code=code).first()
    if unit is None:
        raise ApiError(
            422, "unknown_unit", _("No unit with the code “%(code)s” in your organisation.") % {"code": code}
        )
    return unit


def _params(user, filters):
    params = {k: v for k, v in filters.dict().items() if v not in (None, "") and k not in ("limit", "offset")}
    params = {k: str(v) for k, v in params.items()}
    if filters.unit:
        params["unit"] = str(_unit(user, filters.unit).pk)
    return params


def _out(household, names):
    return {
        "id": household.pk,
        "number": household.number,
        "unit": household.org_unit.code,
        "unit_name": household.org_unit.name,
        "status": household.status,
        "status_label": str(household.get_status_display()),
        "category": household.category,
        "main_cause": household.main_cause,
        "head_name": household.head_name if names else exports.mask_name(household.head_name),
        "phone": mask_phone(household.phone) if household.phone else "",
        "bank_account": exports.mask_account(household.bank_account),
        "applied_on": household.applied_on,
        "archived_on": household.archived_on,
        "exited_on": household.exited_on,
        "reviewed_on": household.reviewed_on,
    }


@router.get("/hardship/households", response=HouseholdPage)
def list_households(request, filters: Query[HouseholdFilters]):
    """Household files of the user's subtree, filtered as the household list is (``assistance.scope``), masked."""
    households = filter_households(visible_households(request.user), _params(request.user, filters))
    limit, offset = min(filters.limit, PAGE_MAX), filters.offset
    page = households.select_related("org_unit").order_by("number", "id")[offset : offset + limit]
    names = _names(request.user)
    return {"count": households.count(), "items": [_out(h, names) for h in page]}


@router.get("/hardship/households/{household_id}", response=HouseholdDetail)
def read_household(request, household_id: int):
    """One household file with its members, masked; another county's is a 404."""
    household = get_household(request.user, household_id)
    names = _names(request.user)
    out = _out(household, names)
    out["address"] = household.address if names else ""
    out["annual_income"] = household.annual_income
    out["members"] = [
        {
            "name": m.name if names else exports.mask_name(m.name),
            "relation": m.relation,
            "id_number": m.id_masked,
            "birth_date": m.birth_date,
            "health": m.health,
            "work": m.work,
        }
        for m in Member.objects.filter(household=household).defer("id_number").order_by("id")
    ]
    return out


class AidOut(Schema):
    id: int
    household: int
    number: str
    head_name: str
    kind: str
    amount: Decimal
    given_on: date
    source: str
    given_by: str


class AidPage(Schema):
    count: int
    amount: Decimal
    items: list[AidOut]


class AidFilters(HouseholdFilters):
    kind: str = Field("", max_length=20)
    given_year: int | None = Field(None, ge=1901, le=2999)


@router.get("/hardship/aid", response=AidPage)
def list_aid(request, filters: Query[AidFilters]):
    """Aid given to the households of the user's subtree (the household filters apply to them), newest first."""
    from django.db.models import Sum

    params = _params(request.user, filters)
    params.pop("kind", None), params.pop("given_year", None)
    households = filter_households(visible_households(request.user), params)
    aid = Aid.objects.filter(household__in=households.values("pk"))
    if filters.kind:
        aid = aid.filter(kind=filters.kind)
    if filters.given_year:
        first, following = year_range(filters.given_year)
        aid = aid.filter(given_on__gte=first, given_on__lt=following)
    limit, offset = min(filters.limit, PAGE_MAX), filters.offset
    names = _names(request.user)
    page = aid.select_related("household", "org_unit").order_by("-given_on", "-id")[offset : offset + limit]
    return {
        "count": aid.count(),
        "amount": aid.aggregate(total=Sum("amount"))["total"] or Decimal("0.00"),
        "items": [
            {
                "id": a.pk,
                "household": a.household_id,
                "number": a.household.number,
                "head_name": a.household.head_name if names else exports.mask_name(a.household.head_name),
                "kind": a.kind,
                "amount": a.amount,
                "given_on": a.given_on,
                "source": a.source,
                "given_by": a.org_unit.code,
            }
            for a in page
        ],
    }


class FigureRow(Schema):
    label: str
    code: str
    held: int
    new: int
    exited_year: int
    exit_rate_year: float | None
    exited: int
    exit_rate: float | None
    deep: int
    permanent: int
    aided: int
    aid_times: int
    aid_amount: Decimal
    review_due: int
    not_visited: int
    filters: dict[str, str]  # the household-list filters of this row (``unit`` as an id)


class FiguresOut(Schema):
    year: int
    group: str
    total: FigureRow
    rows: list[FigureRow]


class FigureFilters(Schema):
    group: str = Field(figures.DEFAULT_GROUP, max_length=10, pattern="^(unit|county|year)$")
    year: int | None = Field(None, ge=1901, le=2999)


def _row(row):
    return {
        **{name: getattr(row, name) for name in (*figures.COUNTS, "aid_times", "aid_amount")},
        "label": row.label,
        "code": row.code,
        "exit_rate_year": None if row.exit_rate_year is None else round(row.exit_rate_year, 4),
        "exit_rate": None if row.exit_rate is None else round(row.exit_rate, 4),
        "filters": row.params,
    }


@router.get("/hardship/figures", response=FiguresOut)
def read_figures(request, filters: Query[FigureFilters]):
    """The figures page's numbers (office and leaders): total and rows by unit, county or year."""
    if not request.user.has_role(*FIGURE_VIEWERS):
        raise PermissionDenied
    year = filters.year or clock.today().year
    total, rows = figures.table(
        root_unit(request.user), visible_households(request.user), filters.group, year, clock.today()
    )
    return {"year": year, "group": filters.group, "total": _row(total), "rows": [_row(r) for r in rows]}

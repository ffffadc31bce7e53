"""The enterprise registry and the projects' contractor chains in the API. Reads are scoped to the user's subtree
(an enterprise outside it is a 404); changes are the office staff's and go through ``cases.services``: a refusal is
422 ``refused`` with the reason, a stale ``version`` is 409 ``conflict``. Contact phones are masked."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from audit.masking import mask_phone
from cases import queries, services
from cases.forms import CODE_INPUT_MAX
from cases.models import WORKERS_MAX, Enterprise, Industry, Project, Subcontract
from orgs.models import OrgUnit
from orgs.queries import visible_units
from qingdan.api import ApiError

router = Router(tags=["cases"])
PAGE_MAX = 500
ID_MAX = 2**62


def _editor(request, unit=None):
    if not services.can_edit_registry(request.user, unit):
        raise PermissionDenied


def _unit(user, code):
    unit = visible_units(user).filter(code=code).first()
    if unit is None:
        raise ApiError(
            422, "unknown_unit", _("No unit with the code “%(code)s” in your organisation.") % {"code": code}
        )
    return unit


def _enterprise_by_code(code):
    """A firm named in a chain, by its credit code; it may be registered by any unit of the platform."""
    code = services.normalise_code(code)
    if problem := services.credit_code_problem(code):
        raise ApiError(422, "invalid_credit_code", problem)
    found = Enterprise.objects.select_related("org_unit").filter(credit_code=code).first()
    if found is None:
        raise ApiError(
            422,
            "unknown_enterprise",
            _("No enterprise is registered with the code %(code)s: register it in the enterprise registry first.")
            % {"code": code},
        )
    return found


# --- schemas ---------------------------------------------------------------------------------


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str
    unit: str
    unit_name: str
    community: str
    industry: Industry
    industry_label: str
    workers: int
    has_union: bool
    union_unit: str | None
    address: str
    contact_name: str
    contact_phone: str  # masked: 138****5678
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_unit(enterprise):
        return enterprise.org_unit.code

    @staticmethod
    def resolve_unit_name(enterprise):
        return enterprise.org_unit.name

    @staticmethod
    def resolve_industry_label(enterprise):
        return str(enterprise.get_industry_display())

    @staticmethod
    def resolve_union_unit(enterprise):
        return enterprise.union_unit.code if enterprise.union_unit_id else None

    @staticmethod
    def resolve_contact_phone(enterprise):
        return mask_phone(enterprise.contact_phone) if enterprise.contact_phone else ""


class ProjectPlace(Schema):
    project: int
    name: str
    role: str  # developer, general, sub
    under: str | None  # the credit code of the firm above a subcontractor


class EnterpriseDetail(EnterpriseOut):
    projects: list[ProjectPlace]


class EnterprisePage(Schema):
    count: int
    items: list[EnterpriseOut]


class EnterpriseFilters(Schema):
    q: str = Field("", max_length=100)  # name or the start of the credit code
    unit: str | None = Field(None, max_length=OrgUnit.CODE_MAX)  # a unit code: its whole subtree
    industry: Industry | None = None
    has_union: bool | None = None
    limit: int = Field(100, ge=1, le=10**6)
    offset: int = Field(0, ge=0, le=ID_MAX)


class EnterpriseIn(Schema):
    name: str = Field(max_length=Enterprise.NAME_MAX)
    credit_code: str = Field(max_length=CODE_INPUT_MAX)
    unit: str = Field(max_length=OrgUnit.CODE_MAX)  # the town union or federation it is registered under
    community: str = Field("", max_length=Enterprise.COMMUNITY_MAX)
    industry: Industry
    workers: int = Field(ge=0, le=WORKERS_MAX)
    has_union: bool = False
    union_unit: str | None = Field(None, max_length=OrgUnit.CODE_MAX)
    address: str = Field("", max_length=Enterprise.ADDRESS_MAX)
    contact_name: str = Field("", max_length=Enterprise.CONTACT_MAX)
    contact_phone: str = Field("", max_length=Enterprise.PHONE_MAX * 2)


class EnterprisePatch(Schema):
    """The facts to change; those left out stay as they are. ``version`` is the one read."""

    version: int = Field(ge=0, le=2**31)
    name: str | None = Field(None, max_length=Enterprise.NAME_MAX)
    credit_code: str | None = Field(None, max_length=CODE_INPUT_MAX)
    unit: str | None = Field(None, max_length=OrgUnit.CODE_MAX)
    community: str | None = Field(None, max_length=Enterprise.COMMUNITY_MAX)
    industry: Industry | None = None
    workers: int | None = Field(None, ge=0, le=WORKERS_MAX)
    has_union: bool | None = None
    union_unit: str | None = Field(None, max_length=OrgUnit.CODE_MAX)  # "" removes the link
    address: str | None = Field(None, max_length=Enterprise.ADDRESS_MAX)
    contact_name: str | None = Field(None, max_length=Enterprise.CONTACT_MAX)
    contact_phone: str | None = Field(None, max_length=Enterprise.PHONE_MAX * 2)


class FirmOut(Schema):
    name: str
    credit_code: str


class SubcontractOut(Schema):
    id: int
    contractor: FirmOut
    under: int | None  # the id of the subcontract above; null: under the general contractor
    depth: int
    work: str

    @staticmethod
    def resolve_under(node):
        return node.parent_id


class ProjectOut(Schema):
    id: int
    name: str
    location: str
    unit: str
    starts_on: date | None
    ends_on: date | None
    developer: FirmOut | None
    general_contractor: FirmOut
    version: int

    @staticmethod
    def resolve_unit(project):
        return project.org_unit.code


class ProjectDetail(ProjectOut):
    chain: list[SubcontractOut]

    @staticmethod
    def resolve_chain(project):
        return queries.chain(project)


class ProjectPage(Schema):
    count: int
    items: list[ProjectOut]


class ProjectFilters(Schema):
    q: str = Field("", max_length=100)
    limit: int = Field(100, ge=1, le=10**6)
    offset: int = Field(0, ge=0, le=ID_MAX)


class ProjectIn(Schema):
    name: str = Field(max_length=Project.NAME_MAX)
    location: str = Field("", max_length=Project.LOCATION_MAX)
    unit: str = Field(max_length=OrgUnit.CODE_MAX)
    starts_on: date | None = None
    ends_on: date | None = None
    developer: str | None = Field(None, max_length=CODE_INPUT_MAX)  # credit code
    general_contractor: str = Field(max_length=CODE_INPUT_MAX)  # credit code


class SubcontractIn(Schema):
    contractor: str = Field(max_length=CODE_INPUT_MAX)  # credit code
    under: int | None = Field(None, ge=1, le=ID_MAX)  # the id of a subcontract of this project
    work: str = Field("", max_length=Subcontract.WORK_MAX)


class SubcontractMove(Schema):
    under: int | None = Field(None, ge=1, le=ID_MAX)
    work: str | None = Field(None, max_length=Subcontract.WORK_MAX)


# --- enterprises -----------------------------------------------------------------------------


@router.get("/enterprises", response=EnterprisePage)
def list_enterprises(request, filters: Query[EnterpriseFilters]):
    """Enterprises of the user's subtree: by name or credit code, a unit's subtree, industry, union."""
    unit = _unit(request.user, filters.unit) if filters.unit else None
    enterprises = queries.filter_enterprises(
        queries.visible_enterprises(request.user),
        q=filters.q.strip(),
        unit=unit,
        industry=filters.industry or "",
        has_union=filters.has_union,
    )
    limit, offset = min(filters.limit, PAGE_MAX), filters.offset
    page = enterprises.select_related("org_unit", "union_unit").order_by("name", "id")[offset : offset + limit]
    return {"count": enterprises.count(), "items": list(page)}


def _detail(request, enterprise):
    enterprise.projects = [
        {
            "project": row.project.pk,
            "name": row.project.name,
            "role": row.role,
            "under": row.under.credit_code if row.under is not None else None,
        }
        for row in queries.projects_of(request.user, enterprise)
    ]
    return enterprise


@router.get("/enterprises/{enterprise_id}", response=EnterpriseDetail)
def read_enterprise(request, enterprise_id: int):
    """One enterprise with the projects of the user's subtree it takes part in."""
    return _detail(request, queries.get_enterprise(request.user, enterprise_id))


def _facts(request, payload, current=None):
    """The services' facts from an API body (only the fields sent, for a change)."""
    data = payload.dict(exclude_unset=current is not None)
    data.pop("version", None)
    facts = {}
    for key, value in data.items():
        if key == "unit":
            facts["org_unit"] = _unit(request.user, value) if value is not None else None
        elif key == "union_unit":
            facts["union_unit"] = _unit(request.user, value) if value else None
        elif value is not None:
            facts[key] = value.value if isinstance(value, Industry) else value
    if current is not None and facts.get("org_unit", current.org_unit) is None:
        facts.pop("org_unit")
    return facts


@router.post("/enterprises", response={201: EnterpriseOut})
def create_enterprise(request, payload: EnterpriseIn):
    """Register an enterprise (office staff); the credit code's check digit is verified."""
    _editor(request)
    facts = _facts(request, payload)
    enterprise = services.create_enterprise(actor=request.user, request=request, **facts)
    return Status(201, queries.get_enterprise(request.user, enterprise.pk))


@router.patch("/enterprises/{enterprise_id}", response=EnterpriseOut)
def change_enterprise(request, enterprise_id: int, payload: EnterprisePatch):
    """Change the facts sent (office staff); ``version`` as read, else 409."""
    enterprise = queries.get_enterprise(request.user, enterprise_id)
    _editor(request, enterprise.org_unit)
    facts = _facts(request, payload, current=enterprise)
    services.update_enterprise(
        enterprise=enterprise, actor=request.user, version=payload.version, request=request, **facts
    )
    return queries.get_enterprise(request.user, enterprise_id)


# --- projects --------------------------------------------------------------------------------


def _project_out(request, pk):
    return queries.get_project(request.user, pk)


@router.get("/projects", response=ProjectPage)
def list_projects(request, filters: Query[ProjectFilters]):
    """Construction projects of the user's subtree."""
    projects = queries.visible_projects(request.user)
    if q := filters.q.strip():
        projects = projects.filter(name__icontains=q)
    limit, offset = min(filters.limit, PAGE_MAX), filters.offset
    page = projects.select_related("org_unit", "developer", "general_contractor").order_by("-starts_on", "name", "id")
    return {"count": projects.count(), "items": list(page[offset : offset + limit])}


@router.get("/projects/{project_id}", response=ProjectDetail)
def read_project(request, project_id: int):
    """A project with its contractor chain in tree order (``under``: the subcontract above; ``depth`` 1 is under
    the general contractor)."""
    return _project_out(request, project_id)


@router.post("/projects", response={201: ProjectDetail})
def create_project(request, payload: ProjectIn):
    """Register a project with its general contractor and developer, named by credit code (office staff)."""
    _editor(request)
    project = services.create_project(
        actor=request.user,
        request=request,
        name=payload.name,
        location=payload.location,
        org_unit=_unit(request.user, payload.unit),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        developer=_enterprise_by_code(payload.developer) if payload.developer else None,
        general_contractor=_enterprise_by_code(payload.general_contractor),
    )
    return Status(201, _project_out(request, project.pk))


def _node(project, node_id):
    node = project.subcontracts.filter(pk=node_id).first()
    if node is None:
        raise ApiError(422, "unknown_subcontract", _("That subcontractor is not in this project's chain."))
    return node


@router.post("/projects/{project_id}/subcontracts", response={201: ProjectDetail})
def add_subcontract(request, project_id: int, payload: SubcontractIn):
    """Add a firm to the chain under the general contractor or under a subcontract (office staff)."""
    project = queries.get_project(request.user, project_id)
    _editor(request, project.org_unit)
    services.add_subcontract(
        project=project,
        contractor=_enterprise_by_code(payload.contractor),
        under=_node(project, payload.under) if payload.under else None,
        work=payload.work,
        actor=request.user,
        request=request,
    )
    return Status(201, _project_out(request, project_id))


@router.patch("/projects/{project_id}/subcontracts/{subcontract_id}", response=ProjectDetail)
def move_subcontract(request, project_id: int, subcontract_id: int, payload: SubcontractMove):
    """Put a subcontract under another place of the chain (a loop is refused), or change its work."""
    project = queries.get_project(request.user, project_id)
    _editor(request, project.org_unit)
    node = _node(project, subcontract_id)
    services.move_subcontract(
        node=node,
        under=_node(project, payload.under) if payload.under else None,
        work=payload.work,
        actor=request.user,
        request=request,
    )
    return _project_out(request, project_id)


@router.delete("/projects/{project_id}/subcontracts/{subcontract_id}", response=ProjectDetail)
def remove_subcontract(request, project_id: int, subcontract_id: int):
    """Take a firm with nobody under it out of the chain."""
    project = queries.get_project(request.user, project_id)
    _editor(request, project.org_unit)
    services.remove_subcontract(node=_node(project, subcontract_id), actor=request.user, request=request)
    return _project_out(request, project_id)

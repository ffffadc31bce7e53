from ninja import Query, Router, Schema

from orgs.models import OrgKind, OrgUnit
from orgs.queries import get_in_tree_or_404, visible_units

router = Router(tags=["orgs"])


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: OrgKind
    kind_label: str
    parent_code: str | None
    depth: int

    @staticmethod
    def resolve_kind_label(unit):
        return str(unit.get_kind_display())

    @staticmethod
    def resolve_parent_code(unit, context):
        # The parent of the user's own unit lies outside what they may see.
        if not unit.parent_id or unit.pk == context["request"].user.org_unit_id:
            return None
        return unit.parent.code


class MeOut(Schema):
    username: str
    full_name: str
    org_unit: UnitOut | None
    roles: list[str]


@router.get("/me", response=MeOut, summary="The signed-in user, their unit and roles")
def me(request):
    user = request.user
    unit = OrgUnit.objects.select_related("parent").filter(pk=user.org_unit_id).first()
    return {"username": user.username, "full_name": user.full_name, "org_unit": unit, "roles": sorted(user.role_set)}


@router.get("/orgs", response=list[UnitOut], summary="The units the user can see, in tree order")
def list_units(request, kind: OrgKind | None = None, parent: str | None = Query(None, max_length=OrgUnit.CODE_MAX)):
    """Filter by ``kind`` and by ``parent`` (the code of a visible unit: its direct children)."""
    units = visible_units(request.user).select_related("parent").order_by("path")
    if kind:
        units = units.filter(kind=kind)
    if parent:
        parent_unit = get_in_tree_or_404(request.user, OrgUnit.objects.all(), unit_field="", code=parent)
        units = units.filter(parent=parent_unit)
    return list(units)


@router.get("/orgs/{unit_id}", response=UnitOut, summary="One visible unit")
def get_unit(request, unit_id: int):
    return get_in_tree_or_404(request.user, OrgUnit.objects.select_related("parent"), unit_field="", pk=unit_id)

"""Read paths of the registry, scoped by the org tree: every one starts from the user's subtree
(``orgs.queries.visible_to``), and a lookup outside it is a 404."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from cases.models import REGISTRY_KINDS, Enterprise, Project, Subcontract
from orgs.queries import get_visible_or_404, root_unit, visible_to, visible_units, within


def visible_enterprises(user):
    return visible_to(user, Enterprise.objects.all(), "org_unit")


def get_enterprise(user, pk):
    return get_visible_or_404(
        user, Enterprise.objects.select_related("org_unit", "union_unit", "created_by", "updated_by"), "org_unit", pk=pk
    )


def visible_projects(user):
    return visible_to(user, Project.objects.all(), "org_unit")


def get_project(user, pk):
    return get_visible_or_404(
        user,
        Project.objects.select_related("org_unit", "general_contractor__org_unit", "developer__org_unit"),
        "org_unit",
        pk=pk,
    )


def registry_units(user):
    """The units of the user's subtree that enterprises and projects are registered under."""
    return visible_units(user).filter(kind__in=REGISTRY_KINDS)


def filter_enterprises(enterprises, *, q="", unit=None, industry="", has_union=None):
    """The one filter of the list page, its export and the API: name or code, a unit's subtree, an industry,
    with or without a union."""
    if q:
        code = q.replace(" ", "").upper()
        enterprises = enterprises.filter(Q(name__icontains=q) | Q(credit_code__startswith=code))
    if unit is not None:
        enterprises = enterprises.filter(within(unit, "org_unit"))
    if industry:
        enterprises = enterprises.filter(industry=industry)
    if has_union is not None:
        enterprises = enterprises.filter(has_union=has_union)
    return enterprises


def registry_counts(enterprises):
    """Enterprises, those with a union, and their workers, in one query."""
    totals = enterprises.order_by().aggregate(
        total=Count("id"), with_union=Count("id", filter=Q(has_union=True)), workers=Sum("workers")
    )
    total = totals["total"] or 0
    return {
        "total": total,
        "with_union": totals["with_union"] or 0,
        "union_rate": (totals["with_union"] / total) if total else None,
        "workers": totals["workers"] or 0,
    }


def sees_enterprise(user, enterprise):
    """Whether the user may open the enterprise's page: a firm named in a chain may be registered elsewhere."""
    unit = root_unit(user)
    return unit is not None and enterprise.org_unit.is_within(unit)


@dataclass
class ProjectRole:
    project: Project
    role: str  # "developer", "general", "sub"
    under: object = None  # the firm above a subcontractor
    work: str = ""


def projects_of(user, enterprise):
    """The visible projects the enterprise takes part in, with its place: developer, general contractor, or
    subcontractor under another firm."""
    projects = visible_projects(user).select_related("org_unit", "general_contractor")
    rows = []
    for project in projects.filter(Q(developer=enterprise) | Q(general_contractor=enterprise)):
        if project.developer_id == enterprise.pk:
            rows.append(ProjectRole(project, "developer"))
        if project.general_contractor_id == enterprise.pk:
            rows.append(ProjectRole(project, "general"))
    subcontracts = Subcontract.objects.filter(contractor=enterprise, project__in=projects).select_related(
        "project__org_unit", "project__general_contractor", "parent__contractor"
    )
    for node in subcontracts:
        above = node.parent.contractor if node.parent_id else node.project.general_contractor
        rows.append(ProjectRole(node.project, "sub", above, node.work))
    return sorted(rows, key=lambda row: (row.project.starts_on is None, row.project.starts_on, row.project.pk))


def subcontract_counts(project_ids):
    """Firms in the chain of each project of ``project_ids`` (one query for a page of projects)."""
    rows = Subcontract.objects.filter(project_id__in=project_ids).values("project_id").annotate(n=Count("id"))
    return {row["project_id"]: row["n"] for row in rows.order_by()}


def chain(project):
    """The project's subcontracts in tree order, each with ``depth`` (1 under the general contractor). One query,
    and no recursion: a chain may be long."""
    nodes = list(project.subcontracts.select_related("contractor__org_unit").order_by("id"))
    below = {}
    for node in nodes:
        below.setdefault(node.parent_id, []).append(node)
    ordered, stack = [], [(node, 1) for node in reversed(below.get(None, []))]
    while stack:
        node, depth = stack.pop()
        node.depth = depth
        ordered.append(node)
        stack.extend((child, depth + 1) for child in reversed(below.get(node.pk, [])))
    return ordered


def below_counts(nodes):
    """How many firms sit below each node of ``chain(project)`` (its whole branch)."""
    counts = {node.pk: 0 for node in nodes}
    parents = {node.pk: node.parent_id for node in nodes}
    for node in nodes:
        up = parents[node.pk]
        while up is not None:
            counts[up] += 1
            up = parents[up]
    return counts

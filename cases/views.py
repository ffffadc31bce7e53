"""The registry's pages: the enterprise list with its export and import, an enterprise, its form; the projects,
a project with its contractor chain drawn as a tree, and the chain's changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import exports, imports, services
from cases.forms import EnterpriseFilterForm, EnterpriseForm, MoveForm, ProjectForm, SubcontractForm, UploadForm
from cases.queries import (
    below_counts,
    chain,
    filter_enterprises,
    get_enterprise,
    get_project,
    projects_of,
    registry_counts,
    sees_enterprise,
    subcontract_counts,
    visible_enterprises,
    visible_projects,
)
from orgs.models import Role
from orgs.queries import root_unit
from qingdan.errors import Conflict, Refused
from qingdan.pages import check_upload, drop_kept_upload, open_kept_upload, paginate, query_without_page, xlsx_response
from qingdan.permissions import role_required

IMPORT_SESSION_KEY = "cases_enterprise_import"
CODE_HINTS = 300  # enterprises offered as you type a credit code


def _require_editor(user, unit=None):
    if not services.can_edit_registry(user, unit):
        raise PermissionDenied(_("Only office staff register enterprises and projects."))


# --- enterprises --------------------------------------------------------------------------------------------------


def _filtered(request):
    form = EnterpriseFilterForm(request.GET or None, user=request.user)
    return form, filter_enterprises(visible_enterprises(request.user), **form.filters())


@login_required
def enterprise_list(request):
    form, enterprises = _filtered(request)
    page = paginate(request, enterprises.select_related("org_unit", "union_unit").order_by("name", "id"))
    return render(
        request,
        "cases/enterprise_list.html",
        {
            "form": form,
            "page": page,
            "counts": registry_counts(enterprises),
            "query": query_without_page(request),
            "filters": request.GET.urlencode(),
            "can_edit": services.can_edit_registry(request.user),
        },
    )


@login_required
def enterprise_export(request):
    _form, enterprises = _filtered(request)
    return xlsx_response(exports.enterprises_xlsx(enterprises), _("enterprise-registry"))


@login_required
def enterprise_detail(request, pk):
    enterprise = get_enterprise(request.user, pk)
    show_phone = False
    if request.method == "POST":
        services.record_contact_view(enterprise=enterprise, actor=request.user, request=request)
        show_phone = True
    return render(
        request,
        "cases/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "projects": projects_of(request.user, enterprise),
            "union_visible": enterprise.union_unit_id is not None
            and enterprise.union_unit.is_within(root_unit(request.user)),
            "can_edit": services.can_edit_registry(request.user, enterprise.org_unit),
            "show_phone": show_phone,
        },
    )


@role_required(Role.OFFICE)
def enterprise_new(request):
    _require_editor(request.user)
    form = EnterpriseForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.create_enterprise(actor=request.user, request=request, **form.facts())
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": enterprise.name})
            return redirect("cases:enterprise", pk=enterprise.pk)
    return render(request, "cases/enterprise_form.html", {"form": form, "enterprise": None})


@role_required(Role.OFFICE)
def enterprise_edit(request, pk):
    enterprise = get_enterprise(request.user, pk)
    _require_editor(request.user, enterprise.org_unit)
    if request.method == "POST":
        form = EnterpriseForm(request.POST, user=request.user, enterprise=enterprise)
        if form.is_valid():
            try:
                enterprise = services.update_enterprise(
                    enterprise=enterprise,
                    actor=request.user,
                    version=form.cleaned_data["version"] if form.cleaned_data["version"] is not None else -1,
                    request=request,
                    **form.facts(),
                )
            except (Refused, Conflict) as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("The enterprise is saved."))
                return redirect("cases:enterprise", pk=enterprise.pk)
    else:
        initial = {key: getattr(enterprise, key) for key in services.FACTS}
        initial["version"] = enterprise.version
        form = EnterpriseForm(initial=initial, user=request.user, enterprise=enterprise)
        if enterprise.contact_phone:
            # The form shows the phone in full to the one who may change it: a full view, audited.
            services.record_contact_view(enterprise=enterprise, actor=request.user, request=request)
    return render(request, "cases/enterprise_form.html", {"form": form, "enterprise": enterprise})


@role_required(Role.OFFICE)
def import_template(request):
    return xlsx_response(exports.template_xlsx(), _("enterprise-registry-template"))


@role_required(Role.OFFICE)
def enterprise_import(request):
    """Upload → preview with row errors → confirm. The kept file is checked again on confirm."""
    _require_editor(request.user)
    form = UploadForm()
    context = {}
    if request.method == "POST" and "confirm" in request.POST:
        kept = open_kept_upload(request, IMPORT_SESSION_KEY, request.POST.get("token", ""))
        if kept is None:
            messages.error(request, _("That upload has expired or was already imported; please upload the file again."))
            return redirect("cases:enterprise_import")
        with kept:
            plan = imports.apply_import(kept, actor=request.user, request=request)
        if plan.ok:
            drop_kept_upload(request, IMPORT_SESSION_KEY)
            messages.success(
                request,
                _("Import finished: %(created)d added, %(updated)d changed, %(unchanged)d unchanged.")
                % {"created": plan.created, "updated": plan.updated, "unchanged": plan.unchanged},
            )
            return redirect("cases:enterprises")
        context["plan"] = plan
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        context["plan"], context["token"] = check_upload(
            request,
            form,
            check=lambda f: imports.read_and_check(f, actor=request.user),
            valid=lambda plan: plan.ok,
            session_key=IMPORT_SESSION_KEY,
        )
    context["form"] = form
    context["columns"] = "、".join(imports.header())
    return render(request, "cases/enterprise_import.html", context)


# --- projects -----------------------------------------------------------------------------------------------------


@login_required
def project_list(request):
    projects = visible_projects(request.user).select_related("org_unit", "general_contractor", "developer")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        projects = projects.filter(name__icontains=q)
    page = paginate(request, projects.order_by("-starts_on", "name", "id"))
    counts = subcontract_counts([project.pk for project in page.object_list])
    for project in page.object_list:
        project.firms = counts.get(project.pk, 0)
    return render(
        request,
        "cases/project_list.html",
        {
            "page": page,
            "q": q,
            "query": query_without_page(request),
            "can_edit": services.can_edit_registry(request.user),
        },
    )


def _code_hints(user):
    return visible_enterprises(user).order_by("name").values("name", "credit_code")[:CODE_HINTS]


def _project_context(request, project, *, add_form=None):
    nodes = chain(project)
    below = below_counts(nodes)
    seen = root_unit(request.user)
    depths = [0] + [node.depth for node in nodes] + [0]
    for n, node in enumerate(nodes, start=1):
        node.visible = seen is not None and node.contractor.org_unit.is_within(seen)
        node.below = below[node.pk]
        # The tree is drawn as nested lists from the flat order: open a list below the firm above, close as
        # many as the next firm climbs back.
        node.open = node.depth > depths[n - 1]
        node.has_children = depths[n + 1] > node.depth
        node.closing = range(max(node.depth - depths[n + 1], 0))
    can_edit = services.can_edit_registry(request.user, project.org_unit)
    for node in nodes if can_edit else ():
        node.move_form = MoveForm(
            initial={"under": node.parent_id, "work": node.work}, project=project, nodes=nodes, auto_id=f"m{node.pk}_%s"
        )
    return {
        "project": project,
        "nodes": nodes,
        "general_visible": sees_enterprise(request.user, project.general_contractor),
        "developer_visible": project.developer_id is not None and sees_enterprise(request.user, project.developer),
        "can_edit": can_edit,
        "add_form": add_form or (SubcontractForm(project=project, nodes=nodes) if can_edit else None),
        "code_hints": _code_hints(request.user) if can_edit else (),
    }


@login_required
def project_detail(request, pk):
    project = get_project(request.user, pk)
    return render(request, "cases/project_detail.html", _project_context(request, project))


@role_required(Role.OFFICE)
def project_new(request):
    _require_editor(request.user)
    form = ProjectForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(actor=request.user, request=request, **form.facts())
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The project %(name)s is registered.") % {"name": project.name})
            return redirect("cases:project", pk=project.pk)
    return render(
        request, "cases/project_form.html", {"form": form, "project": None, "code_hints": _code_hints(request.user)}
    )


@role_required(Role.OFFICE)
def project_edit(request, pk):
    project = get_project(request.user, pk)
    _require_editor(request.user, project.org_unit)
    if request.method == "POST":
        form = ProjectForm(request.POST, user=request.user)
        if form.is_valid():
            version = form.cleaned_data["version"]
            try:
                project = services.update_project(
                    project=project,
                    actor=request.user,
                    version=version if version is not None else -1,
                    request=request,
                    **form.facts(),
                )
            except (Refused, Conflict) as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("The project is saved."))
                return redirect("cases:project", pk=project.pk)
    else:
        initial = {key: getattr(project, key) for key in services.PROJECT_FACTS}
        initial["developer"] = project.developer.credit_code if project.developer_id else ""
        initial["general_contractor"] = project.general_contractor.credit_code
        initial["version"] = project.version
        form = ProjectForm(initial=initial, user=request.user)
    return render(
        request, "cases/project_form.html", {"form": form, "project": project, "code_hints": _code_hints(request.user)}
    )


@require_POST
@role_required(Role.OFFICE)
def subcontract_add(request, pk):
    project = get_project(request.user, pk)
    _require_editor(request.user, project.org_unit)
    form = SubcontractForm(request.POST, project=project, nodes=chain(project))
    if form.is_valid():
        under = (
            project.subcontracts.filter(pk=form.cleaned_data["under"]).first() if form.cleaned_data["under"] else None
        )
        try:
            node = services.add_subcontract(
                project=project,
                contractor=form.cleaned_data["contractor"],
                under=under,
                work=form.cleaned_data["work"],
                actor=request.user,
                request=request,
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("%(name)s is added to the chain.") % {"name": node.contractor.name})
            return redirect("cases:project", pk=project.pk)
    return render(request, "cases/project_detail.html", _project_context(request, project, add_form=form))


@require_POST
@role_required(Role.OFFICE)
def subcontract_change(request, pk, node_pk):
    project = get_project(request.user, pk)
    _require_editor(request.user, project.org_unit)
    node = project.subcontracts.select_related("contractor").filter(pk=node_pk).first()
    if node is None:
        raise Http404
    try:
        if request.POST.get("action") == "remove":
            services.remove_subcontract(node=node, actor=request.user, request=request)
            messages.success(request, _("%(name)s is taken out of the chain.") % {"name": node.contractor.name})
        else:
            form = MoveForm(request.POST, project=project, nodes=chain(project))
            if not form.is_valid():
                messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
                return redirect("cases:project", pk=project.pk)
            under = None
            if form.cleaned_data["under"] is not None:
                under = project.subcontracts.filter(pk=form.cleaned_data["under"]).first()
            services.move_subcontract(
                node=node, under=under, work=form.cleaned_data["work"], actor=request.user, request=request
            )
            messages.success(request, _("The chain is saved."))
    except Refused as refused:
        messages.error(request, refused.message)
    return redirect("cases:project", pk=project.pk)

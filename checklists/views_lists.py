"""The list pages: categories, the lists with filters and export, issuing one list, a list's
items, and bulk issue from .xlsx (upload → preview → confirm)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from checklists import exports, imports, services
from checklists.forms_lists import (
    CategoryForm,
    CategoryRenameForm,
    ChecklistForm,
    ItemFormSet,
    ListFilterForm,
    ListState,
    UnitCodesField,
    UploadForm,
)
from checklists.models import Category, Item, ItemStatus
from checklists.queries import get_checklist, visible_checklists
from jobs import services as jobs
from jobs.models import JobStatus
from orgs.models import Role
from orgs.queries import root_unit, visible_units
from qingdan.errors import Refused
from qingdan.pages import (
    check_upload,
    export_stem,
    form_filters,
    hand_over_kept_upload,
    paginate,
    query_without_page,
    xlsx_response,
)
from qingdan.permissions import role_required

IMPORT_SESSION_KEY = "checklists_import"
TEMPLATE_UNIT_CODES = 5000  # unit codes listed in the template's second sheet

# --- categories --------------------------------------------------------------------------


@role_required(Role.OFFICE)
def categories(request):
    """The office's catalogue (e.g. the 26 reform contents): add and rename."""
    office = request.user.org_unit
    own = Category.objects.filter(owner_unit=office)
    form, rename_form = CategoryForm(), CategoryRenameForm()
    if request.method == "POST" and request.POST.get("action") == "rename":
        rename_form = CategoryRenameForm(request.POST)
        if rename_form.is_valid():
            category = own.filter(pk=rename_form.cleaned_data["category"]).first()
            if category is None:
                raise Http404
            try:
                with transaction.atomic():
                    services.rename_category(
                        category=category, name=rename_form.cleaned_data["name"], actor=request.user
                    )
            except IntegrityError:
                messages.error(request, _("A category of that name already exists."))
            else:
                messages.success(request, _("The category is renamed."))
                return redirect("checklists:categories")
    elif request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            name = form.cleaned_data["name"].strip()
            if own.filter(name=name).exists():
                form.add_error("name", _("A category of that name already exists."))
            else:
                services.category(office_unit=office, name=name, actor=request.user)
                messages.success(request, _("The category is added."))
                return redirect("checklists:categories")
    rows = own.annotate(n_lists=Count("checklists")).order_by("position", "id")
    return render(
        request, "checklists/category_list.html", {"form": form, "rename_form": rename_form, "categories": rows}
    )


# --- lists -------------------------------------------------------------------------------


def _count(condition=None):
    items = Item.objects.filter(checklist=OuterRef("pk"))
    if condition is not None:
        items = items.filter(condition)
    # A correlated count is worked out only for the rows of the page, not for every visible list.
    return Coalesce(
        Subquery(items.order_by().values("checklist").annotate(n=Count("id")).values("n"), output_field=IntegerField()),
        Value(0),
    )


def filtered_checklists(request):
    form = ListFilterForm(request.GET or None, user=request.user)
    lists = visible_checklists(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if q := data["q"].strip():
            lists = lists.filter(Q(title__icontains=q) | Q(doc_number__icontains=q))
        if unit := data["unit"].strip():
            lists = lists.filter(Q(responsible_unit__code=unit) | Q(responsible_unit__name__icontains=unit))
        if data["category"]:
            lists = lists.filter(category=data["category"])
        if data["issued_from"]:
            lists = lists.filter(issued_on__gte=data["issued_from"])
        if data["issued_to"]:
            lists = lists.filter(issued_on__lte=data["issued_to"])
        open_items = Item.objects.filter(checklist=OuterRef("pk")).exclude(status=ItemStatus.CLOSED)
        # Every list has items (issue_checklist refuses an empty one): closed means none is open.
        if data["state"] == ListState.OPEN:
            lists = lists.filter(Exists(open_items))
        elif data["state"] == ListState.CLOSED:
            lists = lists.filter(~Exists(open_items))
    return form, lists


@login_required
def checklist_list(request):
    form, lists = filtered_checklists(request)
    lists = (
        lists.select_related("responsible_unit", "category", "issuing_unit")
        .annotate(items_total=_count(), items_closed=_count(Q(status=ItemStatus.CLOSED)))
        .order_by("-issued_on", "-id")
    )
    page = paginate(request, lists)
    return render(
        request,
        "checklists/list_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "filters": request.GET.urlencode(),
            "can_issue": request.user.has_role(Role.OFFICE),
        },
    )


@login_required
def checklist_export(request):
    form, lists = filtered_checklists(request)
    stem = export_stem(root_unit(request.user), _("Responsibility lists"), *form_filters(form))
    return xlsx_response(exports.items_xlsx(lists), stem)


def _issue_units(user):
    return visible_units(user).exclude(pk=user.org_unit_id)


@role_required(Role.OFFICE)
def checklist_new(request):
    """Issue one list; a unit past the load warning line is issued to only after an explicit confirmation."""
    office = request.user.org_unit
    form = ChecklistForm(
        request.POST if request.method == "POST" else None,
        units=_issue_units(request.user),
        categories=Category.objects.filter(owner_unit=office),
    )
    formset = ItemFormSet(request.POST if request.method == "POST" else None, prefix="items")
    warning = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        items = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("content")]
        warning = (
            ""
            if data["confirm_load"]
            else services.load_warning(data["responsible_unit"], len(items), request.user.org_unit)
        )
        if not warning:
            try:
                checklist = services.issue_checklist(
                    actor=request.user,
                    responsible_unit=data["responsible_unit"],
                    co_units=list(data["co_units"] or ()),
                    title=data["title"],
                    doc_number=data["doc_number"].strip(),
                    issued_on=data["issued_on"],
                    category=data["category"],
                    items=[
                        {
                            "content": item["content"],
                            "standard": item["standard"],
                            "deadline": item["deadline"],
                            "deep_review_required": item["deep_review_required"],
                            "person_in_charge": item["person_in_charge"],
                        }
                        for item in items
                    ],
                )
            except Refused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(
                    request,
                    _("The list “%(title)s” is issued to %(unit)s with %(n)d items.")
                    % {"title": checklist.title, "unit": checklist.responsible_unit.name, "n": len(items)},
                )
                return redirect("checklists:list", pk=checklist.pk)
    return render(
        request,
        "checklists/list_form.html",
        {
            "form": form,
            "formset": formset,
            "warning": warning,
            "by_code": isinstance(form.fields["co_units"], UnitCodesField),
        },
    )


@login_required
def checklist_detail(request, pk):
    checklist = get_checklist(request.user, pk)
    items = list(checklist.items.order_by("position", "id"))
    closed = sum(1 for item in items if item.status == ItemStatus.CLOSED)
    return render(
        request,
        "checklists/list_detail.html",
        {
            "checklist": checklist,
            "co_units": checklist.co_units.order_by("path"),
            "items": items,
            "closed": closed,
            "is_closed": bool(items) and closed == len(items),
        },
    )


# --- bulk issue from .xlsx ------------------------------------------------------------------


@role_required(Role.OFFICE)
def import_template(request):
    units = visible_units(request.user).only("code", "name").order_by("path")[:TEMPLATE_UNIT_CODES]
    return xlsx_response(exports.template_xlsx(request.user.org_unit, units), _("lists-template"))


@role_required(Role.OFFICE)
def checklist_import(request):
    """Upload → row errors or a preview (lists, items, units, load warnings) → confirm.
    The kept file is checked again on confirm."""
    form = UploadForm()
    context = {}
    if request.method == "POST" and "confirm" in request.POST:
        token = request.POST.get("token", "")
        kept = hand_over_kept_upload(request, IMPORT_SESSION_KEY, token)
        if kept is None:
            messages.error(request, _("That upload has expired or was already imported; please upload the file again."))
            return redirect("checklists:import")
        # The import is a background job; the kept file is its own now (the same confirmation twice is one job).
        stored, name = kept
        job = jobs.start(
            kind="checklists.import",
            owner=request.user,
            request=request,
            params={"stored": stored, "name": name},
            key=f"upload:{token}",
            label=_("Import lists from %(file)s") % {"file": name},
        )
        if job.status == JobStatus.SUCCEEDED:
            messages.success(
                request,
                _(
                    "Import finished: %(lists)d lists with %(items)d items issued; %(skipped)d lists were imported before."
                )
                % {key: job.result[key] for key in ("lists", "items", "skipped")},
            )
            return redirect("checklists:lists")
        if job.status == JobStatus.FAILED:
            messages.error(request, job.message)
            return redirect("checklists:import")
        return redirect("jobs:detail", pk=job.pk)
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
    return render(request, "checklists/import.html", context)

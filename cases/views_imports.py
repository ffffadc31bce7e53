"""The import of historic demands and disputes: download the template, upload, see every row's problems (sheet,
row, column, reason), confirm only when there are none."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import imports_cases
from cases.queries import registry_units
from orgs.models import Role
from qingdan.errors import Refused
from qingdan.forms import Form, UnitChoiceField
from qingdan.pages import check_upload, drop_kept_upload, open_kept_upload, xlsx_response
from qingdan.permissions import role_required

IMPORT_SESSION_KEY = "cases_history_import"


class CasesImportForm(Form):
    unit = UnitChoiceField(queryset=None, label=gettext_lazy("Register the cases under"))
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = registry_units(user).order_by("path")
        self.fields["unit"].initial = user.org_unit_id


@role_required(Role.OFFICE)
def cases_import_template(request):
    return xlsx_response(imports_cases.template_xlsx(), _("historic-cases-template"))


@role_required(Role.OFFICE)
def cases_import(request):
    """Upload → preview with row errors → confirm; the kept file is checked again on confirm."""
    user = request.user
    form = CasesImportForm(user=user)
    context = {}
    if request.method == "POST" and "confirm" in request.POST:
        unit = (
            registry_units(user)
            .filter(pk=request.POST.get("unit") if str(request.POST.get("unit", "")).isdigit() else None)
            .first()
        )
        kept = open_kept_upload(request, IMPORT_SESSION_KEY, request.POST.get("token", ""))
        if kept is None or unit is None:
            messages.error(request, _("That upload has expired or was already imported; please upload the file again."))
            return redirect("cases:cases_import")
        try:
            with kept:
                plan = imports_cases.apply_import(kept, actor=user, unit=unit, request=request)
        except Refused as refusal:
            raise PermissionDenied from refusal
        if plan.ok:
            drop_kept_upload(request, IMPORT_SESSION_KEY)
            messages.success(
                request,
                _("Import finished: %(demands)d demands and %(disputes)d disputes added; %(skipped)d imported before.")
                % {
                    "demands": len(plan.demands),
                    "disputes": len(plan.disputes),
                    "skipped": plan.skipped_demands + plan.skipped_disputes,
                },
            )
            return redirect("cases:figures")
        context["plan"] = plan
    elif request.method == "POST":
        form = CasesImportForm(request.POST, request.FILES, user=user)
        unit = None
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            if not imports_cases.can_import(user, unit):
                raise PermissionDenied
        context["plan"], context["token"] = check_upload(
            request,
            form,
            check=lambda f: imports_cases.read_and_check(f, actor=user, unit=unit),
            valid=lambda plan: plan.ok,
            session_key=IMPORT_SESSION_KEY,
        )
        context["unit"] = unit
    context["form"] = form
    context["demand_columns"] = "、".join(imports_cases.header(imports_cases.DEMAND_COLUMNS))
    context["dispute_columns"] = "、".join(imports_cases.header(imports_cases.DISPUTE_COLUMNS))
    return render(request, "cases/figures/import.html", context)

"""The archive's spreadsheets: the masked exports of the filtered household list and of aid, and the imports of
household files and aid (upload → preview with row errors → confirm; the kept file is checked again)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistance import exports, imports
from assistance.forms_households import FilterForm
from assistance.scope import filter_households, visible_households, year_range
from orgs.models import Role
from orgs.queries import root_unit
from qingdan.errors import Refused
from qingdan.forms import Form
from qingdan.pages import check_upload, drop_kept_upload, export_stem, form_filters, open_kept_upload, xlsx_response
from qingdan.permissions import role_required
from qingdan.spreadsheets import SheetError, write_workbook

READERS = (Role.OFFICE, Role.LEADER)
HOUSEHOLD_SESSION_KEY = "assistance_household_import"
AID_SESSION_KEY = "assistance_aid_import"


class UploadForm(Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))


def _words(request):
    """The household list's filters in words for a file name: its form's, and the figures' links' year of aid."""
    words = form_filters(FilterForm(request.GET or None), skip=("q",))
    if (year := request.GET.get("aid_year", "")).isdigit():
        words.append(year)
    return words


@role_required(*READERS)
def households_export(request):
    """The household list's rows for the same filters (``assistance.scope``), masked."""
    households = filter_households(visible_households(request.user), request.GET)
    stem = export_stem(root_unit(request.user), _("Hardship households"), *_words(request))
    return xlsx_response(exports.households_xlsx(request.user, households), stem)


@role_required(*READERS)
def aid_export(request):
    """The aid given to the filtered households; ``aid_year`` and ``aid_kind`` narrow the aid rows too."""
    households = filter_households(visible_households(request.user), request.GET)
    aid = exports.visible_aid(request.user, households)
    year = request.GET.get("aid_year", "")
    if year.isdigit() and 1900 < int(year) < 3000:
        first, following = year_range(int(year))
        aid = aid.filter(given_on__gte=first, given_on__lt=following)
    if kind := request.GET.get("aid_kind", ""):
        aid = aid.filter(kind=kind)
    return xlsx_response(
        exports.aid_xlsx(request.user, aid), export_stem(root_unit(request.user), _("Aid"), *_words(request))
    )


def _import(request, *, session_key, check, apply, template, done):
    form = UploadForm()
    context = {}
    if request.method == "POST" and "confirm" in request.POST:
        kept = open_kept_upload(request, session_key, request.POST.get("token", ""))
        if kept is None:
            messages.error(request, _("That upload has expired or was already imported; please upload the file again."))
            return redirect(request.path)
        try:
            with kept:
                plan = apply(kept)
        except (SheetError, Refused) as problem:
            drop_kept_upload(request, session_key)
            messages.error(request, problem.message)
            return redirect(request.path)
        if plan.ok:
            drop_kept_upload(request, session_key)
            messages.success(request, done(plan))
            return redirect(request.path)
        context["plan"] = plan
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        try:
            context["plan"], context["token"] = check_upload(
                request, form, check=check, valid=lambda plan: plan.ok, session_key=session_key
            )
        except Refused as problem:
            messages.error(request, problem.message)
    context["form"] = form
    return render(request, template, context)


@role_required(Role.OFFICE)
def households_import(request):
    return _import(
        request,
        session_key=HOUSEHOLD_SESSION_KEY,
        check=lambda f: imports.check_household_file(f, actor=request.user),
        apply=lambda f: imports.import_households(f, actor=request.user, request=request),
        template="assistance/figures/import_households.html",
        done=lambda plan: (
            _("Import finished: %(n)d households with %(m)d members archived; %(s)d were imported before.")
            % {"n": plan.created, "m": plan.members_created, "s": len(plan.skipped)}
        ),
    )


@role_required(Role.OFFICE)
def aid_import(request):
    return _import(
        request,
        session_key=AID_SESSION_KEY,
        check=lambda f: imports.check_aid_file(f, actor=request.user),
        apply=lambda f: imports.import_aid(f, actor=request.user, request=request),
        template="assistance/figures/import_aid.html",
        done=lambda plan: (
            _("Import finished: %(n)d aid recorded; %(s)d were imported before.")
            % {"n": plan.created, "s": plan.skipped}
        ),
    )


@role_required(Role.OFFICE)
def households_template(request):
    header = [chinese for _k, chinese, _o in imports.HOUSEHOLD_COLUMNS]
    return xlsx_response(
        write_workbook("困难职工档案", header, imports.household_template_rows()), _("households-template")
    )


@role_required(Role.OFFICE)
def aid_template(request):
    header = [chinese for _k, chinese, _o in imports.AID_COLUMNS]
    return xlsx_response(write_workbook("帮扶记录", header, imports.aid_template_rows()), _("aid-template"))

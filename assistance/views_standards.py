"""The standards page: a unit's office sets the minimum living standard (低保标准) per year and the departments
its files are checked with; everyone of the federation reads what is in force."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assistance import decisions, workflow
from assistance.forms_households import DepartmentsForm, StandardForm
from assistance.models import CheckDepartment, Standard
from orgs.models import Role
from qingdan import clock
from qingdan.errors import Refused


@login_required
def standards(request):
    unit = request.user.org_unit
    if unit is None:
        return redirect("home")
    may_set = decisions.may_set_standard(request.user, unit)
    form = StandardForm(request.POST if "monthly" in request.POST else None, initial={"year": clock.today().year})
    departments_form = DepartmentsForm(
        request.POST if "names" in request.POST else None,
        initial={"names": "\n".join(workflow.departments_for(unit))},
    )
    if request.method == "POST" and may_set:
        try:
            if "monthly" in request.POST and form.is_valid():
                decisions.set_standard(
                    unit=unit, year=form.cleaned_data["year"], monthly=form.cleaned_data["monthly"], actor=request.user
                )
                messages.success(request, _("The minimum living standard is saved."))
                return redirect("assistance:standards")
            if "names" in request.POST and departments_form.is_valid():
                workflow.set_departments(
                    unit=unit, names=departments_form.cleaned_data["names"].splitlines(), actor=request.user,
                    request=request,
                )  # fmt: skip
                messages.success(request, _("The departments are saved."))
                return redirect("assistance:standards")
        except Refused as refused:
            messages.error(request, refused.message)
    elif request.method == "POST":
        messages.error(
            request, _("Only the office staff of %(unit)s set its minimum living standard.") % {"unit": unit.name}
        )
    line = (
        Standard.objects.filter(unit_id__in=unit.line_ids)
        .select_related("unit", "set_by")
        .order_by("-year", "unit__depth")
    )
    year = clock.today().year
    return render(
        request,
        "assistance/households/standards.html",
        {
            "form": form,
            "departments_form": departments_form,
            "may_set": may_set,
            "can_see_rules": request.user.has_role(Role.OFFICE, Role.LEADER),  # the rules page's own roles
            "standards": line,
            "in_force": decisions.standard_for(unit, year),
            "year": year,
            "departments": workflow.departments_for(unit),
            "own_departments": CheckDepartment.objects.filter(unit=unit).exists(),
        },
    )

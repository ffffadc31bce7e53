"""The archive's public pages (no log-in): a household's 公示 with its objection form, and a worker's own
application from a union's QR code. Nothing personal beyond a masked name is ever shown here."""

import segno
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from assistance import publicity
from assistance.forms_households import ObjectionForm, PhoneApplicationForm
from assistance.models import Category, Publicity
from qingdan import clock
from qingdan.boundary import client_address
from qingdan.errors import Refused


def _notice(slug):
    found = Publicity.objects.select_related("household__org_unit").filter(slug=slug[:32]).first()
    if found is None:
        raise Http404
    return found


def notice(request, slug):
    found = _notice(slug)
    household = found.household
    is_open = publicity.is_open(found)
    context = {"notice": found, "is_open": is_open}
    if is_open:
        url = request.build_absolute_uri(reverse("publicity:objection", args=[found.slug]))
        context.update(
            name=publicity.masked_name(household.head_name),
            category=Category(household.category).label if household.category else "",
            unit=household.org_unit.name,
            size=household.members.aggregate(n=Count("pk"))["n"],
            qr=segno.make(url, error="m").svg_inline(scale=1, omitsize=True, border=2, svgclass="qd-qr"),
            objection_url=url,
        )
    return render(request, "assistance/public/notice.html", context)


def objection(request, slug):
    found = _notice(slug)
    if not publicity.is_open(found):
        return render(request, "assistance/public/notice.html", {"notice": found, "is_open": False})
    form = ObjectionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            publicity.submit_objection(publicity=found, text=form.cleaned_data["text"], address=client_address(request))
        except Refused as refused:
            form.add_error(None, refused.message)
            status = 429
        else:
            return render(
                request,
                "assistance/public/thanks.html",
                {"what": _("Your objection is received; the union will look into it.")},
            )
    return render(request, "assistance/public/objection.html", {"form": form, "notice": found}, status=status)


def apply(request, token):
    unit = publicity.unit_of_token(token[:200])
    if unit is None:
        raise Http404
    form = PhoneApplicationForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        facts = {k: data[k] for k in ("phone", "address", "employer", "identity", "main_cause", "annual_income")}
        head = {"name": data["name"], "id_number": data["id_number"], "relation": "head"}
        try:
            household = publicity.apply_by_phone(
                unit=unit,
                facts=facts,
                head=head,
                declared_size=data["household_size"],
                address=client_address(request),
            )
        except Refused as refused:
            form.add_error(None, refused.message)
            status = 422
        else:
            request.session["assistance_applied"] = household.number
            return redirect("publicity:applied", token=token)
    return render(request, "assistance/public/apply.html", {"form": form, "unit": unit}, status=status)


def applied(request, token):
    unit = publicity.unit_of_token(token[:200])
    number = request.session.get("assistance_applied")
    if unit is None or not number:
        raise Http404
    return render(
        request,
        "assistance/public/thanks.html",
        {
            "what": _(
                "Your application is received by %(unit)s; the union will contact you. Your file number: %(number)s."
            )
            % {"unit": unit.name, "number": number},
            "today": clock.today(),
        },
    )

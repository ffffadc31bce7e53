"""The care pages: the aid list with its export, a family's aid form; certificates with the printable card;
pairings and the phone-first contact page; a family's monthly incomes with the exit check, permanent support, the
yearly review and re-archiving; exited families' follow-ups; the flags. Thin: every change is in
``assistance.care``, every read starts from ``assistance.scope``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistance import care, care_queries, decisions
from assistance import rules as archive_rules
from assistance.forms_care import (
    AidFilterForm,
    AidForm,
    BenefitForm,
    CertificateForm,
    ContactForm,
    MonthForm,
    PairingForm,
    PermanentForm,
    RearchiveForm,
    ReasonForm,
    ReviewForm,
    VersionForm,
)
from assistance.models import Certificate, Contact, MonthlyIncome
from assistance.scope import get_household, visible_households
from evidence.services import keep_with
from orgs.models import Role
from orgs.queries import get_visible_or_404
from qingdan import clock
from qingdan.errors import Conflict, Refused
from qingdan.pages import paginate, query_without_page, xlsx_response

# --- aid ----------------------------------------------------------------------------------------------------------


def _filtered_aid(request):
    form = AidFilterForm(request.GET or None, user=request.user)
    return form, care_queries.filter_aid(care_queries.visible_aid(request.user), form.params())


@login_required
def aid_list(request):
    form, aids = _filtered_aid(request)
    page = paginate(request, aids.select_related("household", "org_unit").order_by("-given_on", "-id"))
    return render(
        request,
        "assistance/care/aid_list.html",
        {
            "form": form,
            "page": page,
            "totals": care_queries.aid_totals(aids),
            "by_unit": care_queries.totals_by_unit(request.user, aids),
            "by_year": care_queries.totals_by_year(aids),
            "by_kind": care_queries.totals_by_kind(aids),
            "query": query_without_page(request),
            "filters": request.GET.urlencode(),
        },
    )


@login_required
def aid_export(request):
    _form, aids = _filtered_aid(request)
    return xlsx_response(care_queries.aid_xlsx(aids), _("hardship-aid"))


@login_required
def aid_new(request, pk):
    household = get_household(request.user, pk)
    if not care.can_manage(request.user, household):
        raise PermissionDenied
    form = AidForm(request.POST or None, initial={"delivered_by": request.user.display_name})
    if request.method == "POST" and form.is_valid():
        try:
            care.give_aid(household=household, actor=request.user, **form.cleaned_data)
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The aid is recorded."))
            return redirect(reverse("assistance:aid") + f"?household={household.pk}")
    return render(
        request,
        "assistance/care/aid_form.html",
        {"household": household, "form": form, "allowed": care.can_give_aid(request.user, household)},
    )


# --- certificates -------------------------------------------------------------------------------------------------


def _certificate(user, pk):
    return get_visible_or_404(
        user, Certificate.objects.select_related("household__org_unit", "issued_by"), "household__org_unit", pk=pk
    )


@login_required
def certificate_list(request):
    today = clock.today()
    certificates = care_queries.visible_certificates(request.user)
    expired = care_queries.expired_certificates(certificates, today)
    show = request.GET.get("show", "")
    if request.GET.get("expired") == "1":
        show = "expired"
    if show == "expired":
        certificates = expired
    elif show == "valid":
        certificates = certificates.filter(revoked_on__isnull=True, issued_on__lte=today, expires_on__gte=today)
    text = (request.GET.get("q", "") or "").strip()[:50]
    if text:
        certificates = certificates.filter(number__icontains=text) | certificates.filter(
            household__number__icontains=text
        )
    expired_ids = set(expired.values_list("pk", flat=True))
    page = paginate(request, certificates.select_related("household").order_by("-issued_on", "-id"))
    for certificate in page:
        certificate.flag_expired = certificate.pk in expired_ids
        certificate.valid = care.is_valid(certificate, today)
    return render(
        request,
        "assistance/care/certificate_list.html",
        {
            "page": page,
            "show": show,
            "q": text,
            "expired_count": len(expired_ids),
            "query": query_without_page(request),
        },
    )


@login_required
def certificate_card(request, pk):
    """The card to print (A6): only a certificate valid today prints as valid; otherwise the page says why."""
    certificate = _certificate(request.user, pk)
    problem = care.certificate_problem(certificate)
    can_renew = care.can_renew_certificate(request.user, certificate)
    members = certificate.household.members.all()
    return render(
        request,
        "assistance/care/certificate_card.html",
        {
            "certificate": certificate,
            "problem": problem,
            "head": next((m for m in members if m.relation == "head"), None),
            "size": len(members),
            "can_renew": can_renew,
            "can_revoke": care.can_revoke_certificate(request.user, certificate),
            "can_record": care.can_manage(request.user, certificate.household) and problem is None,
            "benefit_form": BenefitForm(),
            "revoke_form": ReasonForm(),
            "benefits": certificate.household.events.filter(data__number=certificate.number, data__has_key="benefit"),
        },
    )


@login_required
def certificate_new(request, pk):
    household = get_household(request.user, pk)
    form = CertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = care.issue_certificate(
                household=household, actor=request.user, honoured_by=form.honoured_by()
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Certificate %(cert)s is issued.") % {"cert": certificate.number})
            return redirect("assistance:certificate", pk=certificate.pk)
    return render(
        request,
        "assistance/care/certificate_form.html",
        {"household": household, "form": form, "allowed": care.can_issue_certificate(request.user, household)},
    )


def _refused_to(request, name, pk, action):
    """Run ``action``; a refusal or conflict comes back to the page ``name`` as a message, nothing changed."""
    try:
        return action()
    except (Refused, Conflict) as refused:
        messages.error(request, refused.message)
        return redirect(name, pk=pk)


@require_POST
@login_required
def certificate_renew(request, pk):
    certificate = _certificate(request.user, pk)

    def renew():
        new = care.renew_certificate(certificate=certificate, actor=request.user)
        messages.success(request, _("Certificate %(cert)s is issued.") % {"cert": new.number})
        return redirect("assistance:certificate", pk=new.pk)

    return _refused_to(request, "assistance:certificate", pk, renew)


@require_POST
@login_required
def certificate_revoke(request, pk):
    certificate = _certificate(request.user, pk)
    form = ReasonForm(request.POST)

    def revoke():
        if not form.is_valid():
            raise Refused(_("Enter the reason."))
        care.revoke_certificate(certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The certificate is revoked."))
        return redirect("assistance:certificate", pk=pk)

    return _refused_to(request, "assistance:certificate", pk, revoke)


@require_POST
@login_required
def certificate_benefit(request, pk):
    certificate = _certificate(request.user, pk)
    form = BenefitForm(request.POST)

    def use():
        if not form.is_valid():
            raise Refused(" ".join(e for errors in form.errors.values() for e in errors))
        care.record_benefit(certificate=certificate, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The benefit is recorded."))
        return redirect("assistance:certificate", pk=pk)

    return _refused_to(request, "assistance:certificate", pk, use)


# --- pairing and contacts -----------------------------------------------------------------------------------------


@login_required
def pairing_list(request):
    """Office: every open pairing of the subtree; anyone else: their own. ``?late=1``: not visited in time."""
    today = clock.today()
    days = care_queries.rule_for(request.user, archive_rules.VISIT_DAYS)
    pairings = care_queries.visible_pairings(request.user).filter(until__isnull=True)
    office = request.user.has_role(Role.OFFICE)
    if request.GET.get("mine") == "1" or not request.user.has_role(Role.OFFICE, Role.LEADER):
        pairings = pairings.filter(cadre=request.user)
    late_ids = set(care_queries.not_visited(pairings, today, days).values_list("pk", flat=True))
    if request.GET.get("late") == "1":
        pairings = pairings.filter(pk__in=late_ids)
    rows = care_queries.with_last_contact(pairings.select_related("household", "cadre__org_unit")).order_by(
        "cadre__username", "household__number"
    )
    page = paginate(request, rows)
    for pairing in page:
        pairing.late = pairing.pk in late_ids
    return render(
        request,
        "assistance/care/pairing_list.html",
        {
            "page": page,
            "late_count": len(late_ids),
            "days": days,
            "office": office,
            "query": query_without_page(request),
            "late": request.GET.get("late") == "1",
        },
    )


@login_required
def pairing_new(request):
    households = visible_households(request.user).filter(status__in=care.INCOME_STATUSES)
    form = PairingForm(request.POST or None, user=request.user, households=households)
    if request.method == "POST" and form.is_valid():
        try:
            care.pair(actor=request.user, **form.cleaned_data)
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The cadre is paired with the family."))
            return redirect("assistance:pairings")
    return render(request, "assistance/care/pairing_form.html", {"form": form})


@require_POST
@login_required
def pairing_end(request, pk):
    pairing = get_visible_or_404(
        request.user, care_queries.visible_pairings(request.user).select_related("household__org_unit", "cadre"),
        "household__org_unit", pk=pk,
    )  # fmt: skip
    try:
        care.unpair(pairing=pairing, actor=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The pairing has ended."))
    return redirect("assistance:pairings")


@login_required
def contact_new(request):
    """Phone-first: pick one of my families, visit or call, the date, what was found."""
    pairings = list(care_queries.my_pairings(request.user).select_related("household").order_by("household__number"))
    initial = {"kind": Contact.Kind.VISIT}
    wanted = request.GET.get("household", "")
    if wanted.isdigit():
        initial["household"] = int(wanted)
    form = ContactForm(request.POST or None, pairings=pairings, initial=initial)
    if request.method == "POST" and form.is_valid():
        household = get_household(request.user, form.cleaned_data["household"])
        try:
            care.log_contact(
                household=household,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Logged. Thank you."))
            return redirect("assistance:contact_new")
    recent = Contact.objects.filter(cadre=request.user).select_related("household").order_by("-on", "-id")[:5]
    return render(request, "assistance/care/contact_form.html", {"form": form, "pairings": pairings, "recent": recent})


# --- incomes, exit, permanent support, review, relapse ------------------------------------------------------------


def _exit_check(household):
    try:
        return care.exit_check(household), None
    except Refused as refused:
        return None, refused.message


@login_required
def incomes(request, pk):
    household = get_household(request.user, pk)
    form = MonthForm(request.POST or None, request.FILES or None, initial={"version": household.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        files = [data["evidence"]] if data.get("evidence") else []
        try:
            keep_with(
                files,
                actor=request.user,
                then=lambda pieces: care.record_month(
                    household=household,
                    actor=request.user,
                    month=data["month"],
                    per_capita=data["per_capita"],
                    evidence=pieces[0] if pieces else None,
                    version=data["version"],
                ),
            )
        except (Refused, Conflict) as refused:  # an upload the library refuses comes here too
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The month is recorded."))
            return redirect("assistance:incomes", pk=pk)
    exitable = household.status in care.TRANSITIONS["exit"][0]
    check, check_problem = _exit_check(household) if exitable else (None, None)
    grounds = care.permanent_grounds(household)
    return render(
        request,
        "assistance/care/incomes.html",
        {
            "household": household,
            "exitable": exitable,
            "months": MonthlyIncome.objects.filter(household=household).select_related("evidence").order_by("-month"),
            "form": form,
            "can_record": care.can_record_month(request.user, household),
            "check": check,
            "check_problem": check_problem,
            "can_exit": care.can_exit(request.user, household),
            "can_permanent": care.can_move_to_permanent(request.user, household) and bool(grounds),
            "grounds": grounds,
            "version_form": VersionForm(initial={"version": household.version}),
            "permanent_form": PermanentForm(initial={"version": household.version}),
        },
    )


@require_POST
@login_required
def exit_household(request, pk):
    household = get_household(request.user, pk)
    form = VersionForm(request.POST)

    def leave():
        if not form.is_valid():
            raise Conflict()
        care.exit_hardship(household=household, actor=request.user, version=form.cleaned_data["version"])
        messages.success(request, _("%(number)s has exited hardship.") % {"number": household.number})
        return redirect("assistance:incomes", pk=pk)

    return _refused_to(request, "assistance:incomes", pk, leave)


@require_POST
@login_required
def permanent(request, pk):
    household = get_household(request.user, pk)
    form = PermanentForm(request.POST)

    def move():
        if not form.is_valid():
            raise Refused(_("Enter the reason."))
        care.move_to_permanent(household=household, actor=request.user, **form.cleaned_data)
        messages.success(request, _("%(number)s is on permanent support.") % {"number": household.number})
        return redirect("assistance:incomes", pk=pk)

    return _refused_to(request, "assistance:incomes", pk, move)


def _decisions_side_by_side(household):
    made = list(household.decisions.order_by("-made_on", "-id")[:2])
    return (made[0] if made else None), (made[1] if len(made) > 1 else None)


@login_required
def review(request, pk):
    household = get_household(request.user, pk)
    initial = {
        "version": household.version,
        "annual_income": household.annual_income,
        "rigid_expenses": household.rigid_expenses,
        "accident_costs": household.accident_costs,
    }
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            decision = care.review(
                household=household,
                actor=request.user,
                version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                **form.facts(),
            )
        except (Refused, Conflict) as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request, _("The review is recorded: %(category)s.") % {"category": decision.get_category_display()}
            )
            return redirect("assistance:review", pk=pk)
    latest, previous = _decisions_side_by_side(household)
    preview = None
    try:
        preview, _standard = decisions.preview(household)
    except Refused as refused:
        form.add_error(None, refused.message) if request.method == "GET" else None
    return render(
        request,
        "assistance/care/review.html",
        {
            "household": household,
            "form": form,
            "latest": latest,
            "previous": previous,
            "preview": preview,
            "allowed": care.can_review(request.user, household),
            "suggest_exit": latest is not None and latest.category == "none" and care.can_exit(request.user, household),
        },
    )


@login_required
def rearchive(request, pk):
    household = get_household(request.user, pk)
    initial = {
        "version": household.version,
        "annual_income": household.annual_income,
        "rigid_expenses": household.rigid_expenses,
        "accident_costs": household.accident_costs,
    }
    form = RearchiveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            care.rearchive(
                household=household,
                actor=request.user,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                **form.facts(),
            )
        except (Refused, Conflict) as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("%(number)s is archived again.") % {"number": household.number})
            return redirect("assistance:incomes", pk=pk)
    return render(
        request,
        "assistance/care/rearchive.html",
        {"household": household, "form": form, "allowed": care.can_rearchive(request.user, household)},
    )


@login_required
def follow_ups(request):
    today = clock.today()
    days = care_queries.rule_for(request.user, archive_rules.FOLLOW_UP_DAYS)
    households = visible_households(request.user)
    due_ids = set(care_queries.follow_ups_due(households, today, days).values_list("pk", flat=True))
    rows = care_queries.exited(households, days)
    if request.GET.get("due") == "1":
        rows = rows.filter(pk__in=due_ids)
    page = paginate(request, rows.select_related("org_unit").order_by("exited_on", "id"))
    for household in page:
        household.due = household.pk in due_ids
    return render(
        request,
        "assistance/care/follow_ups.html",
        {"page": page, "due_count": len(due_ids), "days": days, "query": query_without_page(request),
         "due": request.GET.get("due") == "1"},
    )  # fmt: skip


@login_required
def flags(request):
    return render(request, "assistance/care/flags.html", {"flags": care_queries.flag_counts(request.user)})

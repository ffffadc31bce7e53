"""The supervision letters' pages (一函两书): the list with its figures per kind, a new 提示函, a letter with its
chain, delivery, answer and escalation, and the letter as Word and as a printable page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from cases import letter_flow as flow
from cases import scope
from cases.forms_letters import AnswerForm, DeliveryForm, EscalateForm, LapseForm, LetterFilterForm, LetterForm
from cases.letter_documents import official
from cases.models import LetterKind, LetterStatus
from cases.models.letters import LETTER_ORDER
from cases.queries import get_enterprise, registry_units
from documents.official import DOCX_CONTENT_TYPE, render_docx, render_html
from evidence import services as library
from orgs.models import Role
from qingdan import clock
from qingdan.errors import Conflict, Refused
from qingdan.pages import download_response, export_stem, paginate, query_without_page
from qingdan.permissions import role_required

EVENT_LABELS = {
    "cases.letter_issued": gettext_lazy("Issued"),
    "cases.letter_delivered": gettext_lazy("Delivered"),
    "cases.letter_answered": gettext_lazy("Answered"),
    "cases.letter_escalated": gettext_lazy("Escalated"),
    "cases.letter_lapsed": gettext_lazy("Recorded as unanswered"),
    "cases.letter_overdue": gettext_lazy("Past the reply date"),
}


# --- the list -----------------------------------------------------------------------------------------------------


def kind_figures(letters, today):
    """Per kind: issued, answered, overdue (one query), each with the link to the list it counts."""
    counts = letters.aggregate(
        **{
            f"{kind}_{what}": Count("pk", filter=Q(kind=kind) & condition)
            for kind in LETTER_ORDER
            for what, condition in (
                ("issued", Q()),
                ("answered", Q(status=LetterStatus.ANSWERED)),
                ("overdue", Q(status=LetterStatus.DELIVERED, reply_due__lt=today)),
            )
        }
    )
    url = reverse("cases:letters")
    return [
        {
            "kind": kind,
            "label": LetterKind(kind).label,
            "issued": counts[f"{kind}_issued"],
            "issued_url": f"{url}?kind={kind}",
            "answered": counts[f"{kind}_answered"],
            "answered_url": f"{url}?kind={kind}&status={LetterStatus.ANSWERED}",
            "overdue": counts[f"{kind}_overdue"],
            "overdue_url": f"{url}?kind={kind}&overdue=1",
        }
        for kind in LETTER_ORDER
    ]


@login_required
def letter_list(request):
    today = clock.today()
    visible = scope.visible_letters(request.user)
    letters = scope.filter_letters(visible, request.GET, today=today)
    page = paginate(request, letters.select_related("enterprise", "issuing_unit").order_by("-issued_on", "-id"))
    for letter in page.object_list:
        letter.overdue = flow.is_overdue(letter, today)
    form = LetterFilterForm(request.GET or None)
    form.is_valid()
    return render(
        request,
        "cases/letters/list.html",
        {
            "form": form,
            "units": unit_choices(request.user),
            "unit_selected": request.GET.get("unit", ""),
            "enterprise": _enterprise_named(request),
            "page": page,
            "figures": kind_figures(visible, today),
            "query": query_without_page(request),
            "can_issue": flow.can_issue_letter(request.user),
        },
    )


def unit_choices(user, limit=300):
    """The units to filter by, indented as a tree; none when there are too many to list."""
    units = list(registry_units(user).only("id", "name", "depth", "path").order_by("path")[: limit + 1])
    if len(units) > limit or len(units) < 2:
        return []
    base = units[0].depth
    return [(unit.pk, "\u3000" * (unit.depth - base) + unit.name) for unit in units]


def _enterprise_named(request):
    value = request.GET.get("enterprise", "")
    if not value.isdigit() or len(value) > 11:
        return None
    return (
        scope.visible_letters(request.user)
        .filter(enterprise_id=int(value))
        .values_list("enterprise__name", flat=True)
        .first()
    )


# --- a new 提示函 -------------------------------------------------------------------------------------------------


def _case_from_query(request):
    """The dispute or demand named by ``?dispute=`` / ``?demand=`` (404 when the user does not see it)."""
    dispute = demand = None
    value = request.GET.get("dispute") or request.POST.get("dispute") or ""
    if value:
        dispute = scope.get_dispute(request.user, value if value.isdigit() else 0)
    value = request.GET.get("demand") or request.POST.get("demand") or ""
    if value:
        demand = scope.get_demand(request.user, value if value.isdigit() else 0)
    return dispute, demand


@role_required(Role.OFFICE)
def letter_new(request):
    user = request.user
    if not flow.can_issue_letter(user):
        raise PermissionDenied(_("Only office staff of a federation or a town union issue supervision letters."))
    dispute, demand = _case_from_query(request)
    fixed = (dispute or demand).enterprise if (dispute or demand) else None
    if fixed is None and (request.GET.get("enterprise") or "").isdigit():
        fixed = get_enterprise(user, int(request.GET["enterprise"][:11]))
    form = LetterForm(request.POST if request.method == "POST" else None, user=user, fixed_enterprise=fixed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            letter = flow.issue_letter(
                actor=user,
                enterprise=fixed or data["enterprise"],
                problem=data["problem"],
                asks=data["asks"],
                dispute=dispute,
                demand=demand,
                request=request,
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                _("Reminder letter %(number)s is issued: print it, deliver it and record the delivery.")
                % {"number": letter.number},
            )
            return redirect("cases:letter", pk=letter.pk)
    return render(
        request,
        "cases/letters/form.html",
        {"form": form, "enterprise": fixed, "dispute": dispute, "demand": demand},
    )


# --- a letter -----------------------------------------------------------------------------------------------------


def _chain(letter):
    """The letters of its escalation chain, first to last (at most three)."""
    first = letter
    while first.escalated_from_id is not None:
        first = first.escalated_from
    chain = [first]
    while True:
        following = type(first).objects.filter(escalated_from=chain[-1]).first()
        if following is None or len(chain) >= len(LETTER_ORDER):
            break
        chain.append(following)
    return chain


def _timeline(letter):
    events = AuditEvent.objects.filter(object_type="cases.letter", object_id=str(letter.pk)).order_by(
        "created_at", "pk"
    )
    return [
        {"label": EVENT_LABELS.get(event.action, event.action), "at": event.created_at, "who": event.actor_username}
        for event in events
        if event.action in EVENT_LABELS
    ]


def _context(request, letter, **forms):
    user, today = request.user, clock.today()
    escalate = flow.can_escalate(user, letter, today)
    to_proposal = flow.NEXT_KIND[letter.kind] == LetterKind.PROPOSAL
    initial = {"version": letter.version}
    if escalate and "escalate_form" not in forms and flow.NEXT_KIND[letter.kind] is not None:
        forms["escalate_form"] = EscalateForm(
            initial={
                **initial,
                "problem": letter.problem,
                "asks": letter.request,
                "addressee": flow.labour_bureau(letter.issuing_unit) if to_proposal else "",
            },
            to_proposal=to_proposal,
        )
    if escalate and flow.NEXT_KIND[letter.kind] is None and "lapse_form" not in forms:
        forms["lapse_form"] = LapseForm(initial=initial)
    if flow.can_deliver(user, letter) and "delivery_form" not in forms:
        forms["delivery_form"] = DeliveryForm(initial={**initial, "delivered_on": today})
    if flow.can_answer(user, letter) and "answer_form" not in forms:
        forms["answer_form"] = AnswerForm(initial={**initial, "answered_on": today})
    return {
        "letter": letter,
        "chain": _chain(letter),
        "timeline": _timeline(letter),
        "overdue": flow.is_overdue(letter, today),
        "days_left": flow.days_left(letter, today),
        "workdays": flow.reply_workdays(letter),
        "next_kind": flow.NEXT_KIND[letter.kind] and LetterKind(flow.NEXT_KIND[letter.kind]).label,
        "dispute_visible": letter.dispute_id and scope.visible_disputes(user).filter(pk=letter.dispute_id).exists(),
        "demand_visible": letter.demand_id and scope.visible_demands(user).filter(pk=letter.demand_id).exists(),
        **forms,
    }


@login_required
def letter_detail(request, pk):
    letter = scope.get_letter(request.user, pk)
    return render(request, "cases/letters/detail.html", _context(request, letter))


def _act(request, letter, form_name, form, run, done):
    """Run an action of the letter page; on bad input or a refusal show the page again with the reason."""
    if form.is_valid():
        try:
            result = run(form.cleaned_data)
        except (Refused, Conflict) as refused:
            form.add_error(None, refused.message)
        else:
            message = done(result)
            if getattr(result, "warning", ""):
                messages.warning(request, result.warning)
            messages.success(request, message)
            return redirect("cases:letter", pk=result.pk)
    return render(request, "cases/letters/detail.html", _context(request, letter, **{form_name: form}), status=200)


@require_POST
@role_required(Role.OFFICE)
def letter_deliver(request, pk):
    letter = scope.get_letter(request.user, pk)
    form = DeliveryForm(request.POST, request.FILES)

    def run(data):
        receipt = request.FILES.get("receipt")
        if problems := library.problems([receipt]):
            raise Refused("；".join(problems))
        return library.keep_with(
            [receipt],
            actor=request.user,
            unit=letter.issuing_unit if request.user.org_unit_id != letter.issuing_unit_id else None,
            then=lambda pieces: flow.record_delivery(
                letter=letter,
                actor=request.user,
                version=data["version"],
                delivered_on=data["delivered_on"],
                receipt=pieces[0],
                request=request,
            ),
        )

    return _act(
        request,
        letter,
        "delivery_form",
        form,
        run,
        lambda done: _("The delivery is recorded; the answer is due on %(day)s.") % {"day": done.reply_due},
    )


@require_POST
@role_required(Role.OFFICE)
def letter_answer(request, pk):
    letter = scope.get_letter(request.user, pk)
    form = AnswerForm(request.POST)

    def run(data):
        return flow.record_answer(
            letter=letter,
            actor=request.user,
            version=data["version"],
            answered_on=data["answered_on"],
            answer=data["answer"],
            request=request,
        )

    return _act(request, letter, "answer_form", form, run, lambda done: _("The answer is recorded."))


@require_POST
@role_required(Role.OFFICE)
def letter_escalate(request, pk):
    letter = scope.get_letter(request.user, pk)
    following = flow.NEXT_KIND[letter.kind]
    if following is None:
        form, name = LapseForm(request.POST), "lapse_form"
    else:
        form, name = EscalateForm(request.POST, to_proposal=following == LetterKind.PROPOSAL), "escalate_form"

    def run(data):
        return flow.escalate_letter(
            letter=letter,
            actor=request.user,
            version=data["version"],
            problem=data.get("problem"),
            asks=data.get("asks"),
            addressee=data.get("addressee", ""),
            request=request,
        )

    def done(result):
        if result.pk == letter.pk:
            return _("%(number)s is recorded as unanswered.") % {"number": letter.number}
        return _("%(kind)s %(number)s is issued in place of the unanswered letter.") % {
            "kind": result.get_kind_display(),
            "number": result.number,
        }

    return _act(request, letter, name, form, run, done)


# --- the document -------------------------------------------------------------------------------------------------


@login_required
def letter_docx(request, pk):
    letter = scope.get_letter(request.user, pk)
    # 某某公司-提示函-滨总函〔2026〕3号.docx: to whom, what kind, which.
    name = export_stem(letter.addressee, letter.get_kind_display(), letter.number)
    return download_response(render_docx(official(letter)), f"{name}.docx", DOCX_CONTENT_TYPE)


@login_required
def letter_print(request, pk):
    letter = scope.get_letter(request.user, pk)
    return render(request, "cases/letters/print.html", {"letter": letter, "html": render_html(official(letter))})

"""The office's pages for worker polls (职工测评): start one, list them, read the figures, print
the QR codes and download the links. The workers' own pages are in ``surveys.public``."""

import segno
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Role
from qingdan.errors import Refused
from qingdan.pages import paginate, query_without_page, xlsx_response
from qingdan.permissions import role_required
from qingdan.spreadsheets import write_workbook
from surveys import queries, services, stats
from surveys.forms_polls import PollForm
from surveys.models import PollMode, PollToken, QuestionKind, Response

# QR codes on one printed page run: enough for a workshop, small enough to render quickly.
QR_PER_PAGE = 120


# Leaders read the polls and their answers; the answer links and QR codes (which let anyone answer) stay with the
# office that hands them out.
READERS = (Role.OFFICE, Role.LEADER)


def token_url(request, poll, token):
    return request.build_absolute_uri(reverse("poll:token", args=[poll.slug, token.token]))


def open_url(request, poll):
    return request.build_absolute_uri(reverse("poll:open", args=[poll.slug]))


def qr_svg(url):
    """An inline SVG QR code (no file, no external request) that scales with its CSS width."""
    return segno.make(url, error="m").svg_inline(scale=1, omitsize=True, border=2, svgclass="qd-qr")


@role_required(Role.OFFICE)
def poll_start(request):
    """The list page's "new poll" picker: on to the form of the questionnaire picked."""
    try:
        pk = int(request.GET.get("questionnaire", ""))
    except ValueError:
        raise Http404 from None
    questionnaire = queries.get_questionnaire(request.user, pk)
    return redirect("surveys:poll_create", pk=questionnaire.pk)


@role_required(Role.OFFICE)
def poll_create(request, pk):
    questionnaire = queries.get_questionnaire(request.user, pk)
    form = PollForm(request.POST if request.method == "POST" else None, user=request.user, questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.create_poll(
                questionnaire=questionnaire,
                title=data["title"],
                subject_unit=data["subject_unit"],
                closes_at=data["closes_at"],
                actor=request.user,
                mode=data["mode"],
                token_count=data["token_count"] or 0,
                cap=data["cap"],
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The poll “%(title)s” is ready.") % {"title": poll.title})
            return redirect("surveys:poll_detail", pk=poll.pk)
    return render(request, "surveys/poll_new.html", {"form": form, "questionnaire": questionnaire})


def _count(rows):
    counted = rows.filter(poll=OuterRef("pk")).order_by().values("poll").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@role_required(*READERS)
def poll_list(request):
    # Subqueries rather than joins: a poll may hold thousands of tokens and answers.
    polls = (
        queries.visible_polls(request.user)
        .annotate(answered=_count(Response.objects.filter(is_final=True)), tokens_total=_count(PollToken.objects))
        .order_by("-created_at", "-id")
    )
    if q := request.GET.get("q", "").strip():
        polls = polls.filter(title__icontains=q)
    page = paginate(request, polls)
    questionnaires = queries.visible_questionnaires(request.user).order_by("-created_at", "-id")[:200]
    if not request.user.has_role(Role.OFFICE):  # a leader reads the polls; only the office starts one
        questionnaires = []
    return render(
        request,
        "surveys/poll_list.html",
        {"page": page, "query": query_without_page(request), "q": q, "questionnaires": questionnaires},
    )


@role_required(*READERS)
def poll_detail(request, pk):
    poll = queries.get_poll(request.user, pk)
    responses = stats.final_responses(poll.questionnaire, poll=poll)
    satisfaction = []
    satisfaction_questions = poll.questionnaire.questions.filter(kind=QuestionKind.SATISFACTION)
    if satisfaction_questions.exists():
        figures = {f.question.pk: f for f in stats.question_figures(poll.questionnaire, responses)}
        for question in satisfaction_questions.order_by("section__position", "position", "id"):
            satisfaction.append(
                {
                    "question": question,
                    "rate": stats.satisfaction_rate(responses, question),
                    "figures": figures[question.pk],
                }
            )
    timeline = stats.poll_timeline(poll, threshold=settings.QINGDAN_POLL_BURST_ANSWERS)
    context = {
        "poll": poll,
        "can_act": request.user.has_role(Role.OFFICE),
        "answered": responses.count(),
        "satisfaction": satisfaction,
        "is_closed": poll.is_closed(),
        "is_open_link": poll.mode == PollMode.OPEN,
        "counts": poll.mode == stats.COUNTED_MODE,
        "timeline": timeline,
        "chart": {"labels": timeline.labels, "counts": timeline.counts, "flagged": timeline.flagged},
        "limits": {
            "per_address": settings.QINGDAN_POLL_ANSWERS_PER_ADDRESS,
            "per_poll": settings.QINGDAN_POLL_ANSWERS_PER_POLL,
            "seconds": settings.QINGDAN_POLL_WINDOW_SECONDS,
        },
    }
    if poll.mode == PollMode.TOKENS:
        context["tokens_total"] = poll.tokens.count()
        context["tokens_used"] = poll.tokens.filter(used_at__isnull=False).count()
    elif context["can_act"]:
        context["open_url"] = open_url(request, poll)
    return render(request, "surveys/poll_detail.html", context)


@role_required(Role.OFFICE)
def poll_print(request, pk):
    """One QR code per unused token (or the open link's one), laid out for A4 paper."""
    poll = queries.get_poll(request.user, pk)
    page = None
    if poll.mode == PollMode.TOKENS:
        page = paginate(request, poll.tokens.filter(used_at__isnull=True).order_by("id"), per_page=QR_PER_PAGE)
        codes = [(url, qr_svg(url)) for url in (token_url(request, poll, token) for token in page)]
    else:
        url = open_url(request, poll)
        codes = [(url, qr_svg(url))]
    return render(
        request,
        "surveys/poll_print.html",
        {"poll": poll, "codes": codes, "page": page, "query": query_without_page(request)},
    )


@role_required(Role.OFFICE)
def poll_links_xlsx(request, pk):
    poll = queries.get_poll(request.user, pk)
    header = [_("No."), _("Link"), _("Status"), _("Used at")]
    if poll.mode == PollMode.TOKENS:
        used, unused = _("Used"), _("Not used")
        rows = (
            [
                n,
                token_url(request, poll, token),
                used if token.used_at else unused,
                timezone.localtime(token.used_at).strftime("%Y-%m-%d %H:%M") if token.used_at else "",
            ]
            for n, token in enumerate(poll.tokens.order_by("id").iterator(chunk_size=2000), start=1)
        )
    else:
        rows = [[1, open_url(request, poll), _("Open link with a cap"), ""]]
    return xlsx_response(write_workbook(_("Poll links"), header, rows), _("poll-links"))

"""Public worker-poll pages (no log-in): a worker opens a one-time link or an open link on a
phone, answers, and sees a thank-you page. Every refusal is a plain page in Chinese."""

import secrets

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from audit.services import client_ip
from qingdan.errors import Refused
from qingdan.throttles import Throttled
from surveys import services
from surveys.models import Poll, PollMode
from surveys.validation import AnswersInvalid, load

# A random id in a long-lived cookie tells one phone from another, so an open link cannot be
# answered twice from the same phone. Only its hash is stored (services.device_hash).
DEVICE_COOKIE = "qd_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600


def _not_found(request):
    return render(request, "surveys/poll_not_found.html", status=404)


def _refused(request, poll, message):
    return render(request, "surveys/poll_refused.html", {"poll": poll, "message": message}, status=403)


def _poll(slug):
    return Poll.objects.select_related("questionnaire").filter(slug=slug).first()


def _device_id(request):
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    return value if 16 <= len(value) <= 64 else ""


def _remember_device(request, response, device_id):
    if request.COOKIES.get(DEVICE_COOKIE) != device_id:
        response.set_cookie(
            DEVICE_COOKIE,
            device_id,
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _why_not(poll, token, device_id):
    """Why this link cannot be answered now (the same rules as services.submit_poll_response),
    or None. Checked when the page opens so that nobody fills in a form that will be refused."""
    if poll.is_closed():
        return _("This poll has closed.")
    if token is not None and token.used_at is not None:
        return _("This link has already been used to answer the poll; each link takes one answer.")
    if poll.mode == PollMode.OPEN and poll.cap is not None and poll.responses.count() >= poll.cap:
        return _("This poll has received all the answers it asked for.")
    if device_id and poll.responses.filter(device=services.device_hash(device_id)).exists():
        return _("This phone has already answered this poll.")
    return None


def _items(questions, values, errors):
    """Each question with its current answer and its error, for surveys/questionnaire_field.html
    (which also carries the show-if condition that static/qingdan/showif.js applies)."""
    return [{"question": q, "values": values.get(q.pk, []), "error": errors.get(q.code)} for q in questions]


def _form(request, poll, questions, values, errors, notice=None, status=200):
    context = {
        "poll": poll,
        "items": _items(questions, values, errors),
        "errors": errors,
        "notice": notice,
        "sectioned": len({q.section_id for q in questions}) > 1,
    }
    return render(request, "surveys/poll_answer.html", context, status=status)


def _answer(request, poll, token=None):
    device_id = _device_id(request)
    reason = _why_not(poll, token, device_id)
    if reason:
        return _refused(request, poll, reason)
    questions = load(poll.questionnaire)
    values, errors = {}, {}
    if request.method == "POST":
        values = {q.pk: request.POST.getlist(f"q{q.pk}") for q in questions}
        if poll.mode == PollMode.OPEN and not device_id:
            # The open link counts one answer per phone by the cookie set when the page was opened;
            # an answer posted without it (a script, a cleared cookie) is asked to send again.
            notice = _("Please send your answers again from this page.")
            return _remember_device(
                request, _form(request, poll, questions, values, {}, notice), secrets.token_urlsafe(24)
            )
        device_id = device_id or secrets.token_urlsafe(24)
        try:
            services.submit_poll_response(
                poll=poll,
                raw=values,
                token=token.token if token else None,
                device_id=device_id,
                address=client_ip(request) or "",
            )
        except AnswersInvalid as invalid:
            errors = invalid.errors
        except Throttled as throttled:
            # Nothing was stored: the worker keeps the answers given and sends them again a little later.
            response = _form(request, poll, questions, values, {}, throttled.message, status=429)
            response["Retry-After"] = str(throttled.retry_after)
            return response
        except Refused as refused:
            return _refused(request, poll, refused.message)
        else:
            return _remember_device(request, redirect("poll:thanks", slug=poll.slug), device_id)
    response = _form(request, poll, questions, values, errors)
    return _remember_device(request, response, device_id or secrets.token_urlsafe(24))


@never_cache
def open_link(request, slug):
    poll = _poll(slug)
    if poll is None:
        return _not_found(request)
    if poll.mode != PollMode.OPEN:
        return _refused(
            request, poll, _("This poll is answered through personal links; scan the QR code you were given.")
        )
    return _answer(request, poll)


@never_cache
def token_link(request, slug, token):
    poll = _poll(slug)
    found = poll.tokens.filter(token=token).first() if poll is not None and poll.mode == PollMode.TOKENS else None
    if found is None:
        return _not_found(request)
    return _answer(request, poll, found)


@never_cache
def thanks(request, slug):
    poll = _poll(slug)
    if poll is None:
        return _not_found(request)
    return render(request, "surveys/poll_thanks.html", {"poll": poll})

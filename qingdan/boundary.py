"""The edge of the application: what every request passes before a view sees it, and what every answer carries.

In: a request larger than any upload may be is refused before its body is read; its query string and an API
request's JSON body are cleaned (``qingdan.text``). Forms clean their own fields, so a refused character there is
shown beside the field with everything typed kept; here there is no form to show it in, so the request is refused
naming the field.

Out: a signed-in page or download is never kept by a browser or proxy cache (a shared office PC, a proxy between
the unit and the federation); every answer says which browser features the pages never use. The
Content-Security-Policy is django-csp's (settings.CONTENT_SECURITY_POLICY).
"""

import ipaddress
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from qingdan import text

API_PREFIX = "/api/"


def _field(path):
    return " › ".join(str(part) for part in path) or _("the request")


MAX_JSON_DEPTH = 64  # far deeper than any API input; json.loads and the check recurse once per level


def _depth(body):
    """How deeply the arrays and objects of a JSON body nest, counted without parsing it (brackets inside strings
    do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def client_address(request):
    """The address a request came from, for the audit trail and the log-in and poll throttles: behind a reverse
    proxy (``QINGDAN_BEHIND_PROXY``), the last address the proxy added to X-Forwarded-For (the ones before it are
    whatever the client wrote); anything that is not an address is ignored."""
    if request is None:
        return None
    if settings.QINGDAN_BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded and _is_address(forwarded[-1]):
            return forwarded[-1]
    address = request.META.get("REMOTE_ADDR") or None
    return address if address and _is_address(address) else None


def _is_address(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _refuse(request, status, code, message):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"code": code, "message": message}, status=status)
    return render(request, "400.html", {"message": message}, status=status)


class RequestSizeMiddleware:
    """Refuses by the declared Content-Length, before the body is received (Django reads no body without one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.QINGDAN_MAX_REQUEST_BYTES
        if length > limit:
            message = _("The upload is %(size)s MB; the limit is %(limit)s MB. Nothing was received.") % {
                "size": f"{length / 1048576:.1f}",
                "limit": f"{limit / 1048576:.0f}",
            }
            return _refuse(request, 413, "too_large", message)
        return self.get_response(request)


class PrivateResponseMiddleware:
    PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            response["Cache-Control"] = "no-store"
        return response


class CleanInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith(API_PREFIX)
        try:
            for key, values in request.GET.lists():
                for value in (key, *values):
                    text.clean_data(value, (key,))
            if api and request.content_type == "application/json" and request.body:
                self._clean_body(request)
        except RecursionError:
            return _refuse(request, 400, "bad_request", _("The request body is nested too deeply."))
        except RequestDataTooBig:
            return _refuse(request, 413, "too_large", _("The request body is too large."))
        except text.Unclean as exc:
            if api:
                message = _("“%(field)s” %(reason)s") % {"field": _field(exc.path), "reason": exc.message}
                return JsonResponse(
                    {"code": "invalid_text", "message": message, "details": [{"loc": list(exc.path), "msg": message}]},
                    status=422,
                )
            # A page's query string is its search box and filters; their names mean nothing to a clerk.
            return _refuse(request, 400, "invalid_text", _("The search or filter %(reason)s") % {"reason": exc.message})
        return self.get_response(request)

    @staticmethod
    def _clean_body(request):
        if _depth(request.body) > MAX_JSON_DEPTH:
            raise RecursionError  # refused before the parser recurses: a real RecursionError unsettles CPython
        try:
            data = json.loads(request.body)
        except ValueError:
            return  # not JSON: the API answers that itself
        cleaned = text.clean_data(data)
        if cleaned != data:
            # The API reads the normalised text (trimmed, Word's soft breaks as line feeds).
            request._body = json.dumps(cleaned, ensure_ascii=False).encode()

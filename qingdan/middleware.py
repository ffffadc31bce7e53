from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from qingdan.errors import Conflict, Refused


class ChineseByDefaultMiddleware:
    """The interface is Chinese unless the user picks English with the language switch.

    Django would otherwise follow the browser's Accept-Language header, and office PCs
    with an English Windows or an English headless browser would get the English pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RefusalMiddleware:
    """A refusal or conflict that a form's view leaves to the platform: back to the page the form was on, with
    the reason as a message; nothing was changed. The API answers them itself, in ``qingdan.api``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if (
            not isinstance(exception, Refused | Conflict)
            or request.method != "POST"
            or request.path.startswith("/api/")
        ):
            return None
        messages.error(request, exception.message)
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
            back = request.path
        return redirect(back)

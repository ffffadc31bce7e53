"""What every request passes before a view sees it: its query string and an API request's JSON body are
cleaned (``qingdan.text``). Forms clean their own fields, so a refused character there is shown beside the field
with everything typed kept; here there is no form to show it in, so the request is refused naming the field."""

import json

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from qingdan import text

API_PREFIX = "/api/"


def _field(path):
    return " › ".join(str(part) for part in path) or _("the request")


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
        except text.Unclean as exc:
            message = _("“%(field)s” %(reason)s") % {"field": _field(exc.path), "reason": exc.message}
            if api:
                return JsonResponse(
                    {"code": "invalid_text", "message": message, "details": [{"loc": list(exc.path), "msg": message}]},
                    status=422,
                )
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)

    @staticmethod
    def _clean_body(request):
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError):
            return  # not JSON: the API answers that itself
        cleaned = text.clean_data(data)
        if cleaned != data:
            # The API reads the normalised text (trimmed, Word's soft breaks as line feeds).
            request._body = json.dumps(cleaned, ensure_ascii=False).encode()

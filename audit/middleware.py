"""Every refusal of a signed-in user goes into the audit trail, in one place: the 403 of a page or of the API
(``PermissionDenied``, ``role_required``), a refusal by the rules (``qingdan.errors.Refused``, even when the view
shows it in its form) and the 404 of a lookup, which is how the platform answers a request for an object
outside the user's organisation. On the public poll pages, a signed-out visitor's 404 (a guessed link) is kept
too. A 404 for an address no page answers (a typo, the browser's favicon) is not a refusal and is not kept."""

import logging
import re

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import Http404
from django.utils.translation import gettext as _

from audit.refusals import Kind, record_refusal
from qingdan.errors import Refused, note_refusal, stop_watching, watch_refusals

logger = logging.getLogger(__name__)

# Django's get_object_or_404 says which model it looked in only in its message.
_NO_MATCH = re.compile(r"^No (\w+) matches the given query\.$")
# Names the URL patterns give an object's id.
_ID_NAMES = ("pk", "id", "item_id", "slug", "token")

PUBLIC_POLL_NAMESPACE = "poll"


class RefusalAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        noted, token = watch_refusals()
        try:
            response = self.get_response(request)
        finally:
            stop_watching(token)
        refusal = _refusal(request, response, noted)
        if refusal is not None:
            try:
                record_refusal(request=request, status=response.status_code, **refusal)
            except DatabaseError:
                # The answer stands even when the trail cannot be written; the log says so.
                logger.exception("could not record a refusal of %s %s", request.method, request.path)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied | Http404):
            note_refusal(exception)


def _refusal(request, response, noted):
    """What to record of this request: ``kind``, ``reason``, ``object_type``, ``object_id``; or None."""
    status = response.status_code
    match = request.resolver_match
    if match is None or request.path.startswith(settings.STATIC_URL):
        return None  # no page answers this address
    signed_in = getattr(request.user, "is_authenticated", False)
    if not signed_in:
        if status == 404 and match.namespace == PUBLIC_POLL_NAMESPACE:
            return {"kind": Kind.OUT_OF_SCOPE, "reason": _("No poll answers this link."), **_looked_for(match, None)}
        return None
    if status == 404:
        missing = next((e for e in noted if isinstance(e, Http404)), None)
        return {
            "kind": Kind.OUT_OF_SCOPE,
            "reason": _("Not found, or outside your organisation."),
            **_looked_for(match, missing),
        }
    denied = next((e for e in noted if isinstance(e, PermissionDenied)), None)
    if status == 403 or denied is not None:
        if denied is None:  # answered 403 without an exception: a failed CSRF check, a view's own refusal
            reason = _("Refused by the platform (HTTP 403).")
        else:
            reason = str(denied.args[0]) if denied.args and denied.args[0] else _("Your roles do not allow this.")
        return {"kind": Kind.DENIED, "reason": reason, **_looked_for(match, None)}
    refused = next((e for e in noted if isinstance(e, Refused)), None)
    if refused is not None:
        return {"kind": Kind.REFUSED, "reason": refused.message, **_looked_for(match, None)}
    return None


def _looked_for(match, missing):
    """The object the request was about, as far as the address and the 404 tell: ``object_type`` (the model's
    label, else the page's name) and ``object_id``."""
    model = getattr(missing, "model", None)
    if model is None and missing is not None and missing.args:
        found = _NO_MATCH.match(str(missing.args[0]))
        if found:
            model = _model_named(found.group(1))
    object_type = model._meta.label_lower if model is not None else match.view_name or ""
    object_id = ""
    for name in _ID_NAMES:
        if name in match.kwargs:
            object_id = match.kwargs[name]
            break
    else:
        ids = [value for name, value in match.kwargs.items() if name.endswith("_id") or name.endswith("pk")]
        if ids:
            object_id = ids[0]
    return {"object_type": object_type, "object_id": object_id}


def _model_named(object_name):
    found = [model for model in apps.get_models() if model._meta.object_name == object_name]
    return found[0] if len(found) == 1 else None

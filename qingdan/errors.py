"""The two ways an action says no, for every area: ``Refused`` (the rules do not allow it) and ``Conflict``
(the record changed since it was read). Both mean nothing was changed. The API answers them once, in
``qingdan.api`` (422 and 409); a page shows them once, through ``RefusalMiddleware`` or the view's own form.

Every refusal met while answering a request is noted (``note_refusal``), even one a view catches and shows as
a form error, so that the audit trail can record what was refused (``audit.middleware``)."""

from contextvars import ContextVar

from django.utils.translation import gettext_lazy as _

_noted: ContextVar[list | None] = ContextVar("qingdan_refusals", default=None)


def watch_refusals():
    """Start noting the refusals of one request; returns ``(noted, token)``, the list that fills and the token for
    ``stop_watching``."""
    noted = []
    return noted, _noted.set(noted)


def stop_watching(token):
    _noted.reset(token)


def note_refusal(exception):
    """Note a refusal (``Refused``, ``PermissionDenied``, ``Http404``) of the request being answered. ``Refused``
    notes itself; a view or handler that catches a ``PermissionDenied`` or an ``Http404`` and answers it itself
    calls this. Outside a request nothing is noted."""
    noted = _noted.get()
    if noted is not None:
        noted.append(exception)


class Refused(Exception):
    """The rules do not allow this; ``message`` says why, in the user's language. Nothing was changed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
        note_refusal(self)


class Conflict(Exception):
    """The record changed since it was read; nothing was overwritten. ``message`` names what changed."""

    def __init__(self, message=None):
        self.message = message or _("This record was changed by someone else since you read it; nothing was saved.")
        super().__init__(self.message)

"""The two ways an action says no, for every area: ``Refused`` (the rules do not allow it) and ``Conflict``
(the record changed since it was read). Both mean nothing was changed. The API answers them once, in
``qingdan.api`` (422 and 409); a page shows them once, through ``RefusalMiddleware`` or the view's own form."""

from django.utils.translation import gettext_lazy as _


class Refused(Exception):
    """The rules do not allow this; ``message`` says why, in the user's language. Nothing was changed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class Conflict(Exception):
    """The record changed since it was read; nothing was overwritten. ``message`` names what changed."""

    def __init__(self, message=None):
        self.message = message or _("This record was changed by someone else since you read it; nothing was saved.")
        super().__init__(self.message)

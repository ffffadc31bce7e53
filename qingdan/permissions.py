from functools import wraps
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.urls import Resolver404, resolve


def role_required(*roles):
    """Page decorator: signed in and holding one of ``roles``, else 403. The roles stay on the view
    (``roles``), so a page linking to it can ask ``may_open`` the same rule."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles  # read by may_open: a link is shown only to a user the page lets in
        return wrapped

    return decorator


def may_open(user, url):
    """Whether the role gate of the page at ``url`` (one of ours) lets ``user`` in: a link shown to a user who
    would meet a 403 is a dead end. A page without a role gate opens to anyone signed in; what lies outside the
    user's subtree is each page's own scoping (a 404), which a link to a record of the user's subtree never meets.
    An address that is not one of our pages is not ours to judge: False."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    roles = getattr(match.func, "required_roles", None)
    return roles is None or user.has_role(*roles)

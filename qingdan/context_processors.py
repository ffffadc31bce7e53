from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgs.models import Role

# (label, url name, icon, roles that see it; None = every signed-in user)
NAVIGATION = [
    (_("Workbench"), "home", "bi-house", None),
    (_("Org tree"), "orgs:list", "bi-diagram-3", None),
    (_("Users"), "users:list", "bi-people", (Role.SYSADMIN, Role.SECADMIN)),
    (_("Audit log"), "audit:list", "bi-journal-text", (Role.AUDITOR,)),
    (_("Admin site"), "admin:index", "bi-gear", (Role.SYSADMIN,)),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    for label, name, icon, roles in NAVIGATION:
        if roles is None or user.has_role(*roles):
            url = reverse(name)
            active = request.path == url if name == "home" else request.path.startswith(url)
            items.append({"label": label, "url": url, "icon": icon, "active": active})
    return {"nav_items": items}

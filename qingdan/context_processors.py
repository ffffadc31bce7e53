from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from orgs.middleware import duties_may_open
from orgs.models import SEPARATED_DUTIES, Role
from orgs.queries import sees_business

# (label, url name, icon, roles that see it; None = every signed-in user)
NAVIGATION = [
    (_("Workbench"), "home", "bi-house", None),
    (_("Overview"), "overview:dashboard", "bi-speedometer2", (Role.OFFICE, Role.LEADER)),
    (_("My background jobs"), "jobs:list", "bi-hourglass-split", None),
    (_("Responsibility lists"), "checklists:lists", "bi-card-checklist", (Role.OFFICE, Role.LEADER)),
    (_("Items"), "checklists:items", "bi-list-check", None),
    (_("Figures"), "checklists:figures", "bi-bar-chart", (Role.OFFICE, Role.LEADER, Role.REVIEWER)),
    (_("Surveys"), "surveys:questionnaires", "bi-ui-checks", (Role.OFFICE, Role.LEADER)),
    (_("Survey distributions"), "surveys:distribution_list", "bi-send", (Role.OFFICE, Role.LEADER)),
    (_("Worker polls"), "surveys:poll_list", "bi-phone", (Role.OFFICE, Role.LEADER)),
    (_("My survey tasks"), "surveys:task_list", "bi-pencil-square", (Role.REPORTER,)),
    # 量化考核: reporters reach their unit's self-assessment from the workbench.
    (
        _("Assessment rounds"),
        "scoring:rounds",
        "bi-clipboard-data",
        (Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.REPORTER),
    ),
    (_("Rubrics"), "scoring:rubrics", "bi-journal-check", (Role.OFFICE,)),
    (_("Recorded bonus and deduction events"), "scoring:events", "bi-award", (Role.OFFICE,)),
    (_("Worker demands"), "cases:demands", "bi-chat-left-text", (Role.OFFICE, Role.LEADER, Role.REPORTER)),
    (_("Hardship assistance"), "assistance:households", "bi-heart", (Role.OFFICE, Role.LEADER, Role.REPORTER)),
    (_("Enterprise registry"), "cases:enterprises", "bi-buildings", (Role.OFFICE, Role.LEADER)),
    (_("Joint meetings"), "cases:meetings", "bi-people-fill", (Role.OFFICE, Role.LEADER, Role.REPORTER)),
    (_("Supervision letters"), "cases:letters", "bi-envelope-paper", (Role.OFFICE, Role.LEADER)),
    (_("Demand and dispute figures"), "cases:figures", "bi-graph-up", (Role.OFFICE, Role.LEADER)),
    # 劳动争议: reporters see it only as grid leaders (at or below a town union): see ``navigation``.
    (_("Labour disputes"), "cases:disputes", "bi-exclamation-diamond", (Role.OFFICE, Role.LEADER, Role.REPORTER)),
    (_("Hardship aid"), "assistance:aid", "bi-cash-coin", (Role.OFFICE, Role.LEADER)),
    (_("Pairing"), "assistance:pairings", "bi-people-fill", (Role.OFFICE, Role.LEADER, Role.REPORTER)),
    (_("Hardship figures"), "assistance:figures", "bi-graph-up", (Role.OFFICE, Role.LEADER)),
    (_("Rules"), "orgs:rules", "bi-sliders", (Role.OFFICE, Role.LEADER)),
    (_("Working-day calendar"), "workdays:calendar", "bi-calendar3", (Role.OFFICE, Role.LEADER)),
    (_("Org tree"), "orgs:list", "bi-diagram-3", None),
    (_("Users"), "users:list", "bi-people", (Role.SYSADMIN, Role.SECADMIN)),
    (_("Requests to confirm"), "users:requests", "bi-shield-check", tuple(SEPARATED_DUTIES)),
    (_("Audit log"), "audit:list", "bi-journal-text", (Role.AUDITOR,)),
    (_("Admin site"), "admin:index", "bi-gear", (Role.SYSADMIN,)),
]


# The menu's sections, by the namespace of their entries' URL names (the entries keep NAVIGATION's order
# within a section). The first has no heading: the workbench (and the leaders' overview) head the menu.
SECTIONS = [
    (None, ("", "overview", "jobs")),
    (_("Close-out supervision"), ("checklists",)),
    (_("Surveys and polls"), ("surveys",)),
    (_("Assessment"), ("scoring",)),
    (_("Demands and disputes"), ("cases",)),
    (_("Hardship assistance"), ("assistance",)),
    (_("Settings"), ("orgs", "workdays")),
    (_("System"), ("users", "audit", "admin")),
]


def section_of(name):
    """The index in SECTIONS of the menu entry with this URL name."""
    namespace = name.rpartition(":")[0]
    return next(i for i, (_label, namespaces) in enumerate(SECTIONS) if namespace in namespaces)


# Entries whose URL is a prefix of other entries' URLs are active only on their own page.
EXACT = {"home"}


# What a menu holds depends on the reader's roles (and, for a reporter, on being a grid leader), never on the
# page: its entries are worked out once per process for each such reader and URL configuration, and only the
# active entry is found per request. Bounded: a handful of role sets in practice, cleared should it grow.
_ENTRIES = {}
CACHE_LIMIT = 500


def _entries(user, grid):
    """The reader's menu entries as (label, url, icon, section, name), in NAVIGATION's order."""
    roles = frozenset(user.role_set)
    key = (get_script_prefix(), get_urlconf(), roles, grid)
    found = _ENTRIES.get(key)
    if found is not None:
        return found
    business = sees_business(user)
    entries = []
    for label, name, icon, allowed in NAVIGATION:
        namespace, _sep, url_name = name.rpartition(":")
        if not business and not duties_may_open(namespace, url_name):
            continue  # 三权分立: the separated duties are not shown the federation's work
        if name == "cases:disputes" and not grid:
            continue
        if allowed is None or roles.intersection(allowed):
            entries.append((label, reverse(name), icon, section_of(name), name))
    if len(_ENTRIES) >= CACHE_LIMIT:
        _ENTRIES.clear()
    _ENTRIES[key] = entries
    return entries


def _is_active(name, url, path):
    if name in EXACT:
        return path == url
    if name == "surveys:questionnaires":  # the other survey entries sit below /surveys/ too
        return path == url or path.startswith(url + "q/")
    if name == "cases:enterprises":  # the projects and their chains belong to the registry
        return path.startswith(url) or path.startswith(reverse("cases:projects"))
    if name == "users:list":  # the requests page sits below /users/ too
        return path.startswith(url) and not path.startswith(reverse("users:requests"))
    return path.startswith(url)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # 劳动争议: a reporter sees it only as a grid leader (at or below a town union).
    grid = True
    if user.has_role(Role.REPORTER) and not user.has_role(Role.OFFICE, Role.LEADER):
        from cases.dispute_flow import can_report_grid

        grid = can_report_grid(user)
    items = [
        {"label": label, "url": url, "icon": icon, "active": _is_active(name, url, request.path), "section": section}
        for label, url, icon, section, name in _entries(user, grid)
    ]
    # /lists/ is a prefix of /lists/items/: of several matching entries the most specific (longest URL) is active.
    active = [item for item in items if item["active"]]
    for item in active:
        item["active"] = item is max(active, key=lambda candidate: len(candidate["url"]))
    sections = [
        {"label": label, "items": [item for item in items if item["section"] == index]}
        for index, (label, _namespaces) in enumerate(SECTIONS)
    ]
    # The rendered menu (``{% nav_menu %}`` in base.html) is the same text for every reader with these roles, in
    # this language, on a page with this entry active: the key of its cached copy.
    key = (
        get_language(),
        get_script_prefix(),
        get_urlconf(),
        tuple(sorted(user.role_set)),
        tuple((item["url"], item["active"]) for item in items),
    )
    return {"nav_items": items, "nav_sections": [section for section in sections if section["items"]], "nav_key": key}

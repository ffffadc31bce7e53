from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgs.middleware import duties_may_open
from orgs.models import SEPARATED_DUTIES, Role
from orgs.queries import sees_business

# (label, url name, icon, roles that see it; None = every signed-in user)
NAVIGATION = [
    (_("Workbench"), "home", "bi-house", None),
    (_("Overview"), "overview:dashboard", "bi-speedometer2", (Role.OFFICE, Role.LEADER)),
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
    (None, ("", "overview")),
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


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    business = sees_business(user)
    for label, name, icon, roles in NAVIGATION:
        namespace, _sep, url_name = name.rpartition(":")
        if not business and not duties_may_open(namespace, url_name):
            continue  # 三权分立: the separated duties are not shown the federation's work
        if name == "cases:disputes" and not user.has_role(Role.OFFICE, Role.LEADER):
            from cases.dispute_flow import can_report_grid

            if not can_report_grid(user):
                continue
        if roles is None or user.has_role(*roles):
            url = reverse(name)
            active = request.path == url if name in EXACT else request.path.startswith(url)
            if name == "surveys:questionnaires":  # the other survey entries sit below /surveys/ too
                active = request.path == url or request.path.startswith(url + "q/")
            if name == "cases:enterprises":  # the projects and their chains belong to the registry
                active = active or request.path.startswith(reverse("cases:projects"))
            if name == "users:list":  # the requests page sits below /users/ too
                active = active and not request.path.startswith(reverse("users:requests"))
            items.append({"label": label, "url": url, "icon": icon, "active": active, "section": section_of(name)})
    # /lists/ is a prefix of /lists/items/: of several matching entries the most specific (longest URL) is active.
    active = [item for item in items if item["active"]]
    for item in active:
        item["active"] = item is max(active, key=lambda candidate: len(candidate["url"]))
    sections = [
        {"label": label, "items": [item for item in items if item["section"] == index]}
        for index, (label, _namespaces) in enumerate(SECTIONS)
    ]
    return {"nav_items": items, "nav_sections": [section for section in sections if section["items"]]}

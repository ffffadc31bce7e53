"""What waits for a user in the care part, for the workbench (工作台): each a count and the filtered list behind it.

A cadre sees their own paired families not visited in time; the office staff of a federation or town union see
the flags of their subtree (families not visited, expired certificates, reviews overdue, exited families due a
follow-up, files not updated in a year). The counts are the rows of the linked lists (``care_queries``)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from assistance import care_queries
from assistance import rules as archive_rules
from orgs.models import Role
from orgs.queries import root_unit
from qingdan import clock


def items(user):
    if not getattr(user, "is_authenticated", False) or root_unit(user) is None:
        return []
    today = clock.today()
    rules = care_queries.rules_for(user)  # one query for every interval below
    days = rules[archive_rules.VISIT_DAYS.key]
    # Office staff: the cadre's own line comes from the same query as the subtree's flags.
    flags = care_queries.flag_counts(user, today, rules) if user.has_role(Role.OFFICE) else None
    mine = flags["mine"] if flags else care_queries.not_visited(care_queries.my_pairings(user), today, days).count()
    tasks = []
    if mine:
        tasks.append(
            {
                "label": _("My paired families not visited in %(days)d days") % {"days": days},
                "count": mine,
                "url": reverse("assistance:pairings") + "?mine=1&late=1",
                "overdue": True,
            }
        )
    if flags is None:
        return tasks
    links = [
        ("not_visited", _("Paired families not visited in time"), reverse("assistance:pairings") + "?late=1", True),
        ("expired", _("Preferential certificates expired"), reverse("assistance:certificates") + "?show=expired", True),
        ("review_due", _("Hardship files due their yearly review"), reverse("assistance:households") + "?review_due=1",
         True),
        ("follow_up", _("Exited families due a follow-up visit"), reverse("assistance:follow_ups") + "?due=1", False),
        ("stale", _("Hardship files not updated in a year"), reverse("assistance:households") + "?stale=1", False),
    ]  # fmt: skip
    for key, label, url, overdue in links:
        if flags[key]:
            tasks.append({"label": label, "count": flags[key], "url": url, "overdue": overdue})
    return tasks

"""The item's status badge, supervision colour and late flag as tags: the very text of
``checklists/item_badge.html``, ``item_colour.html`` and ``item_late.html`` (trailing newline included),
built in Python for the item list, which shows them twice for each of its 50 rows (the table and the
phone's cards). ``checklists/tests/test_item_marks.py`` compares every case with the templates, which
the other pages keep including: change both together."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

# UI.md: grey issued, blue applied, orange rectifying, purple deep review, green closed.
STATUS_STYLES = {
    "issued": "background:#6c757d;color:#fff",
    "applied": "background:#0d6efd;color:#fff",
    "rectifying": "background:#fd7e14;color:#000",
    "deep_review": "background:#6f42c1;color:#fff",
}
CLOSED_STYLE = "background:#198754;color:#fff"
# UI.md: blue near the deadline, yellow urged once, red urged twice or long overdue.
COLOUR_STYLES = {"blue": "background:#0d6efd;color:#fff", "yellow": "background:#ffc107;color:#000"}
RED_STYLE = "background:#dc3545;color:#fff"
NEWLINE = mark_safe("\n")


@register.simple_tag
def item_badge(item):
    label = gettext("Closed out") if item.status == "closed" else item.get_status_display()
    style = STATUS_STYLES.get(item.status, CLOSED_STYLE)
    return format_html('<span class="badge" data-status="{}" style="{}">{}</span>\n', item.status, style, label)


@register.simple_tag
def item_colour(item):
    colour = getattr(item, "colour", None)
    if not colour:
        return NEWLINE
    return format_html(
        '<span class="badge" data-colour="{}" title="{}" style="{}">{}</span>\n',
        colour,
        getattr(item, "colour_label", ""),
        COLOUR_STYLES.get(colour, RED_STYLE),
        getattr(item, "colour_name", ""),
    )


@register.simple_tag
def item_late(late):
    if not late:
        return NEWLINE
    kind = "text-bg-danger" if late.open else "border border-danger text-danger"
    return format_html('<span class="badge {}" data-late="{}">{}</span>\n', kind, late.kind, late)

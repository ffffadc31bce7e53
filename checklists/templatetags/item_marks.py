"""The item's status badge, supervision colour and late flag, always with their words, as tags that every page
uses: built in Python rather than included templates, since the item list shows them twice for each of its 50
rows (the table and the phone's cards)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from checklists.models import ItemStatus
from checklists.queries import Colour

register = template.Library()

# UI.md: grey issued, blue applied, orange rectifying, purple deep review, green closed.
STATUS_STYLES = {
    ItemStatus.ISSUED: "background:#6c757d;color:#fff",
    ItemStatus.APPLIED: "background:#0d6efd;color:#fff",
    ItemStatus.RECTIFYING: "background:#fd7e14;color:#000",
    ItemStatus.DEEP_REVIEW: "background:#6f42c1;color:#fff",
}
CLOSED_STYLE = "background:#198754;color:#fff"
# UI.md: blue near the deadline, yellow urged once, red urged twice or long overdue.
COLOUR_STYLES = {Colour.BLUE: "background:#0d6efd;color:#fff", Colour.YELLOW: "background:#ffc107;color:#000"}
RED_STYLE = "background:#dc3545;color:#fff"
NEWLINE = mark_safe("\n")


@register.simple_tag
def item_badge(item):
    label = gettext("Closed out") if item.status == ItemStatus.CLOSED else item.get_status_display()
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

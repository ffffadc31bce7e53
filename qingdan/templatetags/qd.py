"""Display conventions (UI.md): counts with thousands separators, rates with one decimal,
yuan with two decimals, dates as 2026-09-30 in tables and 2026年9月30日 in documents."""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def thousands(value):
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value


@register.filter
def percent(value):
    """A ratio (0.909) as ``90.9%``; empty when there is nothing to divide."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def yuan(value):
    if value is None or value == "":
        return "—"
    return f"¥{float(value):,.2f}"


@register.filter
def day(value):
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return f"{value:%Y-%m-%d}"


@register.filter
def moment(value):
    if not value:
        return ""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


@register.filter
def cn_date(value):
    if not value:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def phone(value):
    """A mobile number masked for lists and pages: ``138****5678``."""
    from audit.masking import mask_phone

    return mask_phone(value) if value else ""


# The rendered menu, by ``nav_key`` (qingdan.context_processors.navigation): a few role sets × languages ×
# active entries in practice; cleared should it grow past the limit.
_MENUS = {}
MENU_LIMIT = 2000


@register.simple_tag(takes_context=True)
def nav_menu(context):
    """The menu's entries and the reader's roles (``includes/nav_menu.html``), rendered once for each ``nav_key``."""
    key = context.get("nav_key")
    html = _MENUS.get(key) if key is not None else None
    if html is None:
        html = context.template.engine.get_template("includes/nav_menu.html").render(context)
        if key is not None:
            if len(_MENUS) >= MENU_LIMIT:
                _MENUS.clear()
            _MENUS[key] = html
    return html

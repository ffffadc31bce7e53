from django import template

from scoring import explain

register = template.Library()


@register.filter
def points(value):
    """Points as people read them: ``−20``, ``12.5`` (a real minus sign, no trailing zeros)."""
    return explain.points(value)

"""Widgets that render as Django's own, character for character, without a template per option.

Django renders a ``<select>`` through ``django/forms/widgets/select.html``, which includes
``select_option.html`` and ``attrs.html`` for every option: a filter bar with a few hundred units
spent about a third of the item list's rendering there. ``FastSelect`` builds the same text in
Python; ``qingdan/tests/test_widgets.py`` compares it with Django's own rendering.
"""

from django import forms
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeData

_CONTEXT = Context(autoescape=True)


def _text(value):
    """``{{ value }}`` in an autoescaped template."""
    return render_value_in_context(value, _CONTEXT)


def _stringformat(value):
    """``{{ value|stringformat:'s' }}`` in an autoescaped template (the filter keeps a safe value safe)."""
    return value if isinstance(value, SafeData) else str(value)


def _attrs(attrs):
    """``django/forms/widgets/attrs.html``."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, _stringformat(value)),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class FastSelect(forms.Select):
    """A single ``<select>`` without option groups, rendered as ``select.html`` would render it."""

    def render(self, name, value, attrs=None, renderer=None):
        if (
            self.allow_multiple_selected
            or self.option_inherits_attrs
            or type(self).option_template_name != (forms.Select.option_template_name)
        ):
            return super().render(name, value, attrs, renderer)
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)  # option groups: Django's own templates
        values = self.format_value(value)
        options = []
        chosen = False
        for option, label in choices:
            if option is None:
                option = ""
            selected = not chosen and str(option) in values
            chosen |= selected
            options.append((_stringformat(option), " selected" if selected else "", _text(label)))
        # Each option is followed by the newline that ends select_option.html.
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            _attrs(self.build_attrs(self.attrs, attrs)),
            format_html_join("", '\n  <option value="{}"{}>{}</option>\n', options),
        )

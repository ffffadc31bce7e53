"""``FastSelect`` renders the very text Django's own select templates render: the filter bars look and
behave the same, only faster (``bench/http_bench.py``)."""

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from qingdan.widgets import FastSelect

CHOICES = [
    ("", _("All statuses")),
    ("issued", "已下达"),
    (3, "<b>A & B</b> \"quoted\" 'single'"),
    (None, "none"),
    ("safe", mark_safe("<i>safe</i>")),
    (12, "\u3000\u3000镇工会"),
]


def _both(value, attrs=None, choices=CHOICES, widget_attrs=None):
    fast, plain = FastSelect(attrs=widget_attrs), forms.Select(attrs=widget_attrs)
    fast.choices = plain.choices = choices
    return fast.render("unit", value, attrs), plain.render("unit", value, attrs)


@pytest.mark.parametrize("value", [None, "", "issued", 3, "3", 12, "12", "nothing", "safe", ["issued", 3]])
def test_the_options_and_the_selected_one_are_rendered_as_django_renders_them(value):
    fast, plain = _both(value, {"id": "id_unit"}, widget_attrs={"class": "form-select"})
    assert fast == plain


def test_attributes_true_false_and_escaped_are_rendered_as_django_renders_them():
    attrs = {"id": "id_unit", "required": True, "disabled": False, "data-x": 'a"<b>', "aria-invalid": "true"}
    fast, plain = _both("issued", attrs, widget_attrs={"class": "form-select"})
    assert fast == plain
    assert ' required data-x="a&quot;&lt;b&gt;"' in fast and "disabled" not in fast


def test_a_lazy_label_is_rendered_in_the_active_language():
    with override("zh-hans"):
        fast, plain = _both("")
    assert fast == plain
    assert "全部状态" in fast and "All statuses" not in fast


def test_option_groups_fall_back_to_djangos_templates():
    grouped = [("", "—"), ("县级", [(1, "县总工会"), (2, "县交通运输局")])]
    fast, plain = _both(2, {"id": "id_unit"}, choices=grouped)
    assert fast == plain and "<optgroup" in fast


def test_a_bound_form_field_renders_the_same_with_errors_and_the_required_attribute():
    class Plain(forms.Form):
        unit = forms.ChoiceField(choices=CHOICES, required=True)

    class Fast(forms.Form):
        unit = forms.ChoiceField(choices=CHOICES, required=True, widget=FastSelect)

    for data in ({"unit": "issued"}, {"unit": "missing"}, {}):
        plain, fast = Plain(data), Fast(data)
        plain.is_valid(), fast.is_valid()
        assert str(fast["unit"]) == str(plain["unit"])

"""Clean text at every door: what is normalised, what is refused and why, and that every door of the project
(each form, each API input) goes through it with a length limit."""

import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps

from qingdan import text
from qingdan.api import api
from qingdan.forms import Form
from qingdan.tests.test_clock import ROOT


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  滨海县总工会 ", "滨海县总工会"),
        ("一、改善\r\n二、提升\r三、落实", "一、改善\n二、提升\n三、落实"),
        ("一、改善\x0b二、提升\x0c三、落实", "一、改善\n二、提升\n三、落实"),  # Word's soft line break
        ("（一）全角标点，保持不变。", "（一）全角标点，保持不变。"),
        ("制表\t符", "制表\t符"),
    ],
)
def test_harmless_variants_are_normalised_and_chinese_punctuation_is_kept(typed, kept):
    assert text.clean(typed) == kept


def test_single_line_text_gets_its_line_breaks_and_tabs_as_spaces():
    assert text.clean("技术工人\n队伍\t建设", multiline=False) == "技术工人 队伍 建设"


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("清单\x00", "含有不可见的控制字符（U+0000，第 3 个字符），请删除后重试。"),
        ("\x07清单", "含有不可见的控制字符（U+0007，第 1 个字符），请删除后重试。"),
        ("清单\x1b[2J", "含有不可见的控制字符（U+001B，第 3 个字符），请删除后重试。"),
        ("清单\x7f", "含有不可见的控制字符（U+007F，第 3 个字符），请删除后重试。"),
        ("清单\x9b", "含有不可见的控制字符（U+009B，第 3 个字符），请删除后重试。"),
        ("清\ud800单", "含有无法识别的残缺字符（孤立代理项）（U+D800，第 2 个字符），请删除后重试。"),
        ("清单\uffff", "含有不可见的控制字符（U+FFFF，第 3 个字符），请删除后重试。"),
    ],
)
def test_control_characters_surrogates_and_non_characters_are_refused_saying_which_and_where(typed, said):
    with pytest.raises(text.Unclean) as refused:
        text.clean(typed)
    assert refused.value.message == said


def test_nested_data_names_the_place_of_the_first_refused_text():
    with pytest.raises(text.Unclean) as refused:
        text.clean_data({"title": "好", "items": [{"content": "好"}, {"content": "坏\x00"}]})
    assert refused.value.path == ("items", 1, "content")


def test_codes_and_numbers_typed_full_width_are_narrowed():
    assert text.nfkc("３２０９２２ＡＢ－１\u3000") == "320922AB-1"


def test_printable_text_never_breaks_xml_or_utf8():
    value = text.printable("改善\x07技术\x0b人才\ud800")
    assert value == "改善技术\n人才\ufffd"
    value.encode("utf-8")


# --- every door --------------------------------------------------------------------------------------------------


def _project_forms():
    for app in apps.get_app_configs():
        if not app.path.startswith(str(ROOT)):
            continue
        for module in pkgutil.iter_modules([app.path]):
            if module.name.startswith(("forms", "views")):
                importlib.import_module(f"{app.name}.{module.name}")

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return [cls for cls in below(forms.Form) if not cls.__module__.startswith("django.")]


def test_every_form_of_the_project_cleans_its_text_and_limits_its_length():
    found = _project_forms()
    assert len(found) > 40
    assert [f"{cls.__module__}.{cls.__name__}" for cls in found if not issubclass(cls, Form)] == []
    unlimited = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in found
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField)
        and field.max_length is None
        and not isinstance(field.widget, forms.PasswordInput)
    ]
    assert unlimited == []


def _strings_without_limit(schema, components, where, seen=()):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _strings_without_limit(components[name], components, where, (*seen, name))
        return
    alternatives = schema.get("anyOf", [])
    # A Decimal is a number or its digits as a string; its digits are limited instead (max_digits).
    numeric = sorted(alt.get("type", "") for alt in alternatives if alt.get("type") != "null") == ["number", "string"]
    for alternative in alternatives:
        if not (numeric and alternative.get("type") == "string"):
            yield from _strings_without_limit(alternative, components, where, seen)
    if (
        schema.get("type") == "string"
        and "enum" not in schema
        and schema.get("format") not in ("date", "date-time", "binary")
        and "maxLength" not in schema
    ):
        yield where
    if schema.get("type") == "array":
        yield from _strings_without_limit(schema.get("items", {}), components, f"{where}[]", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _strings_without_limit(schema["additionalProperties"], components, f"{where}{{}}", seen)
    for name, prop in schema.get("properties", {}).items():
        yield from _strings_without_limit(prop, components, f"{where}.{name}", seen)


def test_every_text_the_api_takes_has_a_length_limit():
    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    unlimited = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method} {path} ?{parameter['name']}"
                unlimited += _strings_without_limit(parameter.get("schema", {}), components, where)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                unlimited += _strings_without_limit(content["schema"], components, f"{method} {path} body")
    assert unlimited == []

"""The audit log's words: what each area calls its action codes, the keys of its before/after data and, where a
model has no ``get_absolute_url``, the page of a record.

The trail stores codes (``checklists.closed``) and plain data; the page and the export read them through this
registry. An area declares its words in its ``audit_labels.py``, found by ``autodiscover_modules`` as the
metrics are, so the audit app imports no area (the dependency order is areas → audit → orgs → core):

    labels.actions({"checklists.closed": _("Closed out")})
    labels.fields(("checklists",), {"attempt": _("Application number")})
    labels.link({"checklists.item": "checklists:item"})
"""

from django.urls import reverse
from django.utils.module_loading import autodiscover_modules

_ACTIONS = {}
_FIELDS = {}  # code prefix ("checklists", "auth") -> {key: label}
_VALUES = {}  # code prefix -> {key: function(value) -> text}
_LINKS = {}  # model label ("cases.letter") -> function(obj) -> url
_discovered = False


def actions(labels):
    """Declare ``{code: label}`` for an area's action codes."""
    _ACTIONS.update(labels)


def fields(prefixes, labels):
    """Declare ``{key: label}`` for the keys an area's events keep in their before/after data, for the codes
    starting with one of ``prefixes``. A key naming a field of the event's record needs none: the field's
    verbose name is used."""
    for prefix in prefixes:
        _FIELDS.setdefault(prefix, {}).update(labels)


def values(prefixes, readers):
    """Declare ``{key: function(value) -> text}`` for data values that are codes of the area's own (a rule's key)."""
    for prefix in prefixes:
        _VALUES.setdefault(prefix, {}).update(readers)


def choice(choices):
    """A value reader for a code of ``choices`` (a ``TextChoices``): its label, or the value as it is."""
    return lambda value: dict(choices.choices).get(value, value)


def value_reader(code, key):
    _discover()
    return _VALUES.get(code.split(".", 1)[0], {}).get(key)


def link(pages):
    """Declare ``{model label: url name or function(obj) -> url}``: the page of a record, for models without
    ``get_absolute_url``. A url name is reversed with the record's key."""
    for model_label, url_of in pages.items():
        _LINKS[model_label] = (
            (lambda obj, name=url_of: reverse(name, args=[obj.pk])) if isinstance(url_of, str) else url_of
        )


def _discover():
    global _discovered
    if not _discovered:
        autodiscover_modules("audit_labels")
        _discovered = True


def action_label(code):
    """The label of ``code``, or None when no area declares it."""
    _discover()
    return _ACTIONS.get(code)


def all_actions():
    _discover()
    return dict(_ACTIONS)


def field_label(code, key):
    _discover()
    return _FIELDS.get(code.split(".", 1)[0], {}).get(key)


def all_fields():
    _discover()
    return {prefix: dict(words) for prefix, words in _FIELDS.items()}


def url_function(model_label):
    _discover()
    return _LINKS.get(model_label)

"""The audit trail as people read it: who (name and unit), what (the action's label), on which record (its name,
and a link to its page when the reader may open it), and the change as field → old → new.

A reading concern only: the stored events stay as ``record()`` wrote them. The records named by a page of events
are read in one query per model (``in_bulk``), whatever the number of rows; so are the records their data point
to (a foreign key's id shows as that record's name)."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext as translated
from django.utils.translation import pgettext

from audit import labels
from orgs.middleware import duties_may_open
from orgs.queries import sees_business
from qingdan import permissions

EMPTY = "—"
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")

# The names the trail keeps for actors that are not a signed-in person.
ACTORS = {
    "(command line)": lambda: _("Command line (server operator)"),
    "(anonymous)": lambda: _("Visitor not signed in"),
    "worker": lambda: _("Worker (public page)"),
    "system": lambda: _("System"),
    "": lambda: _("System"),
}


@dataclass
class Change:
    label: str
    before: str = EMPTY
    after: str = EMPTY


@dataclass
class Subject:
    """The record an event is about."""

    kind: str  # the model's verbose name
    name: str = ""  # its ``str()``; empty when it no longer exists (or cannot be read)
    number: str = ""
    url: str = ""  # its page, when the reader may open it
    history_url: str = ""  # the trail filtered to this record


@dataclass
class Entry:
    event: object
    who: str
    unit: str
    action: str
    subject: Subject | None
    changes: list = field(default_factory=list)
    tried: str = ""  # a refusal's request: "GET /checklists/items/5/"
    has_before: bool = False
    has_after: bool = False


def action_label(code):
    """The action's label; a code no area declares (an old event) reads as its area and the code."""
    found = labels.action_label(code)
    if found is not None:
        return str(found)
    return _("Other action (%(code)s)") % {"code": code}


def _name(verbose_name):
    """A verbose name in the reader's language: a model without ``Meta.verbose_name`` (or a field without one) has
    an untranslated default, which the catalogue translates here."""
    return translated(str(verbose_name))


def _model(object_type):
    if not object_type or object_type.count(".") != 1:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _pk(model, value):
    try:
        return model._meta.pk.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return None


def _field(model, key):
    if model is None:
        return None
    try:
        found = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return None if found.auto_created else found  # not a reverse relation (``items`` of a list) nor the key


def _area_field(code, key):
    """A field named ``key`` (or its singular) on one of the area's models, for data keys that are not fields of
    the event's own record: ``roles`` → a role's choices."""
    prefix = code.split(".", 1)[0]
    app = {"auth": "orgs", "api": "orgs", "access": "audit"}.get(prefix, prefix)
    try:
        config = apps.get_app_config(app)
    except LookupError:
        return None
    names = [key, key[:-1]] if key.endswith("s") else [key]
    found = [f for name in names for model in config.get_models() if (f := _field(model, name)) is not None]
    # a field with choices says more (``roles`` → a role's label) than a plain one of the same name
    return next((f for f in found if f.choices), found[0] if found else None)


class Describer:
    def __init__(self, viewer):
        self.viewer = viewer
        self.sees_business = sees_business(viewer)
        self.wanted = {}  # model -> set of pks to read
        self.found = {}  # model -> {pk: obj}

    # ---------------------------------------------------------------- reading the records, one query per model

    def _want(self, model, value):
        pk = _pk(model, value)
        if pk is not None:
            self.wanted.setdefault(model, set()).add(pk)

    def _fetch(self):
        for model, pks in self.wanted.items():
            missing = pks - set(self.found.get(model, {}))
            if missing:
                self.found.setdefault(model, {}).update(model._default_manager.in_bulk(missing))
        self.wanted = {}

    def _get(self, model, value):
        return self.found.get(model, {}).get(_pk(model, value))

    def _fields_of(self, event):
        model = _model(event.object_type)
        for data in (event.before, event.after):
            if isinstance(data, dict):
                for key, value in data.items():
                    found = _field(model, key) or _area_field(event.action, key)
                    if isinstance(found, models.ForeignKey) and isinstance(value, int | str) and value != "":
                        self._want(found.related_model, value)

    # ---------------------------------------------------------------- the parts of an entry

    def may_open(self, url):
        """Whether the reader may open ``url``: the separated duties keep out of business pages, and a page that
        asks for roles the reader lacks would answer 403."""
        try:
            match = resolve(url)
        except Resolver404:
            return False
        if not (self.sees_business or duties_may_open(match.namespace, match.url_name)):
            return False
        return permissions.may_open(self.viewer, url)

    def subject(self, event):
        if not event.object_type:
            return None
        model = _model(event.object_type)
        history = (
            reverse("audit:list") + "?" + urlencode({"object_type": event.object_type, "object_id": event.object_id})
        )
        if model is None:
            return None  # a refusal names the page it was about; its request says more
        subject = Subject(kind=_name(model._meta.verbose_name), number=event.object_id, history_url=history)
        obj = self._get(model, event.object_id) if event.object_id else None
        if obj is None:
            return subject
        subject.name = str(obj)
        url = ""
        try:
            if hasattr(obj, "get_absolute_url"):
                url = obj.get_absolute_url()
            elif (url_of := labels.url_function(event.object_type)) is not None:
                url = url_of(obj)
        except NoReverseMatch:
            url = ""
        if url and self.may_open(url):
            subject.url = url
        return subject

    def who(self, event):
        actor = event.actor
        if actor is not None:
            name = actor.full_name or actor.username
            if actor.full_name:
                name = f"{actor.full_name}（{actor.username}）"
            return name, actor.org_unit.name if actor.org_unit_id else ""
        if event.actor_username in ACTORS:
            return str(ACTORS[event.actor_username]()), ""
        # a log-in with a name no account has, or a name typed before signing in
        return _("Not signed in, as “%(name)s”") % {"name": event.actor_username}, ""

    def value(self, event, key, value, model_field):
        if value is None or value == "" or value == [] or value == {}:
            return EMPTY
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, list):
            return "、".join(self.value(event, key, v, model_field) for v in value) or EMPTY
        if isinstance(value, dict):
            return "；".join(
                f"{self.label(event, k)}：{self.value(event, k, v, self._field_for(event, k))}"
                for k, v in value.items()
            )
        if (reader := labels.value_reader(event.action, key)) is not None:
            return str(reader(value))
        if model_field is not None:
            if model_field.choices:
                choices = {str(k): v for k, v in model_field.flatchoices}
                if str(value) in choices:
                    return str(choices[str(value)])
            if isinstance(model_field, models.ForeignKey):
                obj = self._get(model_field.related_model, value)
                if obj is not None:
                    return str(obj)
                if isinstance(value, int):  # a record since removed
                    return _("%(kind)s No. %(number)s") % {
                        "kind": _name(model_field.related_model._meta.verbose_name),
                        "number": value,
                    }
        if isinstance(value, str) and _DATETIME.match(value):
            moment = parse_datetime(value)
            if moment is not None:
                if timezone.is_aware(moment):
                    moment = timezone.localtime(moment)
                return moment.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, datetime | date):
            return value.isoformat()
        return str(value)

    def _field_for(self, event, key):
        return _field(_model(event.object_type), key) or _area_field(event.action, key)

    def label(self, event, key):
        found = labels.field_label(event.action, key)
        if found is None:
            model_field = self._field_for(event, key)
            if model_field is not None:
                return _name(model_field.verbose_name)
            found = labels.field_label("audit.", key) or pgettext("audit", "Other")
        return str(found)

    def changes(self, event):
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        rows = []
        for key in [*before, *(k for k in after if k not in before)]:
            model_field = self._field_for(event, key)
            rows.append(
                Change(
                    label=self.label(event, key),
                    before=self.value(event, key, before.get(key), model_field),
                    after=self.value(event, key, after.get(key), model_field),
                )
            )
        return rows

    # ---------------------------------------------------------------- the page

    def describe(self, events):
        events = list(events)
        for event in events:
            model = _model(event.object_type)
            if model is not None and event.object_id:
                self._want(model, event.object_id)
            self._fields_of(event)
        self._fetch()
        entries = []
        for event in events:
            who, unit = self.who(event)
            after = event.after if isinstance(event.after, dict) else {}
            refusal = event.action.startswith("access.") and "path" in after
            entries.append(
                Entry(
                    event=event,
                    who=who,
                    unit=unit or (event.org_unit.name if event.org_unit_id else ""),
                    action=action_label(event.action),
                    subject=self.subject(event),
                    changes=[] if refusal else self.changes(event),
                    tried=f"{after.get('method', '')} {after.get('path', '')}".strip() if refusal else "",
                    has_before=isinstance(event.before, dict) and bool(event.before),
                    has_after=isinstance(event.after, dict) and bool(event.after),
                )
            )
        return entries


def describe(events, viewer):
    """``[Entry]`` for ``events`` (a page of them), as ``viewer`` reads them."""
    return Describer(viewer).describe(events)


def change_text(entry):
    """The change as one line, for the export: ``状态：已下发 → 已申请；第几次申请：1``."""
    parts = []
    for change in entry.changes:
        if entry.has_before and entry.has_after:
            parts.append(f"{change.label}：{change.before} → {change.after}")
        else:
            parts.append(f"{change.label}：{change.after if entry.has_after else change.before}")
    if entry.tried:
        parts.append(_("Tried: %(request)s") % {"request": entry.tried})
    return "；".join(parts)

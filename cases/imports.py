"""Import of the enterprise registry from .xlsx: every row is checked first, nothing is written unless the whole file
is valid, and rows are matched by credit code, so the same file imported twice changes nothing.

The export masks phone numbers (138****5678); a masked number imported back over the number it masks keeps that
number, so an exported sheet can be edited and imported again. The contact person is kept on the enterprise's page
only: the sheet has the columns the county's ledgers have, and an import leaves the name as it is."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from audit.masking import mask_phone
from audit.services import record
from cases import services
from cases.models import REGISTRY_KINDS, UNION_KINDS, WORKERS_MAX, Enterprise, Industry
from orgs.models import OrgKind
from orgs.queries import visible_units
from qingdan.spreadsheets import RowError, read_rows
from qingdan.text import nfkc

COLUMNS = (
    ("name", gettext_noop("Enterprise name")),
    ("credit_code", gettext_noop("Unified social credit code")),
    ("org_unit", gettext_noop("Registered under (unit code)")),
    ("community", gettext_noop("Village / community")),
    ("industry", gettext_noop("Industry")),
    ("workers", gettext_noop("Workers")),
    ("has_union", gettext_noop("Union set up?")),
    ("union_unit", gettext_noop("Union unit code")),
    ("address", gettext_noop("Street address")),
    ("contact_phone", gettext_noop("Contact phone")),
)
YES = {"是", "有", "已建会", "已建", "y", "yes", "true", "1", "√"}
NO = {"否", "无", "未建会", "未建", "n", "no", "false", "0", "×", ""}


def _titles(label):
    with override("zh-hans"):
        chinese = _(label)
    return (chinese, label)


def column_titles():
    """Column key → accepted titles (Chinese first, as in the template, then English)."""
    return {key: _titles(label) for key, label in COLUMNS}


def header():
    return [_titles(label)[0] for _key, label in COLUMNS]


def industry_lookup():
    lookup = {}
    for industry in Industry:
        lookup[industry.value] = lookup[industry.value.lower()] = industry.value
        for language in ("zh-hans", "en"):
            with override(language):
                lookup[str(industry.label)] = industry.value
    return lookup


@dataclass
class Plan:
    rows: list = field(default_factory=list)  # (row number, facts with units resolved)
    errors: list = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self):
        return not self.errors


def _col(key):
    return _titles(dict(COLUMNS)[key])[0]


def _workers(text):
    value = nfkc(text).replace(",", "")
    if not value:
        raise ValueError(_("The number of workers is empty."))
    try:
        number = int(value)
    except ValueError:
        raise ValueError(_("The number of workers must be a whole number, not “%(v)s”.") % {"v": text}) from None
    if number < 0:
        raise ValueError(_("The number of workers cannot be negative."))
    if number > WORKERS_MAX:
        raise ValueError(_("The number of workers is more than %(n)s.") % {"n": f"{WORKERS_MAX:,}"})
    return number


CHUNK = 5000  # values in one IN (…): SQLite takes at most 32,766 parameters in a query


def _matching(queryset, field, values):
    """The rows of ``queryset`` whose ``field`` is one of ``values``, read a chunk of values at a time."""
    values = sorted(v for v in values if v)
    found = []
    for start in range(0, len(values), CHUNK):
        found += queryset.filter(**{f"{field}__in": values[start : start + CHUNK]})
    return found


def check_rows(rows, *, actor):
    """Check every row against the file, the registry and the tree the actor sees. Writes nothing."""
    plan = Plan()
    industries = industry_lookup()
    unit_codes = {nfkc(cells[key]) for _n, cells in rows for key in ("org_unit", "union_unit")} - {""}
    units = {u.code: u for u in _matching(visible_units(actor), "code", unit_codes)}
    codes = [services.normalise_code(cells["credit_code"]) for _n, cells in rows]
    existing = {
        e.credit_code: e
        for e in _matching(Enterprise.objects.select_related("org_unit", "union_unit"), "credit_code", set(codes))
    }
    # The enterprise units already linked to an enterprise, for "one enterprise unit, one enterprise".
    linked = {
        unit: (code, name)
        for unit, code, name in _matching(
            Enterprise.objects.filter(union_unit__kind=OrgKind.ENTERPRISE).values_list(
                "union_unit__code", "credit_code", "name"
            ),
            "union_unit__code",
            unit_codes,
        )
    }
    first_row, unit_row = {}, {}
    for (number, cells), code in zip(rows, codes, strict=True):
        errors = []

        def refuse(key, reason, number=number, errors=errors):
            errors.append(RowError(number, _col(key), reason))

        name = cells["name"]
        if not name:
            refuse("name", _("The enterprise name is empty."))
        elif len(name) > Enterprise.NAME_MAX:
            refuse("name", _("The enterprise name is longer than %(n)d characters.") % {"n": Enterprise.NAME_MAX})

        current = None
        if problem := services.credit_code_problem(code):
            refuse("credit_code", problem)
        elif code in first_row:
            refuse(
                "credit_code",
                _("The code %(code)s already appears in row %(row)d.") % {"code": code, "row": first_row[code]},
            )
        else:
            first_row[code] = number
            current = existing.get(code)
            if current is not None and not services.can_edit_registry(actor, current.org_unit):
                refuse("credit_code", services.code_taken_message(current, actor))
                current = None

        unit_code = nfkc(cells["org_unit"])
        unit = units.get(unit_code)
        if not unit_code:
            refuse("org_unit", _("The unit code is empty."))
        elif unit is None:
            refuse("org_unit", _("No unit with the code “%(code)s” in your organisation.") % {"code": unit_code})
        elif unit.kind not in REGISTRY_KINDS:
            refuse("org_unit", services.registry_unit_problem(unit))
        elif not services.can_edit_registry(actor, unit):
            refuse("org_unit", _("Only office staff register enterprises and projects."))

        for key in ("community", "address"):
            most = services.TEXT_LIMITS[key]
            if len(cells.get(key, "")) > most:
                refuse(key, _("The text is longer than %(n)d characters.") % {"n": most})

        industry = industries.get(nfkc(cells["industry"]))
        if industry is None:
            allowed = "、".join(f"{i.value} {i.label}" for i in Industry)
            refuse(
                "industry",
                _("Unknown industry “%(value)s”; use a section letter or name of GB/T 4754: %(allowed)s.")
                % {"value": cells["industry"], "allowed": allowed},
            )

        workers = None
        try:
            workers = _workers(cells["workers"])
        except ValueError as problem:
            refuse("workers", str(problem))

        answer = nfkc(cells["has_union"]).lower()
        has_union = True if answer in YES else False if answer in NO else None
        if has_union is None:
            refuse("has_union", _("Write 是 or 否, not “%(v)s”.") % {"v": cells["has_union"]})

        union_code = nfkc(cells["union_unit"])
        union_unit = units.get(union_code) if union_code else None
        if union_code and union_unit is None:
            refuse("union_unit", _("No unit with the code “%(code)s” in your organisation.") % {"code": union_code})
        elif union_unit is not None and has_union is False:
            refuse("union_unit", _("A union unit is given, but the enterprise is marked as having no union."))
        elif union_unit is not None and union_unit.kind not in UNION_KINDS:
            refuse("union_unit", _("%(unit)s is not an enterprise or a grassroots union.") % {"unit": union_unit.name})
        elif union_unit is not None and union_unit.kind == OrgKind.ENTERPRISE:
            if union_code in unit_row:
                refuse(
                    "union_unit",
                    _("The enterprise unit %(code)s is already the union of row %(row)d.")
                    % {"code": union_code, "row": unit_row[union_code]},
                )
            elif linked.get(union_code, (code, ""))[0] != code:
                refuse(
                    "union_unit",
                    _("%(unit)s is already the union of %(other)s.")
                    % {"unit": union_unit.name, "other": linked[union_code][1]},
                )
            unit_row.setdefault(union_code, number)

        phone = services.normalise_phone(cells["contact_phone"])
        if "*" in phone:
            # A masked number from an export: it keeps the number it masks, and cannot stand for another.
            if current is not None and current.contact_phone and mask_phone(current.contact_phone) == phone:
                phone = current.contact_phone
            else:
                refuse("contact_phone", _("The phone number is masked (****): type the whole number."))
        elif problem := services.phone_problem(phone):
            refuse("contact_phone", problem)

        facts = {
            "name": name,
            "credit_code": code,
            "org_unit": unit,
            "community": cells["community"],
            "industry": industry,
            "workers": workers,
            "has_union": has_union,
            "union_unit": union_unit,
            "address": cells["address"],
            "contact_phone": phone,
        }
        plan.rows.append((number, facts))
        plan.errors.extend(errors)
    plan.errors.sort(key=lambda e: (e.row, e.column))
    if plan.ok:
        for _number, facts in plan.rows:
            current = existing.get(facts["credit_code"])
            if current is None:
                plan.created += 1
            elif services.changed_facts(current, facts):
                plan.updated += 1
            else:
                plan.unchanged += 1
    return plan


def read(uploaded):
    return read_rows(uploaded, headers=column_titles(), max_bytes=settings.QINGDAN_MAX_IMPORT_BYTES)


def read_and_check(uploaded, *, actor):
    return check_rows(read(uploaded), actor=actor)


def apply_import(uploaded, *, actor, request=None):
    """Check the file again and, only if every row is valid, write it in one transaction through the registry's
    services (one audit row per enterprise added or changed, and one for the import). Returns the plan; when
    ``plan.errors`` is not empty nothing was written."""
    with transaction.atomic():
        rows = read(uploaded)
        codes = [services.normalise_code(cells["credit_code"]) for _n, cells in rows]
        # Lock the rows the file matches first, then check against them: nobody changes them in between.
        _matching(Enterprise.objects.select_for_update().values_list("pk", flat=True), "credit_code", set(codes))
        plan = check_rows(rows, actor=actor)
        if not plan.ok:
            return plan
        existing = {e.credit_code: e for e in _matching(Enterprise.objects.all(), "credit_code", set(codes))}
        for _number, facts in plan.rows:
            current = existing.get(facts["credit_code"])
            if current is None:
                services.create_enterprise(actor=actor, request=request, contact_name="", **facts)
            elif changes := services.changed_facts(current, facts):
                services.update_enterprise(
                    enterprise=current, actor=actor, version=current.version, request=request, **changes
                )
        record(
            action="cases.enterprises_imported",
            actor=actor,
            object_type="cases.enterprise",
            org_unit=actor.org_unit,
            after={
                "file": getattr(uploaded, "name", ""),
                "created": plan.created,
                "updated": plan.updated,
                "unchanged": plan.unchanged,
            },
            request=request,
        )
    return plan

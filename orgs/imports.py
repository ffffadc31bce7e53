"""Import of the org tree from .xlsx: check every row first, write all or nothing."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from audit.services import record
from orgs.models import OrgKind, OrgUnit
from orgs.queries import visible_units
from orgs.services import save_unit
from qingdan.spreadsheets import RowError, read_rows
from qingdan.text import nfkc

COLUMNS = (
    ("code", gettext_noop("Unit code")),
    ("name", gettext_noop("Unit name")),
    ("kind", gettext_noop("Kind")),
    ("parent", gettext_noop("Parent code")),
)


def column_titles():
    """Column key → accepted titles (Chinese first, as in the template, then English)."""
    titles = {}
    for key, label in COLUMNS:
        with override("zh-hans"):
            chinese = _(label)
        titles[key] = (chinese, label)
    return titles


def kind_lookup():
    lookup = {}
    for kind in OrgKind:
        lookup[kind.value] = kind.value
        for language in ("zh-hans", "en"):
            with override(language):
                lookup[str(kind.label)] = kind.value
    return lookup


@dataclass
class Plan:
    rows: list = field(default_factory=list)  # (row_number, code, name, kind, parent_code)
    errors: list = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self):
        return not self.errors


def _col(key):
    return column_titles()[key][0]


def check_rows(rows, *, actor):
    """Check every row against the file and the tree the actor can see. Writes nothing."""
    plan = Plan()
    kinds = kind_lookup()
    root = actor.org_unit
    existing = {u.code: u for u in OrgUnit.objects.select_related("parent")}
    visible = set(visible_units(actor).values_list("code", flat=True))
    first_row, bad_rows = {}, set()
    for number, cells in rows:
        # Codes typed full-width (３２０９２２…) with a Chinese input method are the same codes.
        code, name, kind_text, parent = nfkc(cells["code"]), cells["name"], cells["kind"], nfkc(cells["parent"])
        errors = []
        if not code:
            errors.append(RowError(number, _col("code"), _("The code is empty.")))
        elif len(code) > OrgUnit.CODE_MAX:
            errors.append(
                RowError(number, _col("code"), _("The code is longer than %(n)d characters.") % {"n": OrgUnit.CODE_MAX})
            )
        elif code in first_row:
            errors.append(
                RowError(
                    number,
                    _col("code"),
                    _("The code “%(code)s” already appears in row %(row)d.") % {"code": code, "row": first_row[code]},
                )
            )
        elif code in existing and code not in visible:
            errors.append(
                RowError(
                    number,
                    _col("code"),
                    _("The code “%(code)s” belongs to a unit outside your organisation.") % {"code": code},
                )
            )
        if not name:
            errors.append(RowError(number, _col("name"), _("The name is empty.")))
        elif len(name) > OrgUnit.NAME_MAX:
            errors.append(
                RowError(number, _col("name"), _("The name is longer than %(n)d characters.") % {"n": OrgUnit.NAME_MAX})
            )
        kind = kinds.get(kind_text)
        if kind is None:
            allowed = "、".join(str(k.label) for k in OrgKind)
            errors.append(
                RowError(
                    number,
                    _col("kind"),
                    _("Unknown kind “%(kind)s”; use one of: %(allowed)s.") % {"kind": kind_text, "allowed": allowed},
                )
            )
        if code and code not in first_row:
            first_row[code] = number
        if code == root.code:
            # The user's own unit stays where it is; its parent lies outside what they may see,
            # so the column must be empty (as the export leaves it) and is never compared.
            if parent:
                errors.append(
                    RowError(
                        number, _col("parent"), _("Leave the parent of your own unit empty: an import cannot move it.")
                    )
                )
            parent = existing[code].parent.code if existing[code].parent else ""
        plan.rows.append((number, code, name, kind, parent))
        if errors:
            plan.errors.extend(errors)
            bad_rows.add(number)

    codes_in_file = {code for _n, code, _name, _k, _p in plan.rows if code}
    # Loops are looked for among valid rows only, and never above the user's own unit.
    file_parent = {code: parent for n, code, _name, _k, parent in plan.rows if code and n not in bad_rows}
    for number, code, _name, _kind, parent in plan.rows:
        if code == root.code:
            continue
        if not parent:
            plan.errors.append(RowError(number, _col("parent"), _("The parent code is empty.")))
        elif parent == code:
            plan.errors.append(RowError(number, _col("parent"), _("A unit cannot be its own parent.")))
        elif parent not in codes_in_file and parent not in visible:
            plan.errors.append(
                RowError(number, _col("parent"), _("The parent code “%(code)s” does not exist.") % {"code": parent})
            )
        elif number not in bad_rows and (cycle := _find_cycle(code, file_parent, existing, stop=root.code)):
            plan.errors.append(
                RowError(number, _col("parent"), _("The parents form a loop: %(loop)s.") % {"loop": " → ".join(cycle)})
            )
        elif number not in bad_rows and _depth(code, file_parent, existing, root) > OrgUnit.MAX_DEPTH:
            plan.errors.append(
                RowError(
                    number,
                    _col("parent"),
                    _("The tree would be more than %(n)d levels deep here.") % {"n": OrgUnit.MAX_DEPTH},
                )
            )
    plan.errors.sort(key=lambda e: (e.row, e.column))
    if plan.ok:
        _count_changes(plan, existing)
    return plan


def _find_cycle(code, file_parent, existing, *, stop):
    seen = [code]
    current = code
    while current != stop:
        if current in file_parent:
            current = file_parent[current]
        elif current in existing and existing[current].parent:
            current = existing[current].parent.code
        else:
            return None
        if not current:
            return None
        if current in seen:
            return seen[seen.index(current) :] + [current]
        seen.append(current)
    return None


def _depth(code, file_parent, existing, root):
    """Depth the unit would have, counted from the root of the whole tree (no loops here)."""
    steps = 0
    while code != root.code:
        code = file_parent[code] if code in file_parent else existing[code].parent.code
        steps += 1
    return root.depth + steps


def _count_changes(plan, existing):
    for _number, code, name, kind, parent in plan.rows:
        unit = existing.get(code)
        if unit is None:
            plan.created += 1
        elif (unit.name, unit.kind, unit.parent.code if unit.parent else "") == (name, kind, parent):
            plan.unchanged += 1
        else:
            plan.updated += 1


def read_and_check(uploaded, *, actor):
    rows = read_rows(uploaded, headers=column_titles(), max_bytes=settings.QINGDAN_MAX_IMPORT_BYTES)
    return check_rows(rows, actor=actor)


def _in_parent_order(plan):
    """Rows ordered so that every parent in the file comes before its children (no recursion:
    a file may hold a chain thousands of rows deep)."""
    by_code = {row[1]: row for row in plan.rows}
    ordered, placed = [], set()
    for code in by_code:
        chain = []
        while code in by_code and code not in placed and code not in chain:
            chain.append(code)
            code = by_code[code][4]
        for item in reversed(chain):
            placed.add(item)
            ordered.append(by_code[item])
    return ordered


def apply_import(uploaded, *, actor, request=None, progress=None):
    """Check the file again and, only if every row is valid, write it in one transaction.

    Returns the plan; when ``plan.errors`` is not empty nothing was written.
    """
    with transaction.atomic():
        # Lock the user's subtree first, then check against it: nobody moves a unit in between.
        units = {u.code: u for u in visible_units(actor).select_for_update(of=("self",)).select_related("parent")}
        plan = read_and_check(uploaded, actor=actor)
        if not plan.ok:
            return plan
        ordered = _in_parent_order(plan)
        for done, (_number, code, name, kind, parent_code) in enumerate(ordered, start=1):
            unit = units.get(code) or OrgUnit(code=code)
            parent = units.get(parent_code) if parent_code else None
            current_parent_code = unit.parent.code if unit.parent_id else ""
            if unit.pk is None or (unit.name, unit.kind, current_parent_code) != (name, kind, parent_code):
                unit.name, unit.kind, unit.parent = name, kind, parent
                units[code] = save_unit(unit=unit, actor=actor, request=request)
            if progress:
                progress(done, len(ordered))
        record(
            action="orgs.imported",
            actor=actor,
            object_type="orgs.orgunit",
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

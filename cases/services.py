"""Every change to the enterprise registry and the projects' contractor chains goes through here, with its audit
row in the same transaction. Pages, the API, the import and the demo call these functions; the actor's right is
checked here too (``can_edit_registry``), so no path skips it.

``actor=SYSTEM`` is the platform itself (the demo loader)."""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength

from audit.services import record
from cases.models import (
    REGISTRY_KINDS,
    UNION_KINDS,
    WORKERS_MAX,
    Enterprise,
    Industry,
    Project,
    Subcontract,
)
from orgs.models import OrgKind, Role
from orgs.queries import root_unit
from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Conflict, Refused
from qingdan.text import nfkc

# --- who may act --------------------------------------------------------------------------------------------------


def can_edit_registry(user, unit=None):
    """Whether ``user`` may register and change enterprises and projects (of ``unit``, when given): the office
    staff of a federation or a town union, within their own subtree. Leaders and everyone else read."""
    if user is SYSTEM:
        return True
    if user is None or not user.has_role(Role.OFFICE) or root_unit(user) is None:
        return False
    return unit is None or unit.is_within(user.org_unit)


def _require(actor, unit):
    if not can_edit_registry(actor, unit):
        if can_edit_registry(actor):
            raise Refused(_("%(unit)s is outside your organisation.") % {"unit": unit.name})
        raise Refused(_("Only office staff register enterprises and projects."))


# --- checks shared by the forms, the import and the API -----------------------------------------------------------


def normalise_code(value):
    """A credit code as typed (full-width, lower case, with spaces or hyphens) in its stored form."""
    return re.sub(r"[\s\-]", "", nfkc(value or "")).upper()


def credit_code_problem(code):
    """Why the (normalised) credit code is refused, or None. The check digit is GB 32100's (python-stdnum)."""
    if not code:
        return _("Enter the unified social credit code.")
    try:
        uscc.validate(code)
    except InvalidLength:
        return _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)}
    except InvalidChecksum:
        return _("The check digit of the unified social credit code does not match; check it against the licence.")
    except ValueError:  # InvalidFormat
        return _(
            "A unified social credit code begins with 8 digits, then digits or capital letters other than I, O, S, "
            "V and Z."
        )
    return None


PHONE = re.compile(r"^\+?[0-9][0-9-]{5,18}[0-9]$")


def normalise_phone(value):
    return re.sub(r"\s", "", nfkc(value or ""))


def phone_problem(phone):
    if phone and (len(phone) > Enterprise.PHONE_MAX or not PHONE.match(phone)):
        return _("A phone number holds digits and hyphens only, e.g. 13812345678 or 0515-84123456.")
    return None


def union_unit_problem(unit, *, has_union, actor, enterprise=None):
    """Why ``unit`` cannot be the enterprise's union, or None."""
    if unit is None:
        return None
    if not has_union:
        return _("An enterprise without a union has no union unit: tick “has a union” or leave the unit empty.")
    if unit.kind not in UNION_KINDS:
        return _("%(unit)s is not an enterprise or a grassroots union.") % {"unit": unit.name}
    if actor is not SYSTEM and not unit.is_within(actor.org_unit):
        return _("%(unit)s is outside your organisation.") % {"unit": unit.name}
    if unit.kind == OrgKind.ENTERPRISE:
        # The tree's enterprise unit is that one enterprise; a grassroots (joint) union may cover several.
        other = Enterprise.objects.filter(union_unit=unit).exclude(pk=getattr(enterprise, "pk", None)).first()
        if other is not None:
            return _("%(unit)s is already the union of %(other)s.") % {"unit": unit.name, "other": other.name}
    return None


def registry_unit_problem(unit):
    if unit.kind not in REGISTRY_KINDS:
        return _("%(unit)s is not a town union or a federation: register the enterprise under one.") % {
            "unit": unit.name
        }
    return None


def code_taken_message(existing, actor):
    """The enterprise registered with a code already; named only to someone who may read it."""
    if actor is SYSTEM or (root_unit(actor) is not None and existing.org_unit.is_within(root_unit(actor))):
        return _("This unified social credit code is already registered: %(name)s.") % {"name": existing.name}
    return _("This unified social credit code is already registered by a unit outside your organisation.")


# --- enterprises --------------------------------------------------------------------------------------------------

FACTS = (
    "name",
    "credit_code",
    "org_unit",
    "community",
    "industry",
    "workers",
    "has_union",
    "union_unit",
    "address",
    "contact_name",
    "contact_phone",
)
TEXT_LIMITS = {
    "name": Enterprise.NAME_MAX,
    "community": Enterprise.COMMUNITY_MAX,
    "address": Enterprise.ADDRESS_MAX,
    "contact_name": Enterprise.CONTACT_MAX,
}


def snapshot(enterprise):
    """The facts as the audit trail keeps them; ``phone`` is masked there (``audit.masking``)."""
    return {
        "name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "org_unit": enterprise.org_unit.code,
        "community": enterprise.community,
        "industry": enterprise.industry,
        "workers": enterprise.workers,
        "has_union": enterprise.has_union,
        "union_unit": enterprise.union_unit.code if enterprise.union_unit_id else None,
        "address": enterprise.address,
        "contact_name": enterprise.contact_name,
        "phone": enterprise.contact_phone,
    }


def _clean_facts(facts, *, actor, enterprise=None):
    """The facts normalised and checked; the first problem is refused with its reason."""
    facts = dict(facts)
    for key, most in TEXT_LIMITS.items():
        facts[key] = (facts.get(key) or "").strip()
        if len(facts[key]) > most:
            raise Refused(_("The %(field)s is longer than %(n)d characters.") % {"field": _field(key), "n": most})
    if not facts["name"]:
        raise Refused(_("Give the enterprise its name."))
    facts["credit_code"] = normalise_code(facts.get("credit_code"))
    if problem := credit_code_problem(facts["credit_code"]):
        raise Refused(problem)
    unit = facts["org_unit"]
    if problem := registry_unit_problem(unit):
        raise Refused(problem)
    _require(actor, unit)
    if facts.get("industry") not in Industry.values:
        raise Refused(_("Choose the industry."))
    workers = facts.get("workers")
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 0:
        raise Refused(_("The number of workers cannot be negative."))
    if workers > WORKERS_MAX:
        raise Refused(_("The number of workers is more than %(n)s.") % {"n": f"{WORKERS_MAX:,}"})
    facts["has_union"] = bool(facts.get("has_union"))
    facts["union_unit"] = facts.get("union_unit")
    if problem := union_unit_problem(
        facts["union_unit"], has_union=facts["has_union"], actor=actor, enterprise=enterprise
    ):
        raise Refused(problem)
    facts["contact_phone"] = normalise_phone(facts.get("contact_phone"))
    if problem := phone_problem(facts["contact_phone"]):
        raise Refused(problem)
    taken = Enterprise.objects.filter(credit_code=facts["credit_code"]).exclude(pk=getattr(enterprise, "pk", None))
    if existing := taken.select_related("org_unit").first():
        raise Refused(code_taken_message(existing, actor))
    return {key: facts[key] for key in FACTS}


def _field(key):
    return {
        "name": _("enterprise name"),
        "community": _("village / community"),
        "address": _("address"),
        "contact_name": _("contact person"),
    }[key]


def _save(enterprise, actor, *, code):
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError:
        # Registered by someone else between the check and the save.
        existing = Enterprise.objects.select_related("org_unit").filter(credit_code=code).first()
        if existing is None:
            raise
        raise Refused(code_taken_message(existing, actor)) from None


def create_enterprise(*, actor, request=None, **facts):
    """Register an enterprise under a unit of the actor's subtree (office staff). ``facts``: name, credit_code,
    org_unit, community, industry, workers, has_union, union_unit, address, contact_name, contact_phone."""
    _require(actor, facts["org_unit"])
    with transaction.atomic():
        facts = _clean_facts(facts, actor=actor)
        now = clock.now()
        enterprise = Enterprise(**facts, created_by=person(actor), updated_by=person(actor))
        enterprise.created_at = enterprise.updated_at = now
        _save(enterprise, actor, code=facts["credit_code"])
        record(
            action="cases.enterprise_created",
            actor=actor,
            obj=enterprise,
            org_unit=enterprise.org_unit,
            after=snapshot(enterprise),
            request=request,
        )
    return enterprise


def changed_facts(enterprise, facts):
    """The facts of ``facts`` that differ from the enterprise's (after normalising the codes)."""
    wanted = dict(facts)
    if "credit_code" in wanted:
        wanted["credit_code"] = normalise_code(wanted["credit_code"])
    if "contact_phone" in wanted:
        wanted["contact_phone"] = normalise_phone(wanted["contact_phone"])
    for key in TEXT_LIMITS:
        if key in wanted:
            wanted[key] = (wanted[key] or "").strip()
    return {key: value for key, value in wanted.items() if getattr(enterprise, key) != value}


def update_enterprise(*, enterprise, actor, version, request=None, **changes):
    """Change some facts of an enterprise; ``version`` is the one the actor read (else ``Conflict``). Facts that do
    not change leave no trace: the same facts sent again change nothing, not even the version."""
    unknown = set(changes) - set(FACTS)
    if unknown:
        raise TypeError(f"not facts of an enterprise: {sorted(unknown)}")
    with transaction.atomic():
        current = (
            Enterprise.objects.select_for_update(of=("self",))
            .select_related("org_unit", "union_unit")
            .get(pk=enterprise.pk)
        )
        _require(actor, current.org_unit)
        if current.version != version:
            raise Conflict(_("This enterprise was changed by someone else since you read it; nothing was saved."))
        if not changed_facts(current, changes):
            return current
        facts = _clean_facts(
            {**{key: getattr(current, key) for key in FACTS}, **changes}, actor=actor, enterprise=current
        )
        _require(actor, facts["org_unit"])
        before = snapshot(current)
        for key, value in facts.items():
            setattr(current, key, value)
        current.updated_at, current.updated_by = clock.now(), person(actor)
        current.version += 1
        _save(current, actor, code=facts["credit_code"])
        record(
            action="cases.enterprise_changed",
            actor=actor,
            obj=current,
            org_unit=current.org_unit,
            before=before,
            after=snapshot(current),
            request=request,
        )
    return current


def record_contact_view(*, enterprise, actor, request=None):
    """A person saw the enterprise's contact phone in full (ARCHITECTURE rule 7: full views are audited)."""
    if not can_edit_registry(actor, enterprise.org_unit):
        raise Refused(_("Only office staff see the full phone number."))
    record(
        action="cases.enterprise_contact_viewed",
        actor=actor,
        obj=enterprise,
        org_unit=enterprise.org_unit,
        request=request,
    )


# --- projects and their chains ------------------------------------------------------------------------------------

PROJECT_FACTS = ("name", "location", "org_unit", "starts_on", "ends_on", "developer", "general_contractor")


def project_snapshot(project):
    return {
        "name": project.name,
        "location": project.location,
        "org_unit": project.org_unit.code,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "developer": project.developer.credit_code if project.developer_id else None,
        "general_contractor": project.general_contractor.credit_code,
    }


def _clean_project(facts, *, actor, project=None):
    facts = dict(facts)
    facts["name"] = (facts.get("name") or "").strip()
    facts["location"] = (facts.get("location") or "").strip()
    if not facts["name"]:
        raise Refused(_("Give the project its name."))
    if len(facts["name"]) > Project.NAME_MAX or len(facts["location"]) > Project.LOCATION_MAX:
        raise Refused(_("The name or the location is too long."))
    unit = facts["org_unit"]
    if problem := registry_unit_problem(unit):
        raise Refused(problem)
    _require(actor, unit)
    starts, ends = facts.get("starts_on"), facts.get("ends_on")
    if starts and ends and ends < starts:
        raise Refused(
            _("The project cannot end (%(ends)s) before it starts (%(starts)s).") % {"ends": ends, "starts": starts}
        )
    contractor = facts["general_contractor"]
    if contractor is None:
        raise Refused(_("Name the general contractor."))
    if project is not None and project.subcontracts.filter(contractor=contractor).exists():
        raise Refused(
            _("%(name)s is a subcontractor of this project; a firm cannot be its own contractor.")
            % {"name": contractor.name}
        )
    same = Project.objects.filter(org_unit=unit, name=facts["name"]).exclude(pk=getattr(project, "pk", None))
    if same.exists():
        raise Refused(
            _("%(unit)s already has a project named “%(name)s”.") % {"unit": unit.name, "name": facts["name"]}
        )
    return {key: facts.get(key) for key in PROJECT_FACTS}


def create_project(*, actor, request=None, **facts):
    """Register a construction project with its developer (建设单位, optional) and general contractor (总包)."""
    _require(actor, facts["org_unit"])
    with transaction.atomic():
        facts = _clean_project(facts, actor=actor)
        project = Project(**facts, created_by=person(actor), updated_by=person(actor))
        project.created_at = project.updated_at = clock.now()
        project.save()
        record(
            action="cases.project_created",
            actor=actor,
            obj=project,
            org_unit=project.org_unit,
            after=project_snapshot(project),
            request=request,
        )
    return project


def update_project(*, project, actor, version, request=None, **changes):
    """Change a project's facts; ``version`` is the one the actor read (else ``Conflict``)."""
    with transaction.atomic():
        current = Project.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=project.pk)
        _require(actor, current.org_unit)
        if current.version != version:
            raise Conflict(_("This project was changed by someone else since you read it; nothing was saved."))
        facts = _clean_project(
            {**{key: getattr(current, key) for key in PROJECT_FACTS}, **changes}, actor=actor, project=current
        )
        if all(getattr(current, key) == value for key, value in facts.items()):
            return current
        before = project_snapshot(current)
        for key, value in facts.items():
            setattr(current, key, value)
        current.updated_at, current.updated_by = clock.now(), person(actor)
        current.version += 1
        current.save()
        record(
            action="cases.project_changed",
            actor=actor,
            obj=current,
            org_unit=current.org_unit,
            before=before,
            after=project_snapshot(current),
            request=request,
        )
    return current


def _locked_project(project, actor):
    current = (
        Project.objects.select_for_update(of=("self",))
        .select_related("org_unit", "general_contractor")
        .get(pk=project.pk)
    )
    _require(actor, current.org_unit)
    return current


def _parent_in(project, under):
    if under is None:
        return None
    if under.project_id != project.pk:
        raise Refused(_("That subcontractor is not in this project's chain."))
    return under


def _loop(node, under):
    """The firms of the loop that putting ``node`` under ``under`` would close, or None."""
    path, current = [node], under
    while current is not None:
        path.append(current)
        if current.pk == node.pk:
            return [n.contractor.name for n in reversed(path)]
        current = current.parent
    return None


def _chain_note(node):
    return {
        "contractor": node.contractor.credit_code,
        "under": node.parent.contractor.credit_code if node.parent_id else None,
        "work": node.work,
    }


def add_subcontract(*, project, contractor, actor, under=None, work="", request=None):
    """Put ``contractor`` into the project's chain, under the general contractor (``under`` None) or under a
    subcontractor already in it. A firm appears once in a chain and is never its own contractor."""
    work = (work or "").strip()
    if len(work) > Subcontract.WORK_MAX:
        raise Refused(_("The work subcontracted is longer than %(n)d characters.") % {"n": Subcontract.WORK_MAX})
    with transaction.atomic():
        project = _locked_project(project, actor)
        parent = _parent_in(project, under)
        above = parent.contractor if parent is not None else project.general_contractor
        if contractor.pk == above.pk:
            raise Refused(_("%(name)s cannot be its own subcontractor.") % {"name": contractor.name})
        if contractor.pk == project.general_contractor_id:
            raise Refused(
                _("%(name)s is this project's general contractor; a firm cannot be its own contractor.")
                % {"name": contractor.name}
            )
        if project.subcontracts.filter(contractor=contractor).exists():
            raise Refused(_("%(name)s is already in this project's chain.") % {"name": contractor.name})
        node = Subcontract.objects.create(
            project=project, contractor=contractor, parent=parent, work=work, created_by=person(actor)
        )
        record(
            action="cases.subcontract_added",
            actor=actor,
            obj=project,
            org_unit=project.org_unit,
            after=_chain_note(node),
            request=request,
        )
    return node


def move_subcontract(*, node, actor, under=None, work=None, request=None):
    """Put a subcontractor (and the firms below it) under another place of the chain, or change its work. A place
    below itself would close a loop and is refused."""
    with transaction.atomic():
        project = _locked_project(node.project, actor)
        current = Subcontract.objects.select_related("contractor", "parent__contractor").get(pk=node.pk)
        parent = _parent_in(project, under)
        if parent is not None:
            parent = Subcontract.objects.select_related("contractor").get(pk=parent.pk)
            if parent.pk == current.pk:
                raise Refused(_("%(name)s cannot be its own subcontractor.") % {"name": current.contractor.name})
            if loop := _loop(current, parent):
                raise Refused(_("The chain would go round in a loop: %(loop)s.") % {"loop": " → ".join(loop)})
        new_work = current.work if work is None else work.strip()
        if len(new_work) > Subcontract.WORK_MAX:
            raise Refused(_("The work subcontracted is longer than %(n)d characters.") % {"n": Subcontract.WORK_MAX})
        if current.parent_id == getattr(parent, "pk", None) and current.work == new_work:
            return current
        before = _chain_note(current)
        current.parent, current.work = parent, new_work
        current.save(update_fields=["parent", "work"])
        record(
            action="cases.subcontract_moved",
            actor=actor,
            obj=project,
            org_unit=project.org_unit,
            before=before,
            after=_chain_note(current),
            request=request,
        )
    return current


def remove_subcontract(*, node, actor, request=None):
    """Take a subcontractor out of the chain; one with firms below it must have them moved or removed first."""
    with transaction.atomic():
        project = _locked_project(node.project, actor)
        current = Subcontract.objects.select_related("contractor", "parent__contractor").get(pk=node.pk)
        if current.children.exists():
            raise Refused(
                _("Firms are subcontracted under %(name)s: move or remove them first.")
                % {"name": current.contractor.name}
            )
        before = _chain_note(current)
        current.delete()
        record(
            action="cases.subcontract_removed",
            actor=actor,
            obj=project,
            org_unit=project.org_unit,
            before=before,
            request=request,
        )

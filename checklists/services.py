"""Issuing lists and keeping evidence; the close-out of items is in ``workflow.py``."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.services import record
from checklists import permissions, tally
from checklists import rules as closeout_rules
from checklists.models import Category, Checklist, EventKind, Item, ItemEvent, UnitLoad
from orgs import rules as org_rules
from orgs.models import Role
from orgs.services import notify, unit_people
from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Refused


# Extension → (content types it may have, how the file must begin). Office files are zip archives.
def category(*, office_unit, name, actor):
    found, created = Category.objects.get_or_create(owner_unit=office_unit, name=name.strip())
    if created:
        record(action="checklists.category_created", actor=actor, obj=found, org_unit=office_unit, after={"name": name})
    return found


def rename_category(*, category, name, actor):
    """Rename a category of the actor's office."""
    name = name.strip()
    if category.name == name:
        return category
    before = category.name
    with transaction.atomic():
        category.name = name
        category.save(update_fields=["name"])
        record(
            action="checklists.category_renamed",
            actor=actor,
            obj=category,
            org_unit=category.owner_unit,
            before={"name": before},
            after={"name": name},
        )
    return category


def unit_loads(unit_ids, today=None):
    """Items each unit received this calendar month: its ``UnitLoad`` row, as the load table shows it."""
    month = (today or clock.today()).replace(day=1)
    return dict(UnitLoad.objects.filter(unit_id__in=unit_ids, month=month).values_list("unit_id", "items"))


def unit_load(unit, *, today=None):
    return unit_loads([unit.pk], today).get(unit.pk, 0)


def load_warning(unit, new, office):
    """What ``office`` is told before issuing ``new`` more items to a unit past its warning line (the office's
    rule); "" below it."""
    load, limit = unit_load(unit), org_rules.value(office, closeout_rules.LOAD_WARNING)
    if load + new <= limit:
        return ""
    return _(
        "This unit has received %(n)d items this month; with these %(new)d it passes the warning line of "
        "%(limit)d items."
    ) % {"n": load, "new": new, "limit": limit}


def issue_checklist(
    *, actor, responsible_unit, title, items, category=None, doc_number="", co_units=(), issued_on=None, import_key=""
):
    """Issue one list with its items to a unit of the actor's subtree.

    ``items`` are dicts with ``content``, ``standard``, ``deadline``, ``deep_review_required`` and
    ``person_in_charge``. With an ``import_key`` the same list uploaded again is found, not duplicated.
    """
    if actor is not SYSTEM and (actor is None or not actor.has_role(Role.OFFICE)):
        raise Refused(_("Only office staff issue lists."))
    office = actor.org_unit if actor is not SYSTEM else responsible_unit.parent
    for unit in (responsible_unit, *co_units):
        if actor is not SYSTEM and not unit.is_within(office):
            raise Refused(_("%(unit)s is outside your organisation.") % {"unit": unit.name})
    if not title.strip():
        raise Refused(_("Give the list a title."))
    too_long = [
        (len(title.strip()) > 200, _("title")),
        (len(doc_number) > 60, _("document number")),
        (len(import_key) > 60, _("list key")),
        *[(len(i.get("person_in_charge", "")) > 50, _("person responsible")) for i in items],
        *[(len(i["content"]) > 1000 or len(i.get("standard", "")) > 1000, _("content")) for i in items],
    ]
    for over, what in too_long:
        if over:
            raise Refused(_("The %(field)s is too long.") % {"field": what})
    if not items:
        raise Refused(_("A list needs at least one item."))
    today = clock.today()
    for item in items:
        if not item["content"].strip():
            raise Refused(_("Every item needs its content."))
        if item["deadline"] < (issued_on or today):
            raise Refused(_("A deadline (%(day)s) lies before the issue date.") % {"day": item["deadline"]})
    try:
        return _issue(
            actor,
            office,
            responsible_unit,
            title,
            items,
            category,
            doc_number,
            co_units,
            issued_on or today,
            import_key,
        )
    except IntegrityError:  # the same list key sent twice at once: the other request issued it
        return None


def _issue(actor, office, responsible_unit, title, items, category, doc_number, co_units, issued_on, import_key):
    with transaction.atomic():
        if import_key and Checklist.objects.filter(issuing_unit=office, import_key=import_key).exists():
            return None
        checklist = Checklist.objects.create(
            issuing_unit=office,
            responsible_unit=responsible_unit,
            title=title.strip(),
            doc_number=doc_number,
            category=category,
            issued_on=issued_on,
            import_key=import_key,
            created_by=person(actor),
            rules=org_rules.to_copy(office, closeout_rules.PREFIX),
        )
        closeout_rules.copied(checklist.rules)
        checklist.co_units.set(co_units)
        created = Item.objects.bulk_create(
            Item(
                checklist=checklist,
                responsible_unit=responsible_unit,
                position=i,
                content=row["content"].strip(),
                standard=row.get("standard", "").strip(),
                deadline=row["deadline"],
                original_deadline=row["deadline"],
                deep_review_required=row.get("deep_review_required", False),
                person_in_charge=row.get("person_in_charge", "").strip(),
            )
            for i, row in enumerate(items, start=1)
        )
        ItemEvent.objects.bulk_create(ItemEvent(item=item, kind=EventKind.ISSUED, actor=actor) for item in created)
        tally.issued([(checklist, len(created), {unit.pk for unit in co_units})])
        reporters = list(unit_people(responsible_unit, Role.REPORTER))
        text = _("New responsibility list: %(title)s (%(n)d items)") % {"title": checklist.title, "n": len(created)}
        url = reverse("checklists:list", args=[checklist.pk])
        transaction.on_commit(lambda: notify(users=reporters, text=text, url=url))
        record(
            action="checklists.issued",
            actor=actor,
            obj=checklist,
            org_unit=responsible_unit,
            after={"title": checklist.title, "items": len(created), "doc_number": doc_number},
        )
    return checklist


def attach_evidence(*, item, evidence, actor):
    """A unit (responsible or co-unit) attaches library evidence to an item without uploading again."""
    if not permissions.can_add_evidence(actor, item):
        raise Refused(_("Your roles or your organisation do not allow this action on this item."))
    if evidence.owner_unit_id != actor.org_unit_id:
        raise Refused(_("Only your own unit's evidence can be attached."))
    with transaction.atomic():
        evidence.items.add(item)
        ItemEvent.objects.create(
            item=item, kind=EventKind.EVIDENCE_ADDED, actor=actor, data={"evidence": evidence.pk, "name": evidence.name}
        )
        record(
            action="checklists.evidence_attached",
            actor=actor,
            obj=item,
            org_unit=item.responsible_unit,
            after={"evidence": evidence.pk},
        )


def issue_problem_lists(*, actor, findings, deadline, title, doc_number="", category=None):
    """Turn survey findings into problem lists (问题清单): one list per suggested responsible unit,
    one item per finding, each item linked back to its finding. Returns the lists issued."""
    findings = list(findings)
    if not findings:
        raise Refused(_("Choose at least one finding."))
    if any(f.suggested_unit_id is None for f in findings):
        raise Refused(_("Give every chosen finding a suggested responsible unit first."))
    if Item.objects.filter(finding__in=findings).exists():
        raise Refused(_("A chosen finding is already tracked in a problem list."))
    by_unit = {}
    for finding in findings:
        by_unit.setdefault(finding.suggested_unit, []).append(finding)
    issued = []
    with transaction.atomic():
        for unit, group in sorted(by_unit.items(), key=lambda pair: pair[0].path):
            checklist = issue_checklist(
                actor=actor,
                responsible_unit=unit,
                title=title,
                doc_number=doc_number,
                category=category,
                items=[
                    {
                        "content": f.note,
                        "standard": _("Problem found by the survey “%(survey)s”; solved and verified.")
                        % {"survey": f.questionnaire.title},
                        "deadline": deadline,
                    }
                    for f in group
                ],
            )
            for item, finding in zip(checklist.items.order_by("position"), group, strict=True):
                item.finding = finding
                item.save(update_fields=["finding"])
                record(
                    action="checklists.finding_tracked",
                    actor=actor,
                    obj=item,
                    org_unit=unit,
                    after={"finding": finding.pk},
                )
            issued.append(checklist)
    return issued

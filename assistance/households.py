"""Household files (以户为单位): create and change a household and its members, find likely duplicates and merge
or keep them, read the full record (with a reason, audited) and ask another federation's office for access.

One live file per person in the whole installation: a member's keyed ID hash is held by ``LivePerson`` (unique),
so a second filing of the same person — in this federation or another, now or at the same moment — is refused by
the database itself; the refusal names the file's unit only to someone who may read it.

Every change runs in one transaction with its ``Event`` row and its audit record; ``actor=SYSTEM`` is the
platform (the demo, the phone application form)."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from assistance import identity
from assistance.models import (
    LIVE_STATUSES,
    AccessRequest,
    Event,
    EventKind,
    FileStatus,
    Household,
    LivePerson,
    Member,
    Relation,
)
from audit.masking import mask_phone
from audit.services import record
from orgs.models import OrgKind, Role
from orgs.queries import root_unit
from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Conflict, Refused

ACCESS_HOURS = 24
FILE_CHANGED = _("This file was changed by someone else since you read it; read it again and retry.")
# Units a file may be filed under: a federation, a town union, a grassroots union or an enterprise's union.
FILING_KINDS = {OrgKind.PROVINCE, OrgKind.CITY, OrgKind.COUNTY, OrgKind.TOWN, OrgKind.GRASSROOTS, OrgKind.ENTERPRISE}
EDITABLE = {FileStatus.APPLIED, FileStatus.FIRST_CHECKED, FileStatus.TEMPORARY}
FACTS = (
    "head_name",
    "identity",
    "employer",
    "address",
    "phone",
    "bank_name",
    "bank_account",
    "main_cause",
    "other_causes",
    "annual_income",
    "rigid_expenses",
    "accident_costs",
)


# --- who may act --------------------------------------------------------------------------------------------------


def _business(user):
    return user is not SYSTEM and user is not None and root_unit(user) is not None


def can_file(user, unit=None):
    """Office staff and reporters file applications for their own unit's subtree (a reporter for their unit)."""
    if user is SYSTEM:
        return True
    if not _business(user) or not user.has_role(Role.OFFICE, Role.REPORTER):
        return False
    if unit is None:
        return True
    if unit.kind not in FILING_KINDS:
        return False
    if user.has_role(Role.OFFICE):
        return unit.is_within(user.org_unit)
    return unit.pk == user.org_unit_id


def can_manage(user, household):
    """The managing unit's office: the office staff of a unit whose subtree holds the file's unit."""
    if user is SYSTEM:
        return True
    return _business(user) and user.has_role(Role.OFFICE) and household.org_unit.is_within(user.org_unit)


def can_edit(user, household):
    """Facts and members change while the file is being examined (or is a temporary-aid file): by its managing
    office, or by a reporter of the unit it was filed under."""
    if household.status not in EDITABLE:
        return False
    if can_manage(user, household):
        return True
    return _business(user) and user.has_role(Role.REPORTER) and household.org_unit_id == user.org_unit_id


def can_view_full(user, household):
    """The full record (ID numbers, phone, bank account): the managing office, with a reason each time."""
    return can_manage(user, household)


def granted_access(user, household, now=None):
    """An access request of ``user`` to ``household`` granted and not yet expired, or None."""
    if user is SYSTEM or user is None or not getattr(user, "is_authenticated", False):
        return None
    now = now or clock.now()
    return (
        AccessRequest.objects.filter(household=household, requester=user, granted=True, expires_at__gt=now)
        .order_by("-expires_at")
        .first()
    )


def can_decide_access(user, access):
    return access.granted is None and can_manage(user, access.household)


# --- checks ---------------------------------------------------------------------------------------------------------


def id_problem(raw):
    return identity.problem(identity.normalise(raw))


def taken_message(id_hash, actor):
    """A person already in a live file: the file named only to someone who may read it. ``SYSTEM`` files for the
    public doors (the worker's own application form), where whoever typed the ID number may read no file: they
    learn only that the person is already filed, never whose file, its number or its union."""
    held = LivePerson.objects.filter(id_hash=id_hash).select_related("member__household__org_unit").first()
    if held is None:
        return None
    if actor is SYSTEM:
        return _("This ID number already has a live application or file: please contact your union.")
    household = held.member.household
    unit = root_unit(actor)
    if unit is not None and household.org_unit.is_within(unit):
        return _("%(name)s is already in the live file %(number)s of %(unit)s: one household per person.") % {
            "name": held.member.name,
            "number": household.number,
            "unit": household.org_unit.name,
        }
    return _(
        "This person is already in a live hardship file of another federation: one household per person. Ask the "
        "office of your federation to settle it with the other federation (an access request names the file)."
    )


def _money_problem(facts):
    for name in ("annual_income", "rigid_expenses", "accident_costs"):
        value = facts.get(name)
        if value is not None and value < 0:
            return _("Income, expenses and costs cannot be negative.")
    return None


def pinyin_of(name):
    return " ".join(lazy_pinyin(name or ""))


def _next_number(unit, today):
    prefix = f"KN{today:%Y}-{unit.pk:04d}-"
    taken = Household.objects.filter(number__startswith=prefix).count()
    n = taken + 1
    while Household.objects.filter(number=f"{prefix}{n:05d}").exists():
        n += 1
    return f"{prefix}{n:05d}"


def event(household, kind, actor, note="", **data):
    return Event.objects.create(household=household, kind=kind, actor=person(actor), note=note, data=data)


def _audit(action, actor, household, request=None, before=None, after=None, message=""):
    record(
        action=f"assistance.{action}",
        actor=person(actor),
        actor_username="system" if actor is SYSTEM else "",
        obj=household,
        org_unit=household.org_unit,
        before=before,
        after=after,
        message=message,
        request=request,
    )


def _add_members(household, members, actor):
    """Create the members and hold their live hashes; a person already held anywhere is refused."""
    seen = set()
    for row in members:
        number = identity.normalise(row["id_number"])
        problem = identity.problem(number)
        if problem:
            raise Refused(_("%(name)s: %(problem)s") % {"name": row["name"], "problem": problem})
        born, region, masked, hashed = identity.facts(number)
        if hashed in seen or household.members.filter(id_hash=hashed).exists():
            raise Refused(_("%(name)s is entered twice in this household.") % {"name": row["name"]})
        seen.add(hashed)
        message = taken_message(hashed, actor)
        if message:
            raise Refused(message)
        if (row.get("annual_income") or 0) < 0:
            raise Refused(_("Income, expenses and costs cannot be negative."))
        member = Member.objects.create(
            household=household,
            name=row["name"],
            relation=row.get("relation") or Relation.OTHER,
            id_number=number,
            id_hash=hashed,
            id_masked=masked,
            birth_date=born,
            region_code=region,
            health=row.get("health") or "healthy",
            work=row.get("work") or "employed",
            annual_income=row.get("annual_income") or 0,
        )
        try:
            with transaction.atomic():
                LivePerson.objects.create(id_hash=hashed, member=member)
        except IntegrityError:
            # Filed elsewhere at the same moment: the other filing won.
            raise Refused(
                taken_message(hashed, actor)
                or _("This person was filed in another live file at the same moment: one household per person.")
            ) from None


# --- households -------------------------------------------------------------------------------------------------------


def create_household(
    *, actor, org_unit, facts, members, status=FileStatus.APPLIED, files=(), declared_size=None, request=None
):
    """File a household under ``org_unit``: ``facts`` (see ``FACTS``) and ``members`` (dicts: name, id_number,
    relation, health, work, annual_income; the first is the head). ``status`` is APPLIED (an application) or
    TEMPORARY (a temporary-aid file). ``files`` are evidence already kept (``evidence.services.keep``).
    ``declared_size`` is the household size a worker states on the phone form (only the head is entered there);
    it is kept on the APPLIED event."""
    if status not in (FileStatus.APPLIED, FileStatus.TEMPORARY):
        raise Refused(_("A new file is an application or a temporary-aid file."))
    if not can_file(actor, org_unit):
        raise Refused(_("Only office staff and reporters file hardship applications, for their own organisation."))
    if status == FileStatus.TEMPORARY and actor is not SYSTEM and not actor.has_role(Role.OFFICE):
        raise Refused(_("Only office staff open temporary-aid files."))
    if not members:
        raise Refused(_("A household has a head: enter at least one person."))
    problem = _money_problem(facts)
    if problem:
        raise Refused(problem)
    today = clock.today()
    members = [dict(m) for m in members]
    members[0]["relation"] = Relation.HEAD
    for m in members[1:]:
        if m.get("relation") == Relation.HEAD:
            m["relation"] = Relation.OTHER
    with transaction.atomic():
        household = Household.objects.create(
            org_unit=org_unit,
            number=_next_number(org_unit, today),
            status=status,
            head_name=members[0]["name"],
            head_pinyin=pinyin_of(members[0]["name"]),
            identity=facts.get("identity") or "worker",
            employer=facts.get("employer", ""),
            employer_union=facts.get("employer_union"),
            address=facts.get("address", ""),
            phone=facts.get("phone", ""),
            phone_hash=_phone_hash(facts.get("phone", "")),
            bank_name=facts.get("bank_name", ""),
            bank_account=facts.get("bank_account", ""),
            main_cause=facts.get("main_cause") or "other",
            other_causes=list(facts.get("other_causes") or []),
            annual_income=facts.get("annual_income") or 0,
            rigid_expenses=facts.get("rigid_expenses") or 0,
            accident_costs=facts.get("accident_costs") or 0,
            applied_on=today,
            created_by=person(actor),
        )
        _add_members(household, members, actor)
        if files:
            household.attachments.add(*files)
        kind = EventKind.APPLIED
        data = {"status": status, "source": facts.get("source", "staff")}
        if declared_size is not None:
            data["declared_size"] = declared_size
        event(household, kind, actor, **data)
        _audit(
            "household_filed",
            actor,
            household,
            request,
            after={"number": household.number, "status": status, "members": len(members), "phone": household.phone},
        )
    return household


def _phone_hash(phone):
    from qingdan.protect import lookup_hash

    return lookup_hash(phone, "phone") if phone else ""


def _lock(household, version):
    locked = Household.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=household.pk)
    if version is not None and locked.version != version:
        raise Conflict(FILE_CHANGED)
    return locked


def _bump(household, fields):
    household.version += 1
    household.updated_at = clock.now()
    household.save(update_fields=[*fields, "version", "updated_at"])


def update_household(*, household, actor, version, facts, request=None):
    """Change the facts of a file still being examined; the change is on its timeline."""
    if not can_edit(actor, household):
        raise Refused(_("This file cannot be changed now, or not by you."))
    problem = _money_problem(facts)
    if problem:
        raise Refused(problem)
    with transaction.atomic():
        locked = _lock(household, version)
        if not can_edit(actor, locked):
            raise Refused(_("This file cannot be changed now, or not by you."))
        changed = {}
        for name in FACTS:
            if name in facts and name != "head_name" and getattr(locked, name) != facts[name]:
                changed[name] = (getattr(locked, name), facts[name])
                setattr(locked, name, facts[name])
        if "phone" in changed:
            locked.phone_hash = _phone_hash(locked.phone)
        if not changed:
            return locked
        _bump(locked, [*changed, "phone_hash"])
        shown = {k: (mask_phone(v[1]) if k == "phone" else _shown(k, v[1])) for k, v in changed.items()}
        event(locked, EventKind.CHANGED, actor, changed=shown)
        _audit(
            "household_changed",
            actor,
            locked,
            request,
            before={k: str(v[0]) for k, v in changed.items()},
            after={k: str(v[1]) for k, v in changed.items()},
        )
    return locked


def _shown(key, value):
    if key == "bank_account":
        return bank_masked(value)
    return str(value)


def add_member(*, household, actor, version, member, request=None):
    """Add a person to a file still being examined (e.g. after a phone application that named the head only)."""
    if not can_edit(actor, household):
        raise Refused(_("This file cannot be changed now, or not by you."))
    with transaction.atomic():
        locked = _lock(household, version)
        if member.get("relation") == Relation.HEAD:
            member = {**member, "relation": Relation.OTHER}
        _add_members(locked, [member], actor)
        _bump(locked, [])
        event(locked, EventKind.CHANGED, actor, added=member["name"])
        _audit("member_added", actor, locked, request, after={"name": member["name"]})
    return locked


def bank_masked(account):
    account = account or ""
    return f"****{account[-4:]}" if account else ""


# --- duplicates -------------------------------------------------------------------------------------------------------


def likely_duplicates(user, household):
    """Other live files the user sees with the same head's name in pinyin or the same address, unless kept apart."""
    from assistance.scope import visible_households

    kept = set()
    for data in Event.objects.filter(
        household=household, kind=EventKind.CHANGED, data__has_key="kept_apart"
    ).values_list("data", flat=True):
        kept.add(data["kept_apart"])
    for data in Event.objects.filter(kind=EventKind.CHANGED, data__kept_apart=household.pk).values_list(
        "household_id", flat=True
    ):
        kept.add(data)
    match = Q(head_pinyin=household.head_pinyin) if household.head_pinyin else Q(pk__in=[])
    if household.address:
        match |= Q(address=household.address)
    return list(
        visible_households(user)
        .filter(match, status__in=LIVE_STATUSES)
        .exclude(pk=household.pk)
        .exclude(pk__in=kept)
        .select_related("org_unit")
        .prefetch_related("members")[:10]
    )


def merge(*, keep, drop, actor, version_keep, version_drop, request=None):
    """Merge two files of one household: the members of ``drop`` not in ``keep`` move to ``keep``, ``drop`` is
    cancelled with a note, both timelines say so."""
    if keep.pk == drop.pk:
        raise Refused(_("A file cannot be merged with itself."))
    if not (can_manage(actor, keep) and can_manage(actor, drop)):
        raise Refused(_("Only the office managing both files merges them."))
    with transaction.atomic():
        first, second = sorted([(keep, version_keep), (drop, version_drop)], key=lambda p: p[0].pk)
        locked = {h.pk: _lock(h, v) for h, v in (first, second)}
        keep, drop = locked[keep.pk], locked[drop.pk]
        if drop.status not in LIVE_STATUSES or keep.status not in LIVE_STATUSES:
            raise Refused(_("Only live files are merged."))
        held = set(keep.members.values_list("id_hash", flat=True))
        moved = []
        for member in drop.members.all():
            if member.id_hash in held:
                LivePerson.objects.filter(member=member).delete()
                continue
            member.household = keep
            if member.relation == Relation.HEAD:
                member.relation = Relation.OTHER
            member.save(update_fields=["household", "relation"])
            moved.append(member.name)
        LivePerson.objects.filter(member__household=drop).delete()
        drop.status = FileStatus.CANCELLED
        _bump(drop, ["status"])
        _bump(keep, [])
        event(
            drop, EventKind.CANCELLED, actor, _("Merged into %(number)s") % {"number": keep.number}, merged_into=keep.pk
        )
        event(
            keep,
            EventKind.CHANGED,
            actor,
            _("Merged from %(number)s") % {"number": drop.number},
            merged_from=drop.pk,
            moved=moved,
        )
        _audit(
            "households_merged",
            actor,
            keep,
            request,
            after={"kept": keep.number, "cancelled": drop.number, "moved": moved},
        )
    return keep


def keep_apart(*, household, other, actor, request=None):
    """Two files that look alike but are two households: recorded, no longer offered as duplicates."""
    if not (can_manage(actor, household) and can_manage(actor, other)):
        raise Refused(_("Only the office managing both files decides on them."))
    with transaction.atomic():
        event(
            household,
            EventKind.CHANGED,
            actor,
            _("Kept apart from %(number)s") % {"number": other.number},
            kept_apart=other.pk,
        )
        _audit("households_kept_apart", actor, household, request, after={"other": other.number})


# --- the full record ----------------------------------------------------------------------------------------------------


def full_view(*, household, actor, reason, request=None):
    """The record unmasked, for the managing office or a granted access request; the reason is kept on the
    timeline and in the audit trail. Returns ``{"phone", "bank_account", "members": [(name, id_number)]}``."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Type the reason for reading the full record."))
    access = None
    if not can_view_full(actor, household):
        access = granted_access(actor, household)
        if access is None:
            raise Refused(_("Only the office managing this file reads its full record."))
    with transaction.atomic():
        event(household, EventKind.FULL_VIEW, actor, reason, access=access.pk if access else None)
        _audit(
            "full_view",
            actor,
            household,
            request,
            message=reason[:300],
            after={"access": access.pk if access else None},
        )
    return {
        "phone": household.phone,
        "bank_account": household.bank_account,
        "members": [(m.name, m.id_number) for m in household.members.all()],
    }


def request_access(*, id_number, actor, reason, request=None):
    """Ask the office managing the live file that holds ``id_number`` to let ``actor`` read it."""
    if not _business(actor) or not actor.has_role(Role.OFFICE):
        raise Refused(_("Only office staff ask for access to another federation's file."))
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Type the reason for your request."))
    number = identity.normalise(id_number)
    problem = identity.problem(number)
    if problem:
        raise Refused(problem)
    held = LivePerson.objects.filter(id_hash=identity.facts(number)[3]).select_related("member__household").first()
    if held is None:
        raise Refused(_("No live file holds this ID number."))
    household = held.member.household
    with transaction.atomic():
        access = AccessRequest.objects.create(household=household, requester=actor, reason=reason)
        _audit("access_requested", actor, household, request, message=reason[:300])
    return access


def decide_access(*, access, actor, grant, request=None):
    """Grant (for ``ACCESS_HOURS``) or refuse an access request: the managing office."""
    with transaction.atomic():
        access = AccessRequest.objects.select_for_update().select_related("household__org_unit").get(pk=access.pk)
        if not can_decide_access(actor, access):
            raise Refused(_("This request is decided already, or not by you."))
        access.granted = bool(grant)
        access.decided_by = person(actor)
        access.decided_at = clock.now()
        access.expires_at = access.decided_at + timedelta(hours=ACCESS_HOURS) if grant else None
        access.save(update_fields=["granted", "decided_by", "decided_at", "expires_at"])
        _audit("access_decided", actor, access.household, request, after={"granted": access.granted})
    return access


def evidence_seen_through(user):
    """Files attached to a household (its evidence, its signed authorisation) are downloadable by whoever sees the
    household (``evidence.access``)."""
    from django.db.models import Exists, OuterRef

    from assistance.scope import visible_households

    seen = visible_households(user)
    attached = Household.attachments.through.objects.filter(evidence_id=OuterRef("pk"), household__in=seen.values("pk"))
    return Q(Exists(attached)) | Q(pk__in=seen.exclude(authorisation=None).values("authorisation_id"))

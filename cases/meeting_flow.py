"""Every change to a joint meeting (联席会议): record it with its decisions and files, add decisions and files
later, and turn a decision into a responsibility-list item that is closed out through the close-out area's four
procedures (``checklists.services.issue_checklist``). Each function checks the actor's right (``can_<action>``,
which the pages ask too) and writes its audit row in the same transaction."""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record
from cases.models import JointMeeting, MeetingDecision
from cases.models.demands import TEXT_MAX
from cases.models.registry import REGISTRY_KINDS
from checklists.services import issue_checklist
from orgs.models import OrgKind, Role
from orgs.queries import root_unit
from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Conflict, Refused

TITLE_MAX = 200
DECISIONS_MAX = 30
STANDARD_MAX = 1000
CONTENT_MAX = 1000  # a list item's content (checklists)


# --- who may act --------------------------------------------------------------------------------------------------


def can_record_meeting(user, enterprise=None):
    """Office staff of a federation or a town union, for an enterprise registered in their subtree; a town
    union's reporter, for an enterprise of their town."""
    if user is SYSTEM:
        return True
    unit = root_unit(user)
    if unit is None:
        return False
    office = user.has_role(Role.OFFICE) and unit.kind in REGISTRY_KINDS
    town_reporter = user.has_role(Role.REPORTER) and unit.kind == OrgKind.TOWN
    if not (office or town_reporter):
        return False
    return enterprise is None or enterprise.org_unit.is_within(unit)


def can_change_meeting(user, meeting):
    """Add decisions and files: whoever may record a meeting of its enterprise, within the meeting's unit."""
    if user is SYSTEM:
        return True
    unit = root_unit(user)
    return unit is not None and meeting.org_unit.is_within(unit) and can_record_meeting(user, meeting.enterprise)


def can_make_item(user, decision):
    """Turn a decision into a list item: office staff (who issue lists) over the meeting, once per decision."""
    if decision.item_id is not None:
        return False
    if user is SYSTEM:
        return True
    unit = root_unit(user)
    return (
        unit is not None
        and user.has_role(Role.OFFICE)
        and unit.kind in REGISTRY_KINDS
        and decision.meeting.org_unit.is_within(unit)
    )


def item_unit(meeting):
    """The unit a decision's item goes to by default: the enterprise's own union, when the tree holds one."""
    return meeting.enterprise.union_unit


# --- checks -------------------------------------------------------------------------------------------------------


def _text(value, *, what, most, required=True):
    value = (value or "").strip()
    if required and not value:
        raise Refused(_("Write %(what)s.") % {"what": what})
    if len(value) > most:
        raise Refused(_("The %(what)s is longer than %(n)d characters.") % {"what": what, "n": most})
    return value


def _decisions(contents):
    found = [(c or "").strip() for c in contents]
    found = [c for c in found if c]
    if len(found) > DECISIONS_MAX:
        raise Refused(_("A meeting records at most %(n)d decisions at once.") % {"n": DECISIONS_MAX})
    for content in found:
        if len(content) > CONTENT_MAX:
            raise Refused(_("A decision is longer than %(n)d characters.") % {"n": CONTENT_MAX})
    return found


def _snapshot(meeting):
    return {
        "enterprise": meeting.enterprise_id,
        "held_on": meeting.held_on,
        "title": meeting.title,
        "decisions": meeting.decisions.count(),
        "attachments": sorted(meeting.attachments.values_list("pk", flat=True)),
    }


# --- recording ----------------------------------------------------------------------------------------------------


def record_meeting(
    *, actor, enterprise, held_on, title, participants, minutes="", decisions=(), attachments=(), request=None
):
    """Record a meeting of ``enterprise``'s union and its management, registered under the enterprise's unit,
    with its ``decisions`` (texts) and ``attachments`` (library evidence)."""
    if enterprise is None:
        raise Refused(_("Choose the enterprise."))
    if not can_record_meeting(actor):
        raise Refused(_("Only office staff or a town union's reporter record joint meetings."))
    if not can_record_meeting(actor, enterprise):
        raise Refused(_("%(name)s is not registered in your organisation.") % {"name": enterprise.name})
    title = _text(title, what=_("the subject"), most=TITLE_MAX)
    participants = _text(participants, what=_("the participants"), most=TEXT_MAX)
    minutes = _text(minutes, what=_("the minutes"), most=TEXT_MAX, required=False)
    contents = _decisions(decisions)
    if held_on is None:
        raise Refused(_("Give the date of the meeting."))
    if held_on > clock.today():
        raise Refused(_("A meeting is recorded after it is held: the date cannot be after today."))
    with transaction.atomic():
        meeting = JointMeeting.objects.create(
            enterprise=enterprise,
            org_unit=enterprise.org_unit,
            held_on=held_on,
            title=title,
            participants=participants,
            minutes=minutes,
            created_by=person(actor),
        )
        MeetingDecision.objects.bulk_create(MeetingDecision(meeting=meeting, content=c) for c in contents)
        meeting.attachments.set(attachments)
        record(
            action="cases.meeting_recorded",
            actor=actor,
            obj=meeting,
            org_unit=meeting.org_unit,
            after=_snapshot(meeting),
            request=request,
        )
    return meeting


def add_to_meeting(*, meeting, actor, version, decisions=(), attachments=(), request=None):
    """Add decisions (texts) and files (library evidence) to a recorded meeting."""
    contents = _decisions(decisions)
    if not contents and not attachments:
        raise Refused(_("Write a decision or choose a file to add."))
    with transaction.atomic():
        current = (
            JointMeeting.objects.select_for_update(of=("self",))
            .select_related("org_unit", "enterprise__org_unit")
            .get(pk=meeting.pk)
        )
        if not can_change_meeting(actor, current):
            raise Refused(_("Only office staff or the town union's reporter change this meeting."))
        if current.version != version:
            raise Conflict(_("This meeting was changed by someone else since you read it; nothing was saved."))
        if current.decisions.count() + len(contents) > DECISIONS_MAX * 2:
            raise Refused(_("A meeting records at most %(n)d decisions.") % {"n": DECISIONS_MAX * 2})
        before = _snapshot(current)
        MeetingDecision.objects.bulk_create(MeetingDecision(meeting=current, content=c) for c in contents)
        current.attachments.add(*attachments)
        current.version += 1
        current.save(update_fields=["version"])
        record(
            action="cases.meeting_changed",
            actor=actor,
            obj=current,
            org_unit=current.org_unit,
            before=before,
            after=_snapshot(current),
            request=request,
        )
    return current


def decision_to_item(*, decision, actor, deadline, standard, responsible_unit=None, request=None):
    """Issue the decision as a one-item responsibility list (``checklists.services.issue_checklist``) to the
    enterprise's own union unit, or, when the tree holds none, to ``responsible_unit`` of the actor's subtree;
    the decision keeps the item's id. Returns the item."""
    standard = _text(standard, what=_("the completion standard"), most=STANDARD_MAX)
    if deadline is None:
        raise Refused(_("Give the deadline."))
    with transaction.atomic():
        current = (
            MeetingDecision.objects.select_for_update(of=("self",))
            .select_related("meeting__org_unit", "meeting__enterprise__union_unit")
            .get(pk=decision.pk)
        )
        if current.item_id is not None:
            raise Refused(_("This decision is already a list item."))
        if not can_make_item(actor, current):
            raise Refused(_("Only office staff turn a meeting's decision into a list item."))
        meeting = current.meeting
        unit = item_unit(meeting) or responsible_unit
        if unit is None:
            raise Refused(
                _("%(name)s has no union unit in the org tree: choose the unit responsible for the item.")
                % {"name": meeting.enterprise.name}
            )
        content = current.content[:CONTENT_MAX]
        checklist = issue_checklist(
            actor=actor,
            responsible_unit=unit,
            title=_("Decision of the joint meeting “%(title)s” (%(day)s)")
            % {"title": meeting.title[:120], "day": meeting.held_on},
            items=[{"content": content, "standard": standard, "deadline": deadline}],
        )
        item = checklist.items.get()
        current.item_id = item.pk
        current.save(update_fields=["item_id"])
        record(
            action="cases.meeting_decision_listed",
            actor=actor,
            obj=meeting,
            org_unit=meeting.org_unit,
            after={"decision": current.pk, "item": item.pk, "unit": unit.code},
            request=request,
        )
    return item

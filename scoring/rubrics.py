"""Building a rubric (考核办法): sections, criteria and the checks that keep them adding up.

A section's points equal the sum of its subsections' and criteria's points; the top sections add
up to full marks. Deductions (negative per-occurrence criteria) and vetoes add nothing to a maximum.
While a rubric is being built it may fall short; ``problems()`` says where, and a round refuses a
rubric that has any. Once a round uses a rubric it is frozen.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record
from orgs.models import Role
from qingdan import clock, metrics
from qingdan.errors import Refused
from scoring.models import Criterion, Kind, Rubric, Section
from scoring.workflow import to_points

ZERO = Decimal(0)


def is_rubric_office(user, rubric):
    """Office staff of the rubric's own office or an office above it: the people who may change it."""
    return user.has_role(Role.OFFICE) and rubric.owner_unit.is_within(user.org_unit)


def _may_change(actor, rubric):
    if not is_rubric_office(actor, rubric):
        raise Refused(_("Only the office that owns this rubric can change it."))
    _editable(rubric)


def _editable(rubric):
    if rubric.frozen_at is not None:
        raise Refused(_("This rubric is used by an assessment round and can no longer change; copy it instead."))


def create_rubric(*, actor, name, year, full_marks, excellent_from, good_from, pass_from, max_manual_share=None):
    """A new, empty rubric of the actor's office."""
    if not actor.has_role(Role.OFFICE):
        raise Refused(_("Only office staff write rubrics."))
    full = to_points(full_marks, _("Full marks"))
    if full <= 0:
        raise Refused(_("Full marks must be more than 0."))
    grades = [to_points(v, _("A grade threshold")) for v in (excellent_from, good_from, pass_from)]
    if not full >= grades[0] > grades[1] > grades[2] >= 0:
        raise Refused(_("Grade thresholds must fall from excellent to pass, within full marks."))
    share = None
    if max_manual_share not in (None, ""):
        share = to_points(max_manual_share, _("The share judged by hand"))
        if share > 100:
            raise Refused(_("The share judged by hand is a percentage from 0 to 100."))
    if Rubric.objects.filter(owner_unit=actor.org_unit, name=name, year=year).exists():
        raise Refused(_("Your office already has a rubric of this name for this year."))
    with transaction.atomic():
        rubric = Rubric.objects.create(
            owner_unit=actor.org_unit,
            name=name,
            year=year,
            full_marks=full,
            excellent_from=grades[0],
            good_from=grades[1],
            pass_from=grades[2],
            max_manual_share=share,
            created_by=actor,
        )
        record(action="scoring.rubric_created", actor=actor, obj=rubric, org_unit=actor.org_unit, after={"name": name})
    return rubric


def _check_room(rubric, parent, adding, exclude_section=None):
    """Refuse a section that would take its parent (or the rubric) past its points."""
    siblings = Section.objects.filter(rubric=rubric, parent=parent).exclude(pk=exclude_section)
    used = sum((s.max_points for s in siblings), ZERO)
    if parent is not None:
        used += sum((c.counts_to_full_marks for c in parent.criteria.all()), ZERO)
    limit = parent.max_points if parent is not None else rubric.full_marks
    if used + adding > limit:
        where = parent.name if parent is not None else _("full marks")
        raise Refused(
            _("That makes %(used)s points, more than the %(limit)s of %(where)s.")
            % {"used": used + adding, "limit": limit, "where": where}
        )


def add_section(*, rubric, actor, name, max_points, parent=None, floor=None):
    """A section (or a subsection under ``parent``); refused when it would exceed the points above it."""
    _may_change(actor, rubric)
    points = to_points(max_points, _("Section points"))
    if parent is not None and parent.rubric_id != rubric.pk:
        raise Refused(_("That section belongs to another rubric."))
    low = None
    if floor not in (None, ""):
        low = to_points(floor, _("Lowest score"), allow_negative=True)
        if low > 0:
            raise Refused(_("The lowest score of a section is 0 or below."))
    with transaction.atomic():
        _editable(Rubric.objects.select_for_update().get(pk=rubric.pk))  # a round may have frozen it meanwhile
        _check_room(rubric, parent, points)
        position = Section.objects.filter(rubric=rubric, parent=parent).count()
        section = Section.objects.create(
            rubric=rubric, parent=parent, name=name, max_points=points, floor=low, position=position
        )
        record(action="scoring.section_added", actor=actor, obj=rubric, after={"section": name, "points": points})
    return section


def _tiers(raw, max_points):
    if not isinstance(raw, list | tuple):
        raise Refused(_("Each tier needs a threshold (%) and its points."))
    tiers = []
    for row in raw:
        try:
            start, points = Decimal(str(row["from"])), Decimal(str(row["points"]))
        except (KeyError, TypeError, InvalidOperation):
            raise Refused(_("Each tier needs a threshold (%) and its points.")) from None
        if not (start.is_finite() and points.is_finite()):
            raise Refused(_("Each tier needs a threshold (%) and its points."))
        if not 0 <= start <= 100:
            raise Refused(_("A tier threshold is a percentage from 0 to 100."))
        if not 0 < points <= max_points:
            raise Refused(_("A tier's points must be more than 0 and at most the criterion's points."))
        tiers.append((start, points))
    if not tiers:
        raise Refused(_("A tiered criterion needs at least one tier."))
    tiers.sort(reverse=True)
    for (high, high_points), (low, low_points) in zip(tiers, tiers[1:], strict=False):
        if high == low:
            raise Refused(_("Two tiers start at %(from)s%%: thresholds must not overlap.") % {"from": high})
        if low_points >= high_points:
            raise Refused(_("A lower threshold must give fewer points than a higher one."))
    return [{"from": str(start), "points": str(points)} for start, points in tiers]


def _metric_of(key, kinds):
    entry = metrics.get(key) if key else None
    if entry is None:
        planned = {k: label for k, label, _kind, _area in metrics.planned()}
        if key in planned:
            raise Refused(_("The metric “%(name)s” is not available yet.") % {"name": planned[key]})
        raise Refused(_("Choose a metric."))
    if entry.kind not in kinds:
        raise Refused(_("The metric “%(name)s” does not fit this kind of criterion.") % {"name": entry.label})
    return entry


def clean_criterion(*, kind, max_points=0, metric="", tiers=(), points_each=None, cap=None, condition_by=None):
    """Check a criterion's declaration; returns the cleaned fields or raises Refused."""
    if kind not in Kind.values:
        raise Refused(_("Unknown kind of criterion."))
    fields = {"kind": kind, "metric": "", "tiers": [], "points_each": None, "cap": None, "condition_by": None}
    maximum = to_points(max_points or 0, _("Criterion points"))
    if kind in (Kind.MANUAL, Kind.RATIO, Kind.TIERED, Kind.CONDITION) and maximum <= 0:
        raise Refused(_("The criterion's points must be more than 0."))
    if kind in (Kind.RATIO, Kind.TIERED):
        fields["metric"] = _metric_of(metric, {metrics.RATE}).key
    if kind == Kind.TIERED:
        fields["tiers"] = _tiers(tiers, maximum)
    if kind == Kind.PER_OCCURRENCE:
        fields["metric"] = _metric_of(metric, {metrics.COUNT}).key
        each = to_points(points_each if points_each not in (None, "") else 0, _("Points each"), allow_negative=True)
        if each == 0:
            raise Refused(_("Points each must be above or below 0."))
        limit = to_points(cap, _("The cap")) if cap not in (None, "") else None
        if each > 0 and not limit:
            raise Refused(_("A bonus per occurrence needs a cap."))
        fields.update(points_each=each, cap=limit)
        maximum = limit if each > 0 else ZERO
    if kind == Kind.CONDITION:
        if not isinstance(condition_by, date):
            raise Refused(_("Give the date by which the condition must hold."))
        fields["condition_by"] = condition_by
        fields["metric"] = _metric_of(metric, {metrics.DATE}).key if metric else ""
    if kind == Kind.VETO:
        fields["metric"] = _metric_of(metric, {metrics.COUNT}).key if metric else ""
        maximum = ZERO
    fields["max_points"] = maximum
    return fields


def add_criterion(*, section, actor, name, description="", reason_required=True, **declaration):
    """A criterion in ``section``; refused when its points would exceed the section's."""
    rubric = section.rubric
    _may_change(actor, rubric)
    fields = clean_criterion(**declaration)
    with transaction.atomic():
        _editable(Rubric.objects.select_for_update().get(pk=rubric.pk))  # a round may have frozen it meanwhile
        criterion = Criterion(
            section=section, name=name, description=description, reason_required=reason_required, **fields
        )
        used = sum((s.max_points for s in section.children.all()), ZERO) + sum(
            (c.counts_to_full_marks for c in section.criteria.all()), ZERO
        )
        if used + criterion.counts_to_full_marks > section.max_points:
            raise Refused(
                _("That makes %(used)s points, more than the %(limit)s of %(where)s.")
                % {"used": used + criterion.counts_to_full_marks, "limit": section.max_points, "where": section.name}
            )
        criterion.position = section.criteria.count()
        criterion.save()
        record(
            action="scoring.criterion_added", actor=actor, obj=rubric, after={"criterion": name, "kind": fields["kind"]}
        )
    return criterion


def remove_section(*, section, actor):
    _may_change(actor, section.rubric)
    with transaction.atomic():
        record(action="scoring.section_removed", actor=actor, obj=section.rubric, before={"section": section.name})
        section.delete()


def remove_criterion(*, criterion, actor):
    rubric = criterion.section.rubric
    _may_change(actor, rubric)
    with transaction.atomic():
        record(action="scoring.criterion_removed", actor=actor, obj=rubric, before={"criterion": criterion.name})
        criterion.delete()


def tree(rubric):
    """The rubric as nested ``(section, criteria, children)`` in order, read in two queries."""
    sections = list(rubric.sections.all())
    criteria = {}
    for criterion in Criterion.objects.filter(section__rubric=rubric).order_by("position", "id"):
        criteria.setdefault(criterion.section_id, []).append(criterion)
    children = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section)

    def build(parent_id):
        return [(s, criteria.get(s.pk, []), build(s.pk)) for s in children.get(parent_id, [])]

    return build(None)


def all_criteria(rubric):
    """The rubric's criteria in reading order (section by section, depth first)."""
    found = []

    def walk(nodes):
        for _section, criteria, children in nodes:
            found.extend(criteria)
            walk(children)

    walk(tree(rubric))
    return found


def shares(rubric):
    """Points of full marks computed from records and judged by hand: ``(computed, manual)``."""
    computed = manual = ZERO
    for criterion in all_criteria(rubric):
        if criterion.is_computed:
            computed += criterion.counts_to_full_marks
        else:
            manual += criterion.counts_to_full_marks
    return computed, manual


def problems(rubric):
    """What keeps the rubric from being used: sections not adding up, a share judged by hand too big."""
    found = []
    nodes = tree(rubric)
    top = sum((section.max_points for section, _c, _k in nodes), ZERO)
    if not nodes:
        found.append(_("The rubric has no sections."))
    elif top != rubric.full_marks:
        found.append(
            _("The sections add up to %(sum)s points, not the full marks of %(full)s.")
            % {"sum": top, "full": rubric.full_marks}
        )

    def walk(items):
        for section, criteria, children in items:
            inside = sum((child.max_points for child, _c, _k in children), ZERO) + sum(
                (c.counts_to_full_marks for c in criteria), ZERO
            )
            if inside != section.max_points:
                found.append(
                    _("“%(name)s” has %(points)s points but its parts add up to %(sum)s.")
                    % {"name": section.name, "points": section.max_points, "sum": inside}
                )
            if not criteria and not children:
                found.append(_("“%(name)s” has no criteria.") % {"name": section.name})
            walk(children)

    walk(nodes)
    if rubric.max_manual_share is not None and rubric.full_marks:
        _computed, manual = shares(rubric)
        share = manual * 100 / rubric.full_marks
        if share > rubric.max_manual_share:
            found.append(
                _("%(share)s%% of full marks is judged by hand; this rubric allows at most %(limit)s%%.")
                % {"share": f"{share:.1f}", "limit": rubric.max_manual_share}
            )
    return found


def freeze(rubric):
    """Called by the first round that uses the rubric, inside its transaction."""
    found = problems(rubric)
    if found:
        raise Refused(_("The rubric cannot be used yet: %(problems)s") % {"problems": "；".join(found)})
    if rubric.frozen_at is None:
        Rubric.objects.filter(pk=rubric.pk, frozen_at__isnull=True).update(frozen_at=clock.now())
        rubric.frozen_at = clock.now()


def copy_rubric(*, rubric, actor, year, name=None):
    """A new, editable rubric for ``year`` with the same sections and criteria; condition dates move by the
    difference in years."""
    name = name or rubric.name
    shift = year - rubric.year
    with transaction.atomic():
        copy = create_rubric(
            actor=actor,
            name=name,
            year=year,
            full_marks=rubric.full_marks,
            excellent_from=rubric.excellent_from,
            good_from=rubric.good_from,
            pass_from=rubric.pass_from,
            max_manual_share=rubric.max_manual_share,
        )
        Rubric.objects.filter(pk=copy.pk).update(copied_from=rubric)

        def clone(nodes, parent):
            for section, criteria, children in nodes:
                new = Section.objects.create(
                    rubric=copy,
                    parent=parent,
                    name=section.name,
                    position=section.position,
                    max_points=section.max_points,
                    floor=section.floor,
                )
                for criterion in criteria:
                    criterion.pk = None
                    criterion.section = new
                    if criterion.condition_by is not None:
                        criterion.condition_by = _shift_year(criterion.condition_by, shift)
                    criterion.save()
                clone(children, new)

        clone(tree(rubric), None)
        record(action="scoring.rubric_copied", actor=actor, obj=copy, before={"from": rubric.pk})
    return copy


def _shift_year(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)

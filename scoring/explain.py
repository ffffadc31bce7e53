"""How a score is shown to people: the metric value in words, where the points came from, and the
arithmetic that turns the value into points — redone from what the score holds, so a reader can
check every figure against the records listed under it (results pages, drill-down, bulletin, API)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from qingdan import metrics
from scoring import engine
from scoring.models import Grade, Kind

MINUS = "\u2212"  # a real minus sign: "−2 分" reads better than "-2 分"


def points(value, places=False):
    """``Decimal('-2.00')`` as ``−2``; with ``places`` always two decimals (``9.00``)."""
    if value is None:
        return "—"
    value = Decimal(value)
    text = f"{abs(value):,.2f}"
    if not places:
        text = text.rstrip("0").rstrip(".")
    return (MINUS + text) if value < 0 else text


def rate_text(numerator, denominator):
    """``45 / 50 = 90.0%``: the records' own figures, before any limit the criterion puts on them."""
    return f"{numerator:,} / {denominator:,} = {percent(numerator, denominator)}"


def percent(numerator, denominator):
    return f"{Decimal(numerator) * 100 / Decimal(denominator):.1f}%"


def grade_word(grade):
    return str(Grade(grade).label) if grade in Grade.values else "—"


# Bootstrap colours of the grade badges (UI.md: never colour alone, the word is always there).
GRADE_COLOURS = {
    Grade.EXCELLENT: "text-bg-success",
    Grade.GOOD: "text-bg-primary",
    Grade.PASS: "text-bg-secondary",
    Grade.FAIL: "text-bg-danger",
}


def metric_kind(criterion):
    entry = metrics.get(criterion.metric) if criterion.metric else None
    return entry.kind if entry is not None else None


def value_words(criterion, score):
    """The metric's value for the unit in words: ``45 / 50 = 90.0%``, ``3 次``, a day; “—” for none."""
    kind = metric_kind(criterion)
    if kind == metrics.RATE:
        if score.denominator is None:
            return "—"
        if not score.denominator:
            return _("no records in the period")
        return rate_text(score.numerator or 0, score.denominator)
    if kind == metrics.COUNT:
        if score.numerator is None:
            return "—"
        if criterion.kind == Kind.VETO:
            return _("%(n)s incidents") % {"n": f"{score.numerator:,}"}
        return _("%(n)s times") % {"n": f"{score.numerator:,}"}
    if kind == metrics.DATE:
        return f"{score.day:%Y-%m-%d}" if score.day else _("not met")
    if criterion.kind == Kind.CONDITION:
        return f"{score.self_day:%Y-%m-%d}" if score.self_day else _("not met")
    if criterion.kind == Kind.VETO:
        return _("triggered") if score.vetoed else _("not triggered")
    return "—"


def source(criterion, score):
    """Where the points that count came from: computed, self-assessed, reviewed or adjusted."""
    if score.adjusted is not None:
        return "adjust", _("Adjustment")
    if criterion.is_computed:
        return "computed", _("Computed")
    if score.reviewed is not None or (criterion.kind == Kind.VETO and score.review_reason):
        return "review", _("Review")
    if score.self_points is not None or score.self_day is not None:
        return "self", _("Self-assessment")
    return "none", _("Not scored yet")


def _capped(raw, criterion):
    cap = criterion.cap
    if cap is None or abs(raw) <= cap:
        return ""
    if raw < 0:
        return _(", at most %(cap)s points deducted") % {"cap": points(cap)}
    return _(", capped at %(cap)s points") % {"cap": points(cap)}


def computed_steps(criterion, score):
    """The arithmetic from the stored metric value to the computed points, one line each."""
    kind = criterion.kind
    if kind in (Kind.RATIO, Kind.TIERED):
        if score.denominator is None:
            return [_("Not computed yet.")]
        if not score.denominator:
            return [_("No records in the period: 0 points.")]
        rate = percent(score.numerator or 0, score.denominator)
        if kind == Kind.RATIO:
            shown = rate if (score.numerator or 0) <= score.denominator else "100.0%"
            return [
                _("%(rate)s × %(max)s points = %(points)s points")
                % {"rate": shown, "max": points(criterion.max_points), "points": points(score.computed, True)}
            ]
        tiers = "；".join(
            _("from %(from)s%%: %(points)s points") % {"from": points(t["from"]), "points": points(t["points"])}
            for t in criterion.tiers
        )
        lines = [_("Tiers: %(tiers)s") % {"tiers": tiers}]
        value = Decimal(score.numerator or 0) * 100 / Decimal(score.denominator)
        hit = engine.tier_for(criterion, value)
        if hit is None:
            lines.append(_("%(rate)s is below every tier: 0 points") % {"rate": rate})
        else:
            lines.append(
                _("%(rate)s reaches the tier from %(from)s%%: %(points)s points")
                % {"rate": rate, "from": points(hit["from"]), "points": points(hit["points"])}
            )
        return lines
    if kind == Kind.PER_OCCURRENCE:
        count = score.numerator or 0
        raw = (criterion.points_each or 0) * count
        line = _("%(n)s times × %(each)s points = %(raw)s points") % {
            "n": f"{count:,}",
            "each": points(criterion.points_each),
            "raw": points(raw),
        }
        return [line + _capped(raw, criterion)]
    if kind == Kind.CONDITION:
        day = score.day if criterion.metric else score.self_day
        if day is not None and day <= criterion.condition_by:
            return [
                _("Met on %(day)s, by %(by)s: %(points)s points")
                % {
                    "day": f"{day:%Y-%m-%d}",
                    "by": f"{criterion.condition_by:%Y-%m-%d}",
                    "points": points(criterion.max_points),
                }
            ]
        if day is not None:
            return [
                _("Met on %(day)s, after %(by)s: 0 points")
                % {"day": f"{day:%Y-%m-%d}", "by": f"{criterion.condition_by:%Y-%m-%d}"}
            ]
        return [_("Not met by %(by)s: 0 points") % {"by": f"{criterion.condition_by:%Y-%m-%d}"}]
    if kind == Kind.VETO:
        if score.vetoed:
            return [_("Triggered: the unit cannot be rated excellent.")]
        return [_("Not triggered.")]
    return []


def steps(criterion, score):
    """Every line of how the points follow, ending with the points that count."""
    lines = []
    if criterion.kind == Kind.MANUAL or (criterion.kind == Kind.CONDITION and not criterion.metric):
        if criterion.kind == Kind.CONDITION:
            lines += computed_steps(criterion, score)
            if score.self_day is not None or score.self_points is not None:
                lines[-1] = _("Self-assessment: %(line)s") % {"line": lines[-1]}
        elif score.self_points is not None:
            lines.append(_("Self-assessed: %(points)s points") % {"points": points(score.self_points)})
        if score.reviewed is not None:
            lines.append(_("Reviewed: %(points)s points") % {"points": points(score.reviewed)})
        if score.self_points is None and score.reviewed is None and score.self_day is None:
            lines.append(_("Not scored yet: 0 points"))
    elif criterion.kind == Kind.VETO and not criterion.metric:
        if score.review_reason:
            lines += computed_steps(criterion, score)
        else:
            lines.append(_("Not reviewed yet."))
    else:
        lines += computed_steps(criterion, score)
    if score.adjusted is not None:
        lines.append(
            _("Adjusted by the office to %(points)s points (the reason is below).") % {"points": points(score.adjusted)}
        )
    return lines


def maximum(criterion):
    """What a criterion can give or take, in words."""
    if criterion.kind == Kind.VETO:
        return _("bars the excellent grade")
    if criterion.kind == Kind.PER_OCCURRENCE:
        each = _("%(each)s points each") % {"each": points(criterion.points_each)}
        if criterion.cap is None:
            return each
        if criterion.is_deduction:
            return _("%(each)s, at most %(cap)s deducted") % {"each": each, "cap": points(criterion.cap)}
        return _("%(each)s, at most %(cap)s") % {"each": each, "cap": points(criterion.cap)}
    return _("%(max)s points") % {"max": points(criterion.max_points)}

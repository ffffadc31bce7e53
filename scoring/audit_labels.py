"""The audit log's words for this area's events (``audit.labels``)."""

from django.utils.translation import pgettext_lazy

from audit import labels
from scoring.models import FundMethod

labels.actions(
    {
        "scoring.rubric_created": pgettext_lazy("audit", "Rubric created"),
        "scoring.section_added": pgettext_lazy("audit", "Section added"),
        "scoring.criterion_added": pgettext_lazy("audit", "Criterion added"),
        "scoring.section_removed": pgettext_lazy("audit", "Section removed"),
        "scoring.criterion_removed": pgettext_lazy("audit", "Criterion removed"),
        "scoring.rubric_copied": pgettext_lazy("audit", "Rubric copied"),
        "scoring.round_created": pgettext_lazy("audit", "Round created"),
        "scoring.funds_set": pgettext_lazy("audit", "Funds set"),
        "scoring.open_self_assessment": pgettext_lazy("audit", "Self-assessment opened"),
        "scoring.start_review": pgettext_lazy("audit", "Review started"),
        "scoring.publish": pgettext_lazy("audit", "Results published"),
        "scoring.computed": pgettext_lazy("audit", "Scores computed"),
        "scoring.score_self": pgettext_lazy("audit", "Self-assessment score entered"),
        "scoring.score_review": pgettext_lazy("audit", "Review score entered"),
        "scoring.score_adjust": pgettext_lazy("audit", "Score adjusted"),
        "scoring.score_amend": pgettext_lazy("audit", "Score changed after publication"),
        "scoring.self_submitted": pgettext_lazy("audit", "Self-assessment submitted"),
        "scoring.event_recorded": pgettext_lazy("audit", "Event recorded"),
        "scoring.event_withdrawn": pgettext_lazy("audit", "Event withdrawn"),
    }
)
labels.fields(
    ("scoring",),
    {
        "criterion": pgettext_lazy("audit", "Criterion"),
        "points": pgettext_lazy("audit", "Points"),
        "reason": pgettext_lazy("audit", "Reason"),
        "section": pgettext_lazy("audit", "Section"),
        "kind": pgettext_lazy("audit", "Kind"),
        "from": pgettext_lazy("audit", "Copied from"),
        "name": pgettext_lazy("audit", "Name"),
        "pool": pgettext_lazy("audit", "Fund pool"),
        "base": pgettext_lazy("audit", "Base amount"),
        "units": pgettext_lazy("audit", "Units"),
        "changed": pgettext_lazy("audit", "Changed"),
        "level": pgettext_lazy("audit", "Level"),
        "method": pgettext_lazy("audit", "Method"),
        "on": pgettext_lazy("audit", "Date"),
        "to": pgettext_lazy("audit", "To"),
        "rubric": pgettext_lazy("audit", "Rubric"),
        "title": pgettext_lazy("audit", "Title"),
        "status": pgettext_lazy("audit", "Status"),
    },
)
labels.link(
    {
        "scoring.rubric": "scoring:rubric",
        "scoring.recordedevent": "scoring:event",
        "scoring.round": "scoring:round",
        "scoring.score": "scoring:score",
    }
)
labels.values(("scoring",), {"method": labels.choice(FundMethod)})

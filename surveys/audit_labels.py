"""The audit log's words for this area's events (``audit.labels``)."""

from django.utils.translation import pgettext_lazy

from audit import labels

labels.actions(
    {
        "surveys.questionnaire_created": pgettext_lazy("audit", "Questionnaire created"),
        "surveys.question_added": pgettext_lazy("audit", "Question added"),
        "surveys.question_deleted": pgettext_lazy("audit", "Question deleted"),
        "surveys.question_moved": pgettext_lazy("audit", "Question moved"),
        "surveys.questionnaire_copied": pgettext_lazy("audit", "Questionnaire copied"),
        "surveys.distributed": pgettext_lazy("audit", "Questionnaire distributed"),
        "surveys.reminded": pgettext_lazy("audit", "Units reminded"),
        "surveys.response_submitted": pgettext_lazy("audit", "Answers submitted"),
        "surveys.response_saved": pgettext_lazy("audit", "Answers saved"),
        "surveys.response_returned": pgettext_lazy("audit", "Answers returned"),
        "surveys.poll_created": pgettext_lazy("audit", "Satisfaction poll created"),
        "surveys.poll_closed": pgettext_lazy("audit", "Satisfaction poll closed"),
        "surveys.poll_answered": pgettext_lazy("audit", "Poll answered by a worker"),
        "surveys.finding_added": pgettext_lazy("audit", "Finding added"),
        "surveys.questions_imported": pgettext_lazy("audit", "Questions imported"),
    }
)
labels.fields(
    ("surveys",),
    {
        "cap": pgettext_lazy("audit", "Cap"),
        "closes_on": pgettext_lazy("audit", "Closes on"),
        "opens_on": pgettext_lazy("audit", "Opens on"),
        "code": pgettext_lazy("audit", "Code"),
        "due_on": pgettext_lazy("audit", "Due on"),
        "from": pgettext_lazy("audit", "Copied from"),
        "kind": pgettext_lazy("audit", "Kind"),
        "mode": pgettext_lazy("audit", "Mode"),
        "note": pgettext_lazy("audit", "Note"),
        "position": pgettext_lazy("audit", "Position"),
        "question": pgettext_lazy("audit", "Question"),
        "questionnaire": pgettext_lazy("audit", "Questionnaire"),
        "questions": pgettext_lazy("audit", "Questions"),
        "reason": pgettext_lazy("audit", "Reason"),
        "reminded": pgettext_lazy("audit", "Reminded"),
        "targets": pgettext_lazy("audit", "Units"),
        "text": pgettext_lazy("audit", "Text"),
        "title": pgettext_lazy("audit", "Title"),
        "tokens": pgettext_lazy("audit", "Links"),
        "version": pgettext_lazy("audit", "Version"),
        "file": pgettext_lazy("audit", "File"),
        "status": pgettext_lazy("audit", "Status"),
    },
)
labels.link(
    {
        "surveys.questionnaire": "surveys:questionnaire",
        "surveys.distribution": "surveys:distribution_detail",
        "surveys.poll": "surveys:poll_detail",
    }
)

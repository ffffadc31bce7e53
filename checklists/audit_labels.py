"""The audit log's words for this area's events (``audit.labels``)."""

from django.utils.translation import pgettext_lazy

from audit import labels

labels.actions(
    {
        "checklists.category_created": pgettext_lazy("audit", "Category created"),
        "checklists.category_renamed": pgettext_lazy("audit", "Category renamed"),
        "checklists.issued": pgettext_lazy("audit", "List issued"),
        "checklists.evidence_attached": pgettext_lazy("audit", "Evidence attached"),
        "checklists.finding_tracked": pgettext_lazy("audit", "Finding tracked as an item"),
        "checklists.imported": pgettext_lazy("audit", "Lists imported"),
        "checklists.document_issued": pgettext_lazy("audit", "Document issued"),
        "checklists.applied": pgettext_lazy("audit", "Applied for close-out"),
        "checklists.closed": pgettext_lazy("audit", "Closed out"),
        "checklists.failed": pgettext_lazy("audit", "Close-out refused: to rectify"),
        "checklists.sent_to_deep_review": pgettext_lazy("audit", "Sent to deep review"),
        "checklists.urged": pgettext_lazy("audit", "Urged"),
        "checklists.extension_requested": pgettext_lazy("audit", "Extension requested"),
        "checklists.extension_decided": pgettext_lazy("audit", "Extension decided"),
    }
)
labels.fields(
    ("checklists",),
    {
        "attempt": pgettext_lazy("audit", "Application number"),
        "approved": pgettext_lazy("audit", "Approved"),
        "deadline": pgettext_lazy("audit", "Deadline"),
        "new_deadline": pgettext_lazy("audit", "Requested deadline"),
        "satisfaction": pgettext_lazy("audit", "Satisfaction"),
        "urgings": pgettext_lazy("audit", "Urgings"),
        "doc_number": pgettext_lazy("audit", "Document number"),
        "items": pgettext_lazy("audit", "Items"),
        "lists": pgettext_lazy("audit", "Lists"),
        "title": pgettext_lazy("audit", "Title"),
        "number": pgettext_lazy("audit", "Number"),
        "kind": pgettext_lazy("audit", "Kind"),
        "name": pgettext_lazy("audit", "Name"),
        "file": pgettext_lazy("audit", "File"),
        "evidence": pgettext_lazy("audit", "Evidence"),
        "finding": pgettext_lazy("audit", "Finding"),
        "keys": pgettext_lazy("audit", "Keys"),
        "skipped": pgettext_lazy("audit", "Skipped"),
    },
)
labels.link(
    {
        "checklists.item": "checklists:item",
        "checklists.checklist": "checklists:list",
    }
)


def _rate(value):
    """A satisfaction kept as a fraction (0.9), shown as the pages show rates: 90.0%."""
    try:
        return f"{float(value) * 100:.1f}%"
    except (TypeError, ValueError):
        return value


labels.values(("checklists",), {"satisfaction": _rate})

"""The audit log's words for this area's events (``audit.labels``)."""

from django.utils.translation import pgettext_lazy

from audit import labels

labels.actions(
    {
        "evidence.added": pgettext_lazy("audit", "File added to the library"),
    }
)
labels.fields(
    ("evidence",),
    {
        "name": pgettext_lazy("audit", "File name"),
        "sha256": pgettext_lazy("audit", "Checksum"),
        "size": pgettext_lazy("audit", "Size"),
    },
)

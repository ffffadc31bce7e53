"""The audit log's words for this area's events (``audit.labels``)."""

from django.utils.translation import pgettext_lazy

from audit import labels

labels.actions(
    {
        "workdays.day_set": pgettext_lazy("audit", "Working day set"),
        "workdays.day_removed": pgettext_lazy("audit", "Working day removed"),
        "workdays.year_entered": pgettext_lazy("audit", "Year's calendar entered"),
        "workdays.year_reopened": pgettext_lazy("audit", "Year's calendar reopened"),
        "workdays.year_loaded": pgettext_lazy("audit", "Year's calendar loaded"),
    }
)
labels.fields(
    ("workdays",),
    {
        "added": pgettext_lazy("audit", "Added"),
        "changed": pgettext_lazy("audit", "Changed"),
        "days": pgettext_lazy("audit", "Days"),
        "entered": pgettext_lazy("audit", "Entered"),
        "removed": pgettext_lazy("audit", "Removed"),
        "year": pgettext_lazy("audit", "Year"),
    },
)

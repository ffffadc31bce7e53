"""The audit log's words for this area's events (``audit.labels``)."""

from django.utils.translation import pgettext_lazy

from audit import labels

labels.actions(
    {
        "access.denied": pgettext_lazy("audit", "Refused: roles do not allow"),
        "access.refused": pgettext_lazy("audit", "Refused by the rules"),
        "access.out_of_scope": pgettext_lazy("audit", "Refused: not found or outside the organisation"),
        "access.refusals_summarised": pgettext_lazy("audit", "Refusals of one minute summarised"),
        "audit.out_of_scope_alert": pgettext_lazy("audit", "Alert: repeated requests outside the organisation"),
    }
)
labels.fields(
    ("access", "audit"),
    {
        "method": pgettext_lazy("audit", "Request method"),
        "path": pgettext_lazy("audit", "Address tried"),
        "status": pgettext_lazy("audit", "Status"),
        "minute": pgettext_lazy("audit", "Minute"),
        "refused": pgettext_lazy("audit", "Refused"),
        "written": pgettext_lazy("audit", "Written one by one"),
        "client_ip": pgettext_lazy("audit", "Client address"),
        "out_of_scope": pgettext_lazy("audit", "Requests outside the organisation"),
        "minutes": pgettext_lazy("audit", "Minutes"),
    },
)

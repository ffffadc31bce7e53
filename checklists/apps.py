from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecklistsConfig(AppConfig):
    name = "checklists"
    verbose_name = _("Responsibility lists")

    def ready(self):
        from checklists import queries
        from evidence import access

        access.register(queries.evidence_seen_through)

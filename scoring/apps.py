from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Assessment")

    def ready(self):
        from evidence import access
        from scoring import queries

        access.register(queries.evidence_seen_through)

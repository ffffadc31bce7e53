from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = _("Hardship-worker archive")

    def ready(self):
        from assistance import households
        from evidence import access

        access.register(households.evidence_seen_through)

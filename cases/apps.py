from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Demands and labour disputes")

    def ready(self):
        from cases import letter_flow
        from evidence import access

        # Meeting files and delivery receipts are downloadable by whoever sees the meeting or the letter.
        access.register(letter_flow.evidence_seen_through)

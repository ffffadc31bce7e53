from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Organisations and people")

    def ready(self):
        from django.db.models import ForeignKey

        from orgs.lookups import Among

        ForeignKey.register_lookup(Among)

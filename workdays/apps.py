from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "workdays"
    verbose_name = _("Working-day calendar")

    def ready(self):
        from workdays import national

        # After every migrate (and every flush of a test database) the national calendar matches the pinned
        # library: upgrading chinesecalendar in requirements.lock and migrating brings in the years it adds.
        post_migrate.connect(national.sync_after_migrate, sender=self, dispatch_uid="workdays.national")

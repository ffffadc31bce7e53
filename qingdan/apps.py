from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class QingdanConfig(AppConfig):
    name = "qingdan"
    verbose_name = "Qingdan"
    default = True

    def ready(self):
        from qingdan import pagecache  # noqa: F401 - watches every database connection for writes


class QingdanAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "qingdan.admin_site.QingdanAdminSite"

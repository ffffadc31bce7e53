from django.contrib import admin
from django.utils.translation import gettext_lazy as _


def _is_sysadmin(request):
    from orgs.models import Role  # loaded lazily: this module is imported while apps load

    user = request.user
    return user.is_active and user.is_authenticated and user.has_role(Role.SYSADMIN)


class QingdanAdminSite(admin.AdminSite):
    site_header = _("Qingdan administration")
    site_title = _("Qingdan administration")

    def has_permission(self, request):
        """Only system administrators enter the admin; Django's is_staff flag is not used."""
        return _is_sysadmin(request)


class SysadminModelAdmin(admin.ModelAdmin):
    """Base for every model admin: system administrators only, read-only unless a
    subclass says otherwise, never deletes (the audit trail keeps its references)."""

    editable = False

    def has_module_permission(self, request):
        return _is_sysadmin(request)

    def has_view_permission(self, request, obj=None):
        return _is_sysadmin(request)

    def has_add_permission(self, request):
        return self.editable and _is_sysadmin(request)

    def has_change_permission(self, request, obj=None):
        return self.editable and _is_sysadmin(request)

    def has_delete_permission(self, request, obj=None):
        return False

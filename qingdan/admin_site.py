from django.contrib import admin
from django.shortcuts import redirect
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

    # Signing out and passwords go through Qingdan's own audited pages.
    def logout(self, request, extra_context=None):
        return redirect("home")

    def password_change(self, request, extra_context=None):
        return redirect("password_change")


class SysadminModelAdmin(admin.ModelAdmin):
    """Base for every model admin: system administrators only, read-only (every change goes
    through the areas' audited pages and services), never deletes, and scoped to the
    administrator's own subtree through ``scope_field`` like every other read path: the org tree
    and its accounts (``tree = True``) as on the user pages, any other model as the federation's
    work, which the separated duties do not read (``orgs.queries.sees_business``)."""

    scope_field = "org_unit"
    tree = False

    def get_queryset(self, request):
        from orgs.queries import in_tree, visible_to

        scope = in_tree if self.tree else visible_to
        return scope(request.user, super().get_queryset(request), self.scope_field)

    def has_module_permission(self, request):
        return _is_sysadmin(request)

    def has_view_permission(self, request, obj=None):
        return _is_sysadmin(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

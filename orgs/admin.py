from django.contrib import admin

from orgs.models import ApiToken, OrgUnit, User
from qingdan.admin_site import SysadminModelAdmin


@admin.register(OrgUnit)
class OrgUnitAdmin(SysadminModelAdmin):
    """Units change through the org tree import, which checks and audits every row."""

    scope_field = ""
    tree = True
    list_display = ["code", "name", "kind", "parent", "depth"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "kind", "parent", "path", "depth"]


@admin.register(User)
class UserAdmin(SysadminModelAdmin):
    """Accounts, roles and locks change in the Users pages, which audit them."""

    tree = True
    list_display = ["username", "full_name", "org_unit", "is_active", "locked_until", "last_login"]
    list_filter = ["is_active", "roles__role"]
    search_fields = ["username", "full_name"]
    fields = [
        "username",
        "full_name",
        "org_unit",
        "is_active",
        "locked_until",
        "last_login",
        "date_joined",
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(SysadminModelAdmin):
    scope_field = "user__org_unit"
    tree = True
    list_display = ["name", "user", "hint", "scope", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "user", "hint", "scope", "created_at", "last_used_at", "revoked_at"]

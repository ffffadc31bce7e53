from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from orgs.models import ApiToken, OrgUnit, User
from orgs.services import save_unit
from qingdan.admin_site import SysadminModelAdmin


class OrgUnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "parent"]

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        if parent and self.instance.pk and parent.path.startswith(self.instance.path):
            raise ValidationError(_("A unit cannot be placed under itself or one of its own sub-units."))
        return parent


@admin.register(OrgUnit)
class OrgUnitAdmin(SysadminModelAdmin):
    form = OrgUnitForm
    editable = True
    list_display = ["code", "name", "kind", "parent", "depth"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    readonly_fields = ["path", "depth"]
    raw_id_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        save_unit(unit=obj, actor=request.user, request=request)


@admin.register(User)
class UserAdmin(SysadminModelAdmin):
    """Read-only here: accounts, roles and locks change in the Users pages, which audit them."""

    list_display = ["username", "full_name", "org_unit", "is_active", "locked_until", "last_login"]
    list_filter = ["is_active", "roles__role"]
    search_fields = ["username", "full_name"]
    fields = [
        "username",
        "full_name",
        "org_unit",
        "is_active",
        "failed_logins",
        "locked_until",
        "last_login",
        "date_joined",
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(SysadminModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]

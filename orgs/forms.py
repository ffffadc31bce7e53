from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from orgs.models import SEPARATED_DUTIES, OrgKind, Role, TokenScope, User
from orgs.services import check_separated_duties
from qingdan import text
from qingdan.forms import Form, StyledForm


class LoginForm(Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class UnitFilterForm(Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds"))] + OrgKind.choices)


class ImportForm(Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class RolesForm(Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean_roles(self):
        roles = self.cleaned_data["roles"]
        check_separated_duties(set(roles))
        return roles


class UserCreateForm(StyledForm):
    username = forms.RegexField(label=_("User name"), max_length=150, regex=r"^[\w.@+-]+$")
    full_name = forms.CharField(label=_("Full name"), max_length=50)
    phone = forms.RegexField(label=_("Mobile phone"), regex=r"^1\d{10}$", required=False, max_length=11)
    org_unit = forms.ModelChoiceField(label=_("Org unit"), queryset=None)
    # The separated duties are granted afterwards by the security administrator.
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(value, label) for value, label in Role.choices if value not in SEPARATED_DUTIES],
        widget=forms.CheckboxSelectMultiple,
    )
    password = forms.CharField(label=_("Initial password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise ValidationError(_("This user name is taken."))
        return username

    def clean_phone(self):
        return text.nfkc(self.cleaned_data["phone"])  # digits typed full-width (１３８…) are kept as 138…


class TokenForm(Form):
    name = forms.CharField(label=_("What the token is for"), max_length=60)
    # Chosen each time; reading is offered first, as most scripts only read.
    scope = forms.ChoiceField(
        label=_("The token may"),
        choices=TokenScope.choices,
        initial=TokenScope.READ_ONLY,
        widget=forms.RadioSelect,
    )


class PasswordResetForm(StyledForm):
    password = forms.CharField(label=_("Temporary password"), strip=False, widget=forms.PasswordInput)


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data

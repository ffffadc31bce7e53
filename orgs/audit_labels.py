"""The audit log's words for this area's events (``audit.labels``)."""

from django.utils.translation import pgettext_lazy

from audit import labels
from qingdan import rules

labels.actions(
    {
        "auth.login": pgettext_lazy("audit", "Logged in"),
        "auth.logout": pgettext_lazy("audit", "Logged out"),
        "auth.login_failed": pgettext_lazy("audit", "Log-in failed"),
        "auth.login_throttled": pgettext_lazy("audit", "Log-in throttled"),
        "auth.login_refused_locked": pgettext_lazy("audit", "Log-in refused: account locked"),
        "auth.locked_out": pgettext_lazy("audit", "Account locked after failed log-ins"),
        "auth.session_revoked": pgettext_lazy("audit", "Signed out: session revoked"),
        "auth.session_timeout": pgettext_lazy("audit", "Signed out after inactivity"),
        "auth.password_reset": pgettext_lazy("audit", "Password reset"),
        "auth.password_changed": pgettext_lazy("audit", "Password changed"),
        "auth.unlocked": pgettext_lazy("audit", "Account unlocked"),
        "auth.address_unlocked": pgettext_lazy("audit", "Address unlocked"),
        "api.token_created": pgettext_lazy("audit", "API token created"),
        "api.token_revoked": pgettext_lazy("audit", "API token revoked"),
        "api.tokens_revoked": pgettext_lazy("audit", "All API tokens revoked"),
        "orgs.unit_saved": pgettext_lazy("audit", "Org unit saved"),
        "orgs.roles_changed": pgettext_lazy("audit", "Roles changed"),
        "orgs.user_created": pgettext_lazy("audit", "User created"),
        "orgs.user_enabled": pgettext_lazy("audit", "User enabled"),
        "orgs.user_disabled": pgettext_lazy("audit", "User disabled"),
        "orgs.imported": pgettext_lazy("audit", "Org units imported"),
        "orgs.rule_set": pgettext_lazy("audit", "Work rule set"),
        "orgs.duty_requested": pgettext_lazy("audit", "Duty change requested"),
        "orgs.duty_request_confirmed": pgettext_lazy("audit", "Duty change confirmed"),
        "orgs.duty_request_expired": pgettext_lazy("audit", "Duty change request expired"),
    }
)
labels.fields(
    ("orgs", "auth", "api"),
    {
        "username": pgettext_lazy("audit", "User name"),
        "full_name": pgettext_lazy("audit", "Full name"),
        "phone": pgettext_lazy("audit", "Phone"),
        "roles": pgettext_lazy("audit", "Roles"),
        "roles_before": pgettext_lazy("audit", "Roles before"),
        "code": pgettext_lazy("audit", "Code"),
        "name": pgettext_lazy("audit", "Name"),
        "kind": pgettext_lazy("audit", "Kind"),
        "parent": pgettext_lazy("audit", "Parent unit"),
        "is_active": pgettext_lazy("audit", "Active"),
        "failures": pgettext_lazy("audit", "Failed attempts"),
        "locked_until": pgettext_lazy("audit", "Locked until"),
        "address": pgettext_lazy("audit", "Address"),
        "minutes": pgettext_lazy("audit", "Minutes"),
        "created": pgettext_lazy("audit", "Created"),
        "updated": pgettext_lazy("audit", "Updated"),
        "unchanged": pgettext_lazy("audit", "Unchanged"),
        "file": pgettext_lazy("audit", "File"),
        "rule": pgettext_lazy("audit", "Rule"),
        "value": pgettext_lazy("audit", "Value"),
        "scope": pgettext_lazy("audit", "Scope"),
        "tokens": pgettext_lazy("audit", "Tokens"),
        "why": pgettext_lazy("audit", "Reason"),
        "target": pgettext_lazy("audit", "User concerned"),
        "requested_by": pgettext_lazy("audit", "Requested by"),
        "expires_at": pgettext_lazy("audit", "Expires at"),
    },
)


def _rule(key):
    rule = rules.available().get(key)
    return rule.label if rule is not None else key


labels.values(("orgs",), {"rule": _rule})
labels.link(
    {
        "orgs.orgunit": "orgs:unit",
        "orgs.user": "users:detail",
    }
)

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from orgs import services
from orgs.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "roles",
    [
        {Role.SYSADMIN, Role.AUDITOR},
        {Role.SYSADMIN, Role.SECADMIN},
        {Role.SECADMIN, Role.AUDITOR},
        {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR, Role.OFFICE},
    ],
)
def test_two_separated_duties_are_refused_and_nothing_changes(roles, office, secadmin):
    with pytest.raises(ValidationError) as refused:
        services.set_roles(user=office, roles=roles, actor=secadmin)
    assert "三权分立" in refused.value.messages[0]
    assert set(User.objects.get(pk=office.pk).roles.values_list("role", flat=True)) == {Role.OFFICE}
    assert not AuditEvent.objects.filter(action="orgs.roles_changed").exists()


def test_one_duty_with_business_roles_is_allowed_and_audited(office, secadmin):
    services.set_roles(user=office, roles=[Role.AUDITOR, Role.LEADER], actor=secadmin)
    assert User.objects.get(pk=office.pk).role_set == {Role.AUDITOR, Role.LEADER}
    event = AuditEvent.objects.get(action="orgs.roles_changed")
    assert event.before == {"roles": ["office"]} and event.after == {"roles": ["auditor", "leader"]}
    assert event.actor == secadmin


def test_roles_page_shows_the_refusal(client_for, secadmin, office):
    page = (
        client_for(secadmin)
        .post(f"/users/{office.pk}/", {"action": "roles", "roles": [Role.SYSADMIN, Role.AUDITOR]})
        .content.decode()
    )
    assert "三权分立" in page
    assert User.objects.get(pk=office.pk).role_set == {Role.OFFICE}


def test_system_administrator_cannot_change_roles(client_for, sysadmin, office):
    client = client_for(sysadmin)
    response = client.post(f"/users/{office.pk}/", {"action": "roles", "roles": [Role.LEADER]}, follow=True)
    assert "只有安全管理员" in response.content.decode()
    assert User.objects.get(pk=office.pk).role_set == {Role.OFFICE}


def test_security_administrator_cannot_change_own_roles(client_for, secadmin):
    client_for(secadmin).post(f"/users/{secadmin.pk}/", {"action": "roles", "roles": [Role.OFFICE]})
    assert User.objects.get(pk=secadmin.pk).role_set == {Role.SECADMIN}


def test_creating_a_user_with_two_duties_is_refused(client_for, sysadmin, county_a):
    page = (
        client_for(sysadmin)
        .post(
            "/users/new/",
            {
                "username": "newbie",
                "full_name": "新人",
                "org_unit": county_a.pk,
                "roles": [Role.SYSADMIN, Role.SECADMIN],
                "password": "Good-pass-2026",
            },
        )
        .content.decode()
    )
    assert "三权分立" in page
    assert not User.objects.filter(username="newbie").exists()


def test_system_administrator_creates_a_user_in_the_subtree(client_for, sysadmin, dept_a):
    response = client_for(sysadmin).post(
        "/users/new/",
        {
            "username": "newbie",
            "full_name": "新人",
            "phone": "13900001111",
            "org_unit": dept_a.pk,
            "roles": [Role.REPORTER],
            "password": "Good-pass-2026",
        },
    )
    user = User.objects.get(username="newbie")
    assert response.status_code == 302 and user.role_set == {Role.REPORTER} and user.org_unit == dept_a
    event = AuditEvent.objects.get(action="orgs.user_created")
    assert event.after["phone"] == "139****1111"


def test_user_cannot_be_created_in_another_county(client_for, sysadmin, dept_b):
    page = (
        client_for(sysadmin)
        .post(
            "/users/new/",
            {
                "username": "newbie",
                "full_name": "新人",
                "org_unit": dept_b.pk,
                "roles": [Role.REPORTER],
                "password": "Good-pass-2026",
            },
        )
        .content.decode()
    )
    assert not User.objects.filter(username="newbie").exists()
    assert "org_unit" in page


def test_weak_initial_password_is_refused_with_a_reason(client_for, sysadmin, dept_a):
    page = (
        client_for(sysadmin)
        .post(
            "/users/new/",
            {
                "username": "newbie",
                "full_name": "新人",
                "org_unit": dept_a.pk,
                "roles": [Role.REPORTER],
                "password": "abcdefgh",
            },
        )
        .content.decode()
    )
    assert "密码须至少包含" in page
    assert not User.objects.filter(username="newbie").exists()


def test_admin_site_is_for_system_administrators_only(client_for, sysadmin, office):
    assert client_for(sysadmin).get("/admin/").status_code == 200
    assert client_for(office).get("/admin/").status_code == 302


def test_admin_shows_audit_free_user_form_read_only(client_for, sysadmin, office):
    page = client_for(sysadmin).get(f"/admin/orgs/user/{office.pk}/change/").content.decode()
    assert 'name="username"' not in page and "office" in page

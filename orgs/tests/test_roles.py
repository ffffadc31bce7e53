import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from orgs import services
from orgs.models import Role, User
from orgs.tests.factories import PASSWORD

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


def test_a_business_role_change_takes_effect_at_once_and_is_audited(office, secadmin):
    assert services.set_roles(user=office, roles=[Role.REVIEWER, Role.LEADER], actor=secadmin) is None
    assert User.objects.get(pk=office.pk).role_set == {Role.REVIEWER, Role.LEADER}
    event = AuditEvent.objects.get(action="orgs.roles_changed")
    assert event.before == {"roles": ["office"]} and event.after == {"roles": ["leader", "reviewer"]}
    assert event.actor == secadmin


def test_one_duty_with_business_roles_is_allowed_once_confirmed(office, secadmin, sysadmin):
    from orgs import duties

    asked = services.set_roles(user=office, roles=[Role.AUDITOR, Role.LEADER], actor=secadmin)
    assert User.objects.get(pk=office.pk).role_set == {Role.OFFICE}
    duties.confirm_duty_request(duty_request=asked, actor=sysadmin)
    assert User.objects.get(pk=office.pk).role_set == {Role.AUDITOR, Role.LEADER}


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
    assert "只有安全管理员可以变更角色、锁定、密码和账户状态" in response.content.decode()
    assert User.objects.get(pk=office.pk).role_set == {Role.OFFICE}


def test_roles_service_refuses_anyone_but_the_security_administrator(office, sysadmin, auditor, secadmin):
    from django.core.exceptions import PermissionDenied

    for actor in (sysadmin, auditor, office):
        with pytest.raises(PermissionDenied):
            services.set_roles(user=office, roles=[Role.LEADER], actor=actor)
    with pytest.raises(PermissionDenied):
        services.set_roles(user=secadmin, roles=[Role.SECADMIN, Role.LEADER], actor=secadmin)
    assert User.objects.get(pk=office.pk).role_set == {Role.OFFICE}


def test_security_administrator_cannot_change_own_roles(client_for, secadmin):
    client_for(secadmin).post(f"/users/{secadmin.pk}/", {"action": "roles", "roles": [Role.OFFICE]})
    assert User.objects.get(pk=secadmin.pk).role_set == {Role.SECADMIN}


def test_system_administrator_cannot_create_a_security_administrator_or_auditor(client_for, sysadmin, county_a):
    client = client_for(sysadmin)
    assert 'value="secadmin"' not in client.get("/users/new/").content.decode()
    for role in (Role.SECADMIN, Role.AUDITOR, Role.SYSADMIN):
        form = {
            "username": "newbie",
            "full_name": "新人",
            "org_unit": county_a.pk,
            "roles": [role],
            "password": "Good-pass-2026",
        }
        assert "选择一个有效的选项" in client.post("/users/new/", form).content.decode()
        with pytest.raises(ValidationError, match="系统管理员不能授予"):
            services.create_user(
                username="newbie",
                full_name="新人",
                org_unit=county_a,
                roles=[role],
                password="Good-pass-2026",
                actor=sysadmin,
            )
    assert not User.objects.filter(username="newbie").exists()


def test_only_the_system_administrator_creates_accounts(secadmin, county_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_user(
            username="newbie",
            full_name="新人",
            org_unit=county_a,
            roles=[Role.OFFICE],
            password="Good-pass-2026",
            actor=secadmin,
        )


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
    assert "选择一个有效的选项" in page


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


def test_admin_is_read_only_and_scoped(client_for, sysadmin, office, outsider, dept_b):
    client = client_for(sysadmin)
    page = client.get(f"/admin/orgs/user/{office.pk}/change/").content.decode()
    assert 'name="username"' not in page and "office" in page
    assert client.get(f"/admin/orgs/user/{outsider.pk}/change/").status_code == 302  # "does not exist" → index
    assert "outsider" not in client.get("/admin/orgs/user/").content.decode()
    assert "临河县交通运输局" not in client.get("/admin/orgs/orgunit/").content.decode()
    response = client.post(
        f"/admin/orgs/orgunit/{dept_b.pk}/change/", {"code": "B-D1", "name": "x", "kind": "department"}
    )
    assert response.status_code in (302, 403)
    dept_b.refresh_from_db()
    assert dept_b.name == "临河县交通运输局"


def test_admin_password_and_logout_pages_lead_to_the_audited_ones(client_for, sysadmin):
    client = client_for(sysadmin)
    assert client.get("/admin/password_change/")["Location"] == "/password/"
    assert client.post("/admin/logout/")["Location"] == "/"


def test_a_new_account_must_change_its_password_first(client_for, sysadmin, dept_a):
    from django.test import Client

    services.create_user(
        username="newbie",
        full_name="新人",
        org_unit=dept_a,
        roles=[Role.REPORTER],
        password="Good-pass-2026",
        actor=sysadmin,
    )
    client = Client()
    client.post("/login/", {"username": "newbie", "password": "Good-pass-2026"})
    response = client.get("/orgs/")
    assert response.status_code == 302 and response["Location"] == "/password/"
    page = client.get("/password/").content.decode()
    assert "您的密码由管理员设置" in page
    page = client.post(
        "/password/",
        {"old_password": "Good-pass-2026", "new_password": "Good-pass-2026", "new_password2": "Good-pass-2026"},
    ).content.decode()
    assert "新密码不能与当前密码相同。" in page
    response = client.post(
        "/password/",
        {"old_password": "Good-pass-2026", "new_password": "Mine-2026-ok", "new_password2": "Mine-2026-ok"},
    )
    assert response.status_code == 302
    assert client.get("/orgs/").status_code == 200  # still signed in, no longer sent to /password/
    assert AuditEvent.objects.filter(action="auth.password_changed", actor__username="newbie").exists()


def test_security_administrator_resets_a_password(client_for, secadmin, office):
    from django.test import Client

    client_for(secadmin).post(f"/users/{office.pk}/", {"action": "reset_password", "password": "Temp-pass-77"})
    office.refresh_from_db()
    assert office.must_change_password and office.check_password("Temp-pass-77")
    fresh = Client()
    fresh.post("/login/", {"username": "office", "password": "Temp-pass-77"})
    assert fresh.get("/")["Location"] == "/password/"
    assert not office.check_password(PASSWORD)


def test_wrong_current_password_is_refused(client_for, office):
    page = (
        client_for(office)
        .post("/password/", {"old_password": "nope", "new_password": "Mine-2026-ok", "new_password2": "Mine-2026-ok"})
        .content.decode()
    )
    assert "当前密码不正确。" in page
    office.refresh_from_db()
    assert office.check_password(PASSWORD)


def test_user_page_masks_the_phone(client_for, secadmin, office):
    page = client_for(secadmin).get(f"/users/{office.pk}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page


@pytest.mark.parametrize(
    "change",
    [
        lambda user, actor: services.set_roles(user=user, roles=[Role.OFFICE, Role.LEADER], actor=actor),
        lambda user, actor: services.set_password(user=user, password="Ling@2026new", actor=actor),
        lambda user, actor: services.set_user_active(user=user, active=False, actor=actor),
        lambda user, actor: services.unlock_user(user=user, actor=actor),
    ],
    ids=["roles", "password", "disable", "unlock"],
)
def test_a_security_administrator_cannot_manage_an_account_of_another_county(change, secadmin, outsider):
    """The pages show no such account; a call from any other path is refused by the service itself."""
    password = outsider.password
    with pytest.raises(PermissionDenied, match="该账户不在您的管辖范围内。"):
        change(outsider, secadmin)
    outsider.refresh_from_db()
    assert outsider.password == password and outsider.is_active and outsider.role_set == {Role.OFFICE}


def test_an_account_whose_roles_were_all_taken_away_reads_no_business(client_for, office, secadmin):
    services.set_roles(user=office, roles=[], actor=secadmin)
    client = client_for(User.objects.get(pk=office.pk))
    page = client.get("/lists/items/")
    assert page.status_code == 403 and "您的账户尚未分配业务角色" in page.content.decode()
    api = client.get("/api/v1/items")
    assert api.status_code == 403 and api.json()["code"] == "separated_duties"
    assert client.get("/").status_code == 200  # the workbench still opens, with nothing to do

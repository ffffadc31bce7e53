"""Two people for a privileged account (双人复核): a duty is granted or removed, and a privileged password reset,
only when a second person of another duty confirms; the server's command line makes the first accounts."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from audit.models import AuditEvent
from orgs import duties, services
from orgs.models import DutyRequest, DutyRequestStatus, OrgUnit, Role, User
from orgs.tests.factories import PASSWORD, UserFactory
from qingdan import clock
from qingdan.errors import Conflict, Refused

pytestmark = pytest.mark.django_db

ASKED = "已提交申请：须由另一职责的人员（系统管理员或审计员）在"
NOT_YOURS = "只能由另一职责的人员确认"


def roles_of(user):
    return User.objects.get(pk=user.pk).role_set


def sign_in(username, password):
    client = Client()
    assert client.post("/login/", {"username": username, "password": password}).status_code == 302
    return client


def test_the_four_step_takeover_by_the_security_administrator_does_not_take_effect(
    client_for, secadmin, leader, sysadmin, auditor
):
    """The attack: as the security administrator, unlock `leader`, give it 系统管理员, reset its password and
    sign in as `leader` to reach the user, org-import and admin pages."""
    User.objects.filter(pk=leader.pk).update(locked_until=clock.now() + timedelta(minutes=30))
    security = client_for(secadmin)
    assert security.post(f"/users/{leader.pk}/", {"action": "unlock"}).status_code == 302
    page = security.post(
        f"/users/{leader.pk}/", {"action": "roles", "roles": [Role.LEADER, Role.SYSADMIN]}, follow=True
    ).content.decode()
    assert ASKED in page and "此前不作任何更改" in page
    assert roles_of(leader) == {Role.LEADER}
    security.post(f"/users/{leader.pk}/", {"action": "reset_password", "password": "Seized-2026x"})

    taken = sign_in("leader", "Seized-2026x")
    taken.post(
        "/password/",
        {"old_password": "Seized-2026x", "new_password": "Mine-2026-ok", "new_password2": "Mine-2026-ok"},
    )
    for closed in ("/users/", "/users/new/", "/orgs/import/", f"/users/{sysadmin.pk}/"):
        assert taken.get(closed).status_code == 403, closed
    assert taken.get("/admin/").status_code == 302  # the admin site sends anyone but a system administrator away
    assert roles_of(leader) == {Role.LEADER}
    request = DutyRequest.objects.get(target=leader)
    assert request.status == DutyRequestStatus.PENDING and request.roles == ["leader", "sysadmin"]
    steps = list(
        AuditEvent.objects.filter(
            actor=secadmin, action__in=["auth.unlocked", "orgs.duty_requested", "auth.password_reset"]
        )
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert steps == ["auth.unlocked", "orgs.duty_requested", "auth.password_reset"]
    # The people who may confirm are told that the asker has just reset this account's password.
    page = client_for(auditor).get("/users/requests/").content.decode()
    assert "发起人近期重置过该账户的密码" in page and 'data-testid="confirm-request"' in page


def test_a_second_person_of_another_duty_confirms_and_both_are_named(client_for, secadmin, leader, auditor):
    asked = services.set_roles(user=leader, roles=[Role.LEADER, Role.SYSADMIN], actor=secadmin)
    page = client_for(auditor).post(f"/users/requests/{asked.pk}/", {"action": "confirm"}, follow=True)
    assert "已确认，变更已生效。" in page.content.decode()
    assert roles_of(leader) == {Role.LEADER, Role.SYSADMIN}
    changed = AuditEvent.objects.get(action="orgs.roles_changed")
    assert changed.actor == auditor and changed.after == {"roles": ["leader", "sysadmin"], "requested_by": "secadmin"}
    confirmed = AuditEvent.objects.get(action="orgs.duty_request_confirmed")
    assert confirmed.actor == auditor and confirmed.after["requested_by"] == "secadmin"
    asked.refresh_from_db()
    assert asked.status == DutyRequestStatus.CONFIRMED and asked.decided_by == auditor


def test_nobody_confirms_their_own_request_their_own_account_or_a_request_of_their_duty(
    secadmin, sysadmin, auditor, office, county_a
):
    second_secadmin = UserFactory(username="secadmin2", org_unit=county_a, roles=[Role.SECADMIN])
    asked = services.set_roles(user=auditor, roles=[], actor=secadmin)  # take the auditor's duty away
    for person in (secadmin, second_secadmin, auditor, office):
        with pytest.raises(Refused, match=NOT_YOURS):
            duties.confirm_duty_request(duty_request=asked, actor=person)
        assert roles_of(auditor) == {Role.AUDITOR}
    assert not AuditEvent.objects.filter(action="orgs.roles_changed").exists()
    duties.confirm_duty_request(duty_request=asked, actor=sysadmin)
    assert roles_of(auditor) == set()


def test_a_person_of_another_county_cannot_confirm(secadmin, leader, county_b):
    far_auditor = UserFactory(username="auditor-b", org_unit=county_b, roles=[Role.AUDITOR])
    asked = services.set_roles(user=leader, roles=[Role.SYSADMIN], actor=secadmin)
    with pytest.raises(Refused):
        duties.confirm_duty_request(duty_request=asked, actor=far_auditor)
    assert roles_of(leader) == {Role.LEADER}


def test_a_request_lapses_after_the_set_hours(secadmin, leader, auditor, frozen_clock, settings):
    settings.QINGDAN_DUTY_REQUEST_HOURS = 48
    asked = services.set_roles(user=leader, roles=[Role.SECADMIN], actor=secadmin)
    frozen_clock.shift(timedelta(hours=48, minutes=1))
    with pytest.raises(Refused, match="48 小时内无人确认，已失效"):
        duties.confirm_duty_request(duty_request=asked, actor=auditor)
    assert roles_of(leader) == {Role.LEADER}
    again = services.set_roles(user=leader, roles=[Role.SECADMIN], actor=secadmin)
    asked.refresh_from_db()
    assert asked.status == DutyRequestStatus.EXPIRED and again.status == DutyRequestStatus.PENDING
    assert AuditEvent.objects.filter(action="orgs.duty_request_expired", object_id=str(asked.pk)).exists()


def test_one_request_of_a_kind_waits_per_account(client_for, secadmin, leader):
    services.set_roles(user=leader, roles=[Role.SYSADMIN], actor=secadmin)
    with pytest.raises(Refused, match="已有一项“角色变更”在等待第二人确认"):
        services.set_roles(user=leader, roles=[Role.AUDITOR], actor=secadmin)
    page = client_for(secadmin).post(f"/users/{leader.pk}/", {"action": "roles", "roles": [Role.AUDITOR]}, follow=True)
    assert "已有一项“角色变更”在等待第二人确认" in page.content.decode()
    assert DutyRequest.objects.filter(target=leader).count() == 1


def test_a_privileged_password_is_reset_only_once_confirmed(client_for, secadmin, sysadmin, auditor):
    token, raw = services.create_api_token(user=sysadmin, name="巡检脚本", actor=sysadmin)
    page = client_for(secadmin).post(
        f"/users/{sysadmin.pk}/", {"action": "reset_password", "password": "Temp-pass-77"}, follow=True
    )
    assert ASKED in page.content.decode()
    sysadmin.refresh_from_db()
    assert sysadmin.check_password(PASSWORD) and not sysadmin.must_change_password
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    asked = DutyRequest.objects.get(target=sysadmin)
    assert asked.password and "Temp-pass-77" not in asked.password  # only its hash waits

    duties.confirm_duty_request(duty_request=asked, actor=auditor)
    sysadmin.refresh_from_db()
    assert sysadmin.check_password("Temp-pass-77") and sysadmin.must_change_password
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    asked.refresh_from_db()
    assert asked.password == ""
    reset = AuditEvent.objects.get(action="auth.password_reset")
    assert reset.actor == auditor and reset.after == {"requested_by": "secadmin"}


def test_refusing_or_withdrawing_changes_nothing(client_for, secadmin, sysadmin, leader, office):
    asked = services.set_roles(user=leader, roles=[Role.SYSADMIN], actor=secadmin)
    page = client_for(sysadmin).post(f"/users/requests/{asked.pk}/", {"action": "refuse"}, follow=True)
    assert "申请已拒绝，未作任何更改。" in page.content.decode()
    asked.refresh_from_db()
    assert asked.status == DutyRequestStatus.REFUSED and roles_of(leader) == {Role.LEADER}
    with pytest.raises(Conflict):
        duties.confirm_duty_request(duty_request=asked, actor=sysadmin)
    assert roles_of(leader) == {Role.LEADER}

    again = services.set_roles(user=leader, roles=[Role.SYSADMIN], actor=secadmin)
    page = client_for(secadmin).post(f"/users/requests/{again.pk}/", {"action": "withdraw"}, follow=True)
    assert "申请已撤销。" in page.content.decode()
    again.refresh_from_db()
    assert again.status == DutyRequestStatus.WITHDRAWN and roles_of(leader) == {Role.LEADER}
    assert [
        e.actor
        for e in AuditEvent.objects.filter(
            action__in=["orgs.duty_request_refused", "orgs.duty_request_withdrawn"]
        ).order_by("id")
    ] == [sysadmin, secadmin]


def test_roles_changed_since_the_request_are_a_conflict(secadmin, auditor, leader):
    asked = services.set_roles(user=leader, roles=[Role.SYSADMIN], actor=secadmin)
    services.set_roles(user=leader, roles=[Role.REVIEWER], actor=secadmin)  # a plain change, at once
    with pytest.raises(Conflict):
        duties.confirm_duty_request(duty_request=asked, actor=auditor)
    assert roles_of(leader) == {Role.REVIEWER}


def test_a_request_falls_when_the_asker_loses_their_duty(secadmin, auditor, leader):
    asked = services.set_roles(user=leader, roles=[Role.SYSADMIN], actor=secadmin)
    call_command("grant_duty", "secadmin", "secadmin", "--remove")
    with pytest.raises(Refused, match="发起人已不再担任其职责"):
        duties.confirm_duty_request(duty_request=asked, actor=auditor)
    assert roles_of(leader) == {Role.LEADER}


def test_the_pages_show_waiting_requests_to_those_who_may_confirm(client_for, secadmin, sysadmin, auditor, leader):
    asked = services.set_roles(user=leader, roles=[Role.LEADER, Role.SYSADMIN], actor=secadmin)
    user_list = client_for(sysadmin).get("/users/").content.decode()
    assert "等待第二人确认" in user_list and f'action="/users/requests/{asked.pk}/"' in user_list
    assert 'data-testid="confirm-request"' in user_list
    own = client_for(secadmin).get(f"/users/{leader.pk}/").content.decode()
    assert "等待第二人确认" in own and 'value="withdraw"' in own and 'data-testid="confirm-request"' not in own
    auditor_client = client_for(auditor)
    assert auditor_client.get("/users/").status_code == 403
    assert 'data-testid="confirm-request"' in auditor_client.get("/users/requests/").content.decode()
    for person, count in ((sysadmin, 1), (auditor, 1), (secadmin, 0)):
        home = client_for(person).get("/").content.decode()
        assert ("等待您确认的权限变更" in home) == bool(count), person


def test_the_decidable_query_agrees_with_the_predicate(secadmin, sysadmin, auditor, leader, office, county_b):
    far_auditor = UserFactory(username="auditor-b", org_unit=county_b, roles=[Role.AUDITOR])
    services.set_roles(user=leader, roles=[Role.SYSADMIN], actor=secadmin)
    services.set_roles(user=auditor, roles=[], actor=secadmin)
    services.set_password(user=sysadmin, password="Temp-pass-77", actor=secadmin)
    requests = list(DutyRequest.objects.select_related("target__org_unit"))
    assert len(requests) == 3
    for person in (secadmin, sysadmin, auditor, leader, office, far_auditor):
        by_query = set(DutyRequest.objects.filter(duties.decidable(person)).values_list("pk", flat=True))
        by_predicate = {r.pk for r in requests if duties.may_decide(person, r)}
        assert by_query == by_predicate, person
    assert {r.target for r in requests if duties.may_decide(sysadmin, r)} == {leader, auditor}


def test_the_first_privileged_accounts_of_a_fresh_install_come_from_the_command_line(monkeypatch, capsys):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Boot-2026-ok")
    call_command(
        "create_admin",
        "zhou",
        "--duty",
        "sysadmin",
        "--full-name",
        "周建国",
        "--unit",
        "320922",
        "--unit-name",
        "滨海县总工会",
        "--unit-kind",
        "county",
    )
    call_command("create_admin", "wu", "--duty", "secadmin", "--full-name", "吴海燕", "--unit", "320922")
    assert "首次登录时须修改密码" in capsys.readouterr().out
    county = OrgUnit.objects.get()
    zhou, wu = User.objects.get(username="zhou"), User.objects.get(username="wu")
    assert zhou.role_set == {Role.SYSADMIN} and wu.role_set == {Role.SECADMIN} and wu.org_unit == county
    assert zhou.must_change_password and zhou.check_password("Boot-2026-ok")
    created = AuditEvent.objects.filter(action="orgs.user_created")
    assert set(created.values_list("actor_username", flat=True)) == {"(command line)"}
    with pytest.raises(CommandError, match="import the org tree first"):
        call_command("create_admin", "zheng", "--duty", "auditor", "--full-name", "郑立新", "--unit", "nowhere")
    with pytest.raises(CommandError, match="三权分立|separate duties"):
        call_command("grant_duty", "wu", "auditor")
    call_command("grant_duty", "wu", "secadmin", "--remove")
    assert User.objects.get(username="wu").role_set == set()
    assert AuditEvent.objects.filter(action="orgs.roles_changed", actor_username="(command line)").exists()


def test_the_command_line_resets_a_privileged_password_at_once(sysadmin, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Fresh-2026-ok")
    call_command("reset_password", "sysadmin")
    sysadmin.refresh_from_db()
    assert sysadmin.check_password("Fresh-2026-ok") and sysadmin.must_change_password
    assert not DutyRequest.objects.exists()
    assert AuditEvent.objects.get(action="auth.password_reset").actor_username == "(command line)"

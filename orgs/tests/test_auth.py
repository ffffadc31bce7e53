from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from audit.models import AuditEvent, Result
from orgs import services
from orgs.auth import SESSION_LAST_SEEN
from orgs.models import User
from orgs.tests.factories import PASSWORD
from qingdan import clock

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login/").content.decode()
    assert "登录" in page and "工会工作督办考核平台" in page
    assert 'lang="zh-hans"' in page


def test_good_login_lands_on_home_with_unit_and_is_audited(client, office):
    response = login(client, "office", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/").content.decode()
    assert "滨海县总工会" in home and "工作台" in home
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == office and event.result == Result.SUCCESS and event.client_ip == "127.0.0.1"


def test_session_key_changes_at_login(client, office):
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    login(client, "office", PASSWORD)
    assert client.session.session_key != before


def test_wrong_password_shows_chinese_error_and_counts(client, office):
    page = login(client, "office", "wrong-Password1").content.decode()
    assert "用户名或密码错误。" in page
    office.refresh_from_db()
    assert office.failed_logins == 1
    assert (
        AuditEvent.objects.filter(action="auth.login_failed", result=Result.FAILURE, object_id=str(office.pk)).count()
        == 1
    )


def test_unknown_user_gets_same_message_and_is_audited_by_typed_name(client, office):
    page = login(client, "nobody", "whatever-1A").content.decode()
    assert "用户名或密码错误。" in page
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None and event.actor_username == "nobody" and event.org_unit is None


def test_five_failures_lock_the_account_for_thirty_minutes(client, office):
    for _ in range(5):
        login(client, "office", "wrong-Password1")
    office.refresh_from_db()
    assert office.is_locked()
    minutes = (office.locked_until - clock.now()).total_seconds() / 60
    assert 29 < minutes <= 30
    # The right password is refused while locked, with a message saying why.
    page = login(client, "office", PASSWORD).content.decode()
    assert "该账户因连续登录失败已被锁定" in page and "安全管理员解锁" in page
    assert "_auth_user_id" not in client.session
    actions = list(AuditEvent.objects.filter(action__startswith="auth.").order_by("id").values_list("action", "result"))
    assert actions == [("auth.login_failed", Result.FAILURE)] * 5 + [
        ("auth.locked_out", Result.DENIED),
        ("auth.login_refused_locked", Result.DENIED),
    ]


def test_four_failures_then_success_resets_the_count(client, office):
    for _ in range(4):
        login(client, "office", "wrong-Password1")
    assert login(client, "office", PASSWORD).status_code == 302
    office.refresh_from_db()
    assert office.failed_logins == 0 and not office.is_locked()


def test_lock_ends_after_thirty_minutes(client, office):
    User.objects.filter(pk=office.pk).update(locked_until=clock.now() - timedelta(seconds=1))
    assert login(client, "office", PASSWORD).status_code == 302


def test_security_administrator_unlocks(client_for, office, secadmin):
    User.objects.filter(pk=office.pk).update(locked_until=clock.now() + timedelta(minutes=20))
    response = client_for(secadmin).post(f"/users/{office.pk}/", {"action": "unlock"})
    assert response.status_code == 302
    office.refresh_from_db()
    assert not office.is_locked()
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert event.actor == secadmin and event.object_id == str(office.pk)
    assert Client().post("/login/", {"username": "office", "password": PASSWORD}).status_code == 302


def test_logout_ends_session_and_is_audited(client_for, office):
    client = client_for(office)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=office).count() == 1


def test_logout_needs_post(client_for, office):
    client = client_for(office)
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200


def test_thirty_idle_minutes_end_the_session(client_for, office):
    client = client_for(office)
    session = client.session
    session[SESSION_LAST_SEEN] = clock.now().timestamp() - 31 * 60
    session.save()
    response = client.get("/orgs/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/orgs/")
    assert "未操作" in client.get(response["Location"]).content.decode()
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.session_timeout", actor=office).exists()


def test_twenty_nine_idle_minutes_keep_the_session_and_restart_the_clock(client_for, office):
    client = client_for(office)
    session = client.session
    session[SESSION_LAST_SEEN] = clock.now().timestamp() - 29 * 60
    session.save()
    assert client.get("/").status_code == 200
    # The request counted as activity: thirty minutes after *sign-in* the session is still alive.
    assert client.session[SESSION_LAST_SEEN] > clock.now().timestamp() - 60
    assert client.get("/").status_code == 200


def test_an_expired_api_session_gets_json_401_not_a_redirect(client_for, office):
    client = client_for(office)
    session = client.session
    session[SESSION_LAST_SEEN] = clock.now().timestamp() - 31 * 60
    session.save()
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_disabling_a_user_ends_their_sessions_even_after_reenabling(client_for, office, secadmin):
    victim = client_for(office)
    assert victim.get("/").status_code == 200
    client_for(secadmin).post(f"/users/{office.pk}/", {"action": "disable"})
    assert victim.get("/").status_code == 302
    services.set_user_active(user=office, active=True, actor=secadmin)
    assert victim.get("/").status_code == 302  # the old session stays ended
    assert AuditEvent.objects.filter(action="orgs.user_disabled", object_id=str(office.pk)).exists()


def test_disabled_user_cannot_log_in(client, office, secadmin):
    services.set_user_active(user=office, active=False, actor=secadmin)
    assert "用户名或密码错误。" in login(client, "office", PASSWORD).content.decode()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1!", "too short"),
        ("abcdefgh12", "two classes"),
        ("Password1", "common password"),
        ("12345678901", "digits only"),
    ],
)
def test_weak_passwords_are_refused(password, reason, office):
    with pytest.raises(ValidationError):
        validate_password(password, office)


def test_a_mixed_password_of_eight_is_accepted(office):
    validate_password("Hq7#vend", office)


def test_login_redirects_only_to_local_next(client, office):
    response = client.post("/login/?next=https://evil.example/", {"username": "office", "password": PASSWORD})
    assert response["Location"] == "/"
    response = Client().post("/login/", {"username": "office", "password": PASSWORD, "next": "/orgs/"})
    assert response["Location"] == "/orgs/"

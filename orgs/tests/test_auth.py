from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from audit.models import AuditEvent, Result
from orgs import services
from orgs.auth import SESSION_LAST_SEEN
from orgs.models import LoginFailure, User
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


REFUSAL = "用户名或密码错误。连续失败多次后，须等待 30 分钟再试。"
HOME, AWAY, OTHER = "10.0.0.5", "10.0.0.66", "10.0.0.77"


def from_address(address):
    return Client(REMOTE_ADDR=address)


def refusal(response):
    """The message a refused log-in shows (the page also echoes the typed name, which is not compared)."""
    page = response.content.decode()
    assert response.status_code == 200 and "_auth_user_id" not in response.wsgi_request.session
    return page.split('data-testid="login-error">')[1].split("<")[0]


def test_wrong_password_shows_chinese_error_and_counts(client, office):
    assert refusal(login(client, "office", "wrong-Password1")) == REFUSAL
    assert LoginFailure.objects.filter(username="office", address="127.0.0.1").count() == 1
    assert (
        AuditEvent.objects.filter(action="auth.login_failed", result=Result.FAILURE, object_id=str(office.pk)).count()
        == 1
    )


def test_unknown_user_gets_same_message_and_is_audited_by_typed_name(client, office):
    assert refusal(login(client, "nobody", "whatever-1A")) == REFUSAL
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None and event.actor_username == "nobody" and event.org_unit is None


def test_five_wrong_passwords_from_one_address_do_not_stop_the_owner_at_another(secadmin):
    """The attack: guess the security administrator's password five times to lock them out for half an hour."""
    attacker = from_address(AWAY)
    for _ in range(5):
        assert refusal(login(attacker, "secadmin", "wrong-Password1")) == REFUSAL
    # The attacker's own address now waits, even with the right password...
    assert refusal(login(attacker, "secadmin", PASSWORD)) == REFUSAL
    # ...while the security administrator signs in from their own computer, and the account is not locked.
    assert login(from_address(HOME), "secadmin", PASSWORD).status_code == 302
    secadmin.refresh_from_db()
    assert not secadmin.is_locked()
    throttled = AuditEvent.objects.get(action="auth.login_throttled")
    assert throttled.message == "pair" and throttled.result == Result.DENIED and throttled.client_ip == AWAY
    refused = AuditEvent.objects.get(action="auth.login_refused_locked")
    assert refused.client_ip == AWAY and refused.message == "pair"


def test_twenty_attempts_over_many_accounts_block_the_address(office, reviewer, leader):
    """The attack: one computer tries a password on many names, few enough per name to stay under five."""
    names = ["office", "reviewer", "leader", "ghost1", "ghost2"]
    sprayer = from_address(AWAY)
    for attempt in range(20):
        assert refusal(login(sprayer, names[attempt % len(names)], f"Spring@202{attempt % 4}")) == REFUSAL
    assert LoginFailure.objects.filter(username="office").count() == 4  # no account was tried five times
    # That address now waits for every account, the right password included; other computers do not.
    assert refusal(login(sprayer, "office", PASSWORD)) == REFUSAL
    assert refusal(login(sprayer, "secadmin-never-tried", PASSWORD)) == REFUSAL
    assert login(from_address(HOME), "office", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="auth.login_throttled", message="address").count() == 1


def test_real_unknown_waiting_and_locked_accounts_get_the_same_answer(office, reviewer, leader, settings):
    settings.QINGDAN_LOGIN_ACCOUNT_MAX_FAILURES = 6
    answers = {
        "real, wrong password": refusal(login(from_address(AWAY), "office", "wrong-Password1")),
        "unknown": refusal(login(from_address(AWAY), "no-such-person", "wrong-Password1")),
    }
    for _ in range(5):
        login(from_address(OTHER), "reviewer", "wrong-Password1")
    answers["waiting, right password"] = refusal(login(from_address(OTHER), "reviewer", PASSWORD))
    for address in ("10.0.1.1", "10.0.1.2"):
        for _ in range(3):
            login(from_address(address), "leader", "wrong-Password1")
    leader.refresh_from_db()
    assert leader.is_locked()  # six failures from two addresses reach the (lowered) account ceiling
    answers["locked, right password"] = refusal(login(from_address(HOME), "leader", PASSWORD))
    assert set(answers.values()) == {REFUSAL}, answers


class CountingHasher(MD5PasswordHasher):
    """The test suite's hasher, counting how often a password is hashed."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


def test_every_refused_log_in_costs_one_password_hash(office, reviewer, leader, settings):
    """So the answer's timing tells no more than its words whether the account exists or waits."""
    settings.PASSWORD_HASHERS = ["orgs.tests.test_auth.CountingHasher"]
    settings.QINGDAN_LOGIN_ACCOUNT_MAX_FAILURES = 0
    for _ in range(5):
        login(from_address(OTHER), "reviewer", "wrong-Password1")
    User.objects.filter(pk=leader.pk).update(locked_until=clock.now() + timedelta(minutes=20))
    cases = [
        (AWAY, "office", "wrong-Password1"),
        (AWAY, "no-such-person", "wrong-Password1"),
        (OTHER, "reviewer", PASSWORD),
        (HOME, "leader", PASSWORD),
    ]
    for address, username, password in cases:
        CountingHasher.calls = 0
        assert refusal(login(from_address(address), username, password)) == REFUSAL
        assert CountingHasher.calls == 1, username


def test_the_account_locks_only_when_many_addresses_guess_at_it(office, settings):
    settings.QINGDAN_LOGIN_ACCOUNT_MAX_FAILURES = 100
    for n in range(19):  # 19 addresses, five guesses each: 95 wrong passwords
        for _ in range(5):
            login(from_address(f"10.0.2.{n}"), "office", "wrong-Password1")
    office.refresh_from_db()
    assert not office.is_locked()
    assert login(from_address(HOME), "office", PASSWORD).status_code == 302
    for _ in range(5):
        login(from_address("10.0.3.1"), "office", "wrong-Password1")
    office.refresh_from_db()
    assert office.is_locked() and 29 < (office.locked_until - clock.now()).total_seconds() / 60 <= 30
    assert refusal(login(from_address(HOME), "office", PASSWORD)) == REFUSAL
    assert AuditEvent.objects.filter(action="auth.locked_out", object_id=str(office.pk)).count() == 1


def test_a_success_starts_the_count_again(client, office):
    for _ in range(4):
        login(client, "office", "wrong-Password1")
    assert login(client, "office", PASSWORD).status_code == 302
    for _ in range(4):
        login(Client(), "office", "wrong-Password1")
    assert login(Client(), "office", PASSWORD).status_code == 302


def test_the_wait_ends_after_thirty_minutes(office, frozen_clock):
    for _ in range(5):
        login(from_address(AWAY), "office", "wrong-Password1")
    frozen_clock.shift(timedelta(minutes=29))
    assert refusal(login(from_address(AWAY), "office", PASSWORD)) == REFUSAL
    frozen_clock.shift(timedelta(minutes=2))
    assert login(from_address(AWAY), "office", PASSWORD).status_code == 302


def test_lock_ends_after_thirty_minutes(client, office):
    User.objects.filter(pk=office.pk).update(locked_until=clock.now() - timedelta(seconds=1))
    assert login(client, "office", PASSWORD).status_code == 302


def test_security_administrator_unlocks(client_for, office, secadmin):
    for _ in range(5):
        login(from_address(AWAY), "office", "wrong-Password1")
    User.objects.filter(pk=office.pk).update(locked_until=clock.now() + timedelta(minutes=20))
    admin = client_for(secadmin)
    page = admin.get(f"/users/{office.pk}/").content.decode()
    assert "以下地址的登录需等待" in page and AWAY in page
    response = admin.post(f"/users/{office.pk}/", {"action": "unlock"})
    assert response.status_code == 302
    office.refresh_from_db()
    assert not office.is_locked()
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert event.actor == secadmin and event.object_id == str(office.pk)
    assert event.before == {"locked_until": event.before["locked_until"], "failures": 5}
    assert login(from_address(AWAY), "office", PASSWORD).status_code == 302


def test_the_command_unlocks_the_only_security_administrator(secadmin, capsys):
    """The way out when the one person who unlocks is the one locked: a command on the server."""
    for _ in range(5):
        login(from_address(HOME), "secadmin", "wrong-Password1")
    User.objects.filter(pk=secadmin.pk).update(locked_until=clock.now() + timedelta(minutes=30))
    assert refusal(login(from_address(HOME), "secadmin", PASSWORD)) == REFUSAL
    call_command("unlock_login", "secadmin")
    assert "secadmin 已解锁" in capsys.readouterr().out
    assert login(from_address(HOME), "secadmin", PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert event.actor is None and event.actor_username == "(command line)"


def test_the_command_lifts_the_wait_of_an_address(office, capsys):
    for n in range(20):
        login(from_address(AWAY), f"ghost{n}", "wrong-Password1")
    assert refusal(login(from_address(AWAY), "office", PASSWORD)) == REFUSAL
    call_command("unlock_login", "--address", AWAY)
    assert "清除 20 次失败记录" in capsys.readouterr().out
    assert login(from_address(AWAY), "office", PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="auth.address_unlocked")
    assert event.object_id == AWAY and event.actor_username == "(command line)"
    with pytest.raises(CommandError):
        call_command("unlock_login")


def test_behind_a_proxy_the_address_is_the_one_the_proxy_adds(office, settings):
    """Otherwise every log-in would come from the proxy, and twenty wrong passwords would stop everyone."""
    settings.QINGDAN_BEHIND_PROXY = True
    proxy = Client(REMOTE_ADDR="10.9.9.9")
    for n in range(20):
        proxy.post(
            "/login/",
            {"username": f"ghost{n}", "password": "wrong-Password1"},
            HTTP_X_FORWARDED_FOR=f"{HOME}, {AWAY}",  # the client wrote HOME; the proxy added AWAY
        )
    assert LoginFailure.objects.filter(address=AWAY).count() == 20
    response = proxy.post("/login/", {"username": "office", "password": PASSWORD}, HTTP_X_FORWARDED_FOR=OTHER)
    assert response.status_code == 302


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
    assert refusal(login(client, "office", PASSWORD)) == REFUSAL


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

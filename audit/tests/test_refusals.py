"""Refused actions and requests outside the user's organisation, as an attacker makes them and as the auditor
then reads them on the audit page (审计日志)."""

from datetime import timedelta

import pytest

from audit.models import AuditEvent, Result
from orgs.models import Notification, Role, User
from orgs.tests.factories import UserFactory
from qingdan import clock

pytestmark = pytest.mark.django_db


def audit_page(client, **query):
    return client.get("/audit/", query).content.decode()


def denied(**lookup):
    return AuditEvent.objects.filter(result=Result.DENIED, **lookup)


def test_system_administrator_granting_roles_is_refused_and_the_auditor_sees_the_attempt(
    client_for, sysadmin, office, auditor
):
    response = client_for(sysadmin).post(
        f"/users/{office.pk}/", {"action": "roles", "roles": [Role.AUDITOR]}, follow=True
    )
    assert "只有安全管理员可以变更角色" in response.content.decode()
    assert User.objects.get(pk=office.pk).role_set == {Role.OFFICE}
    assert not AuditEvent.objects.filter(action="orgs.roles_changed").exists()
    event = denied().get()
    assert (event.action, event.actor, event.object_id) == ("access.denied", sysadmin, str(office.pk))
    page = audit_page(client_for(auditor), result="denied")
    assert "拒绝" in page and "sysadmin" in page
    assert f"POST /users/{office.pk}/" in page and "您的角色无权执行此操作。" in page


def test_security_administrator_disabling_their_own_account_is_refused_and_recorded(client_for, secadmin, auditor):
    client_for(secadmin).post(f"/users/{secadmin.pk}/", {"action": "disable"})
    assert User.objects.get(pk=secadmin.pk).is_active
    assert denied(action="access.denied", actor=secadmin, object_id=str(secadmin.pk)).exists()
    assert f"POST /users/{secadmin.pk}/" in audit_page(client_for(auditor), actor="secadmin")


def test_a_page_refused_by_role_is_recorded(client_for, reporter, auditor):
    assert client_for(reporter).get("/audit/").status_code == 403
    event = denied(actor=reporter).get()
    assert event.action == "access.denied" and event.after == {"method": "GET", "path": "/audit/", "status": 403}
    assert "GET /audit/" in audit_page(client_for(auditor), result="denied")


def test_a_request_for_a_unit_outside_the_organisation_is_recorded_with_what_was_asked_for(
    client_for, reporter, county_a, auditor
):
    assert client_for(reporter).get(f"/orgs/{county_a.pk}/").status_code == 404
    event = denied(actor=reporter).get()
    assert (event.action, event.object_type, event.object_id) == (
        "access.out_of_scope",
        "orgs.orgunit",
        str(county_a.pk),
    )
    assert event.org_unit == reporter.org_unit
    page = audit_page(client_for(auditor), actor="reporter")
    assert "对象不存在，或不在您的管辖范围内。" in page and f"GET /orgs/{county_a.pk}/" in page


def test_the_api_records_its_404_and_its_403(client_for, reporter, county_a):
    client = client_for(reporter)
    assert client.get(f"/api/v1/orgs/{county_a.pk}").status_code == 404
    event = denied(actor=reporter).get()
    assert (event.action, event.object_type, event.object_id) == (
        "access.out_of_scope",
        "orgs.orgunit",
        str(county_a.pk),
    )
    assert event.after["path"] == f"/api/v1/orgs/{county_a.pk}"


def test_a_refused_write_changes_nothing_but_its_refusal_is_kept(client_for, reporter, office, auditor, dept_a):
    from checklists import services
    from checklists.models import ItemStatus

    checklist = services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="技术工人队伍建设责任清单",
        doc_number="",
        items=[{"content": "改善技术人才居住条件", "standard": "完成", "deadline": clock.today() + timedelta(days=9)}],
    )
    item = checklist.items.get()
    version, before = item.version, AuditEvent.objects.count()
    # The responsible unit's own reporter passes its own item.
    response = client_for(reporter).post(
        f"/lists/items/{item.pk}/verify/", {"decision": "pass", "opinion": "已完成", "version": item.version}
    )
    assert "您的角色或所在单位不允许对该事项执行此操作" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.ISSUED and item.version == version and item.closed_at is None
    assert not item.documents.exists()
    new = AuditEvent.objects.order_by("id")[before:]
    assert [(e.action, e.result) for e in new] == [("auth.login", Result.SUCCESS), ("access.refused", Result.DENIED)]
    assert new[1].object_type == "checklists:item_verify" and new[1].object_id == str(item.pk)
    assert "您的角色或所在单位不允许对该事项执行此操作" in audit_page(client_for(auditor), result="denied")


def test_a_refused_rule_shown_in_the_form_is_recorded(client_for, office):
    client_for(office).post("/orgs/rules/", {"key": "closeout.satisfaction_percent", "value": "900"})
    event = denied(actor=office).get()
    assert event.action == "access.refused" and "必须是" in event.message


def test_nothing_is_recorded_for_a_page_that_does_not_exist_or_for_a_visitor(client, client_for, office):
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/orgs/1/").status_code == 302  # to the log-in page
    signed_in = client_for(office)
    assert signed_in.get("/favicon.ico").status_code == 404
    assert signed_in.get("/orgs/").status_code == 200
    assert not denied().exists()


def test_a_guessed_poll_link_is_recorded_for_the_top_auditor(client, client_for, city):
    assert client.get("/p/no-such-poll/guessed-token/").status_code == 404
    event = denied().get()
    assert (event.action, event.actor, event.actor_username) == ("access.out_of_scope", None, "(anonymous)")
    assert event.object_id == "no-such-poll" and event.client_ip == "127.0.0.1"
    city_auditor = UserFactory(username="city-auditor", org_unit=city, roles=[Role.AUDITOR])
    assert "/p/no-such-poll/guessed-token/" in audit_page(client_for(city_auditor), result="denied")


def test_a_flood_of_refusals_writes_the_limit_then_one_summary_row(
    client_for, reporter, county_a, auditor, settings, frozen_clock
):
    settings.QINGDAN_AUDIT_DENIED_PER_MINUTE = 5
    settings.QINGDAN_AUDIT_ALERT_OUT_OF_SCOPE = 1000
    client = client_for(reporter)
    for _ in range(40):
        client.get(f"/orgs/{county_a.pk}/")
    assert denied(actor=reporter, action="access.out_of_scope").count() == 5
    assert not denied(action="access.refusals_summarised").exists()  # the minute is not over yet
    frozen_clock.shift(timedelta(minutes=1))
    page = audit_page(client_for(auditor), actor="reporter")
    summary = denied(action="access.refusals_summarised").get()
    assert summary.actor == reporter and summary.after["refused"] == 40
    assert "该分钟内另有 35 次操作被拒绝，已计数，未逐条记录。" in page
    client.get(f"/orgs/{county_a.pk}/")  # a new minute: written again, the summary not repeated
    assert denied(actor=reporter, action="access.out_of_scope").count() == 6
    assert denied(action="access.refusals_summarised").count() == 1


def test_repeated_requests_outside_the_organisation_alert_the_auditors_once(
    client_for,
    reporter,
    county_a,
    county_b,
    auditor,
    outsider,
    settings,
    frozen_clock,
    django_capture_on_commit_callbacks,
):
    auditor_b = UserFactory(username="auditor-b", org_unit=county_b, roles=[Role.AUDITOR])
    client = client_for(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(9):
            frozen_clock.shift(timedelta(seconds=50))  # nine requests in 7½ minutes
            client.get(f"/orgs/{county_a.pk}/")
        assert not AuditEvent.objects.filter(result=Result.ALERT).exists()
        client.get(f"/api/v1/orgs/{county_b.pk}")  # the tenth
        client.get(f"/orgs/{county_a.pk}/")
    alert = AuditEvent.objects.get(result=Result.ALERT)
    assert alert.action == "audit.out_of_scope_alert" and alert.actor == reporter
    told = Notification.objects.get()
    assert told.user == auditor and "审计告警：reporter" in told.text and "10 分钟内 10 次" in told.text
    assert told.url == "/audit/?actor=reporter&result=denied"
    assert not Notification.objects.filter(user__in=[auditor_b, outsider]).exists()
    since = (clock.today() - timedelta(days=6)).isoformat()
    auditor_client = client_for(auditor)
    workbench = auditor_client.get("/").content.decode()
    assert "近 7 天的审计告警" in workbench and f"/audit/?result=alert&amp;start={since}" in workbench
    page = audit_page(auditor_client, result="alert", start=since)
    assert "告警" in page and "审计告警：reporter" in page
    assert "近 7 天的审计告警" not in client_for(auditor_b).get("/").content.decode()

    frozen_clock.shift(timedelta(minutes=11))  # a new window: quiet until it fills again
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            client.get(f"/orgs/{county_a.pk}/")
    assert AuditEvent.objects.filter(result=Result.ALERT).count() == 2
    assert Notification.objects.filter(user=auditor).count() == 2

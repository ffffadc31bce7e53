"""The weekly digest given out: the command gives each leader and office clerk one notification per week (run twice,
or racing another run), mail only when configured, and the digest page shows the reader's own scope."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from checklists import services
from orgs.models import Notification, Role
from orgs.tests.factories import UserFactory
from overview import digest
from overview.models import DigestSent
from qingdan import clock

pytestmark = pytest.mark.django_db

WEEK = date(2026, 9, 14)
LAST_WEEK = date(2026, 9, 7)  # the week that ended on the Sunday before the suite's 2026-09-16


@pytest.fixture(autouse=True)
def _in_the_week_of_2026_09_16(frozen_clock):
    """The digest's tests are written for the week of Wednesday 16 September 2026 (its Monday, its last Sunday), so
    each starts there, 10:00 China time, whatever moment the suite's clock was started at."""
    frozen_clock.move_to(datetime(2026, 9, 16, 10, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
def news(office, reporter, outsider, dept_b):
    """A list issued in each county this week, one of county A's items overdue."""
    items = [{"content": "开展技能竞赛", "standard": "全年2场", "deadline": clock.today() + timedelta(days=10)}]
    ours = services.issue_checklist(actor=office, responsible_unit=reporter.org_unit, title="滨海清单", items=items)
    services.issue_checklist(actor=outsider, responsible_unit=dept_b, title="临河清单", items=items)
    ours.items.update(deadline=clock.today() - timedelta(days=4))
    return ours


def test_the_default_week_is_the_one_that_ended_last_sunday():
    assert digest.last_week(date(2026, 9, 16)) == LAST_WEEK
    assert digest.last_week(date(2026, 9, 14)) == LAST_WEEK  # a Monday: yesterday ended it
    assert digest.last_week(date(2026, 9, 13)) == date(2026, 8, 31)  # a Sunday: its week has not ended
    assert digest.week_of(date(2026, 9, 20)) == (WEEK, date(2026, 9, 20))


def test_run_twice_the_command_gives_each_reader_one_notification(office, leader, reporter, outsider, news):
    call_command("send_digest", "--week-of", "2026-09-16")
    call_command("send_digest", "--week-of", "2026-09-18")
    given = list(Notification.objects.values_list("user__username", "url").order_by("user__username"))
    url = "/overview/digest/2026-09-14/"
    assert [pair for pair in given if pair[1] == url] == [("leader", url), ("office", url), ("outsider", url)]
    assert DigestSent.objects.count() == 3
    text = Notification.objects.get(user=leader, url=url).text
    assert "2026-09-14" in text and "责任清单 1" in text and "当前逾期 1 项" in text and len(text) <= 300
    call_command("send_digest")  # last week: a digest of its own
    assert DigestSent.objects.filter(week_start=LAST_WEEK).count() == 3


def test_a_run_that_lost_the_race_sends_nothing(leader):
    # Another run inserted the same user and week between this run's check and its insert.
    DigestSent.objects.create(user=leader, week_start=WEEK)
    assert digest.send_weekly_digest(user=leader, start=WEEK) is False
    assert not Notification.objects.filter(user=leader).exists()


def test_no_mail_without_a_mail_server(office, leader, news):
    leader.email = "leader@example.org"
    leader.save()
    call_command("send_digest", "--week-of", "2026-09-14")
    assert mail.outbox == []
    assert not DigestSent.objects.filter(mailed=True).exists()


@override_settings(QINGDAN_EMAIL_HOST="smtp.example.org", QINGDAN_SITE_URL="https://qingdan.example.org")
def test_with_a_mail_server_readers_with_an_address_get_a_plain_text_mail(office, leader, news):
    leader.email = "leader@example.org"
    leader.save()
    call_command("send_digest", "--week-of", "2026-09-14")
    call_command("send_digest", "--week-of", "2026-09-14")
    assert [message.to for message in mail.outbox] == [["leader@example.org"]]  # office has no address
    body = mail.outbox[0].body
    assert "https://qingdan.example.org/overview/digest/2026-09-14/" in body
    assert "事项逾期：开展技能竞赛" in body and "逾期 4 天" in body and "临河" not in body
    assert DigestSent.objects.get(user=leader).mailed


def test_the_reader_list_is_leaders_and_office_staff(office, leader, reporter, outsider, auditor):
    UserFactory(username="both", org_unit=office.org_unit, roles=[Role.LEADER, Role.OFFICE])
    inactive = UserFactory(username="gone", org_unit=office.org_unit, roles=[Role.LEADER], is_active=False)
    names = {user.username for user in digest.readers()}
    assert names == {"office", "leader", "outsider", "both"} and inactive.username not in names


def test_the_page_is_for_leaders_and_office_staff_only(client_for, reporter, leader, auditor):
    assert client_for(reporter).get("/overview/digest/2026-09-14/").status_code == 403
    assert client_for(auditor).get("/overview/digest/2026-09-14/").status_code == 403
    leader_client = client_for(leader)
    assert leader_client.get("/overview/digest/2026-09-15/").status_code == 404  # not a Monday
    assert leader_client.get("/overview/digest/2026-99-14/").status_code == 404


def test_the_page_shows_the_readers_scope(client_for, leader, outsider, news):
    page = client_for(leader).get("/overview/digest/2026-09-14/").content.decode()
    assert "下达清单：滨海清单" in page and "事项逾期：开展技能竞赛" in page and "逾期 4 天" in page
    assert "临河清单" not in page
    theirs = client_for(outsider).get("/overview/digest/2026-09-14/").content.decode()
    assert "滨海清单" not in theirs and "开展技能竞赛" not in theirs


@override_settings(QINGDAN_EMAIL_HOST="smtp.example.org")
def test_a_mail_server_that_fails_leaves_the_notification_and_the_run_goes_on(office, leader, news, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("smtp.example.org:25")

    monkeypatch.setattr(digest, "send_mail", down)
    for person in (office, leader):
        person.email = f"{person.username}@example.org"
        person.save()
    call_command("send_digest", "--week-of", "2026-09-14")
    assert Notification.objects.filter(url="/overview/digest/2026-09-14/").count() == 3  # the outsider's too
    assert DigestSent.objects.filter(user__in=[office, leader], mailed=False).count() == 2

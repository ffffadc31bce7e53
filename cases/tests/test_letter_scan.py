"""The daily scan of letters past their reply date: into the office's workbench once, nothing issued."""

from datetime import date
from io import StringIO

from django.core.management import call_command

from cases import inbox_letters, letter_flow
from cases.models import Letter, LetterStatus
from cases.tests.test_letter_flow import at, delivered, notice
from orgs.models import Notification


def test_the_scan_notes_an_overdue_letter_once_and_issues_nothing(
    office, firm_a, frozen_clock, django_capture_on_commit_callbacks
):
    letter = delivered(notice(office, firm_a), office, date(2026, 9, 16), frozen_clock)
    frozen_clock.move_to(at(date(2026, 10, 9)))
    out, err = StringIO(), StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("scan_letters", stdout=out, stderr=err)
    assert "1; newly put in the workbench: 1" in out.getvalue()
    assert "1/1" in err.getvalue()  # the terminal progress
    with django_capture_on_commit_callbacks(execute=True):
        call_command("scan_letters", "--today", "2026-10-09", stdout=out, stderr=err)
    assert out.getvalue().endswith("newly put in the workbench: 0\n")
    assert Notification.objects.filter(user=office, url__endswith=f"/letters/{letter.pk}/").count() == 1
    assert Letter.objects.count() == 1
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DELIVERED


def test_the_scan_leaves_letters_not_yet_due(office, firm_a, frozen_clock):
    delivered(notice(office, firm_a), office, date(2026, 9, 16), frozen_clock)
    assert letter_flow.scan(date(2026, 9, 30)) == (0, 0)  # due on 09-30 itself: not overdue yet
    assert letter_flow.scan(date(2026, 10, 1)) == (1, 1)


def test_the_workbench_shows_letters_to_deliver_and_to_escalate(office, outsider, firm_a, frozen_clock):
    notice(office, firm_a)
    delivered(notice(office, firm_a), office, date(2026, 9, 16), frozen_clock)
    frozen_clock.move_to(at(date(2026, 10, 9)))
    found = {row["label"]: row for row in inbox_letters.items(office)}
    assert [row["count"] for row in found.values()] == [1, 1]
    overdue = next(row for row in found.values() if row["overdue"])
    assert "overdue=1" in overdue["url"]
    assert inbox_letters.items(outsider) == []

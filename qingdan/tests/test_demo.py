from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from checklists.demo import close_out_rate
from checklists.models import Checklist, Item, ItemEvent, ItemStatus
from orgs.models import OrgUnit, User
from orgs.queries import subtree
from qingdan import clock
from qingdan.demo_calendar import Half, add_months, assessed_half
from surveys import stats
from surveys.demo import POLL_TITLE, TITLE
from surveys.models import Poll, Questionnaire, ResponseStatus

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_with_the_same_result(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "office" in out and "Qingdan@2026" in out
    call_command("load_demo")
    binhai = OrgUnit.objects.get(name="滨海县总工会")
    assert subtree(binhai).count() - 1 == 86  # the units that receive lists in seed 000
    assert (
        User.objects.filter(
            username__in=[
                "admin",
                "security",
                "auditor",
                "office",
                "reporter",
                "reviewer",
                "evaluator",
                "leader",
                "office2",
            ]
        ).count()
        == 9
    )
    assert User.objects.get(username="office2").org_unit.name == "临河县总工会"
    survey = Questionnaire.objects.get(title=TITLE)
    distribution = survey.distributions.get()
    statuses = list(distribution.targets.values_list("status", flat=True))
    assert len(statuses) == 33 and statuses.count(ResponseStatus.SUBMITTED) == 23
    lists = Checklist.objects.filter(issuing_unit=binhai)
    assert lists.count() == 127 and lists.values("responsible_unit").distinct().count() == 86
    assert 0.89 <= close_out_rate() <= 0.93
    assert set(Item.objects.values_list("status", flat=True)) == set(ItemStatus)
    assert Item.objects.filter(urgings__gt=0).exists()
    # The README's reporter can show a close-out: her bureau has open work of every kind beside closed items.
    today = clock.today()
    bureau = Item.objects.filter(responsible_unit=User.objects.get(username="reporter").org_unit)
    assert bureau.filter(status=ItemStatus.CLOSED).count() == 3
    assert (
        bureau.filter(status=ItemStatus.ISSUED, deadline__gte=today, deadline__lte=today + timedelta(days=7)).count()
        == 1
    )
    assert bureau.filter(status=ItemStatus.ISSUED, deadline__lt=today).count() == 1
    assert bureau.filter(status=ItemStatus.RECTIFYING).count() == 1 and bureau.count() == 6
    poll = Poll.objects.get(title=POLL_TITLE)
    question = poll.questionnaire.questions.get(code="S1")
    rate = stats.satisfaction_rate(stats.final_responses(poll.questionnaire, poll=poll), question)
    assert rate == pytest.approx(17 / 20)


def test_the_demo_history_runs_up_to_the_day_it_is_loaded():
    """Each item's steps on days of their own, in order, all before the load; lists issued in each of the
    eleven months before this one, so the figures page groups them by month with no gap."""
    call_command("load_demo")
    loaded, today = clock.now(), clock.today()
    assert not ItemEvent.objects.filter(at__gte=loaded).exists()
    # Every area's steps of today are written at their hour or, when that hour is still to come, at the load.
    assert not AuditEvent.objects.filter(created_at__gt=loaded).exists()
    assert not Checklist.objects.filter(issued_on__gte=today).exists()

    rectified = Item.objects.filter(
        status=ItemStatus.CLOSED, rectifications__gt=0, urgings=0, deep_review_required=False
    )
    rectified = rectified.order_by("pk").first()
    steps = [(e.kind, timezone.localdate(e.at)) for e in rectified.events.order_by("at", "pk")]
    assert [kind for kind, _day in steps] == ["issued", "applied", "failed", "applied", "closed"]
    days = [day for _kind, day in steps]
    assert days == sorted(days) and len(set(days)) == len(days)

    # Urgings come from the daily scan on the day after the deadline, a week apart, and only before an application.
    urged = Item.objects.filter(urgings__gt=1).order_by("pk").first()
    scans = [timezone.localdate(e.at) for e in urged.events.filter(kind="urged").order_by("at")]
    assert scans[0] > urged.original_deadline and all((b - a).days == 7 for a, b in zip(scans, scans[1:], strict=False))
    # A few items fell due in the last week and were urged once.
    assert Item.objects.filter(status=ItemStatus.ISSUED, deadline__gte=today - timedelta(days=7), urgings=1).exists()

    office = Client()
    office.force_login(User.objects.get(username="office"))
    page = office.get("/lists/figures/", {"group": "month"})
    months = sorted({f"{day:%Y-%m}" for day in Checklist.objects.values_list("issued_on", flat=True)})
    expected = [f"{add_months(today.replace(day=1), -n):%Y-%m}" for n in range(11, 0, -1)]
    assert months == expected
    html = page.content.decode()
    assert all(f"month={month}" in html for month in expected)


def test_the_assessed_half_is_the_last_one_over_for_a_month():
    assert assessed_half(date(2026, 7, 29)) == Half(2025, 2)
    assert assessed_half(date(2026, 7, 30)) == Half(2026, 1)
    assert assessed_half(date(2027, 1, 29)) == Half(2026, 1)
    assert assessed_half(date(2027, 1, 30)) == Half(2026, 2)
    assert Half(2026, 2).day(7, 31) == date(2027, 1, 31) and Half(2027, 1).day(2, 30) == date(2027, 2, 28)

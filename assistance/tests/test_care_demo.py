"""The care demo on a small archive: every story it tells is there, a second run changes nothing, and it writes
nothing without archived families. The daily scan flags what the demo leaves waiting, once a day."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from assistance import care_queries, demo_care
from assistance import rules as archive_rules
from assistance.models import Aid, AidKind, Category, Certificate, Contact, FileStatus, Household, Pairing
from assistance.scope import visible_households
from assistance.tests.factories import make_household
from orgs import rules as org_rules
from orgs.models import Notification, OrgKind, Role
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan import clock


@pytest.fixture
def archive(county_a, office):
    town = OrgUnitFactory(code="A-T1", name="东坎街道工会", kind=OrgKind.TOWN, parent=county_a)
    UserFactory(username="dongkan", org_unit=town, roles=[Role.REPORTER])
    families = []
    for n in range(1, 9):
        unit = town if n % 2 else county_a
        category = Category.DEEP if n <= 4 else Category.RELATIVE
        families.append(make_household(unit, n, category=category, annual_income=Decimal("24000")))
    return families


def test_the_demo_tells_every_story_and_runs_twice(archive):
    assert demo_care.build() is True
    today = clock.today()
    aid = Aid.objects.all()
    assert {AidKind.HOLIDAY, AidKind.SCHOOLING, AidKind.MEDICAL} <= set(aid.values_list("kind", flat=True))
    deep = Household.objects.filter(category=Category.DEEP)
    assert Certificate.objects.filter(household__in=deep).values("household").distinct().count() >= 3
    assert care_queries.expired_certificates(Certificate.objects.all(), today).count() == 1
    assert care_queries.not_visited(Pairing.objects.all(), today).exists()
    assert Pairing.objects.filter(cadre__username="dongkan").exists()
    assert Pairing.objects.filter(cadre__username="office").exists()
    assert Household.objects.filter(status=FileStatus.EXITED, exited_on__year=today.year).count() == 1
    assert Household.objects.filter(status=FileStatus.PERMANENT).count() == 1
    assert Household.objects.filter(relapses=1, status=FileStatus.ARCHIVED).count() == 1
    assert care_queries.follow_ups_due(Household.objects.all(), today).count() == 1
    counts = (Aid.objects.count(), Certificate.objects.count(), Contact.objects.count())
    assert demo_care.build() is False
    assert (Aid.objects.count(), Certificate.objects.count(), Contact.objects.count()) == counts


def test_the_demo_writes_nothing_without_archived_families(county_a, office):
    assert demo_care.build() is False
    assert not Aid.objects.exists()


def test_the_scan_notifies_cadres_and_offices_once_a_day(archive):
    demo_care.build()
    Notification.objects.all().delete()
    call_command("scan_care")
    first = Notification.objects.count()
    assert Notification.objects.filter(user__username="office", url__contains="certificates").exists()
    assert (
        Notification.objects.filter(user__username="dongkan").exists()
        or Notification.objects.filter(url__contains="contacts/new").exists()
    )
    call_command("scan_care")
    assert Notification.objects.count() == first


def test_the_workbench_flags_are_the_rows_of_their_lists_in_four_queries(archive, office, django_assert_num_queries):
    demo_care.build()
    today = clock.today()
    org_rules.set_rule(unit=office.org_unit, key=archive_rules.VISIT_DAYS.key, value=30, actor=office)
    with django_assert_num_queries(4):  # the rules in force, the pairings, the certificates, the files
        flags = care_queries.flag_counts(office, today)
    households = visible_households(office)
    pairings = care_queries.visible_pairings(office)
    assert flags == {
        "not_visited": care_queries.not_visited(pairings, today, 30).values("household").distinct().count(),
        "mine": care_queries.not_visited(care_queries.my_pairings(office), today, 30).count(),
        "expired": care_queries.expired_certificates(care_queries.visible_certificates(office), today).count(),
        "review_due": households.filter(care_queries.review_overdue(today)).count(),
        "follow_up": care_queries.follow_ups_due(households, today).count(),
        "stale": care_queries.stale(households, today).count(),
    }
    assert flags["mine"] and flags["not_visited"] > flags["mine"] and flags["expired"] == flags["follow_up"] == 1

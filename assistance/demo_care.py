"""The care part of the demo, written after the archive demo (``assistance.demo``) on its archived families of
滨海, through the services and as of the days things happened (``clock.at``): aid over the year (the two
festivals, schooling, medical), certificates for the deep-hardship families (one expired), the ``office`` and the
town reporters paired with families (a few not visited for over 90 days), monthly incomes with one family exited
this year, one moved to permanent support, one exited last year and due its follow-up, one relapsed.

Idempotent: a second run finds its first aid and stops. Nothing is written when there are no archived families."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from assistance import care, decisions
from assistance.models import (
    AIDED_STATUSES,
    Aid,
    AidKind,
    Category,
    Cause,
    Contact,
    FileStatus,
    Health,
    Household,
    Member,
)
from evidence import services as library
from orgs.models import OrgKind, OrgUnit, User
from orgs.queries import within
from qingdan import clock
from qingdan.actors import SYSTEM
from qingdan.demo_calendar import moment

MARK = "demo-care"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STANDARDS = {2024: Decimal("760"), 2025: Decimal("790"), 2026: Decimal("820")}


def _moment(day):
    return moment(day, 10)


def _county():
    return OrgUnit.objects.filter(kind=OrgKind.COUNTY, users__username="office").first()


def _standards(county):
    for year, monthly in STANDARDS.items():
        if decisions.standard_for(county, year) is None:
            decisions.set_standard(unit=county, year=year, monthly=monthly, actor=SYSTEM)


def _aid(household, kind, amount, day, source, note=""):
    with clock.at(_moment(day)):
        aid = care.give_aid(
            household=household, actor=SYSTEM, kind=kind, amount=Decimal(amount), given_on=day, source=source,
            delivered_by="程华", note=note,
        )  # fmt: skip
    return aid


def _months(household, office, proof, first, count, per_capita):
    month = first
    for _n in range(count):
        household.refresh_from_db()
        with clock.at(_moment(care.add_months(month, 1))):
            care.record_month(household=household, actor=office, month=month, per_capita=per_capita, evidence=proof)
        month = care.add_months(month, 1)
    household.refresh_from_db()


def summary():
    aid = Aid.objects.filter(household__status__in=[*AIDED_STATUSES, FileStatus.EXITED])
    return f"{aid.count()} aid records, {Household.objects.filter(status=FileStatus.EXITED).count()} exited families"


def build():
    county = _county()
    office = User.objects.filter(username="office").first()
    if county is None or office is None:
        return False
    families = list(Household.objects.filter(within(county, "org_unit"), status=FileStatus.ARCHIVED).order_by("pk"))
    if len(families) < 6 or Aid.objects.filter(import_key__startswith=MARK).exists():
        return False  # no archive demo yet, or done already
    today = clock.today()
    with transaction.atomic():
        _standards(county)
        _build(county, office, families, today)
    return True


def _build(county, office, families, today):
    year = today.year
    # --- aid over the year: the Spring Festival and the Mid-Autumn festival, schooling, medical ---
    spring = datetime.date(year, 1, 20)
    autumn = min(datetime.date(year, 9, 20), today)
    school = min(datetime.date(year, 8, 25), today)
    for n, household in enumerate(families):
        first = _aid(household, AidKind.HOLIDAY, 800 if household.category == Category.DEEP else 500, spring,
                     "县总工会两节送温暖专项资金", "春节慰问金")  # fmt: skip
        if n == 0:
            first.import_key = f"{MARK}-1"
            first.save(update_fields=["import_key"])
        _aid(household, AidKind.HOLIDAY, 300, autumn, "县总工会帮扶资金", "中秋慰问")
        if household.main_cause == Cause.SCHOOLING or n % 4 == 1:
            _aid(household, AidKind.SCHOOLING, 2000, school, "金秋助学专项资金", "子女入学助学金")
        if household.main_cause == Cause.ILLNESS or n % 5 == 2:
            _aid(household, AidKind.MEDICAL, 1500 + 100 * (n % 7), datetime.date(year, 5, 10) + datetime.timedelta(n),
                 "职工医疗互助金", "住院自付部分补助")  # fmt: skip

    # --- certificates for the deep-hardship families; one issued over a year ago and now expired ---
    deep = [h for h in families if h.category == Category.DEEP]
    for n, household in enumerate(deep):
        issued = today - datetime.timedelta(days=400) if n == 0 else today - datetime.timedelta(days=30 + 20 * n)
        with clock.at(_moment(issued)):
            certificate = care.issue_certificate(household=household, actor=SYSTEM)
        if n == 1:
            with clock.at(_moment(issued + datetime.timedelta(days=10))):
                care.record_benefit(certificate=certificate, actor=SYSTEM, body="自来水", on=issued + datetime.timedelta(10),
                                    note="每月免费用水5吨")  # fmt: skip

    exiting, permanent, lapsed, relapsing = families[-1], families[-2], families[-3], families[-4]

    # --- pairings: the office and the town reporters, one-to-many; a few not visited for over 90 days ---
    towns = {u.pk: u for u in User.objects.filter(org_unit__kind=OrgKind.TOWN, org_unit__parent=county, is_active=True)}
    for n, household in enumerate(families):
        cadre = next((u for u in towns.values() if household.org_unit.is_within(u.org_unit)), None) or office
        since = today - datetime.timedelta(days=200 if n % 3 == 0 else 60)
        with clock.at(_moment(since)):
            care.pair(household=household, cadre=cadre, actor=SYSTEM, since=since)
        if (n % 3 == 0 and n % 2 == 0) or household == lapsed:
            continue  # never visited since pairing 200 days ago: flagged
        visited = today - datetime.timedelta(days=120 if n % 3 == 0 else 10 + n)
        with clock.at(_moment(visited)):
            care.log_contact(household=household, actor=cadre, kind=Contact.Kind.VISIT, on=visited,
                             note="入户走访：家庭生活基本稳定，子女就学正常。")  # fmt: skip
        with clock.at(_moment(visited + datetime.timedelta(days=5))):
            care.log_contact(household=household, actor=cadre, kind=Contact.Kind.PHONE,
                             on=visited + datetime.timedelta(days=5), note="电话回访：慰问金已收到。")  # fmt: skip

    proof = library.keep(uploaded=SimpleUploadedFile("工资流水.pdf", PDF), actor=office)

    # --- exited this year: six months above the line, each with a pay slip ---
    line = care.exit_line(exiting, today)
    _months(exiting, office, proof, care.add_months(care.first_of(today), -6), 6, line + Decimal("260"))
    care.exit_hardship(household=exiting, actor=SYSTEM, version=exiting.version)

    # --- permanent support: the head's disability, as the home visit recorded it ---
    head = Member.objects.filter(household=permanent).order_by("pk").first()
    head.health = Health.DISABLED  # the record's fact the move rests on
    head.save(update_fields=["health"])
    permanent.refresh_from_db()
    care.move_to_permanent(household=permanent, actor=SYSTEM, version=permanent.version,
                           reason="户主因工致残（二级肢体残疾），丧失劳动能力，家庭无其他稳定收入。")  # fmt: skip

    # --- exited over a year ago (due its follow-up visit), and one exited then relapsed ---
    for household, days in ((lapsed, 400), (relapsing, 420)):
        exit_day = today - datetime.timedelta(days=days)
        first = care.add_months(care.first_of(exit_day), -6)
        with clock.at(_moment(exit_day)):
            line = care.exit_line(household, exit_day)
        _months(household, office, proof, first, 6, line + Decimal("180"))
        household.refresh_from_db()
        with clock.at(_moment(exit_day)):
            care.exit_hardship(household=household, actor=SYSTEM, version=household.version)
    relapsing.refresh_from_db()
    cadre = relapsing.pairings.filter(until__isnull=True).first().cadre
    care.log_contact(household=relapsing, actor=cadre, kind=Contact.Kind.VISIT, on=today,
                     note="回访发现：配偶突发脑梗住院，家庭收入骤降。")  # fmt: skip
    care.rearchive(household=relapsing, actor=SYSTEM, version=relapsing.version,
                   reason="配偶突发重病住院，家庭收入骤降，经回访核实返困。", annual_income=Decimal("18000"),
                   accident_costs=Decimal("42000"))  # fmt: skip

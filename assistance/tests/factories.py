"""Households for tests, written straight to the tables (as an import or a finished workflow leaves them): each
member with a real ID number whose check digit is computed, sealed, hashed and masked as the services do."""

import datetime
from decimal import Decimal

from stdnum.cn import ric

from assistance import identity
from assistance.models import Category, Cause, FileStatus, Household, LivePerson, Member, Relation

REGION = "320922"  # 滨海县


def id_number(n, born=datetime.date(1980, 1, 1), region=REGION):
    """The ``n``-th made-up ID number of a person born on ``born`` in ``region``, its check digit right."""
    first17 = f"{region}{born:%Y%m%d}{n % 1000:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def make_household(
    unit, n=1, *, status=FileStatus.ARCHIVED, size=3, category=Category.DEEP, live=True, applied_on=None, **facts
):
    """A household of ``size`` people (a head and ``size - 1`` members) managed by ``unit``."""
    applied_on = applied_on or datetime.date(2026, 3, 1)
    household = Household.objects.create(
        org_unit=unit,
        number=facts.pop("number", f"KN-{unit.pk}-{n:05d}"),
        status=status,
        category=category,
        head_name=facts.pop("head_name", f"王{n}明"),
        address=facts.pop("address", f"滨海县人民路{n}号"),
        phone=facts.pop("phone", "13812345678"),
        bank_account=facts.pop("bank_account", "6222020200112233445"),
        main_cause=facts.pop("main_cause", Cause.ILLNESS),
        annual_income=facts.pop("annual_income", Decimal("24000.00")),
        applied_on=applied_on,
        archived_on=facts.pop("archived_on", applied_on if status == FileStatus.ARCHIVED else None),
        **facts,
    )
    for i in range(size):
        number = id_number(n * 10 + i, born=datetime.date(1980 + i, 1 + i % 12, 1))
        born, region, masked, hashed = identity.facts(number)
        member = Member.objects.create(
            household=household,
            name=household.head_name if i == 0 else f"王{n}之{i}",
            relation=Relation.HEAD if i == 0 else Relation.CHILD,
            id_number=number,
            id_hash=hashed,
            id_masked=masked,
            birth_date=born,
            region_code=region,
        )
        if live and status not in (FileStatus.REJECTED, FileStatus.CANCELLED):
            LivePerson.objects.create(id_hash=hashed, member=member)
    return household

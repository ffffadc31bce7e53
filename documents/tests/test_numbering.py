"""The one numbering service (文号) of every area."""

import ast
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction

from documents import numbering
from documents.models import IssuedNumber
from orgs.models import OrgKind
from orgs.tests.factories import OrgUnitFactory
from qingdan import clock
from qingdan.tests.test_clock import ROOT, product_modules

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return OrgUnitFactory(code="N1", name="滨海县总工会", kind=OrgKind.COUNTY, document_prefix="滨产改办")


def test_each_kind_of_each_issuer_counts_from_one_every_year(office, frozen_clock):
    frozen_clock.move_to(datetime(2026, 12, 31, 23, 59, tzinfo=ZoneInfo("Asia/Shanghai")))
    taken = [numbering.take(issuer=office, kind="checklists.urging", mark="催").number for _n in range(2)]
    taken.append(numbering.take(issuer=office, kind="checklists.rectification", mark="整改").number)
    frozen_clock.shift(120)  # 00:01 on 1 January in China, still 31 December in UTC
    taken.append(numbering.take(issuer=office, kind="checklists.urging", mark="催").number)
    assert taken == [
        "滨产改办催〔2026〕1号",
        "滨产改办催〔2026〕2号",
        "滨产改办整改〔2026〕1号",
        "滨产改办催〔2027〕1号",
    ]


def test_an_issuer_without_a_prefix_uses_its_name_without_the_word_federation():
    city = OrgUnitFactory(code="N2", name="示范市总工会", kind=OrgKind.CITY)
    assert numbering.take(issuer=city, kind="scoring.bulletin", mark="考").number.startswith("示范市考〔")


def test_a_refused_document_gives_its_number_back(office):
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.take(issuer=office, kind="checklists.urging", mark="催")
        raise RuntimeError("the notice was refused after it was numbered")
    assert numbering.take(issuer=office, kind="checklists.urging", mark="催").sequence == 1


def test_the_register_refuses_a_number_twice(office):
    first = numbering.take(issuer=office, kind="checklists.urging", mark="催")
    with pytest.raises(IntegrityError), transaction.atomic():
        IssuedNumber.objects.create(issuing_unit=office, kind=first.kind, year=first.year, sequence=1, number="x")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writes")
def test_two_documents_numbered_at_once_get_different_numbers(office, at_once):
    def issue():
        with transaction.atomic():
            return numbering.take(issuer=office, kind="checklists.urging", mark="催").number

    numbers = at_once(issue)
    year = clock.today().year
    assert sorted(map(str, numbers)) == [f"滨产改办催〔{year}〕1号", f"滨产改办催〔{year}〕2号"]


def test_no_area_makes_document_numbers_itself():
    """Numbers come from ``documents.numbering`` alone: no other product module builds a 〔year〕 number, nor
    counts a sequence (the demo writes the numbers an office would type for its lists)."""
    offenders = []
    for module in product_modules():
        if module.parts[0] == "documents" or "demo" in module.parts or module.name == "demo.py":
            continue
        for node in ast.walk(ast.parse((ROOT / module).read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr) and any(
                isinstance(part, ast.Constant) and "〔" in str(part.value) for part in node.values
            ):
                offenders.append(f"{module}:{node.lineno}")
    assert offenders == []
    assert Path("documents/numbering.py") in set(product_modules())

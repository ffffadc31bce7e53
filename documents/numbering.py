"""One numbering service (文号) for every area: ``take`` gives the next number of a kind of document for an
issuing unit this year, and keeps it in the register (``IssuedNumber``)."""

from django.db import transaction
from django.db.models import Max

from documents.models import IssuedNumber
from documents.official import document_number
from orgs.models import OrgUnit
from qingdan import clock


def prefix_of(unit):
    """The issuing unit's 机关代字: its document prefix, or its name without 总工会."""
    return unit.document_prefix or unit.name.removesuffix("总工会")


def take(*, issuer, kind, mark):
    """The next number of ``kind`` for ``issuer`` this year, e.g. ``滨产改办催〔2026〕3号`` for the mark ``催``.

    Call it in the transaction that issues the document, so that a refused document gives its number back.
    The issuer's row stays locked until that transaction ends: two documents at once get consecutive numbers,
    and the register's unique constraint is the last guard."""
    with transaction.atomic():
        OrgUnit.objects.select_for_update().only("pk").get(pk=issuer.pk)
        year = clock.today().year
        taken = IssuedNumber.objects.filter(issuing_unit=issuer, kind=kind, year=year)
        sequence = (taken.aggregate(last=Max("sequence"))["last"] or 0) + 1
        return IssuedNumber.objects.create(
            issuing_unit=issuer,
            kind=kind,
            year=year,
            sequence=sequence,
            number=document_number(prefix_of(issuer) + mark, year, sequence),
        )

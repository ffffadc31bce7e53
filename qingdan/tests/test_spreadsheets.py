"""Uploaded workbooks are refused by what they really expand to, before anything is read or kept: the bombs are
built here, each small enough to upload."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qingdan.spreadsheets import SheetError, read_rows, write_workbook

HEADERS = {"code": ("单位编码",), "name": ("单位名称",)}


def _upload(data, name="单位.xlsx"):
    return SimpleUploadedFile(name, data)


def _rewritten(data, changes):
    """``data`` (an .xlsx) with some members replaced or added: ``{name: bytes}``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, changes.pop(member.filename, source.read(member)))
        for name, content in changes.items():
            target.writestr(name, content)
    return out.getvalue()


def _book(rows):
    return write_workbook("单位", ["单位编码", "单位名称"], rows)


def _read(data):
    return read_rows(_upload(data), headers=HEADERS, max_bytes=10 * 1024 * 1024)


def test_a_plain_workbook_is_read():
    assert _read(_book([["320922", "滨海县总工会"]])) == [(2, {"code": "320922", "name": "滨海县总工会"})]


def test_a_sheet_declaring_a_million_rows_is_refused_before_it_is_read():
    book = _book([["1", "甲"]])
    sheet = zipfile.ZipFile(io.BytesIO(book)).read("xl/worksheets/sheet1.xml").decode()
    sheet = re.sub(r"<dimension[^>]*/>", "", sheet).replace("<sheetData", '<dimension ref="A1:A1048576"/><sheetData', 1)
    bomb = _rewritten(book, {"xl/worksheets/sheet1.xml": sheet.encode()})
    assert len(bomb) < 20_000
    with pytest.raises(SheetError, match="声明了 1,048,576 行"):
        _read(bomb)


def test_an_archive_that_inflates_past_the_limit_is_refused_while_inflating(settings):
    settings.QINGDAN_MAX_IMPORT_UNPACKED_BYTES = 1024 * 1024
    bomb = _rewritten(_book([["1", "甲"]]), {"xl/sharedStrings.xml": b"<sst>" + b"a" * (3 * 1024 * 1024) + b"</sst>"})
    assert len(bomb) < 20_000  # 3 MB of one letter packs into a few kilobytes
    with pytest.raises(SheetError, match="解压后超过 1 MB"):
        _read(bomb)


def test_an_archive_that_lies_about_its_sizes_is_not_a_workbook():
    book = bytearray(_book([["1", "甲"]]))
    # Make every member declare 10 bytes unpacked: the inflated bytes are counted, and the lie is found.
    for header in (b"PK\x03\x04", b"PK\x01\x02"):
        start = 0
        while (start := book.find(header, start)) >= 0:
            size_at = start + (22 if header == b"PK\x03\x04" else 24)
            book[size_at : size_at + 4] = (10).to_bytes(4, "little")
            start += 4
    with pytest.raises(SheetError, match="Excel"):
        _read(bytes(book))


def test_rows_past_the_limit_stop_the_import(settings):
    settings.QINGDAN_MAX_IMPORT_ROWS = 20
    with pytest.raises(SheetError, match="超过 20 行"):
        _read(_book([[str(n), f"单位{n}"] for n in range(30)]))
    assert len(_read(_book([[str(n), f"单位{n}"] for n in range(20)]))) == 20


def test_a_cell_past_the_length_limit_names_its_row(settings):
    settings.QINGDAN_MAX_IMPORT_CELL_CHARS = 100
    with pytest.raises(SheetError, match="第 3 行有单元格超过 100 个字符"):
        _read(_book([["1", "甲"], ["2", "乙" * 101]]))


@pytest.mark.django_db
def test_the_org_import_page_says_why_a_bomb_is_refused_and_keeps_nothing(client_for, sysadmin):
    from orgs.models import OrgUnit

    book = _book([["1", "甲"]])
    sheet = zipfile.ZipFile(io.BytesIO(book)).read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace("<sheetData", '<dimension ref="A1:XFD1048576"/><sheetData', 1)
    before = OrgUnit.objects.count()
    page = client_for(sysadmin).post(
        "/orgs/import/", {"file": _upload(_rewritten(book, {"xl/worksheets/sheet1.xml": sheet.encode()}))}
    )
    text = page.content.decode()
    assert page.status_code == 200 and "1,048,576" in text and "16,384" in text
    assert OrgUnit.objects.count() == before

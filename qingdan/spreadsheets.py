"""Reading and writing .xlsx files, shared by every area's imports and exports.

An upload is checked before openpyxl expands it (``inspect``): what its archive really inflates to (counted while
inflating, never taken from the sizes the archive declares), the size its first sheet declares, and, while the
rows are read, their number and the length of each cell's text. The first limit reached stops the import with a
clear reason; the limits are settings (``QINGDAN_MAX_IMPORT_*``).
"""

import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.exceptions import InvalidFileException

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded sheet, as shown to the user: row, column, reason."""

    row: int
    column: str
    reason: str


class SheetError(Exception):
    """The file as a whole cannot be read (not an .xlsx, too large, no header)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def cell_text(value):
    """Cell value as text: numbers typed in Excel (1001 or 1001.0) become ``"1001"``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(uploaded, *, headers, max_bytes, optional=None):
    """Return ``[(row_number, {key: text})]`` for each non-empty data row.

    ``headers`` maps each key to the accepted column titles; the header row is
    row 1 and must contain all of them (in any order). Columns in ``optional``
    may be missing; their cells then read as empty text.
    """
    if uploaded.size > max_bytes:
        raise SheetError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{uploaded.size / 1048576:.1f}", "limit": f"{max_bytes / 1048576:.0f}"}
        )
    data = uploaded.read()
    if not data.startswith(b"PK"):
        raise SheetError(_("The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again."))
    inspect(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise SheetError(_("The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again.")) from exc
    try:
        return _rows(workbook, headers, optional)
    finally:
        workbook.close()


DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:([A-Z]+)(\d+)"')
CHUNK = 1 << 16


def _column_number(letters):
    number = 0
    for letter in letters.decode():
        number = number * 26 + ord(letter) - 64
    return number


def inspect(data):
    """Refuse an archive before it is expanded: by what its members really inflate to, and by the rows and
    columns its sheets declare. Reads a chunk at a time, so memory stays bounded whatever the archive claims."""
    unpacked, limit = 0, settings.QINGDAN_MAX_IMPORT_UNPACKED_BYTES
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        for member in archive.infolist():
            head = b""
            with archive.open(member) as stream:
                while block := stream.read(CHUNK):
                    unpacked += len(block)
                    if unpacked > limit:
                        raise SheetError(
                            _("The workbook unpacks to more than %(limit)s MB; save a smaller file.")
                            % {"limit": f"{limit / 1048576:.0f}"}
                        )
                    if len(head) < CHUNK and member.filename.startswith("xl/worksheets/"):
                        head += block[:CHUNK]
            _check_dimension(head)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
        raise SheetError(_("The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again.")) from exc


def _check_dimension(head):
    found = DIMENSION.search(head)
    if found is None:
        return
    rows, columns = int(found[2]), _column_number(found[1])
    if rows > settings.QINGDAN_MAX_IMPORT_ROWS + 1 or columns > settings.QINGDAN_MAX_IMPORT_COLUMNS:
        raise SheetError(
            _(
                "The sheet declares %(rows)s rows and %(columns)s columns; the limit is %(most)s rows and %(cols)s columns."
            )
            % {
                "rows": f"{rows:,}",
                "columns": f"{columns:,}",
                "most": f"{settings.QINGDAN_MAX_IMPORT_ROWS:,}",
                "cols": settings.QINGDAN_MAX_IMPORT_COLUMNS,
            }
        )


def _rows(workbook, headers, optional):
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [cell_text(v) for v in next(rows, ())]
    positions = {}
    for key, titles in headers.items():
        found = [i for i, title in enumerate(header) if title in titles]
        if not found:
            raise SheetError(_("Row 1 must be the header; column “%(column)s” is missing.") % {"column": titles[0]})
        positions[key] = found[0]
    for key, titles in (optional or {}).items():
        found = [i for i, title in enumerate(header) if title in titles]
        if found:
            positions[key] = found[0]
    result = []
    most_rows, longest = settings.QINGDAN_MAX_IMPORT_ROWS, settings.QINGDAN_MAX_IMPORT_CELL_CHARS
    for number, values in enumerate(rows, start=2):
        if number > most_rows + 1:
            raise SheetError(
                _("The sheet has more than %(n)s rows; split it into smaller files.") % {"n": f"{most_rows:,}"}
            )
        if any(isinstance(v, str) and len(v) > longest for v in values):
            raise SheetError(
                _("Row %(row)d holds a cell of more than %(n)s characters.") % {"row": number, "n": f"{longest:,}"}
            )
        texts = dict.fromkeys(optional or (), "")
        texts.update({key: cell_text(values[i]) if i < len(values) else "" for key, i in positions.items()})
        if any(texts.values()):
            result.append((number, texts))
    return result


def _safe(sheet, value):
    """Text is written as text: a name typed as ``=HYPERLINK(…)`` must not become a formula."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def write_workbook(title, header, rows):
    """Build a one-sheet .xlsx in memory with openpyxl's write-only mode; returns bytes."""
    return write_sheets([(title, header, rows)])


def write_sheets(sheets):
    """Build an .xlsx of several ``(title, header, rows)`` sheets; returns bytes."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([_safe(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

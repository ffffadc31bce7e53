"""Reading and writing .xlsx files, shared by every area's imports and exports."""

import io
import zipfile
from dataclasses import dataclass

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
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise SheetError(_("The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again.")) from exc
    try:
        return _rows(workbook, headers, optional)
    finally:
        workbook.close()


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
    for number, values in enumerate(rows, start=2):
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

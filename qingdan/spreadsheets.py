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
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from qingdan import text

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

    ``headers`` maps each key to the accepted column titles; the header row is the first of the first ten
    rows that holds all of them (in any order). Columns in ``optional`` may be missing; their cells then read
    as empty text. Each cell's text is cleaned (``qingdan.text``): a control character stops the import with
    its row and column named.
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


HEADER_SEARCH_ROWS = 10  # a title, a date line or merged cells may sit above the header


def _rows(workbook, headers, optional):
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header_number, titles = find_header(rows, headers)
    columns = {**(optional or {}), **headers}
    positions = {}
    for key, accepted in columns.items():
        found = [i for i, title in enumerate(titles) if title in accepted]
        if found:
            positions[key] = found[0]
    result = []
    most_rows, longest = settings.QINGDAN_MAX_IMPORT_ROWS, settings.QINGDAN_MAX_IMPORT_CELL_CHARS
    for number, values in enumerate(rows, start=header_number + 1):
        if number > most_rows + header_number:
            raise SheetError(
                _("The sheet has more than %(n)s rows; split it into smaller files.") % {"n": f"{most_rows:,}"}
            )
        if any(isinstance(v, str) and len(v) > longest for v in values):
            raise SheetError(
                _("Row %(row)d holds a cell of more than %(n)s characters.") % {"row": number, "n": f"{longest:,}"}
            )
        texts = dict.fromkeys(optional or (), "")
        texts.update({key: _cell(values, i, number, columns[key][0]) for key, i in positions.items()})
        if any(texts.values()):
            result.append((number, texts))
    return result


def find_header(rows, headers):
    """Read ``rows`` (an iterator of cell values) up to the header: the first of the first ``HEADER_SEARCH_ROWS``
    rows that holds a title of every column in ``headers``. Returns its row number and its titles; the rows after
    it are left in ``rows``. The reason names a column the nearest row lacked."""
    missing_least = None
    for number, values in enumerate(rows, start=1):
        titles = [cell_text(v) for v in values]
        missing = [accepted[0] for accepted in headers.values() if not any(t in accepted for t in titles)]
        if not missing:
            return number, titles
        if missing_least is None or len(missing) < len(missing_least):
            missing_least = missing
        if number == HEADER_SEARCH_ROWS:
            break
    raise SheetError(
        _("No header row found in the first %(n)d rows; column “%(column)s” is missing.")
        % {"n": HEADER_SEARCH_ROWS, "column": (missing_least or [next(iter(headers.values()))[0]])[0]}
    )


def _cell(values, index, number, title):
    value = cell_text(values[index]) if index < len(values) else ""
    try:
        return text.clean(value)
    except text.Unclean as exc:
        raise SheetError(
            _("Row %(row)d, column “%(column)s” %(reason)s") % {"row": number, "column": title, "reason": exc.message}
        ) from exc


# Number formats of exported figures: a rate is a number (0.85) shown as 85.0%, so Excel can add and sort it.
PERCENT_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"
MONEY_FORMAT = "#,##0.00"
POINTS_FORMAT = "0.00"


@dataclass(frozen=True)
class Figure:
    """A number to write with its format (and bold, for a 合计 row); None writes an empty cell."""

    value: object
    number_format: str
    bold: bool = False


def percent(value, bold=False):
    """A rate (0.85) as a number shown as ``85.0%``."""
    return Figure(value, PERCENT_FORMAT, bold)


def count(value, bold=False):
    return Figure(value, COUNT_FORMAT, bold)


def total_label(value):
    """A 合计 row's label (or any text) in bold."""
    return Figure(value, "General", True)


def money(value, bold=False):
    """Yuan as a number with two decimals and thousands separators."""
    return Figure(value, MONEY_FORMAT, bold)


def _figure(sheet, figure):
    value = figure.value
    if isinstance(value, str):
        value = text.printable(value)
        if value.startswith("="):
            value = "'" + value
    elif value is not None and not isinstance(value, int | float):
        value = float(value)  # a Decimal: Excel holds doubles anyway
    cell = WriteOnlyCell(sheet, value=value)
    if value is not None and not isinstance(value, str):
        cell.number_format = figure.number_format
    if figure.bold:
        cell.font = Font(bold=True)
    return cell


def _safe(sheet, value):
    """Text is written as text: a name typed as ``=HYPERLINK(…)`` must not become a formula; a character that
    XML cannot carry (stored before the boundary checked it) is dropped rather than fail the export. A
    ``Figure`` is written as a number with its format."""
    if isinstance(value, Figure):
        return _figure(sheet, value)
    if isinstance(value, str):
        value = text.printable(value)
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

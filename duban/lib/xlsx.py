"""Excel (.xlsx) helpers shared by imports and exports: reading rows as text,
styling a header row, and sending a workbook as a download.

Model-free: the callers decide what the columns mean.
"""

import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An .xlsx file is a zip archive; refuse archives that would expand absurdly (zip bombs).
MAX_EXPANDED_BYTES = 512 * 1024 * 1024

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1D4F91")
OPTIONAL_HEADER_FONT = Font(bold=True, color="1D4F91")
OPTIONAL_HEADER_FILL = PatternFill("solid", fgColor="E8EFF9")
HEADER_BORDER = Border(bottom=Side(style="thin", color="9AA5B1"))
TEXT_FORMAT = "@"


class WorkbookUnreadable(Exception):
    """The file is not a readable .xlsx workbook (wrong format, damaged or encrypted)."""


def cell_text(value) -> str:
    """A cell's value as the text a person typed: numbers without a trailing ".0",
    dates as ISO dates, surrounding whitespace removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    return str(value).replace("\u00a0", " ").strip()


def open_workbook(source):
    """Open a workbook for reading with python-calamine (fast, read-only). `source`
    is a path or a binary file object. Raises WorkbookUnreadable. Close the result
    with `.close()`."""
    try:
        with zipfile.ZipFile(source) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise WorkbookUnreadable from error
    if expanded > MAX_EXPANDED_BYTES:
        raise WorkbookUnreadable("the archive expands beyond the limit")
    try:
        if hasattr(source, "read"):
            source.seek(0)
            return CalamineWorkbook.from_filelike(source)
        return CalamineWorkbook.from_path(str(source))
    except Exception as error:  # CalamineError, PasswordError, XmlError, ZipError…
        raise WorkbookUnreadable from error


def iter_text_rows(workbook, sheet_name: str) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(Excel row number, cell texts) for every row of a sheet that is not entirely
    blank. Rows are counted from the sheet's first row; columns from its first used
    column, identically for every row."""
    try:
        sheet = workbook.get_sheet_by_name(sheet_name)
        for number, values in enumerate(sheet.iter_rows(), start=1):
            texts = tuple(cell_text(v) for v in values)
            if any(texts):
                yield number, texts
    except Exception as error:
        raise WorkbookUnreadable from error


@dataclass(frozen=True)
class HeaderColumn:
    title: str
    width: int = 16
    required: bool = False
    text: bool = False  # keep the column as text (codes, phone numbers)


def header_write(worksheet, columns: list[HeaderColumn], *, row: int = 1) -> None:
    """Write a styled header row: bold, filled (required columns darker), column
    widths set, text format on text columns, and frozen below the header."""
    for index, column in enumerate(columns, start=1):
        cell = worksheet.cell(row=row, column=index, value=column.title)
        cell.font = HEADER_FONT if column.required else OPTIONAL_HEADER_FONT
        cell.fill = HEADER_FILL if column.required else OPTIONAL_HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        dimension = worksheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.text:
            dimension.number_format = TEXT_FORMAT
    worksheet.row_dimensions[row].height = 22
    worksheet.freeze_panes = worksheet.cell(row=row + 1, column=1).coordinate


def rows_write(worksheet, rows, columns: list[HeaderColumn], *, start: int = 2) -> None:
    """Write data rows below the header; text columns are stored as text."""
    for offset, values in enumerate(rows):
        for index, value in enumerate(values, start=1):
            cell = worksheet.cell(row=start + offset, column=index, value=value)
            if index <= len(columns) and columns[index - 1].text:
                cell.number_format = TEXT_FORMAT


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment header carrying a non-ASCII filename (RFC 6266 / RFC 5987):
    `fallback` for old clients, `filename*` for everyone else."""
    ascii_name = fallback.encode("ascii", "ignore").decode().replace('"', "") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"

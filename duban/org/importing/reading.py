"""Reading an uploaded workbook: the 单位 and 人员 sheets, keyed by column.

`upload_check` refuses a file that is unusable as a whole (format, size,
readability, rows, sheets and columns) with an `ImportFileError`.
"""

from dataclasses import dataclass, field

from django.conf import settings

from duban.lib.xlsx import WorkbookUnreadable, iter_text_rows, open_workbook
from duban.org.importing.columns import (
    ERR_MISSING_COLUMNS,
    ERR_NO_DATA,
    ERR_NOT_XLSX,
    ERR_TOO_LARGE,
    ERR_TOO_MANY_ROWS,
    ERR_UNREADABLE,
    HEADER_SEARCH_ROWS,
    MAX_ROWS,
    SHEET_COLUMNS,
    SHEET_PEOPLE,
    SHEET_UNITS,
    Column,
    ImportFileError,
    header_key,
)


@dataclass
class SheetRows:
    present: bool = False
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)  # keys of the columns found


@dataclass
class ParsedWorkbook:
    units: SheetRows
    people: SheetRows

    @property
    def row_count(self) -> int:
        return len(self.units.rows) + len(self.people.rows)


def _sheet_read(workbook, sheet_name: str, sheet: str, columns: tuple[Column, ...], budget: int) -> SheetRows:
    """Rows of one sheet keyed by column; stops as soon as `budget` is exceeded.

    The header is the first row naming the sheet's first column (a title row or two
    above it is skipped); columns are matched by name, in any order, and columns the
    import does not know (a 角色 column of an export, notes) are ignored."""
    by_label = {c.label: c for c in columns}
    result = SheetRows(present=True)
    header: dict[int, Column] | None = None
    first_row: tuple[str, ...] | None = None
    skipped = 0
    for number, texts in iter_text_rows(workbook, sheet_name):
        if header is not None:
            _row_add(result, header, number, texts, budget)
            continue
        keys = [header_key(t) for t in texts]
        if first_row is None:
            first_row = texts
        if columns[0].label in keys:
            header = {i: by_label[k] for i, k in enumerate(keys) if k in by_label}
            continue
        skipped += 1
        if skipped >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        if first_row is None:
            return result  # an empty sheet
        header = {i: by_label[header_key(t)] for i, t in enumerate(first_row) if header_key(t) in by_label}
    result.columns = {c.key for c in header.values()}
    missing = [c.label for c in columns if c.required and c.key not in result.columns]
    if missing:
        raise ImportFileError(ERR_MISSING_COLUMNS.format(sheet=sheet, columns="、".join(missing)))
    return result


def _row_add(result: SheetRows, header: dict[int, Column], number: int, texts: tuple[str, ...], budget: int):
    values = {column.key: "" for column in header.values()}
    for index, column in header.items():
        if index < len(texts) and not values[column.key]:
            values[column.key] = texts[index]
    if not any(values.values()):
        return  # something outside the known columns only (notes, a role column)
    result.rows.append((number, values))
    if len(result.rows) > budget:
        raise ImportFileError(ERR_TOO_MANY_ROWS.format(limit=MAX_ROWS))


def workbook_read(source) -> ParsedWorkbook:
    """Read the 单位 and 人员 sheets of a workbook (path or binary file object).
    Raises ImportFileError with the message to show."""
    try:
        workbook = open_workbook(source)
    except WorkbookUnreadable:
        raise ImportFileError(ERR_UNREADABLE)
    try:
        names = {name.strip(): name for name in workbook.sheet_names}
        sheets = {}
        budget = MAX_ROWS
        for sheet, columns in SHEET_COLUMNS.items():
            if sheet in names:
                sheets[sheet] = _sheet_read(workbook, names[sheet], sheet, columns, budget)
                budget -= len(sheets[sheet].rows)
            else:
                sheets[sheet] = SheetRows()
    except WorkbookUnreadable:
        raise ImportFileError(ERR_UNREADABLE)
    finally:
        workbook.close()
    parsed = ParsedWorkbook(units=sheets[SHEET_UNITS], people=sheets[SHEET_PEOPLE])
    if parsed.row_count == 0:
        raise ImportFileError(ERR_NO_DATA)
    return parsed


def upload_check(upload) -> ParsedWorkbook:
    """Everything that makes an uploaded file unusable as a whole, in the order a
    person would fix it: format, size, readability, rows."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise ImportFileError(ERR_NOT_XLSX)
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ImportFileError(ERR_TOO_LARGE.format(limit=settings.UPLOAD_MAX_BYTES // (1024 * 1024)))
    return workbook_read(upload)

"""Reading an uploaded ledger: the first sheet with a ledger header, rows keyed by column.

`upload_check` refuses a file that is unusable as a whole (format, size, readability,
header, rows) with an `ImportFileError`.
"""

from dataclasses import dataclass, field

from django.conf import settings

from duban.lib.xlsx import WorkbookUnreadable, iter_text_rows, open_workbook
from duban.supervision.ledger_import.columns import (
    COLUMNS,
    ERR_MISSING_COLUMNS,
    ERR_NO_DATA,
    ERR_NO_HEADER,
    ERR_NOT_XLSX,
    ERR_TOO_LARGE,
    ERR_TOO_MANY_ROWS,
    ERR_UNREADABLE,
    HEADER_SEARCH_ROWS,
    MAX_ROWS,
    SHEET_HELP,
    SHEET_LEDGER,
    Column,
    ImportFileError,
    header_key,
)


@dataclass
class ParsedLedger:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (Excel row number, values by key)
    columns: set[str] = field(default_factory=set)  # keys of the columns found


def _header(texts: tuple[str, ...]) -> dict[int, Column] | None:
    """The columns a row names, when it is the ledger's header (names 事项 and 牵头单位)."""
    by_label = {column.label: column for column in COLUMNS}
    keys = [header_key(text) for text in texts]
    if "事项" not in keys or "牵头单位" not in keys:
        return None
    header: dict[int, Column] = {}
    for index, key in enumerate(keys):
        if key in by_label and by_label[key] not in header.values():
            header[index] = by_label[key]
    return header


def _sheet_read(workbook, name: str) -> ParsedLedger | None:
    """The ledger on one sheet, or None when the sheet has no ledger header near its top."""
    header = None
    parsed = ParsedLedger()
    for position, (number, texts) in enumerate(iter_text_rows(workbook, name)):
        if header is None:
            header = _header(texts)
            if header is None and position + 1 >= HEADER_SEARCH_ROWS:
                return None
            continue
        values = {column.key: "" for column in header.values()}
        for index, column in header.items():
            if index < len(texts):
                values[column.key] = texts[index]
        if not any(values[c.key] for c in header.values() if c.imported):
            continue  # only notes outside the imported columns
        parsed.rows.append((number, values))
        if len(parsed.rows) > MAX_ROWS:
            raise ImportFileError(ERR_TOO_MANY_ROWS.format(limit=MAX_ROWS))
    if header is None:
        return None
    parsed.columns = {column.key for column in header.values()}
    return parsed


def ledger_read(source) -> ParsedLedger:
    """Read the ledger of a workbook (path or binary file object): the 督办台账 sheet if
    there is one, else the first sheet with a ledger header. Raises ImportFileError."""
    try:
        workbook = open_workbook(source)
    except WorkbookUnreadable:
        raise ImportFileError(ERR_UNREADABLE)
    try:
        names = [name for name in workbook.sheet_names if name.strip() != SHEET_HELP]
        names.sort(key=lambda name: name.strip() != SHEET_LEDGER)
        parsed = None
        for name in names:
            parsed = _sheet_read(workbook, name)
            if parsed is not None:
                break
    except WorkbookUnreadable:
        raise ImportFileError(ERR_UNREADABLE)
    finally:
        workbook.close()
    if parsed is None:
        raise ImportFileError(ERR_NO_HEADER)
    missing = [c.label for c in COLUMNS if c.required and c.key not in parsed.columns]
    if missing:
        raise ImportFileError(ERR_MISSING_COLUMNS.format(columns="、".join(missing)))
    if not parsed.rows:
        raise ImportFileError(ERR_NO_DATA)
    return parsed


def upload_check(upload) -> ParsedLedger:
    """Everything that makes an uploaded file unusable as a whole, in the order a
    person would fix it: format, size, readability, header, rows."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise ImportFileError(ERR_NOT_XLSX)
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ImportFileError(ERR_TOO_LARGE.format(limit=settings.UPLOAD_MAX_BYTES // (1024 * 1024)))
    return ledger_read(upload)

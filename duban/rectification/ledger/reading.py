"""Reading an uploaded 整改台账: the sheet with the ledger's header, rows keyed by column.

The header is one or two rows: the standard layout puts 整改进展, 完成情况 and
销号情况 in a second row under the merged 整改落实情况; a single-row header with all
labels is read as well. Merged cells read as a value in their first cell only, so a
measure row under a finding has its 序号 and 问题描述 blank.
"""

from dataclasses import dataclass, field

from django.conf import settings

from duban.lib.xlsx import WorkbookUnreadable, iter_text_rows, open_workbook
from duban.rectification.ledger.columns import (
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
    SHEET_LEDGER,
    SUB_COLUMNS,
    Column,
    ImportFileError,
    header_key,
)

BY_LABEL = {column.label: column for column in COLUMNS}
SUB_LABELS = {column.label for column in COLUMNS if column.key in SUB_COLUMNS}


@dataclass
class ParsedLedger:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (Excel row number, values by key)
    columns: set[str] = field(default_factory=set)  # keys of the columns found


def _labels(texts) -> dict[int, Column]:
    found: dict[int, Column] = {}
    for index, text in enumerate(texts):
        column = BY_LABEL.get(header_key(text))
        if column is not None and column not in found.values():
            found[index] = column
    return found


def _is_header(texts) -> bool:
    keys = {header_key(text) for text in texts}
    return {"问题描述", "整改措施"} <= keys


def _sheet_read(workbook, name: str) -> ParsedLedger | None:
    """The ledger on one sheet, or None when the sheet has no ledger header near its top."""
    header: dict[int, Column] | None = None
    second_row_pending = False
    parsed = ParsedLedger()
    for position, (number, texts) in enumerate(iter_text_rows(workbook, name)):
        if header is None:
            if _is_header(texts):
                header = _labels(texts)
                second_row_pending = True
            elif position + 1 >= HEADER_SEARCH_ROWS:
                return None
            continue
        if second_row_pending:
            second_row_pending = False
            sub = _labels(texts)
            if sub and {column.label for column in sub.values()} <= SUB_LABELS:
                for index, column in sub.items():
                    if column not in header.values():
                        header[index] = column
                continue
        values = {column.key: "" for column in header.values()}
        for index, column in header.items():
            if index < len(texts):
                values[column.key] = texts[index]
        if not any(values[c.key] for c in header.values() if c.imported):
            continue  # only notes in the read-only columns
        parsed.rows.append((number, values))
        if len(parsed.rows) > MAX_ROWS:
            raise ImportFileError(ERR_TOO_MANY_ROWS.format(limit=MAX_ROWS))
    if header is None:
        return None
    parsed.columns = {column.key for column in header.values()}
    return parsed


def ledger_read(source) -> ParsedLedger:
    """Read the ledger of a workbook (path or binary file object): the 整改台账 sheet if
    there is one, else the first sheet with a ledger header. Raises ImportFileError."""
    try:
        workbook = open_workbook(source)
    except WorkbookUnreadable:
        raise ImportFileError(ERR_UNREADABLE)
    try:
        names = sorted(workbook.sheet_names, key=lambda name: name.strip() != SHEET_LEDGER)
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

"""Reading an uploaded ledger-like workbook: find the sheet with a known header, then
read its rows keyed by column. Shared by the Excel imports; model-free.

The caller describes its layout (`SheetLayout`: columns, the labels that make a row
the header, limits) and its messages (`ReadMessages`); every problem with the file as a
whole is raised as `layout.error(message)` (the caller's own ImportFileError).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from duban.lib.xlsx import WorkbookUnreadable, iter_text_rows, open_workbook


@dataclass(frozen=True)
class ReadMessages:
    not_xlsx: str
    too_large: str  # {limit} in MB
    too_many_rows: str  # {limit}
    unreadable: str
    no_header: str
    missing_columns: str  # {columns}
    no_data: str

    @classmethod
    def of(cls, module) -> "ReadMessages":
        """The messages a columns module defines as ERR_NOT_XLSX, ERR_TOO_LARGE, … ERR_NO_DATA."""
        return cls(**{name: getattr(module, "ERR_" + name.upper()) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class SheetLayout:
    """How a ledger sheet looks. `columns` have .key, .label, .required and .imported."""

    columns: tuple
    header_labels: frozenset[str]  # a row naming all of these is the header
    header_key: Callable[[str], str]  # the label a header cell names
    sheet_name: str  # read first when present
    messages: ReadMessages
    error: type[Exception]
    max_rows: int
    header_search_rows: int = 10
    skip_sheets: tuple[str, ...] = ()  # never read (a help sheet)
    sub_labels: frozenset[str] = frozenset()  # labels a second header row may add (under merged cells)


@dataclass
class ParsedLedger:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (Excel row number, values by key)
    columns: set[str] = field(default_factory=set)  # keys of the columns found


def _labels(layout: SheetLayout, texts) -> dict:
    """{cell index: column} for the cells of a row that name a column (first one wins)."""
    by_label = {column.label: column for column in layout.columns}
    found: dict = {}
    for index, text in enumerate(texts):
        column = by_label.get(layout.header_key(text))
        if column is not None and column not in found.values():
            found[index] = column
    return found


def _is_header(layout: SheetLayout, texts) -> bool:
    return layout.header_labels <= {layout.header_key(text) for text in texts}


def sheet_read(workbook, name: str, layout: SheetLayout) -> ParsedLedger | None:
    """The ledger on one sheet, or None when the sheet has no header near its top."""
    header: dict | None = None
    second_row_pending = False
    parsed = ParsedLedger()
    for position, (number, texts) in enumerate(iter_text_rows(workbook, name)):
        if header is None:
            if _is_header(layout, texts):
                header = _labels(layout, texts)
                second_row_pending = bool(layout.sub_labels)
            elif position + 1 >= layout.header_search_rows:
                return None
            continue
        if second_row_pending:
            second_row_pending = False
            sub = _labels(layout, texts)
            if sub and {column.label for column in sub.values()} <= layout.sub_labels:
                for index, column in sub.items():
                    if column not in header.values():
                        header[index] = column
                continue
        values = {column.key: "" for column in header.values()}
        for index, column in header.items():
            if index < len(texts):
                values[column.key] = texts[index]
        if not any(values[c.key] for c in header.values() if c.imported):
            continue  # only notes in the columns that are not imported
        parsed.rows.append((number, values))
        if len(parsed.rows) > layout.max_rows:
            raise layout.error(layout.messages.too_many_rows.format(limit=layout.max_rows))
    if header is None:
        return None
    parsed.columns = {column.key for column in header.values()}
    return parsed


def ledger_read(source, layout: SheetLayout) -> ParsedLedger:
    """Read the ledger of a workbook (path or binary file object): the sheet named
    `layout.sheet_name` if there is one, else the first sheet with a header."""
    messages = layout.messages
    try:
        workbook = open_workbook(source)
    except WorkbookUnreadable:
        raise layout.error(messages.unreadable)
    try:
        names = [name for name in workbook.sheet_names if name.strip() not in layout.skip_sheets]
        names.sort(key=lambda name: name.strip() != layout.sheet_name)
        parsed = None
        for name in names:
            parsed = sheet_read(workbook, name, layout)
            if parsed is not None:
                break
    except WorkbookUnreadable:
        raise layout.error(messages.unreadable)
    finally:
        workbook.close()
    if parsed is None:
        raise layout.error(messages.no_header)
    missing = [c.label for c in layout.columns if c.required and c.key not in parsed.columns]
    if missing:
        raise layout.error(messages.missing_columns.format(columns="、".join(missing)))
    if not parsed.rows:
        raise layout.error(messages.no_data)
    return parsed


def upload_read(upload, layout: SheetLayout, max_bytes: int) -> ParsedLedger:
    """Everything that makes an uploaded file unusable as a whole, in the order a
    person would fix it: format, size, readability, header, rows."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise layout.error(layout.messages.not_xlsx)
    if upload.size > max_bytes:
        raise layout.error(layout.messages.too_large.format(limit=max_bytes // (1024 * 1024)))
    return ledger_read(upload, layout)

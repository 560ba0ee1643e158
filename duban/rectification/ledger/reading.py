"""Reading an uploaded 整改台账: the sheet with the ledger's header, rows keyed by column.

The header is one or two rows: the standard layout puts 整改进展, 完成情况 and
销号情况 in a second row under the merged 整改落实情况; a single-row header with all
labels is read as well. Merged cells read as a value in their first cell only, so a
measure row under a finding has its 序号 and 问题描述 blank.
"""

from django.conf import settings

from duban.lib import xlsx_import
from duban.lib.xlsx_import import ParsedLedger
from duban.rectification.ledger import columns

__all__ = ["LAYOUT", "ParsedLedger", "ledger_read", "upload_check"]

LAYOUT = xlsx_import.SheetLayout(
    columns=columns.COLUMNS,
    header_labels=frozenset({"问题描述", "整改措施"}),
    header_key=columns.header_key,
    sheet_name=columns.SHEET_LEDGER,
    messages=xlsx_import.ReadMessages.of(columns),
    error=columns.ImportFileError,
    max_rows=columns.MAX_ROWS,
    header_search_rows=columns.HEADER_SEARCH_ROWS,
    sub_labels=frozenset(column.label for column in columns.COLUMNS if column.key in columns.SUB_COLUMNS),
)


def ledger_read(source) -> ParsedLedger:
    """Read the ledger of a workbook (path or binary file object): the 整改台账 sheet if
    there is one, else the first sheet with a ledger header. Raises ImportFileError."""
    return xlsx_import.ledger_read(source, LAYOUT)


def upload_check(upload) -> ParsedLedger:
    """Everything that makes an uploaded file unusable as a whole. Raises ImportFileError."""
    return xlsx_import.upload_read(upload, LAYOUT, settings.UPLOAD_MAX_BYTES)

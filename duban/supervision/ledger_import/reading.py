"""Reading an uploaded ledger: the first sheet with a ledger header, rows keyed by column.

`upload_check` refuses a file that is unusable as a whole (format, size, readability,
header, rows) with an `ImportFileError`.
"""

from django.conf import settings

from duban.lib import xlsx_import
from duban.lib.xlsx_import import ParsedLedger
from duban.supervision.ledger_import import columns

__all__ = ["LAYOUT", "ParsedLedger", "ledger_read", "upload_check"]

LAYOUT = xlsx_import.SheetLayout(
    columns=columns.COLUMNS,
    header_labels=frozenset({"事项", "牵头单位"}),
    header_key=columns.header_key,
    sheet_name=columns.SHEET_LEDGER,
    messages=xlsx_import.ReadMessages.of(columns),
    error=columns.ImportFileError,
    max_rows=columns.MAX_ROWS,
    header_search_rows=columns.HEADER_SEARCH_ROWS,
    skip_sheets=(columns.SHEET_HELP,),
)


def ledger_read(source) -> ParsedLedger:
    """Read the ledger of a workbook (path or binary file object): the 督办台账 sheet if
    there is one, else the first sheet with a ledger header. Raises ImportFileError."""
    return xlsx_import.ledger_read(source, LAYOUT)


def upload_check(upload) -> ParsedLedger:
    """Everything that makes an uploaded file unusable as a whole. Raises ImportFileError."""
    return xlsx_import.upload_read(upload, LAYOUT, settings.UPLOAD_MAX_BYTES)

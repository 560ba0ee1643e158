"""Excel import of a plan's ledger (督办台账), in the layout the export writes.

It runs like the import of units and people (duban.org.importing), in three steps:

1. `upload_check` reads the uploaded workbook once (format, size, header, rows) and
   the view keeps it with `duban.org.importing.import_file_store` under a token.
2. `ledger_import_preview` is a dry run: every row is parsed, validated and matched
   to an existing item (by 序号 within the plan, else by the exact 事项 title); the
   page lists new, changed and unchanged rows and every bad row with its reason.
3. `ledger_import_commit` validates again and, when every row is valid, writes all
   new and changed items in one transaction through the item services, then records
   one security event.

Modules: `columns` (columns, limits, messages), `values` (dates, nodes, numbers),
`reading`, `known` (what rows are checked against), `validation` and `changes` (the
dry run), `commit`, `template`.
"""

from duban.supervision.ledger_import.columns import COLUMNS, ImportFileError
from duban.supervision.ledger_import.commit import LedgerImportResult, ledger_import_commit, ledger_import_preview
from duban.supervision.ledger_import.plan import LedgerPlan
from duban.supervision.ledger_import.reading import upload_check
from duban.supervision.ledger_import.template import template_workbook

__all__ = [
    "COLUMNS",
    "ImportFileError",
    "LedgerImportResult",
    "LedgerPlan",
    "ledger_import_commit",
    "ledger_import_preview",
    "template_workbook",
    "upload_check",
]

"""The 整改台账 in Excel, both ways.

- `export`: the standard layout (title row, two-row merged header, one row per
  measure with 序号 and 问题描述 merged over a finding's measures).
- Import, in three steps like the supervision ledger's: `reading.upload_check` reads
  the upload once and the view keeps the file under a token; `commit.ledger_import_preview`
  is a dry run (`validation.import_build`: every row checked, findings matched by 序号,
  measures by position, new / changed / unchanged); `commit.ledger_import_commit`
  validates again and writes all or nothing through the finding and measure services.
- `template`: the import template.

`columns` holds the layout and every message; `values` the cell formats both ways.
"""

from duban.rectification.ledger.columns import COLUMNS, ImportFileError
from duban.rectification.ledger.commit import LedgerImportDone, ledger_import_commit, ledger_import_preview
from duban.rectification.ledger.export import ledger_export
from duban.rectification.ledger.plan import LedgerImport
from duban.rectification.ledger.reading import upload_check
from duban.rectification.ledger.template import template_workbook

__all__ = [
    "COLUMNS",
    "ImportFileError",
    "LedgerImport",
    "LedgerImportDone",
    "ledger_export",
    "ledger_import_commit",
    "ledger_import_preview",
    "template_workbook",
    "upload_check",
]

"""Excel import of units and people, and the Excel export of the people list.

An import runs in three steps:

1. `upload_check` reads the uploaded workbook once (format, size, row limit,
   sheets and columns) and `import_file_store` keeps it under VAR_DIR/imports.
2. `import_preview` is a dry run: every row is parsed and validated against the
   database and the rest of the file; nothing is written.
3. `import_commit` validates again (the database may have changed) and, when every
   row is valid, writes everything in one transaction through ordinary model saves,
   so django-auditlog records each change, then records one security event.

Blank optional cells never erase data: a new unit or person gets the default, an
existing one keeps its current value.

The package is split by concern: `columns` (columns, limits, messages), `reading`
(the workbook), `storage` (stored uploads), `plan` and `validation` (the dry run),
`commit` (the services), `template` and `export`. The public names are re-exported
here, so `from duban.org.importing import X` keeps working.
"""

from duban.org.importing.columns import (
    COVERED_SPLIT_RE,
    ERR_BAD_EMAIL,
    ERR_BAD_KIND,
    ERR_BAD_ORDER,
    ERR_BAD_PHONE,
    ERR_BAD_RANK,
    ERR_BAD_USERNAME,
    ERR_CODE_TAKEN,
    ERR_COMMIT_CONFLICT,
    ERR_COVER_SELF,
    ERR_COVERED_NOT_GRID,
    ERR_DUPLICATE_ACCOUNT,
    ERR_DUPLICATE_UNIT,
    ERR_EXPIRED,
    ERR_MISSING_COLUMNS,
    ERR_NO_BROWSE,
    ERR_NO_DATA,
    ERR_NO_FILE,
    ERR_NOT_SYS_ADMIN,
    ERR_NOT_XLSX,
    ERR_PARENT_CYCLE,
    ERR_REQUIRED,
    ERR_TOO_LARGE,
    ERR_TOO_LONG,
    ERR_TOO_MANY_ROWS,
    ERR_UNKNOWN_UNIT,
    ERR_UNREADABLE,
    HEADER_SEARCH_ROWS,
    KIND_CHOICES_TEXT,
    KIND_LABELS,
    MAX_ROWS,
    ORDER_MAX,
    PEOPLE_COLUMNS,
    PHONE_LENGTH,
    PHONE_RE,
    RANK_CHOICES_TEXT,
    RANK_LABELS,
    ROLE_HEADER,
    SHEET_COLUMNS,
    SHEET_HELP,
    SHEET_PEOPLE,
    SHEET_UNITS,
    TEMPORARY_PASSWORD_ITERATIONS,
    TOKEN_MAX_AGE,
    TOKEN_RE,
    UNIT_COLUMNS,
    USERNAME_RE,
    Column,
    ImportFileError,
    header_key,
)
from duban.org.importing.commit import (
    ImportResult,
    NewAccount,
    import_commit,
    import_preview,
)
from duban.org.importing.export import (
    people_export,
)
from duban.org.importing.plan import (
    ImportPlan,
    PersonRow,
    RowError,
    UnitRow,
)
from duban.org.importing.reading import (
    ParsedWorkbook,
    SheetRows,
    upload_check,
    workbook_read,
)
from duban.org.importing.storage import (
    import_dir,
    import_file_delete,
    import_file_path,
    import_file_store,
    import_files_purge,
)
from duban.org.importing.template import (
    template_workbook,
)
from duban.org.importing.validation import (
    plan_build,
)

__all__ = [
    "COVERED_SPLIT_RE",
    "Column",
    "ERR_BAD_EMAIL",
    "ERR_BAD_KIND",
    "ERR_BAD_ORDER",
    "ERR_BAD_PHONE",
    "ERR_BAD_RANK",
    "ERR_BAD_USERNAME",
    "ERR_CODE_TAKEN",
    "ERR_COMMIT_CONFLICT",
    "ERR_COVERED_NOT_GRID",
    "ERR_COVER_SELF",
    "ERR_DUPLICATE_ACCOUNT",
    "ERR_DUPLICATE_UNIT",
    "ERR_EXPIRED",
    "ERR_MISSING_COLUMNS",
    "ERR_NOT_SYS_ADMIN",
    "ERR_NOT_XLSX",
    "ERR_NO_BROWSE",
    "ERR_NO_DATA",
    "ERR_NO_FILE",
    "ERR_PARENT_CYCLE",
    "ERR_REQUIRED",
    "ERR_TOO_LARGE",
    "ERR_TOO_LONG",
    "ERR_TOO_MANY_ROWS",
    "ERR_UNKNOWN_UNIT",
    "ERR_UNREADABLE",
    "HEADER_SEARCH_ROWS",
    "ImportFileError",
    "ImportPlan",
    "ImportResult",
    "KIND_CHOICES_TEXT",
    "KIND_LABELS",
    "MAX_ROWS",
    "NewAccount",
    "ORDER_MAX",
    "PEOPLE_COLUMNS",
    "PHONE_LENGTH",
    "PHONE_RE",
    "ParsedWorkbook",
    "PersonRow",
    "RANK_CHOICES_TEXT",
    "RANK_LABELS",
    "ROLE_HEADER",
    "RowError",
    "SHEET_COLUMNS",
    "SHEET_HELP",
    "SHEET_PEOPLE",
    "SHEET_UNITS",
    "SheetRows",
    "TEMPORARY_PASSWORD_ITERATIONS",
    "TOKEN_MAX_AGE",
    "TOKEN_RE",
    "UNIT_COLUMNS",
    "USERNAME_RE",
    "UnitRow",
    "header_key",
    "import_commit",
    "import_dir",
    "import_file_delete",
    "import_file_path",
    "import_file_store",
    "import_files_purge",
    "import_preview",
    "people_export",
    "plan_build",
    "template_workbook",
    "upload_check",
    "workbook_read",
]

"""Excel figures for `make bench`: the ledger export of the largest plan and the import
of a 5,000-row ledger into a new plan, each against plain openpyxl / python-calamine.

    DATABASE_URL=… .venv/bin/python bench/excel.py

`measure()` runs in a configured Django process against whatever database is set up.

- Export: the plan with the most items, exported the way the web does for the office
  (`items_visible` for an office clerk, no filter, the ledger's own order) through the
  real service `ledger_export`, including the save to bytes. The bench data keeps its
  30,000 items in one plan, so this is one export of 30,000 rows (the web exports one
  plan at a time). Baseline: the same values (read back from the export) appended to a
  plain write-only openpyxl workbook and saved, no styles.
- Import: the first 5,000 rows of that ledger, in ledger order (so every measure
  follows its project), written by the export itself, imported into a new empty plan
  (what offices do most: start a year's plan from a ledger): the dry run
  (`ledger_import_preview`), then the commit (`ledger_import_commit`), which creates
  5,000 items. Baseline: python-calamine reading the same sheet into Python values.
- Peak memory: a second run of each under tracemalloc (Python allocations; tracing
  slows code, so the timed runs are separate).

The database is left as it was found: everything runs in a transaction that is rolled
back at the end (the export's security event, the new plan and its items), so the
timings include every statement but not the final COMMIT.
"""

import datetime
import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

EXPORT_ROWS = 30_000
IMPORT_ROWS = 5_000


class _Rollback(Exception):
    pass


def _timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def _peak_mb(function) -> float:
    tracemalloc.start()
    try:
        function()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / (1024 * 1024)


def _office():
    from duban.org.models import Person, Role

    office = Person.objects.filter(is_active=True, grants__role=Role.OFFICE).order_by("pk").first()
    if office is None:
        raise RuntimeError("no active office clerk to run the Excel bench as")
    return office


def _largest_plan(plan_ids):
    from django.db.models import Count

    from duban.supervision.models import Plan

    plans = Plan.objects.all() if plan_ids is None else Plan.objects.filter(pk__in=plan_ids)
    plan = plans.annotate(n=Count("items")).order_by("-n", "pk").first()
    if plan is None:
        raise RuntimeError("no plan to export")
    return plan


def _plain_write(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("督办台账")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _calamine_rows(path) -> list[list]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        return workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python()
    finally:
        workbook.close()


def _export(office, plan):
    from duban.lib.xlsx import workbook_bytes
    from duban.org.access import access_for
    from duban.supervision.access import items_visible
    from duban.supervision.exports.ledger_xlsx import ledger_export
    from duban.supervision.models import Item

    items = items_visible(access_for(office), Item.objects.filter(plan=plan))
    workbook, rows = ledger_export(acting_user=office, plan=plan, items=items)
    return workbook_bytes(workbook), rows


def _import_sheet(plan, folder: Path) -> Path:
    """The first IMPORT_ROWS rows of the plan's ledger, as the export writes them."""
    from duban.lib.xlsx import workbook_bytes
    from duban.supervision.exports.ledger_xlsx import ledger_workbook
    from duban.supervision.models import Item
    from duban.supervision.summaries import ledger_numbers, number_key

    numbers = ledger_numbers(plan)
    first = sorted(numbers, key=lambda pk: (number_key(numbers[pk]), pk))[:IMPORT_ROWS]
    workbook, _rows = ledger_workbook(plan, Item.objects.filter(plan=plan, pk__in=first))
    path = folder / "ledger-5000.xlsx"
    path.write_bytes(workbook_bytes(workbook))
    return path


def _new_plan(source):
    from duban.supervision.models import Plan

    return Plan.objects.create(
        title="基准测试：导入台账",
        kind=source.kind,
        year=source.year,
        start_date=source.start_date,
        end_date=source.end_date,
        owner_unit=source.owner_unit,
        due_soon_days=source.due_soon_days,
        pace_tolerance=source.pace_tolerance,
        report_grace_days=source.report_grace_days,
        colours=source.colours,
    )


def measure(plan_ids: list[int] | None = None) -> dict[str, float]:
    from django.db import transaction

    from duban.supervision.ledger_import import LedgerImportResult, ledger_import_commit, ledger_import_preview

    figures: dict[str, float] = {}
    office = _office()
    source = _largest_plan(plan_ids)
    with tempfile.TemporaryDirectory(prefix="duban-bench-excel-") as folder:
        folder = Path(folder)
        try:
            with transaction.atomic():
                # 1. Export: timed, then traced.
                seconds, (data, rows) = _timed(lambda: _export(office, source))
                figures["excel_export_rows"] = rows
                figures[f"excel_export_{EXPORT_ROWS}_seconds"] = seconds
                figures["excel_export_rows_per_s"] = rows / seconds
                figures["excel_export_peak_mb"] = _peak_mb(lambda: _export(office, source))
                exported = folder / "ledger.xlsx"
                exported.write_bytes(data)
                values = _calamine_rows(exported)
                plain, _bytes = _timed(lambda: _plain_write(values))
                figures["excel_export_plain_seconds"] = plain
                figures["excel_export_ratio_to_plain"] = seconds / plain

                # 2. Import into a new plan: the dry run, then the commit.
                sheet = _import_sheet(source, folder)
                target = _new_plan(source)
                today = datetime.date.today()
                dry, preview = _timed(lambda: ledger_import_preview(acting_user=office, plan=target, path=sheet))
                if not preview.is_valid or len(preview.new_rows) != min(IMPORT_ROWS, rows):
                    raise RuntimeError(f"the bench ledger does not import cleanly: {preview.errors[:3]}")
                with transaction.atomic():
                    commit, result = _timed(
                        lambda: ledger_import_commit(acting_user=office, plan=target, path=sheet, today=today)
                    )
                    if not isinstance(result, LedgerImportResult):
                        raise RuntimeError(f"the bench import was refused: {result.general_errors[:3]}")
                    transaction.set_rollback(True)
                imported = result.counts["created"]
                figures["excel_import_rows"] = imported
                figures[f"excel_import_{IMPORT_ROWS}_seconds"] = dry + commit
                figures["excel_import_dry_run_seconds"] = dry
                figures["excel_import_commit_seconds"] = commit
                figures["excel_import_rows_per_s"] = imported / (dry + commit)

                def traced_import():
                    with transaction.atomic():
                        ledger_import_preview(acting_user=office, plan=target, path=sheet)
                        ledger_import_commit(acting_user=office, plan=target, path=sheet, today=today)
                        transaction.set_rollback(True)

                figures["excel_import_peak_mb"] = _peak_mb(traced_import)
                plain, _values = _timed(lambda: _calamine_rows(sheet))
                figures["excel_import_plain_seconds"] = plain
                figures["excel_import_ratio_to_plain"] = (dry + commit) / plain
                raise _Rollback
        except _Rollback:
            pass
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
    import django

    django.setup()
    for name, value in measure().items():
        print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}")

"""The import template: the standard header, two example rows (one finding with two
measures, merged as the export merges them) and a sheet explaining each column."""

import datetime

from django.conf import settings
from django.utils import timezone
from openpyxl.styles import Alignment, Font

from duban.org.models import Unit, UnitKind
from duban.rectification.ledger.columns import COLUMNS, MAX_ROWS
from duban.rectification.ledger.export import LedgerGroup, ledger_workbook
from duban.rectification.ledger.values import IMMEDIATE, INSTITUTION

SHEET_HELP = "说明"
IGNORED = "（导入时忽略）"
NOTES = [
    "每行一条整改措施。一个问题有多条措施时，序号和问题描述只填在第一行（或合并单元格），下面各行留空。",
    "按“序号”匹配本方案中已有的问题，按问题下措施的先后顺序（第 1 条、第 2 条……）匹配已有的措施；匹配不到的新建。",
    "文件中没有列出的问题和措施不受影响；留空的责任领导、责任人、备注保持原值。",
    "整改进展、完成情况、销号情况三列由系统生成，导入时忽略。",
    "导入前先预览检查，所有行都正确后才会一次性写入；有任何错误都不会写入。",
]


def template_workbook():
    unit = Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("order", "pk").first()
    unit_name = unit.name if unit else "教务处"
    year = timezone.localdate().year
    rows = [
        [
            "（示例）修订组织生活会工作规范",
            "",
            unit_name,
            "",
            f"{datetime.date(year, 12, 31).isoformat()}（{INSTITUTION}）",
            IGNORED,
            IGNORED,
            IGNORED,
            "示例行，导入前请删除",
        ],
        ["（示例）立即组织专题学习", "", unit_name, "", IMMEDIATE, IGNORED, IGNORED, IGNORED, "示例行，导入前请删除"],
    ]
    example = LedgerGroup(1, "（示例）个别党支部组织生活会不够规范", rows)
    workbook, _count = ledger_workbook("整改台账导入模板", [example])
    _help_sheet(workbook)
    return workbook


def _help_sheet(workbook) -> None:
    sheet = workbook.create_sheet(SHEET_HELP)
    for letter, width in (("A", 6), ("B", 14), ("C", 90)):
        sheet.column_dimensions[letter].width = width
    sheet.cell(row=1, column=1, value="整改台账导入说明").font = Font(bold=True, size=14)
    max_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    notes = [*NOTES, f"只接受 .xlsx 文件，最多 {MAX_ROWS} 行、{max_mb} MB。"]
    row = 3
    for index, note in enumerate(notes, start=1):
        sheet.cell(row=row, column=1, value=f"{index}.")
        sheet.cell(row=row, column=2, value=note).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=row, end_row=row, start_column=2, end_column=3)
        row += 1
    row += 1
    for index, text in enumerate(("", "列", "说明"), start=1):
        sheet.cell(row=row, column=index, value=text).font = Font(bold=True)
    for column in COLUMNS:
        row += 1
        sheet.cell(row=row, column=2, value=column.label)
        sheet.cell(row=row, column=3, value=column.help).alignment = Alignment(wrap_text=True, vertical="top")

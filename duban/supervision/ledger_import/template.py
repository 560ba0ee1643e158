"""The import template: the ledger layout with one example row, and a sheet explaining
the columns."""

import datetime

from django.conf import settings
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from duban.org.models import Unit, UnitKind
from duban.supervision.exports.sheets import SheetColumn, StyledSheet, write_only_workbook
from duban.supervision.ledger_import.columns import COLUMNS, MAX_ROWS, SHEET_HELP, SHEET_LEDGER
from duban.supervision.models import Plan

NOTES = [
    "请在“督办台账”工作表中填写，第 3 行是表头，列名带 * 的为必填项，请不要修改列名。导出的台账也可以直接修改后导入。",
    "第 4 行是示例行，导入前请删除或改成真实事项。",
    "按“序号”匹配计划中已有的事项；序号留空或计划中没有这个序号时，按“事项”名称完全相同匹配；都匹配不到的新建。",
    "子事项（措施）的序号写成“上级序号.序号”，例如“2.3”；导入不能改变已有事项的上级关系。",
    "更新已有事项时，留空的非必填列（责任单位、帮包领导、责任人、时间节点、备注）保持原值不变。",
    "“进展情况”和“状态”两列导入时忽略：状态由系统根据完成时限、时间节点和进展报告计算，进展来自各单位的进展报告。",
    "时间节点：列出的节点中系统里没有的会新增，系统里未完成而这里没有列出的节点会删除；已完成的节点不会因导入而删除。",
    "新事项从导入当周起每周填报进展，导入之前的各周不计缺报；已过完成时限的新事项直接显示为逾期。",
    "上传后系统先逐行检查并显示预览，所有行都正确后才能确认导入；导入要么全部写入，要么什么都不写入。",
    f"一个文件最多 {MAX_ROWS} 行数据；上传的文件 2 小时内有效。",
]


def _sheet_columns() -> list[SheetColumn]:
    return [SheetColumn(c.label + ("*" if c.required else ""), c.width, c.kind) for c in COLUMNS]


def template_workbook(plan: Plan):
    unit = (
        Unit.objects.filter(is_active=True, kind=UnitKind.DEPARTMENT).order_by("order", "pk").first()
        or Unit.objects.order_by("order", "pk").first()
    )
    year = plan.year or timezone.localdate().year
    workbook = write_only_workbook()
    sheet = StyledSheet(
        workbook,
        SHEET_LEDGER,
        _sheet_columns(),
        title=f"{plan.title}督办台账",
        subtitle="导入模板：填写说明见“说明”工作表",
    )
    sheet.row(
        [
            1,
            "（示例）完成某项重点工作",
            unit.name if unit else "",
            "",
            "",
            "",
            "10月15日 完成方案论证；11月30日 完成中期检查",
            datetime.date(year, 12, 31),
            "（导入时忽略）",
            "（导入时忽略）",
            "示例行，导入前请删除",
        ]
    )
    _help_sheet(workbook)
    return workbook


def _help_sheet(workbook) -> None:
    sheet = workbook.create_sheet(SHEET_HELP)
    for letter, width in (("A", 6), ("B", 14), ("C", 8), ("D", 90)):
        sheet.column_dimensions[letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    title = WriteOnlyCell(sheet, value="督办台账导入说明")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    sheet.append([])
    max_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    for index, note in enumerate([*NOTES, f"文件大小不超过 {max_mb} MB。"], start=1):
        cell = WriteOnlyCell(sheet, value=note)
        cell.alignment = wrap
        sheet.append([f"{index}.", None, None, cell])
    sheet.append([])
    bold = Font(bold=True)
    header = []
    for text in ("", "列", "必填", "说明"):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.help)
        cell.alignment = wrap
        sheet.append(["", column.label, "是" if column.required else "否", cell])

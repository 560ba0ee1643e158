"""The import template: both sheets with example rows and drop-downs, and a sheet
explaining the columns."""

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from duban.lib.xlsx import HeaderColumn, header_write, rows_write
from duban.org.importing.columns import (
    KIND_LABELS,
    MAX_ROWS,
    PEOPLE_COLUMNS,
    RANK_LABELS,
    SHEET_COLUMNS,
    SHEET_HELP,
    SHEET_PEOPLE,
    SHEET_UNITS,
    UNIT_COLUMNS,
    Column,
)
from duban.org.models import Rank, Unit, UnitKind


def _list_validation(labels, what: str) -> DataValidation:
    """A drop-down of fixed labels (none contains a comma)."""
    return DataValidation(
        type="list",
        formula1='"' + ",".join(labels) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=f"{what}无效",
        error=f"请从下拉列表中选择{what}。",
    )


def _column_range(columns: tuple[Column, ...], key: str) -> str:
    letter = get_column_letter(next(i for i, c in enumerate(columns, start=1) if c.key == key))
    return f"{letter}2:{letter}{MAX_ROWS + 1}"


def template_workbook() -> Workbook:
    """The import template: both sheets with example rows and drop-downs, and a
    third sheet explaining the columns."""
    root = Unit.objects.filter(parent__isnull=True).order_by("order", "id").values_list("name", flat=True).first()
    example_unit = "信息工程学院（示例）"
    workbook = Workbook()
    units = workbook.active
    units.title = SHEET_UNITS
    unit_headers = [c.header_column() for c in UNIT_COLUMNS]
    header_write(units, unit_headers)
    rows_write(
        units,
        [
            [example_unit, "信息学院", "", str(UnitKind.ACADEMIC.label), root or "", 50, ""],
            ["第九联络组（示例）", "", "", str(UnitKind.GRID_GROUP.label), root or "", 90, example_unit],
        ],
        unit_headers,
    )
    kinds = _list_validation(KIND_LABELS, "类型")
    units.add_data_validation(kinds)
    kinds.add(_column_range(UNIT_COLUMNS, "kind"))

    people = workbook.create_sheet(SHEET_PEOPLE)
    people_headers = [c.header_column() for c in PEOPLE_COLUMNS]
    header_write(people, people_headers)
    rows_write(
        people,
        [
            [
                "张三（示例）",
                "example.zhangsan",
                example_unit,
                str(Rank.STAFF.label),
                "教学秘书",
                "13800000000",
                "zhangsan@example.edu.cn",
            ]
        ],
        people_headers,
    )
    ranks = _list_validation(RANK_LABELS, "职级")
    people.add_data_validation(ranks)
    ranks.add(_column_range(PEOPLE_COLUMNS, "rank"))

    _help_sheet(workbook.create_sheet(SHEET_HELP))
    return workbook


def _help_sheet(sheet) -> None:
    max_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    notes = [
        "本工作簿有“单位”“人员”两个工作表，可以只填写其中一个。列名带 * 的为必填项，请不要修改列名。",
        "第 2 行起的示例行（名称带“示例”）仅作参考，导入前请删除或改成真实数据。",
        "单位按“单位名称”匹配：系统中已有同名单位时更新该单位，否则新建。",
        "人员按“登录名”匹配：已有该登录名时更新姓名、所在单位、职级、职务、手机号和电子邮箱（不修改密码）；"
        "否则新建账号并生成临时密码，导入完成后显示一次，此人首次登录须修改密码。",
        "更新已有单位或人员时，留空的非必填列保持原值不变。",
        "上级单位、所在单位、联系单位都填写单位全称，可以是系统中已有的单位，也可以是本文件“单位”工作表中的单位，先后顺序不限。",
        "上传后系统先逐行检查并显示预览，所有行都正确后才能确认导入；导入要么全部写入，要么什么都不写入。",
        f"一个文件最多 {MAX_ROWS} 行数据，大小不超过 {max_mb} MB；上传的文件 2 小时内有效。",
    ]
    sheet.column_dimensions["A"].width = 10
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 8
    sheet.column_dimensions["D"].width = 90
    title = sheet.cell(row=1, column=1, value="单位和人员导入说明")
    title.font = Font(bold=True, size=14)
    row = 3
    for index, note in enumerate(notes, start=1):
        sheet.cell(row=row, column=1, value=f"{index}.")
        cell = sheet.cell(row=row, column=2, value=note)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        sheet.row_dimensions[row].height = 30
        row += 1
    row += 1
    header_write(
        sheet,
        [
            HeaderColumn("工作表", 10, True),
            HeaderColumn("列", 30, True),
            HeaderColumn("必填", 8, True),
            HeaderColumn("说明", 90, True),
        ],
        row=row,
    )
    sheet.freeze_panes = None
    for sheet_name, columns in SHEET_COLUMNS.items():
        for column in columns:
            row += 1
            sheet.cell(row=row, column=1, value=sheet_name)
            sheet.cell(row=row, column=2, value=column.header)
            sheet.cell(row=row, column=3, value="是" if column.required else "否")
            cell = sheet.cell(row=row, column=4, value=column.help)
            cell.alignment = Alignment(wrap_text=True, vertical="top")

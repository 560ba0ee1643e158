"""The ledger's columns, the import's limits and its messages.

The export, the template and the import share these columns, so a ledger exported
from duban imports back unchanged. Messages are shown verbatim (tests assert them).
"""

import re
from dataclasses import dataclass

# --- Limits -------------------------------------------------------------------------
MAX_ROWS = 30_000
HEADER_SEARCH_ROWS = 10  # the export puts a title row (and a note row) above the header
SHEET_LEDGER = "督办台账"
SHEET_HELP = "说明"
LONG_TERM = ("长期坚持", "长期")  # 完成时限 of an item with no end date; the first is written

# --- Messages -----------------------------------------------------------------------
ERR_NOT_OFFICE = "只有督查办可以导入督办台账。"
ERR_NO_FILE = "请选择要上传的 Excel 文件。"
ERR_NOT_XLSX = "只能导入 .xlsx 格式的 Excel 文件，请另存为 .xlsx 或使用导入模板。"
ERR_UNREADABLE = "无法读取该文件：它不是有效的 .xlsx 文件，或已损坏、已加密。"
ERR_TOO_LARGE = "文件超过 {limit} MB 的上限。"
ERR_TOO_MANY_ROWS = "文件的数据超过 {limit} 行的上限，请拆分后分批导入。"
ERR_NO_HEADER = "文件中找不到台账的表头：需要一行包含“事项”“牵头单位”“完成时限”等列名。请使用导入模板或导出的台账。"
ERR_MISSING_COLUMNS = "台账缺少必填列：{columns}。请使用导入模板中的列名。"
ERR_NO_DATA = "台账中没有数据行。"
ERR_EXPIRED = "上传的文件已超过 2 小时，请重新上传。"
ERR_COMMIT_CONFLICT = "写入时与其他修改冲突，没有导入任何数据，请重新上传后再试。"

ERR_REQUIRED = "必填项为空。"
ERR_TOO_LONG = "内容过长，最多 {limit} 个字。"
ERR_BAD_NUMBER = "序号“{value}”无效：应为正整数，子事项写成“上级序号.序号”，例如“2.3”。"
ERR_DUPLICATE_NUMBER = "序号“{value}”在文件中重复（第 {first} 行已有）。"
ERR_NO_PARENT = "找不到序号为“{value}”的上级事项：计划中和本文件中都没有这个一级事项。"
ERR_PARENT_CHANGE = "该事项在计划中的序号是“{current}”，导入不能改变事项的上级关系，请在系统中调整。"
ERR_AMBIGUOUS_TITLE = "计划中有 {count} 个事项名为“{title}”，请填写序号以指明是哪一项。"
ERR_SAME_ITEM = "与第 {first} 行对应的是同一个事项“{title}”。"
ERR_UNKNOWN_UNIT = "找不到单位“{name}”，请填写系统中单位的全称。"
ERR_UNKNOWN_PERSON = "找不到人员“{name}”。"
ERR_NOT_LEADER = "“{name}”没有校领导角色，不能担任帮包领导。"
ERR_AMBIGUOUS_PERSON = "系统中有 {count} 人名叫“{name}”，请在姓名后用括号注明登录名，例如“{example}”。"
ERR_PERSON_MISMATCH = "登录名“{username}”对应的人员是“{actual}”，与填写的姓名“{name}”不符。"
ERR_BAD_DATE = "“{value}”不是有效的日期，请写成 2026-12-31、2026/12/31 或 2026年12月31日，长期坚持的事项填“长期坚持”。"
ERR_BAD_NODE = (
    "时间节点“{value}”无法识别：每个节点写成“10月15日 完成方案论证”或“2026-10-15 完成方案论证”，"
    "多个节点用“；”或换行分隔。"
)
ERR_DUE_BEFORE_START = "完成时限不能早于该事项的开始日期（{start}）。"
ERR_NODE_TITLE_LONG = "时间节点“{value}”的内容过长，最多 200 个字。"

# 责任单位: names separated by 、 or a comma (either width), semicolons or new lines.
UNIT_SPLIT_RE = re.compile(r"[、,，;；\n]+")
# 王伟（wangwei） or 王伟(wangwei): a name with its login name.
PERSON_RE = re.compile(r"^(?P<name>[^（(]+?)\s*[（(]\s*(?P<username>[^）)]+?)\s*[）)]$")
NUMBER_RE = re.compile(r"^(?P<first>\d{1,6})(?:\.(?P<second>\d{1,6}))?$")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False
    width: int = 14
    kind: str = "text"  # how the export formats it (exports.sheets.SheetColumn.kind)
    help: str = ""
    max_length: int | None = None
    imported: bool = True


COLUMNS = (
    Column(
        "number",
        "序号",
        False,
        7,
        "center",
        "计划内的序号，子事项写成“2.3”。按序号匹配计划中已有的事项，留空则按事项名称匹配。",
    ),
    Column("title", "事项", True, 36, "text", "事项名称，最多 200 个字。", max_length=200),
    Column("lead_unit", "牵头单位", True, 16, "text", "系统中单位的全称。"),
    Column("co_units", "责任单位", False, 22, "text", "系统中单位的全称，多个单位用“、”分隔。"),
    Column(
        "patron",
        "帮包领导",
        False,
        12,
        "center",
        "具有校领导角色的人员姓名；重名时写成“王伟（wangwei）”，括号内为登录名。",
    ),
    Column("responsible", "责任人", False, 12, "center", "人员姓名；重名时写成“姓名（登录名）”。"),
    Column(
        "nodes",
        "时间节点",
        False,
        36,
        "text",
        "每个节点写成“10月15日 完成方案论证”或“2026-10-15 完成方案论证”，多个节点用“；”或换行分隔。"
        "只写月日时，年份按完成时限推算。",
    ),
    Column(
        "due",
        "完成时限",
        True,
        14,
        "date",
        "日期，如 2026-12-31、2026/12/31 或 2026年12月31日；没有期限的填“长期坚持”。",
    ),
    Column("progress", "进展情况", False, 40, "text", "导出时为最近一次采纳的进展；导入时忽略。", imported=False),
    Column("status", "状态", False, 9, "center", "系统根据时限、节点和进展计算；导入时忽略。", imported=False),
    Column("remarks", "备注", False, 20, "text", "最多 300 个字。", max_length=300),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED_LABELS = [column.label for column in COLUMNS if column.required]


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is shown to the user."""


def header_key(text: str) -> str:
    """The label a header cell names: "事项*" and "完成时限（必填）" match "事项" and "完成时限"."""
    text = text.replace("＊", "*").strip()
    for mark in ("(", "（"):
        text = text.split(mark, 1)[0]
    return text.replace("*", "").replace(" ", "").replace("\u3000", "").strip()

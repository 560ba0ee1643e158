"""The standard 整改台账 layout, the import's limits and its messages.

The export, the template and the import share these columns, so a ledger exported
from duban imports back unchanged. Messages are shown verbatim (tests assert them).
"""

from dataclasses import dataclass

# The same cell conventions as the supervision ledger: header labels with marks, unit lists,
# “姓名（登录名）” for namesakes.
from duban.supervision.ledger_import.columns import PERSON_RE, UNIT_SPLIT_RE, header_key  # noqa: F401

# --- Limits -------------------------------------------------------------------------
MAX_ROWS = 10_000
HEADER_SEARCH_ROWS = 10  # the title row sits above the header
SHEET_LEDGER = "整改台账"
SUB_HEADER_GROUP = "整改落实情况"  # merged over 整改进展, 完成情况, 销号情况

# --- Messages -----------------------------------------------------------------------
ERR_NOT_OFFICE = "只有督查办可以导入整改台账。"
ERR_NO_FILE = "请选择要上传的 Excel 文件。"
ERR_NOT_XLSX = "只能导入 .xlsx 格式的 Excel 文件，请另存为 .xlsx 或使用导入模板。"
ERR_UNREADABLE = "无法读取该文件：它不是有效的 .xlsx 文件，或已损坏、已加密。"
ERR_TOO_LARGE = "文件超过 {limit} MB 的上限。"
ERR_TOO_MANY_ROWS = "文件的数据超过 {limit} 行的上限，请拆分后分批导入。"
ERR_NO_HEADER = (
    "文件中找不到整改台账的表头：需要一行包含“序号”“问题描述”“整改措施”“责任单位”“整改时限”等列名。"
    "请使用导入模板或导出的整改台账。"
)
ERR_MISSING_COLUMNS = "整改台账缺少必需的列：{columns}。请使用导入模板中的列名。"
ERR_NO_DATA = "整改台账中没有数据行。"
ERR_EXPIRED = "上传的文件已超过 2 小时，请重新上传。"
ERR_COMMIT_REFUSED = "写入第 {row} 行时被拒绝，没有导入任何数据：{message}"

ERR_REQUIRED = "必填项为空。"
ERR_TOO_LONG = "内容过长，最多 {limit} 个字。"
ERR_BAD_ORDINAL = "序号“{value}”无效：应为正整数。"
ERR_DUPLICATE_ORDINAL = "序号“{value}”在文件中重复（第 {first} 行已有）。"
ERR_NO_DESCRIPTION = "有序号但问题描述为空：每个问题的第一行须填写问题描述。"
ERR_ORPHAN_MEASURE = "这一行的整改措施没有对应的问题：它之前没有任何填写了序号和问题描述的行。"
ERR_EMPTY_MEASURE = "整改措施为空：填写了责任单位、整改时限等内容的行必须写明整改措施。"
ERR_UNKNOWN_UNIT = "找不到单位“{name}”，请填写系统中单位的全称或简称。"
ERR_AMBIGUOUS_UNIT = "简称“{name}”对应 {count} 个单位，请填写单位全称。"
ERR_UNKNOWN_PERSON = "找不到人员“{name}”。"
ERR_AMBIGUOUS_PERSON = "系统中有 {count} 人名叫“{name}”，请在姓名后用括号注明登录名，例如“{example}”。"
ERR_NOT_LEADER = "“{name}”没有校领导角色，不能担任责任领导。"
ERR_PERSON_MISMATCH = "登录名“{username}”对应的人员是“{actual}”，与填写的姓名“{name}”不符。"
ERR_BAD_DEADLINE = (
    "整改时限“{value}”无法识别：限期整改写日期（如 2026-12-31），立行立改写“立行立改”或“立行立改（2026-11-30）”，"
    "长期坚持写“长期坚持”，建章立制写“2026-12-31（建章立制）”。"
)
ERR_DEADLINE_BEFORE_START = "整改时限不能早于该措施的开始日期（{start}）。"
ERR_MEASURE_CLOSED = "该措施已销号，导入不能修改它；如需调整请先在系统中重新打开。"
ERR_TYPE_LOCKED = "该措施已提出销号申请，导入不能改变它的类型（整改时限的写法）。"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int = 14
    required: bool = False  # the column must be in the header
    imported: bool = True  # False: written by the export, ignored by the import
    help: str = ""


# In sheet order. 整改进展, 完成情况 and 销号情况 sit under the merged 整改落实情况.
COLUMNS = (
    Column(
        "ordinal",
        "序号",
        6,
        True,
        help="问题的序号，正整数。一个问题有多条措施时，序号和问题描述合并单元格或只填在第一行。",
    ),
    Column("description", "问题描述", 36, True, help="问题的描述。"),
    Column("measure", "整改措施", 36, True, help="每行一条整改措施，最多 200 个字。"),
    Column("leader", "责任领导", 10, help="校领导姓名；重名时写成“王伟（wangwei）”，括号内为登录名。留空则保持原值。"),
    Column("units", "责任单位", 14, True, help="系统中单位的全称或简称；第一个为牵头单位，多个单位用“、”分隔。"),
    Column("person", "责任人", 10, help="责任单位的人员姓名；重名时写成“姓名（登录名）”。留空则保持原值。"),
    Column(
        "deadline",
        "整改时限",
        16,
        True,
        help="限期整改写日期（2026-12-31）；立行立改写“立行立改”或“立行立改（2026-11-30）”；"
        "长期坚持写“长期坚持”；建章立制写“2026-12-31（建章立制）”。",
    ),
    Column("progress", "整改进展", 30, imported=False, help="导出时为最近一次采纳的进展；导入时忽略。"),
    Column("completion", "完成情况", 12, imported=False, help="导出时为完成情况和状态；导入时忽略。"),
    Column("closure", "销号情况", 18, imported=False, help="导出时为销号情况；导入时忽略。"),
    Column("remarks", "备注", 16, help="最多 300 个字。留空则保持原值。"),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
SUB_COLUMNS = ("progress", "completion", "closure")
FINDING_KEYS = ("ordinal", "description")
MEASURE_KEYS = ("measure", "leader", "units", "person", "deadline", "remarks")
MAX_LENGTH = {"description": 2000, "measure": 200, "remarks": 300}


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is shown to the user."""

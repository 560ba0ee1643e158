"""Column definitions, limits, sheet names and the messages of the import.

Everything here is plain data shared by reading, validation, the template and the
export; the messages are shown to users verbatim (tests assert the exact text).
"""

import re
from dataclasses import dataclass

from duban.lib.xlsx import HeaderColumn
from duban.org.models import Rank, UnitKind

# --- Limits ---------------------------------------------------------------------
MAX_ROWS = 20_000
TOKEN_MAX_AGE = 2 * 60 * 60  # seconds an uploaded file stays usable
HEADER_SEARCH_ROWS = 10  # a title row or two may sit above the header
# Temporary passwords are long random strings shown once and replaced at first
# login; hashing each one with the full PBKDF2 work factor would make a large import
# take hours. Django re-hashes with the full work factor at the first login.
TEMPORARY_PASSWORD_ITERATIONS = 1_000

SHEET_UNITS = "单位"
SHEET_PEOPLE = "人员"
SHEET_HELP = "说明"
ROLE_HEADER = "角色"

# --- Messages (tests assert the exact text) -------------------------------------
ERR_NOT_SYS_ADMIN = "只有系统管理员可以导入单位和人员。"
ERR_NO_BROWSE = "您没有查看人员名单的权限。"
ERR_NO_FILE = "请选择要上传的 Excel 文件。"
ERR_NOT_XLSX = "只能导入 .xlsx 格式的 Excel 文件，请另存为 .xlsx 或使用导入模板。"
ERR_UNREADABLE = "无法读取该文件：它不是有效的 .xlsx 文件，或已损坏、已加密。"
ERR_TOO_LARGE = "文件超过 {limit} MB 的上限。"
ERR_TOO_MANY_ROWS = "文件的数据超过 {limit} 行的上限，请拆分后分批导入。"
ERR_NO_DATA = "文件中没有可导入的数据：需要名为“单位”或“人员”的工作表，且至少有一行数据。请使用导入模板。"
ERR_MISSING_COLUMNS = "“{sheet}”工作表缺少必填列：{columns}。请使用导入模板中的列名。"
ERR_EXPIRED = "上传的文件已超过 2 小时，请重新上传。"
ERR_COMMIT_CONFLICT = "写入时与其他修改冲突，没有导入任何数据，请重新上传后再试。"

ERR_REQUIRED = "必填项为空。"
ERR_TOO_LONG = "内容过长，最多 {limit} 个字。"
ERR_UNKNOWN_UNIT = "找不到单位“{name}”：系统中和本文件的“单位”工作表中都没有这个单位。"
ERR_DUPLICATE_UNIT = "单位名称“{name}”在文件中重复（第 {first} 行已有）。"
ERR_DUPLICATE_ACCOUNT = "登录名“{username}”在文件中重复（第 {first} 行已有）。"
ERR_BAD_KIND = "类型“{value}”无效，应为：{choices}。"
ERR_BAD_RANK = "职级“{value}”无效，应为：{choices}。"
ERR_BAD_ORDER = "排序应为不小于 0 的整数。"
ERR_BAD_EMAIL = "电子邮箱格式不正确。"
ERR_BAD_PHONE = "手机号只能包含数字、- 和 +，长度为 7 到 20 位。"
ERR_BAD_USERNAME = "登录名只能包含字母、数字和 @ . + - _。"
ERR_PARENT_CYCLE = "上级单位形成循环：{chain}。"
ERR_COVERED_NOT_GRID = "只有类型为“联络组”的单位才能填写联系单位。"
ERR_COVER_SELF = "联络组不能联系它自己。"
ERR_CODE_TAKEN = "单位编码“{code}”与单位“{other}”重复。"

KIND_LABELS = {str(label): value for value, label in UnitKind.choices}
RANK_LABELS = {str(label): value for value, label in Rank.choices}
KIND_CHOICES_TEXT = "、".join(KIND_LABELS)
RANK_CHOICES_TEXT = "、".join(RANK_LABELS)

USERNAME_RE = re.compile(r"^[\w.@+-]+\Z")  # the model's UnicodeUsernameValidator
PHONE_RE = re.compile(r"^\+?[0-9][0-9-]*\Z")
PHONE_LENGTH = (7, 20)
ORDER_MAX = 2_147_483_647
# 联系单位: names separated by 、 or a comma (either width), semicolons or new lines.
COVERED_SPLIT_RE = re.compile(r"[、,，;；\n]+")
TOKEN_RE = re.compile(r"^[0-9a-f]{32}\Z")


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is shown to the user."""


# --- Columns --------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False
    width: int = 16
    help: str = ""
    note: str = ""  # appended to the header in the template, e.g. "(仅联络组, …)"
    max_length: int | None = None
    text: bool = False

    @property
    def header(self) -> str:
        return self.label + ("*" if self.required else "") + self.note

    def header_column(self) -> HeaderColumn:
        return HeaderColumn(self.header, width=self.width, required=self.required, text=self.text)


UNIT_COLUMNS = (
    Column(
        "name", "单位名称", True, 28, "单位全称，全校唯一。系统中已有同名单位时更新该单位，否则新建。", max_length=100
    ),
    Column("short_name", "简称", False, 14, "可选。", max_length=40),
    Column("code", "单位编码", False, 14, "可选，全校唯一。", max_length=40, text=True),
    Column("kind", "类型", True, 14, "从下拉列表选择：" + KIND_CHOICES_TEXT + "。"),
    Column(
        "parent",
        "上级单位",
        False,
        24,
        "上级单位的全称，可以是系统中已有的单位或本工作表中的单位（先后不限）。"
        "新建单位留空表示顶级单位；更新单位留空表示保持原上级。",
    ),
    Column("order", "排序", False, 8, "不小于 0 的整数，同级单位按此从小到大排列；新建时留空为 100。"),
    Column(
        "covered",
        "联系单位",
        False,
        40,
        "仅“联络组”填写：该联络组联系的单位全称，多个单位用、或,分隔。更新时留空表示保持原联系单位。",
        note="(仅联络组, 用、或,分隔)",
    ),
)

PEOPLE_COLUMNS = (
    Column("name", "姓名", True, 12, "最多 40 个字。", max_length=40),
    Column(
        "username",
        "登录名",
        True,
        18,
        "用于登录，全校唯一，只能包含字母、数字和 @ . + - _，例如工号。"
        "系统中已有该登录名时更新此人（不修改密码），否则新建账号并生成临时密码。",
        max_length=64,
        text=True,
    ),
    Column("unit", "所在单位", True, 24, "单位全称，可以是系统中已有的单位或“单位”工作表中的单位。"),
    Column("rank", "职级", True, 10, "从下拉列表选择：" + RANK_CHOICES_TEXT + "。"),
    Column("position", "职务", False, 16, "可选，例如“处长”“教学秘书”。", max_length=60),
    Column("phone", "手机号", False, 16, "可选，数字、- 和 +，7 到 20 位。", text=True),
    Column("email", "电子邮箱", False, 26, "可选。", max_length=254),
)

SHEET_COLUMNS = {SHEET_UNITS: UNIT_COLUMNS, SHEET_PEOPLE: PEOPLE_COLUMNS}


def header_key(text: str) -> str:
    """The label a header cell names: "单位名称*" and "联系单位(仅联络组…)" match
    "单位名称" and "联系单位"."""
    text = text.replace("＊", "*").strip()
    for mark in ("(", "（"):
        text = text.split(mark, 1)[0]
    return text.replace("*", "").replace(" ", "").replace("\u3000", "").strip()

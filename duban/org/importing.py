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
"""

import os
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.lib.xlsx import (
    HeaderColumn,
    WorkbookUnreadable,
    header_write,
    iter_text_rows,
    open_workbook,
    rows_write,
)
from duban.org.access import access_for
from duban.org.models import Person, Rank, Role, Unit, UnitKind

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


# --- Reading --------------------------------------------------------------------
@dataclass
class SheetRows:
    present: bool = False
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)  # keys of the columns found


@dataclass
class ParsedWorkbook:
    units: SheetRows
    people: SheetRows

    @property
    def row_count(self) -> int:
        return len(self.units.rows) + len(self.people.rows)


def _sheet_read(workbook, sheet_name: str, sheet: str, columns: tuple[Column, ...], budget: int) -> SheetRows:
    """Rows of one sheet keyed by column; stops as soon as `budget` is exceeded.

    The header is the first row naming the sheet's first column (a title row or two
    above it is skipped); columns are matched by name, in any order, and columns the
    import does not know (a 角色 column of an export, notes) are ignored."""
    by_label = {c.label: c for c in columns}
    result = SheetRows(present=True)
    header: dict[int, Column] | None = None
    first_row: tuple[str, ...] | None = None
    skipped = 0
    for number, texts in iter_text_rows(workbook, sheet_name):
        if header is not None:
            _row_add(result, header, number, texts, budget)
            continue
        keys = [header_key(t) for t in texts]
        if first_row is None:
            first_row = texts
        if columns[0].label in keys:
            header = {i: by_label[k] for i, k in enumerate(keys) if k in by_label}
            continue
        skipped += 1
        if skipped >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        if first_row is None:
            return result  # an empty sheet
        header = {i: by_label[header_key(t)] for i, t in enumerate(first_row) if header_key(t) in by_label}
    result.columns = {c.key for c in header.values()}
    missing = [c.label for c in columns if c.required and c.key not in result.columns]
    if missing:
        raise ImportFileError(ERR_MISSING_COLUMNS.format(sheet=sheet, columns="、".join(missing)))
    return result


def _row_add(result: SheetRows, header: dict[int, Column], number: int, texts: tuple[str, ...], budget: int):
    values = {column.key: "" for column in header.values()}
    for index, column in header.items():
        if index < len(texts) and not values[column.key]:
            values[column.key] = texts[index]
    if not any(values.values()):
        return  # something outside the known columns only (notes, a role column)
    result.rows.append((number, values))
    if len(result.rows) > budget:
        raise ImportFileError(ERR_TOO_MANY_ROWS.format(limit=MAX_ROWS))


def workbook_read(source) -> ParsedWorkbook:
    """Read the 单位 and 人员 sheets of a workbook (path or binary file object).
    Raises ImportFileError with the message to show."""
    try:
        workbook = open_workbook(source)
    except WorkbookUnreadable:
        raise ImportFileError(ERR_UNREADABLE)
    try:
        names = {name.strip(): name for name in workbook.sheet_names}
        sheets = {}
        budget = MAX_ROWS
        for sheet, columns in SHEET_COLUMNS.items():
            if sheet in names:
                sheets[sheet] = _sheet_read(workbook, names[sheet], sheet, columns, budget)
                budget -= len(sheets[sheet].rows)
            else:
                sheets[sheet] = SheetRows()
    except WorkbookUnreadable:
        raise ImportFileError(ERR_UNREADABLE)
    finally:
        workbook.close()
    parsed = ParsedWorkbook(units=sheets[SHEET_UNITS], people=sheets[SHEET_PEOPLE])
    if parsed.row_count == 0:
        raise ImportFileError(ERR_NO_DATA)
    return parsed


def upload_check(upload) -> ParsedWorkbook:
    """Everything that makes an uploaded file unusable as a whole, in the order a
    person would fix it: format, size, readability, rows."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise ImportFileError(ERR_NOT_XLSX)
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ImportFileError(ERR_TOO_LARGE.format(limit=settings.UPLOAD_MAX_BYTES // (1024 * 1024)))
    return workbook_read(upload)


# --- Stored uploads -------------------------------------------------------------
def import_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def import_file_path(token: str) -> Path | None:
    """The stored file of a token, or None when the token is malformed or gone."""
    if not TOKEN_RE.match(token or ""):
        return None
    path = import_dir() / f"{token}.xlsx"
    return path if path.is_file() else None


def import_file_store(upload) -> str:
    """Keep an uploaded file (readable by this process only); return its token."""
    directory = import_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    import_files_purge()
    token = secrets.token_hex(16)
    fd = os.open(directory / f"{token}.xlsx", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        upload.seek(0)
        for chunk in upload.chunks():
            handle.write(chunk)
    return token


def import_file_delete(token: str) -> None:
    path = import_file_path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def import_files_purge(now: float | None = None) -> int:
    """Delete stored uploads older than TOKEN_MAX_AGE (abandoned previews)."""
    directory = import_dir()
    if not directory.is_dir():
        return 0
    now = time.time() if now is None else now
    removed = 0
    for path in directory.glob("*.xlsx"):
        try:
            if now - path.stat().st_mtime > TOKEN_MAX_AGE:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


# --- Validation -----------------------------------------------------------------
@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str


@dataclass
class UnitRow:
    row: int
    name: str
    short_name: str
    code: str
    kind: str
    parent: str  # a unit name, "" when blank
    order: int | None
    covered: list[str] | None  # None when the cell is blank
    existing: Unit | None = None
    changes: list[str] = field(default_factory=list)
    covered_change: bool = False


@dataclass
class PersonRow:
    row: int
    name: str
    username: str
    unit: str
    rank: str
    position: str
    phone: str
    email: str
    existing: Person | None = None
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    units: list[UnitRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    general_errors: list[str] = field(default_factory=list)
    depth: dict[str, int] = field(default_factory=dict)  # file unit name -> depth in the final tree

    @property
    def is_valid(self) -> bool:
        return not self.errors and not self.general_errors

    @property
    def units_create(self) -> int:
        return sum(1 for u in self.units if u.existing is None)

    @property
    def units_update(self) -> int:
        return sum(1 for u in self.units if u.existing is not None and (u.changes or u.covered_change))

    @property
    def units_unchanged(self) -> int:
        return len(self.units) - self.units_create - self.units_update

    @property
    def people_create(self) -> int:
        return sum(1 for p in self.people if p.existing is None)

    @property
    def people_update(self) -> int:
        return sum(1 for p in self.people if p.existing is not None and p.changes)

    @property
    def people_unchanged(self) -> int:
        return len(self.people) - self.people_create - self.people_update

    def counts(self) -> dict[str, int]:
        return {
            "units_created": self.units_create,
            "units_updated": self.units_update,
            "units_unchanged": self.units_unchanged,
            "people_created": self.people_create,
            "people_updated": self.people_update,
            "people_unchanged": self.people_unchanged,
        }


class _Checker:
    """Collects errors for one row."""

    def __init__(self, plan: ImportPlan, sheet: str, row: int):
        self.plan, self.sheet, self.row = plan, sheet, row
        self.failed = False

    def error(self, column: Column, message: str) -> None:
        self.plan.errors.append(RowError(self.sheet, self.row, column.label, message))
        self.failed = True

    def text(self, values: dict[str, str], column: Column) -> str:
        value = values.get(column.key, "")
        if column.required and not value:
            self.error(column, ERR_REQUIRED)
        elif column.max_length and len(value) > column.max_length:
            self.error(column, ERR_TOO_LONG.format(limit=column.max_length))
        return value


def _col(columns: tuple[Column, ...], key: str) -> Column:
    return next(c for c in columns if c.key == key)


def _choice(checker: _Checker, column: Column, value: str, labels: dict[str, str], message: str, choices: str):
    if not value:
        return ""
    if value in labels:
        return labels[value]
    if value in labels.values():  # the stored value is accepted too
        return value
    checker.error(column, message.format(value=value, choices=choices))
    return ""


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan_build(parsed: ParsedWorkbook) -> ImportPlan:
    """Validate every row against the database and the rest of the file."""
    plan = ImportPlan()
    db_units = {unit.name: unit for unit in Unit.objects.select_related("parent")}
    db_names = {unit.pk: name for name, unit in db_units.items()}
    db_coverage: dict[int, set[int]] = {}
    for group_id, unit_id in Unit.covered_units.through.objects.values_list("from_unit_id", "to_unit_id"):
        db_coverage.setdefault(group_id, set()).add(unit_id)

    file_units = _units_check(plan, parsed.units, db_units)
    known = set(db_units) | set(file_units)
    _unit_references_check(plan, file_units, known)
    _unit_codes_check(plan, file_units, db_units)
    _unit_cycles_check(plan, file_units, db_units, db_names)
    _people_check(plan, parsed.people, known)

    for row in file_units.values():
        _unit_changes(row, db_names, db_coverage)
    plan.units = sorted(file_units.values(), key=lambda r: r.row)
    plan.errors.sort(key=lambda e: (e.sheet != SHEET_UNITS, e.row))
    return plan


def _units_check(plan: ImportPlan, sheet: SheetRows, db_units: dict[str, Unit]) -> dict[str, UnitRow]:
    cols = {c.key: c for c in UNIT_COLUMNS}
    file_units: dict[str, UnitRow] = {}
    for number, values in sheet.rows:
        check = _Checker(plan, SHEET_UNITS, number)
        name = check.text(values, cols["name"])
        short_name = check.text(values, cols["short_name"])
        code = check.text(values, cols["code"])
        kind_text = check.text(values, cols["kind"])
        kind = _choice(check, cols["kind"], kind_text, KIND_LABELS, ERR_BAD_KIND, KIND_CHOICES_TEXT)
        parent = values.get("parent", "")
        order_text = values.get("order", "")
        order = None
        if order_text:
            if order_text.isdigit() and int(order_text) <= ORDER_MAX:
                order = int(order_text)
            else:
                check.error(cols["order"], ERR_BAD_ORDER)
        covered_text = values.get("covered", "")
        covered = None
        if covered_text:
            covered = list(dict.fromkeys(n.strip() for n in COVERED_SPLIT_RE.split(covered_text) if n.strip()))
            if kind and kind != UnitKind.GRID_GROUP:
                check.error(cols["covered"], ERR_COVERED_NOT_GRID)
            elif name in covered:
                check.error(cols["covered"], ERR_COVER_SELF)
        if not name or len(name) > cols["name"].max_length:
            continue
        if name in file_units:
            check.error(cols["name"], ERR_DUPLICATE_UNIT.format(name=name, first=file_units[name].row))
            continue
        file_units[name] = UnitRow(
            row=number,
            name=name,
            short_name=short_name,
            code=code,
            kind=kind,
            parent=parent,
            order=order,
            covered=covered,
            existing=db_units.get(name),
        )
    return file_units


def _unit_references_check(plan: ImportPlan, file_units: dict[str, UnitRow], known: set[str]) -> None:
    cols = {c.key: c for c in UNIT_COLUMNS}
    for row in file_units.values():
        check = _Checker(plan, SHEET_UNITS, row.row)
        if row.parent and row.parent not in known:
            check.error(cols["parent"], ERR_UNKNOWN_UNIT.format(name=row.parent))
        for name in row.covered or []:
            if name not in known:
                check.error(cols["covered"], ERR_UNKNOWN_UNIT.format(name=name))


def _unit_codes_check(plan: ImportPlan, file_units: dict[str, UnitRow], db_units: dict[str, Unit]) -> None:
    """Unit codes are unique when set: check the codes every unit will have."""
    final: dict[str, str] = {name: unit.code for name, unit in db_units.items()}
    for row in file_units.values():
        if row.code:
            final[row.name] = row.code
        else:
            final.setdefault(row.name, "")
    holders: dict[str, list[str]] = {}
    for name, code in final.items():
        if code:
            holders.setdefault(code, []).append(name)
    column = _col(UNIT_COLUMNS, "code")
    for row in file_units.values():
        others = [n for n in holders.get(row.code, []) if n != row.name] if row.code else []
        if others:
            _Checker(plan, SHEET_UNITS, row.row).error(
                column, ERR_CODE_TAKEN.format(code=row.code, other="、".join(others))
            )


def _unit_cycles_check(plan, file_units: dict[str, UnitRow], db_units: dict[str, Unit], db_names) -> None:
    """The tree after the import: database parents, replaced by the file's."""
    final_parent: dict[str, str | None] = {
        name: db_names.get(unit.parent_id) if unit.parent_id else None for name, unit in db_units.items()
    }
    for row in file_units.values():
        if row.parent:
            final_parent[row.name] = row.parent
        elif row.existing is None:
            final_parent[row.name] = None
    column = _col(UNIT_COLUMNS, "parent")
    for row in file_units.values():
        chain = [row.name]
        seen = {row.name}
        current = final_parent.get(row.name)
        depth = 0
        while current is not None:
            chain.append(current)
            if current == row.name:
                _Checker(plan, SHEET_UNITS, row.row).error(column, ERR_PARENT_CYCLE.format(chain=" → ".join(chain)))
                break
            if current in seen:
                break  # a cycle above this unit: reported on the rows that form it
            seen.add(current)
            depth += 1
            current = final_parent.get(current)
        plan.depth[row.name] = depth


def _unit_changes(row: UnitRow, db_names: dict[int, str], db_coverage: dict[int, set[int]]) -> None:
    unit = row.existing
    if unit is None:
        return
    if row.short_name and row.short_name != unit.short_name:
        row.changes.append("short_name")
    if row.code and row.code != unit.code:
        row.changes.append("code")
    if row.kind and row.kind != unit.kind:
        row.changes.append("kind")
    if row.parent and row.parent != db_names.get(unit.parent_id):
        row.changes.append("parent")
    if row.order is not None and row.order != unit.order:
        row.changes.append("order")
    current = {db_names[i] for i in db_coverage.get(unit.pk, set())}
    if row.kind == UnitKind.GRID_GROUP and row.covered is not None:
        row.covered_change = set(row.covered) != current
    elif row.kind and row.kind != UnitKind.GRID_GROUP:
        row.covered_change = bool(current)


def _people_check(plan: ImportPlan, sheet: SheetRows, known_units: set[str]) -> None:
    cols = {c.key: c for c in PEOPLE_COLUMNS}
    rows: dict[str, PersonRow] = {}
    for number, values in sheet.rows:
        check = _Checker(plan, SHEET_PEOPLE, number)
        name = check.text(values, cols["name"])
        username = check.text(values, cols["username"])
        if username and len(username) <= cols["username"].max_length and not USERNAME_RE.match(username):
            check.error(cols["username"], ERR_BAD_USERNAME)
        unit = check.text(values, cols["unit"])
        if unit and unit not in known_units:
            check.error(cols["unit"], ERR_UNKNOWN_UNIT.format(name=unit))
        rank_text = check.text(values, cols["rank"])
        rank = _choice(check, cols["rank"], rank_text, RANK_LABELS, ERR_BAD_RANK, RANK_CHOICES_TEXT)
        position = check.text(values, cols["position"])
        phone = check.text(values, cols["phone"])
        if phone and not (PHONE_RE.match(phone) and PHONE_LENGTH[0] <= len(phone) <= PHONE_LENGTH[1]):
            check.error(cols["phone"], ERR_BAD_PHONE)
        email = check.text(values, cols["email"])
        if email and len(email) <= cols["email"].max_length:
            try:
                validate_email(email)
            except ValidationError:
                check.error(cols["email"], ERR_BAD_EMAIL)
        if not username:
            continue
        if username in rows:
            check.error(cols["username"], ERR_DUPLICATE_ACCOUNT.format(username=username, first=rows[username].row))
            continue
        rows[username] = PersonRow(number, name, username, unit, rank, position, phone, email)

    usernames = list(rows)
    for chunk in _chunks(usernames):
        for person in Person.objects.filter(username__in=chunk).select_related("unit"):
            row = rows[person.username]
            row.existing = person
            changes = []
            if row.name and row.name != person.name:
                changes.append("name")
            if row.unit and row.unit != (person.unit.name if person.unit_id else None):
                changes.append("unit")
            if row.rank and row.rank != person.rank:
                changes.append("rank")
            for key in ("position", "phone", "email"):
                if getattr(row, key) and getattr(row, key) != getattr(person, key):
                    changes.append(key)
            row.changes = changes
    plan.people = sorted(rows.values(), key=lambda r: r.row)


# --- Services -------------------------------------------------------------------
def _require_sys_admin(acting_user) -> None:
    if not access_for(acting_user).can_edit_org():
        raise PermissionDenied(ERR_NOT_SYS_ADMIN)


def import_preview(*, acting_user, path) -> ImportPlan:
    """The dry run: parse and validate, write nothing. Raises ImportFileError."""
    _require_sys_admin(acting_user)
    return plan_build(workbook_read(path))


@dataclass
class NewAccount:
    name: str
    username: str
    unit: str
    password: str


@dataclass
class ImportResult:
    counts: dict[str, int]
    new_accounts: list[NewAccount]


def import_commit(*, acting_user, path, request=None, filename: str = "") -> ImportResult | ImportPlan:
    """Validate again and write everything, or nothing. Returns the result, or the
    plan with its errors when the file is (now) invalid. Raises ImportFileError."""
    _require_sys_admin(acting_user)
    parsed = workbook_read(path)
    try:
        with transaction.atomic():
            plan = plan_build(parsed)
            if not plan.is_valid:
                return plan
            result = _plan_apply(plan)
            detail = dict(result.counts)
            if filename:
                detail["file"] = filename[:200]
            security_event_record(
                kind=EventKind.IMPORT, actor=acting_user, request=request, target="单位和人员", detail=detail
            )
    except IntegrityError:
        plan = plan_build(parsed)
        plan.general_errors.append(ERR_COMMIT_CONFLICT)
        return plan
    return result


def _temporary_password_hash(password: str) -> str:
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=min(hasher.iterations, TEMPORARY_PASSWORD_ITERATIONS))
    return make_password(password)


def _plan_apply(plan: ImportPlan) -> ImportResult:
    from duban.accounts.services import temporary_password

    units = {unit.name: unit for unit in Unit.objects.all()}
    for row in plan.units:
        if row.existing is not None:
            units[row.name] = row.existing
    # Parents before children, so the tree is a tree after every single save.
    for row in sorted(plan.units, key=lambda r: (plan.depth.get(r.name, 0), r.row)):
        unit = row.existing or Unit(name=row.name)
        if row.short_name:
            unit.short_name = row.short_name
        if row.code:
            unit.code = row.code
        unit.kind = row.kind
        if row.parent:
            unit.parent = units[row.parent]
        if row.order is not None:
            unit.order = row.order
        if row.existing is None:
            unit.save()
        elif row.changes:
            unit.save(update_fields=row.changes)
        units[row.name] = unit
    for row in plan.units:
        if not row.covered_change and row.existing is not None:
            continue
        unit = units[row.name]
        if row.kind == UnitKind.GRID_GROUP and row.covered:
            unit.covered_units.set([units[name] for name in row.covered])
        elif row.existing is not None:
            unit.covered_units.set([])

    new_accounts = []
    for row in plan.people:
        person = row.existing
        if person is None:
            person = Person(username=row.username, must_change_password=True)
        person.name = row.name
        person.unit = units[row.unit]
        person.rank = row.rank
        for key in ("position", "phone", "email"):
            if getattr(row, key):
                setattr(person, key, getattr(row, key))
        if row.existing is None:
            password = temporary_password()
            person.password = _temporary_password_hash(password)
            person.save()
            new_accounts.append(NewAccount(person.name, person.username, row.unit, password))
        elif row.changes:
            person.save(update_fields=row.changes)
    return ImportResult(counts=plan.counts(), new_accounts=new_accounts)


# --- The template ---------------------------------------------------------------
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


# --- Export of the people list --------------------------------------------------
def _roles_text(person: Person) -> str:
    labels = dict(Role.choices)
    parts = []
    for grant in sorted(person.grants.all(), key=lambda g: (g.role, g.unit_id or 0)):
        label = str(labels.get(grant.role, grant.role))
        parts.append(f"{label}（{grant.unit.name}）" if grant.unit_id else label)
    return "、".join(parts)


def people_export(*, acting_user, people, filters: dict | None = None, request=None) -> tuple[Workbook, int]:
    """The people list as a workbook in the import layout plus a 角色 column.
    Phone and e-mail only where the reader may see them. Records the export."""
    access = access_for(acting_user)
    if not access.can_browse_org():
        raise PermissionDenied(ERR_NO_BROWSE)
    columns = [c.header_column() for c in PEOPLE_COLUMNS] + [HeaderColumn(ROLE_HEADER, width=36)]
    rank_labels = {value: str(label) for value, label in Rank.choices}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_PEOPLE
    header_write(sheet, columns)
    rows = []
    for person in people.prefetch_related("grants__unit"):
        contact = access.can_see_contact(person)
        rows.append(
            [
                person.name,
                person.username,
                person.unit.name if person.unit_id else "",
                rank_labels.get(person.rank, person.rank),
                person.position,
                person.phone if contact else "",
                person.email if contact else "",
                _roles_text(person),
            ]
        )
    rows_write(sheet, rows, columns)
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    security_event_record(
        kind=EventKind.EXPORT,
        actor=acting_user,
        request=request,
        target="人员名单",
        detail={"filters": {k: v for k, v in (filters or {}).items() if v}, "rows": len(rows)},
    )
    return workbook, len(rows)

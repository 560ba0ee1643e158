"""The dry run: `plan_build` checks every row against the database and the rest
of the file, and works out what each row would create or change. Nothing is written.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from duban.org.importing.columns import (
    COVERED_SPLIT_RE,
    ERR_BAD_EMAIL,
    ERR_BAD_KIND,
    ERR_BAD_ORDER,
    ERR_BAD_PHONE,
    ERR_BAD_RANK,
    ERR_BAD_USERNAME,
    ERR_CODE_TAKEN,
    ERR_COVER_SELF,
    ERR_COVERED_NOT_GRID,
    ERR_DUPLICATE_ACCOUNT,
    ERR_DUPLICATE_UNIT,
    ERR_PARENT_CYCLE,
    ERR_REQUIRED,
    ERR_TOO_LONG,
    ERR_UNKNOWN_UNIT,
    KIND_CHOICES_TEXT,
    KIND_LABELS,
    ORDER_MAX,
    PEOPLE_COLUMNS,
    PHONE_LENGTH,
    PHONE_RE,
    RANK_CHOICES_TEXT,
    RANK_LABELS,
    SHEET_PEOPLE,
    SHEET_UNITS,
    UNIT_COLUMNS,
    USERNAME_RE,
    Column,
)
from duban.org.importing.plan import ImportPlan, PersonRow, RowError, UnitRow
from duban.org.importing.reading import ParsedWorkbook, SheetRows
from duban.org.models import Person, Unit, UnitKind


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
            if order_text.isdecimal() and int(order_text) <= ORDER_MAX:
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

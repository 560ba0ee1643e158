"""The dry run: `plan_build` checks every row against the plan, the units and the
people, matches it to an existing item (by 序号 within the plan, else by the exact
事项 title) and works out what it would create or change. Nothing is written.
"""

import datetime

from duban.org.lookup import NoMatch, PersonMessages
from duban.supervision.ledger_import.changes import row_changes
from duban.supervision.ledger_import.columns import (
    COLUMN_BY_KEY,
    ERR_AMBIGUOUS_PERSON,
    ERR_AMBIGUOUS_TITLE,
    ERR_BAD_DATE,
    ERR_BAD_NODE,
    ERR_BAD_NUMBER,
    ERR_DUPLICATE_NUMBER,
    ERR_NO_PARENT,
    ERR_NODE_TITLE_LONG,
    ERR_NOT_LEADER,
    ERR_PERSON_MISMATCH,
    ERR_REQUIRED,
    ERR_SAME_ITEM,
    ERR_TOO_LONG,
    ERR_UNKNOWN_PERSON,
    ERR_UNKNOWN_UNIT,
    UNIT_SPLIT_RE,
)
from duban.supervision.ledger_import.known import Known
from duban.supervision.ledger_import.plan import LedgerPlan, LedgerRow, RowError
from duban.supervision.ledger_import.reading import ParsedLedger
from duban.supervision.ledger_import.values import BadValue, due_parse, nodes_parse, number_parse
from duban.supervision.models import Plan


class _Checker:
    """Collects the errors of one row."""

    def __init__(self, result: LedgerPlan, row: int, values: dict[str, str]):
        self.result, self.row, self.values = result, row, values
        self.failed = False

    def error(self, key: str, message: str) -> None:
        self.result.errors.append(RowError(self.row, COLUMN_BY_KEY[key].label, message))
        self.failed = True

    def text(self, key: str) -> str:
        column = COLUMN_BY_KEY[key]
        value = self.values.get(key, "")
        if column.required and not value:
            self.error(key, ERR_REQUIRED)
        elif column.max_length and len(value) > column.max_length:
            self.error(key, ERR_TOO_LONG.format(limit=column.max_length))
        return value


PERSON_MESSAGES = PersonMessages(
    unknown=ERR_UNKNOWN_PERSON, mismatch=ERR_PERSON_MISMATCH, not_leader=ERR_NOT_LEADER, ambiguous=ERR_AMBIGUOUS_PERSON
)


def _person(check: _Checker, known: Known, key: str, text: str, lead_unit, *, leader: bool):
    """The person a cell names: “王伟” or “王伟（wangwei）”; among namesakes, the one in
    the lead unit when exactly one is."""
    unit_ids = {lead_unit.pk} if lead_unit is not None else set()
    try:
        return known.people.match(text, PERSON_MESSAGES, leader=leader, unit_ids=unit_ids)
    except NoMatch as error:
        check.error(key, error.message)
        return None


def _row_check(result: LedgerPlan, known: Known, number: int, values: dict, today) -> LedgerRow | None:
    check = _Checker(result, number, values)
    number_text = values.get("number", "")
    parsed_number = None
    try:
        parsed_number = number_parse(number_text)
    except BadValue:
        check.error("number", ERR_BAD_NUMBER.format(value=number_text))
    title = check.text("title")
    lead_name = check.text("lead_unit")
    lead_unit = known.units.get(lead_name) if lead_name else None
    if lead_name and lead_unit is None:
        check.error("lead_unit", ERR_UNKNOWN_UNIT.format(name=lead_name))
    co_units = None
    if values.get("co_units"):
        names = list(dict.fromkeys(n.strip() for n in UNIT_SPLIT_RE.split(values["co_units"]) if n.strip()))
        for name in names:
            if name not in known.units:
                check.error("co_units", ERR_UNKNOWN_UNIT.format(name=name))
        co_units = [known.units[name] for name in names if name in known.units]
    patron = _person(check, known, "patron", values.get("patron", ""), lead_unit, leader=True)
    responsible = _person(check, known, "responsible", values.get("responsible", ""), lead_unit, leader=False)
    due_value = check.text("due")
    due = None
    if due_value:
        try:
            due = due_parse(due_value)
        except BadValue:
            check.error("due", ERR_BAD_DATE.format(value=due_value))
    nodes = None
    if values.get("nodes"):
        try:
            nodes = nodes_parse(values["nodes"], due, today)
        except BadValue as error:
            check.error("nodes", ERR_BAD_NODE.format(value=str(error)))
        else:
            for _on, node_title in nodes:
                if len(node_title) > 200:
                    check.error("nodes", ERR_NODE_TITLE_LONG.format(value=node_title[:20] + "…"))
    remarks = check.text("remarks")
    if check.failed:
        return None
    parent_number, ordinal = parsed_number if parsed_number else (None, None)
    return LedgerRow(
        row=number,
        number=number_text,
        parent_number=parent_number,
        ordinal=ordinal,
        title=title,
        lead_unit=lead_unit,
        co_units=co_units,
        patron=patron,
        responsible=responsible,
        due=due,
        nodes=nodes,
        remarks=remarks,
    )


def _key(row: LedgerRow) -> str:
    return f"{row.parent_number}.{row.ordinal}" if row.parent_number else str(row.ordinal)


def _match(result: LedgerPlan, known: Known, rows: list[LedgerRow]) -> list[LedgerRow]:
    """Find each row's existing item; refuse two rows for one item."""
    claimed: dict[int, int] = {}
    matched = []
    for row in rows:
        item = None
        if row.ordinal is not None:
            candidates = known.by_number.get(_key(row), [])
            if len(candidates) > 1:  # the plan itself numbers two items alike: the title decides
                candidates = [i for i in candidates if i.title == row.title]
            if len(candidates) == 1:
                item, row.matched_by = candidates[0], "序号"
        if item is None:
            candidates = known.by_title.get(row.title, [])
            if len(candidates) > 1:
                message = ERR_AMBIGUOUS_TITLE.format(count=len(candidates), title=row.title)
                result.errors.append(RowError(row.row, COLUMN_BY_KEY["title"].label, message))
                continue
            if candidates:
                item, row.matched_by = candidates[0], "事项"
        if item is not None:
            if item.pk in claimed:
                message = ERR_SAME_ITEM.format(first=claimed[item.pk], title=item.title)
                result.errors.append(RowError(row.row, COLUMN_BY_KEY["title"].label, message))
                continue
            claimed[item.pk] = row.row
            row.existing = item
        matched.append(row)
    return matched


def plan_build(plan: Plan, parsed: ParsedLedger, today: datetime.date) -> LedgerPlan:
    """Validate every row against the database and the rest of the file."""
    result = LedgerPlan()
    known = Known(plan, parsed)
    rows: list[LedgerRow] = []
    first_row: dict[str, int] = {}
    for number, values in parsed.rows:
        row = _row_check(result, known, number, values, today)
        if row is None:
            continue
        if row.ordinal is not None:
            key = _key(row)
            if key in first_row:
                message = ERR_DUPLICATE_NUMBER.format(value=row.number, first=first_row[key])
                result.errors.append(RowError(row.row, COLUMN_BY_KEY["number"].label, message))
                continue
            first_row[key] = row.row
        rows.append(row)
    rows = _match(result, known, rows)
    new_parents = {str(r.ordinal) for r in rows if r.existing is None and r.ordinal and not r.parent_number}
    for row in rows:
        if row.existing is None and row.parent_number is not None:
            parents = known.by_number.get(str(row.parent_number), [])
            if len(parents) != 1 and str(row.parent_number) not in new_parents:
                message = ERR_NO_PARENT.format(value=row.parent_number)
                result.errors.append(RowError(row.row, COLUMN_BY_KEY["number"].label, message))
                continue
        for key, message in row_changes(row, known):
            result.errors.append(RowError(row.row, COLUMN_BY_KEY[key].label, message))
    result.rows = rows
    result.errors.sort(key=lambda e: e.row)
    return result

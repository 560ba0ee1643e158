"""The dry run: `import_build` checks every row against the plan, the units and the
people, groups measure rows under their finding, matches findings by 序号 and
measures by position within their finding, and works out what would be created or
changed. Nothing is written.
"""

import datetime
from collections import defaultdict

from duban.lib.dates import cn_date
from duban.org.lookup import NoMatch, PeopleLookup, PersonMessages, UnitLookup
from duban.org.models import Person, Unit
from duban.rectification.ledger.columns import (
    COLUMN_BY_KEY,
    ERR_AMBIGUOUS_PERSON,
    ERR_AMBIGUOUS_UNIT,
    ERR_BAD_DEADLINE,
    ERR_BAD_ORDINAL,
    ERR_DEADLINE_BEFORE_START,
    ERR_DUPLICATE_ORDINAL,
    ERR_EMPTY_MEASURE,
    ERR_MEASURE_CLOSED,
    ERR_NO_DESCRIPTION,
    ERR_NOT_LEADER,
    ERR_ORPHAN_MEASURE,
    ERR_PERSON_MISMATCH,
    ERR_REQUIRED,
    ERR_TOO_LONG,
    ERR_TYPE_LOCKED,
    ERR_UNKNOWN_PERSON,
    ERR_UNKNOWN_UNIT,
    FINDING_KEYS,
    MAX_LENGTH,
    MEASURE_KEYS,
    UNIT_SPLIT_RE,
)
from duban.rectification.ledger.plan import Change, FindingEntry, LedgerImport, MeasureEntry, RowError
from duban.rectification.ledger.reading import ParsedLedger
from duban.rectification.ledger.values import deadline_parse, deadline_text
from duban.rectification.models import ClosureState, Finding, Measure, MeasureType
from duban.supervision.ledger_import.values import BadValue
from duban.supervision.models import Item

PERSON_KEYS = ("leader", "person")


class Known:
    """What the rows are checked against, loaded with a fixed number of queries."""

    def __init__(self, plan, parsed: ParsedLedger):
        self.findings = {f.ordinal: f for f in Finding.objects.filter(plan=plan)}
        self.measures: dict[int, list[Measure]] = defaultdict(list)
        queryset = Measure.objects.filter(finding__plan=plan).select_related(
            "item__lead_unit", "item__patron_leader", "item__responsible_person"
        )
        for measure in queryset.order_by("finding_id", "item__ordinal", "pk"):
            self.measures[measure.finding_id].append(measure)
        self.co_units: dict[int, set[int]] = defaultdict(set)
        through = Item.co_units.through.objects.filter(item__plan=plan)
        for item_id, unit_id in through.values_list("item_id", "unit_id"):
            self.co_units[item_id].add(unit_id)
        self.units = UnitLookup()
        self.units_by_id = self.units.by_id
        self.people = PeopleLookup(values.get(key, "") for _number, values in parsed.rows for key in PERSON_KEYS)


class _Row:
    """The errors of one row."""

    def __init__(self, result: LedgerImport, number: int, values: dict[str, str]):
        self.result, self.number, self.values = result, number, values
        self.failed = False

    def error(self, key: str, message: str) -> None:
        self.result.errors.append(RowError(self.number, COLUMN_BY_KEY[key].label, message))
        self.failed = True

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.values.get(key, "")
        limit = MAX_LENGTH.get(key)
        if required and not value:
            self.error(key, ERR_REQUIRED)
        elif limit and len(value) > limit:
            self.error(key, ERR_TOO_LONG.format(limit=limit))
        return value


PERSON_MESSAGES = PersonMessages(
    unknown=ERR_UNKNOWN_PERSON, mismatch=ERR_PERSON_MISMATCH, not_leader=ERR_NOT_LEADER, ambiguous=ERR_AMBIGUOUS_PERSON
)


def _unit(row: _Row, known: Known, name: str) -> Unit | None:
    try:
        return known.units.match(name, unknown=ERR_UNKNOWN_UNIT, ambiguous=ERR_AMBIGUOUS_UNIT)
    except NoMatch as error:
        row.error("units", error.message)
        return None


def _person(row: _Row, known: Known, key: str, units: list[Unit], *, leader: bool) -> Person | None:
    """The person a cell names: “王伟” (preferably in the measure's units; a leader for
    责任领导) or “王伟（wangwei）”."""
    try:
        unit_ids = {unit.pk for unit in units}
        return known.people.match(row.values.get(key, ""), PERSON_MESSAGES, leader=leader, unit_ids=unit_ids)
    except NoMatch as error:
        row.error(key, error.message)
        return None


def _measure_read(row: _Row, known: Known, position: int) -> MeasureEntry | None:
    title = row.text("measure")
    if not title:
        row.error("measure", ERR_EMPTY_MEASURE)
    units = []
    names = list(dict.fromkeys(n.strip() for n in UNIT_SPLIT_RE.split(row.text("units", required=True)) if n.strip()))
    for name in names:
        unit = _unit(row, known, name)
        if unit is not None and unit not in units:
            units.append(unit)
    leader = _person(row, known, "leader", units, leader=True)
    person = _person(row, known, "person", units, leader=False)
    deadline = row.text("deadline", required=True)
    measure_type, due = MeasureType.DEADLINE, None
    if deadline:
        try:
            measure_type, due = deadline_parse(deadline)
        except BadValue:
            row.error("deadline", ERR_BAD_DEADLINE.format(value=deadline))
    remarks = row.text("remarks")
    if row.failed:
        return None
    return MeasureEntry(
        row=row.number,
        position=position,
        title=title,
        lead_unit=units[0],
        co_units=units[1:],
        leader=leader,
        person=person,
        measure_type=measure_type,
        due=due,
        remarks=remarks,
    )


def _name(person) -> str:
    return person.name if person is not None else "—"


def _units(units) -> str:
    return "、".join(unit.name for unit in units) or "—"


def _measure_compare(entry: MeasureEntry, known: Known, row: _Row, today: datetime.date) -> None:
    """Fill the entry's changes against its existing measure (blank optional cells keep
    the current value); flag what the import may not change."""
    measure = entry.existing
    if measure is None:
        if entry.measure_type == MeasureType.IMMEDIATE and entry.due is None:
            entry.due = today
        return
    item = measure.item
    if entry.measure_type == MeasureType.IMMEDIATE and entry.due is None:
        entry.due = item.due_date or today
    changes = entry.changes
    if entry.title != item.title:
        changes.append(Change("整改措施", item.title, entry.title))
    old_co = known.co_units.get(item.pk, set()) - {item.lead_unit_id}
    new_co = {unit.pk for unit in entry.co_units} - {entry.lead_unit.pk}
    if entry.lead_unit.pk != item.lead_unit_id or old_co != new_co:
        old = [item.lead_unit] + [known.units_by_id[pk] for pk in sorted(old_co) if pk in known.units_by_id]
        changes.append(Change("责任单位", _units(old), _units([entry.lead_unit, *entry.co_units])))
    if entry.leader is not None and entry.leader.pk != item.patron_leader_id:
        changes.append(Change("责任领导", _name(item.patron_leader), entry.leader.name))
    if entry.person is not None and entry.person.pk != item.responsible_person_id:
        changes.append(Change("责任人", _name(item.responsible_person), entry.person.name))
    if entry.measure_type != measure.type or entry.due != item.due_date:
        changes.append(
            Change("整改时限", deadline_text(measure.type, item.due_date), deadline_text(entry.measure_type, entry.due))
        )
        if entry.due is not None and entry.due < item.start_date:
            row.error("deadline", ERR_DEADLINE_BEFORE_START.format(start=cn_date(item.start_date, full=True)))
    if entry.remarks and entry.remarks != item.remarks:
        changes.append(Change("备注", item.remarks or "—", entry.remarks))
    if changes and measure.closure == ClosureState.CLOSED:
        row.error("measure", ERR_MEASURE_CLOSED)
    elif entry.measure_type != measure.type and measure.closure != ClosureState.OPEN:
        row.error("deadline", ERR_TYPE_LOCKED)


def _finding_start(result: LedgerImport, known: Known, row: _Row, first: dict[int, int]) -> FindingEntry:
    text = row.values.get("ordinal", "")
    ordinal = None
    if text:
        if text.isdecimal() and int(text) > 0:
            ordinal = int(text)
            if ordinal in first:
                row.error("ordinal", ERR_DUPLICATE_ORDINAL.format(value=text, first=first[ordinal]))
            else:
                first[ordinal] = row.number
        else:
            row.error("ordinal", ERR_BAD_ORDINAL.format(value=text))
    description = row.text("description")
    if not description:
        row.error("description", ERR_NO_DESCRIPTION)
    entry = FindingEntry(row=row.number, ordinal=ordinal, description=description, failed=row.failed)
    entry.existing = known.findings.get(ordinal) if ordinal is not None else None
    if entry.existing is not None and description and description != entry.existing.description.strip():
        entry.changes.append(Change("问题描述", entry.existing.description, description))
    return entry


def import_build(plan, parsed: ParsedLedger, today: datetime.date) -> LedgerImport:
    """Validate every row against the database and the rest of the file."""
    result = LedgerImport()
    known = Known(plan, parsed)
    first_row: dict[int, int] = {}
    current: FindingEntry | None = None
    positions: dict[int, int] = {}  # id(finding entry) → measure rows seen
    for number, values in parsed.rows:
        row = _Row(result, number, values)
        starts = any(values.get(key) for key in FINDING_KEYS)
        if starts:
            current = _finding_start(result, known, row, first_row)
            if not current.failed:
                result.findings.append(current)
            if not any(values.get(key) for key in MEASURE_KEYS):
                continue  # a finding without measures yet
        elif current is None:
            row.error("measure", ERR_ORPHAN_MEASURE)
            continue
        positions[id(current)] = position = positions.get(id(current), 0) + 1
        row.failed = False
        entry = _measure_read(row, known, position)
        if entry is None:
            continue
        if current.existing is not None:
            existing = known.measures.get(current.existing.pk, [])
            entry.existing = existing[position - 1] if position <= len(existing) else None
        _measure_compare(entry, known, row, today)
        current.measures.append(entry)
    result.errors.sort(key=lambda e: e.row)
    return result

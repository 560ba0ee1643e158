"""What a valid row would change on its existing item, column by column, in words for
the preview. Blank optional cells keep the current value; 进展情况 and 状态 are never
compared (the status is computed and progress comes from reports).

Time nodes: nodes listed in the file and missing from the item are added; open nodes
of the item that the file no longer lists are removed; completed nodes are never
removed by an import (their completion is a record).
"""

from duban.lib.dates import cn_date
from duban.supervision.ledger_import.columns import ERR_DUE_BEFORE_START, ERR_PARENT_CHANGE, LONG_TERM
from duban.supervision.ledger_import.known import Known
from duban.supervision.ledger_import.plan import Change, LedgerRow


def _date(value) -> str:
    return cn_date(value, full=True) if value else LONG_TERM[0]


def _names(units) -> str:
    return "、".join(unit.name for unit in sorted(units, key=lambda u: (u.order, u.pk))) or "—"


def _person(person) -> str:
    return person.name if person is not None else "—"


def _nodes(nodes) -> str:
    return "；".join(f"{cn_date(on, full=True)} {title}" for on, title in nodes) or "—"


def row_changes(row: LedgerRow, known: Known) -> list[tuple[str, str]]:
    """Fill row.changes (and the node differences); return errors as (column key, message)."""
    item = row.existing
    if item is None:
        row.nodes_added = list(row.nodes or [])
        return []
    errors = []
    changes = row.changes
    if row.ordinal is not None:
        current_parent = known.number_of(known.items.get(item.parent_id)) if item.parent_id else None
        wanted_parent = str(row.parent_number) if row.parent_number is not None else None
        if current_parent != wanted_parent:
            errors.append(("number", ERR_PARENT_CHANGE.format(current=known.numbers[item.pk])))
        elif row.ordinal != item.ordinal:
            changes.append(Change("序号", known.numbers[item.pk], row.number))
    if row.title != item.title:
        changes.append(Change("事项", item.title, row.title))
    if row.lead_unit.pk != item.lead_unit_id:
        changes.append(Change("牵头单位", item.lead_unit.name, row.lead_unit.name))
    if row.co_units is not None:
        old = known.co_units.get(item.pk, set()) - {row.lead_unit.pk}
        new = {unit.pk for unit in row.co_units} - {row.lead_unit.pk}
        if old != new:
            old_units = [known.units_by_id[pk] for pk in old if pk in known.units_by_id]
            changes.append(Change("责任单位", _names(old_units), _names(u for u in row.co_units if u.pk in new)))
    if row.patron is not None and row.patron.pk != item.patron_leader_id:
        changes.append(Change("帮包领导", _person(item.patron_leader), row.patron.name))
    if row.responsible is not None and row.responsible.pk != item.responsible_person_id:
        changes.append(Change("责任人", _person(item.responsible_person), row.responsible.name))
    if row.due != item.due_date:
        if row.due is not None and row.due < item.start_date:
            errors.append(("due", ERR_DUE_BEFORE_START.format(start=cn_date(item.start_date, full=True))))
        changes.append(Change("完成时限", _date(item.due_date), _date(row.due)))
    if row.nodes is not None:
        current = known.nodes.get(item.pk, [])
        keys = {(node.due_date, node.title) for node in current}
        wanted = set(row.nodes)
        row.nodes_added = [node for node in dict.fromkeys(row.nodes) if node not in keys]
        row.nodes_removed = [n.pk for n in current if (n.due_date, n.title) not in wanted and n.done_on is None]
        if row.nodes_added or row.nodes_removed:
            removed = [(n.due_date, n.title) for n in current if n.pk in row.nodes_removed]
            changes.append(Change("时间节点", "删除 " + _nodes(removed), "新增 " + _nodes(row.nodes_added)))
    if row.remarks and row.remarks != item.remarks:
        changes.append(Change("备注", item.remarks or "—", row.remarks))
    return errors

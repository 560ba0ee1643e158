"""The new items of a ledger import, written in bulk with what `item_save` and the
import's node step write for each one, so a 5,000-row ledger takes a fixed number of
queries instead of some twenty per row:

1. the items (created by the importer, 原定完成时限 = 完成时限), then their co-units;
2. the record history django-auditlog writes when they are saved one by one: a CREATE
   entry per item, an UPDATE entry listing the co-units added, a CREATE entry per time
   node, attributed to the request like a saved entry (`duban.audit.bulk.HistoryBatch`);
3. the item timeline: 创建, then “导入督办台账：新增 N 个时间节点” for items with nodes;
4. the report slots of the import week (`report_slots_open`: an imported item owes no
   reports for the weeks before it was imported; empty system rows, not audited);
5. the time nodes, numbered 1, 2, … in the file's order.

The cached statuses are refreshed by the caller, once for every item it wrote.
Changed items still go through `item_save` one by one (an import usually changes few).
"""

import datetime

from django.utils.encoding import smart_str

from duban.audit.bulk import HistoryBatch
from duban.lib.bulk import rows_create, rows_insert
from duban.supervision.ledger_import.plan import LedgerRow
from duban.supervision.models import Item, ItemLog, LogKind, ProgressReport, TimeNode
from duban.supervision.services.items import log_row
from duban.supervision.services.reports import slots_owed

NODES_LOG = "导入督办台账：新增 {count} 个时间节点"


class NewItems:
    """New items collected with `add` and written together by `write`."""

    def __init__(self, acting_user, today: datetime.date):
        self.acting_user = acting_user
        self.today = today
        self.pending: list[tuple[Item, LedgerRow]] = []
        self.ids: list[int] = []

    def add(self, item: Item, row: LedgerRow) -> None:
        self.pending.append((item, row))

    def write(self) -> None:
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        items = [item for item, _row in pending]
        for item in items:
            item.created_by = self.acting_user
            item.original_due_date = item.due_date
        rows_create(Item, items)
        self.ids += [item.pk for item in items]
        history = HistoryBatch()
        # The timeline, co-unit and report rows as dicts for `rows_insert` (what `log_entry`,
        # `co_units.set` and `slots_missing` would build, without a model instance each).
        actor_id = self.acting_user.pk
        timeline: list[dict] = []
        through = Item.co_units.through
        links: list[dict] = []
        nodes: list[TimeNode] = []
        reports: list[dict] = []
        unit_order = [field.lstrip("-") for field in type(items[0].lead_unit)._meta.ordering]
        for item, row in pending:
            # 1–2. As item_save: save (CREATE entry), co_units.set (UPDATE entry), log.
            history.created(item)
            units = [unit for unit in (row.co_units or []) if unit.pk != item.lead_unit_id]
            if units:
                links += [{"item_id": item.pk, "unit_id": unit.pk} for unit in units]
                ordered = sorted(units, key=lambda unit: tuple(getattr(unit, name) for name in unit_order))
                changes = {"co_units": {"type": "m2m", "operation": "add", "objects": [smart_str(u) for u in ordered]}}
                history.changed(item, changes)
            timeline.append(log_row(item, LogKind.CREATED, actor_id))
            # 4. report_slots_open for an item with no reports yet.
            reports += [
                {"item_id": item.pk, "period_start": s.period_start, "period_end": s.period_end, "due_date": s.due_date}
                for s in slots_owed(item, self.today)
            ]
            # 5. The nodes (a new item has none to remove), then their timeline entry.
            if row.nodes_added:
                for order, (on, title) in enumerate(row.nodes_added, start=1):
                    nodes.append(TimeNode(item=item, title=title, due_date=on, order=order))
                text = NODES_LOG.format(count=len(row.nodes_added))
                timeline.append(log_row(item, LogKind.UPDATED, actor_id, text))
        rows_insert(through, links)
        rows_insert(ProgressReport, reports)
        rows_create(TimeNode, nodes)  # their keys go into the history
        for node in nodes:
            history.created(node)
        history.save()
        rows_insert(ItemLog, timeline)

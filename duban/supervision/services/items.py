"""Items, their time nodes and completion."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from duban.lib.refusals import version_lock
from duban.org.access import access_for
from duban.supervision import access as rules
from duban.supervision.models import Indicator, Item, ItemLog, LogKind, TimeNode
from duban.supervision.schedule import reverse_schedule
from duban.supervision.services import Refused
from duban.supervision.services.plans import require_office
from duban.supervision.state import item_state_refresh, measures_ledger_follow

ERR_NO_STEPS = "请至少填写一个步骤。"
ERR_NO_DUE = "该事项没有完成时限，无法倒排工期。"
ERR_ALREADY_DONE = "该事项已办结。"
ERR_NOT_DONE = "该事项尚未办结。"
ERR_NODE_DONE = "该节点已完成。"
ERR_CANNOT_UPDATE_NODE = "只有牵头单位或督查办可以更新时间节点。"
ERR_PARENT_PLAN = "上级事项必须属于同一计划。"
ERR_MEASURE = "这是整改措施，须在整改台账中通过对账销号办结或因反弹重新打开。"


def log_entry(item: Item, kind: str, actor=None, text: str = "", report=None, **data) -> ItemLog:
    """A timeline row, not yet saved (for bulk writers: the reminder sweep, the ledger import)."""
    return ItemLog(item=item, kind=kind, actor=actor, text=text, report=report, data=data)


def log_row(item: Item, kind: str, actor_id: int | None, text: str = "") -> dict:
    """`log_entry(item, kind, actor, text)` as a dict for `rows_insert` (no report, no data):
    bulk writers of thousands of rows skip building a model instance each."""
    return {"item_id": item.pk, "kind": kind, "actor_id": actor_id, "at": timezone.now(), "text": text}


def log(item: Item, kind: str, actor=None, text: str = "", report=None, **data) -> ItemLog:
    entry = log_entry(item, kind, actor, text, report, **data)
    entry.save()
    return entry


@transaction.atomic
def item_save(
    *, acting_user, item: Item, co_units=None, today: datetime.date | None = None, expected_version: int | None = None
) -> Item:
    """Create or update an item (already validated by its form). `expected_version` is the
    version the editor loaded: a save over someone else's change is refused (Stale)."""
    from duban.supervision.services.reports import report_slots_open

    require_office(acting_user)
    if item.parent_id and item.parent.plan_id != item.plan_id:
        raise Refused(ERR_PARENT_PLAN)
    creating = item.pk is None
    if creating:
        item.created_by = acting_user
        item.original_due_date = item.due_date
    else:
        item.version = version_lock(item, expected_version) + 1
        if item.original_due_date is None:
            item.original_due_date = item.due_date
    item.save()
    if co_units is not None:
        item.co_units.set([u for u in co_units if u.pk != item.lead_unit_id])
    log(item, LogKind.CREATED if creating else LogKind.UPDATED, acting_user)
    report_slots_open(item=item, today=today)
    item_state_refresh(item, today)
    if not creating and item.parent_id is None:
        measures_ledger_follow(item)
    return item


@transaction.atomic
def nodes_reverse_schedule(*, acting_user, item: Item, steps: list[str], every: str = "week") -> list[TimeNode]:
    """倒排工期: add one node per step, placed backwards from the due date."""
    require_office(acting_user)
    steps = [s.strip() for s in steps if s and s.strip()]
    if not steps:
        raise Refused(ERR_NO_STEPS)
    if item.due_date is None:
        raise Refused(ERR_NO_DUE)
    start_order = item.nodes.count()
    nodes = [
        TimeNode.objects.create(item=item, title=title[:200], due_date=due, order=start_order + i + 1)
        for i, (title, due) in enumerate(reverse_schedule(item.due_date, steps, every=every, start=item.start_date))
    ]
    log(item, LogKind.UPDATED, acting_user, f"倒排工期：新增 {len(nodes)} 个时间节点")
    item_state_refresh(item)
    return nodes


ERR_NODE_TITLE = "请填写节点内容。"
ERR_NODE_DATE = "节点时限格式应为 年-月-日，例如 2026-11-30。"
ERR_NODE_TARGET = "节点应达进度应为 0 到 100 之间的整数，或留空。"


@transaction.atomic
def node_update(*, acting_user, node: TimeNode, title: str, due_date, target_percent) -> TimeNode:
    """Adjust a node after reverse scheduling (title, date, target)."""
    require_office(acting_user)
    title = (title or "").strip()
    if not title:
        raise Refused(ERR_NODE_TITLE)
    if isinstance(due_date, str):
        try:
            due_date = datetime.date.fromisoformat(due_date.strip())
        except ValueError:
            raise Refused(ERR_NODE_DATE)
    if target_percent in ("", None):
        target = None
    else:
        try:
            target = int(str(target_percent).strip())
        except ValueError:
            raise Refused(ERR_NODE_TARGET)
        if not 0 <= target <= 100:
            raise Refused(ERR_NODE_TARGET)
    node.title, node.due_date, node.target_percent = title[:200], due_date, target
    node.save(update_fields=["title", "due_date", "target_percent"])
    item_state_refresh(node.item)
    return node


@transaction.atomic
def node_delete(*, acting_user, node: TimeNode) -> None:
    require_office(acting_user)
    item = node.item
    log(item, LogKind.UPDATED, acting_user, f"删除时间节点“{node.title}”")
    node.delete()
    item_state_refresh(item)


@transaction.atomic
def node_done(*, acting_user, node: TimeNode, done_on: datetime.date | None = None, note: str = "") -> TimeNode:
    access = access_for(acting_user)
    item = node.item
    if not (rules.can_fill_report(access, item) or rules.can_manage(access)):
        raise PermissionDenied(ERR_CANNOT_UPDATE_NODE)
    if node.done_on:
        raise Refused(ERR_NODE_DONE)
    node.done_on = done_on or timezone.localdate()
    node.done_note = note[:300]
    node.save(update_fields=["done_on", "done_note"])
    log(item, LogKind.NODE_DONE, acting_user, f"完成节点“{node.title}”", note=note)
    item_state_refresh(item)
    return node


@transaction.atomic
def item_complete(*, acting_user, item: Item, on: datetime.date | None = None, note: str = "") -> Item:
    require_office(acting_user)
    item = Item.objects.select_for_update().get(pk=item.pk)
    if hasattr(item, "measure"):
        raise Refused(ERR_MEASURE)
    if item.completed_on:
        raise Refused(ERR_ALREADY_DONE)
    item.completed_on = on or timezone.localdate()
    item.version += 1
    item.save(update_fields=["completed_on", "version"])
    log(item, LogKind.COMPLETED, acting_user, note)
    item_state_refresh(item)
    return item


@transaction.atomic
def item_reopen(*, acting_user, item: Item, reason: str) -> Item:
    require_office(acting_user)
    item = Item.objects.select_for_update().get(pk=item.pk)
    if hasattr(item, "measure"):
        raise Refused(ERR_MEASURE)
    if not item.completed_on:
        raise Refused(ERR_NOT_DONE)
    item.completed_on = None
    item.version += 1
    item.save(update_fields=["completed_on", "version"])
    log(item, LogKind.REOPENED, acting_user, reason)
    item_state_refresh(item)
    return item


@transaction.atomic
def indicator_save(*, acting_user, indicator: Indicator) -> Indicator:
    """Add or change an indicator (validated by its form)."""
    require_office(acting_user)
    creating = indicator.pk is None
    if creating:
        indicator.order = indicator.item.indicators.count() + 1
    indicator.save()
    verb = "新增指标" if creating else "修改指标"
    log(indicator.item, LogKind.UPDATED, acting_user, f"{verb}“{indicator.name}”，目标 {indicator.target}")
    return indicator


@transaction.atomic
def indicator_delete(*, acting_user, indicator: Indicator) -> None:
    """Remove an indicator and its readings."""
    require_office(acting_user)
    log(indicator.item, LogKind.UPDATED, acting_user, f"删除指标“{indicator.name}”")
    indicator.delete()

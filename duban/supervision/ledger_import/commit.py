"""The import services: the dry-run preview and the commit.

`ledger_import_commit` validates again (the plan may have changed since the preview)
and, when every row is valid, writes every new and changed item in one transaction
(new items in bulk by `bulk.NewItems`, changed ones through `item_save`: either way
each write is logged on the item's timeline and audited), adds and removes time nodes,
refreshes the cached statuses, and records one security event. Any refusal rolls
everything back.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.org.access import access_for
from duban.supervision.access import can_manage
from duban.supervision.ledger_import.bulk import NODES_LOG, NewItems
from duban.supervision.ledger_import.columns import ERR_COMMIT_CONFLICT, ERR_NOT_OFFICE
from duban.supervision.ledger_import.plan import LedgerPlan, LedgerRow
from duban.supervision.ledger_import.reading import ledger_read
from duban.supervision.ledger_import.validation import plan_build
from duban.supervision.models import Item, LogKind, Plan, TimeNode
from duban.supervision.services.items import item_save, log
from duban.supervision.state import states_refresh


@dataclass
class LedgerImportResult:
    counts: dict[str, int]


def _require_office(acting_user) -> None:
    if not can_manage(access_for(acting_user)):
        raise PermissionDenied(ERR_NOT_OFFICE)


def ledger_import_preview(*, acting_user, plan: Plan, path, today: datetime.date | None = None) -> LedgerPlan:
    """The dry run: parse and validate, write nothing. Raises ImportFileError."""
    _require_office(acting_user)
    return plan_build(plan, ledger_read(path), today or timezone.localdate())


def ledger_import_commit(
    *, acting_user, plan: Plan, path, request=None, filename: str = "", today: datetime.date | None = None
) -> LedgerImportResult | LedgerPlan:
    """Validate again and write everything, or nothing. Returns the result, or the
    plan with its errors when the file is (now) invalid. Raises ImportFileError."""
    _require_office(acting_user)
    result, done = import_write(
        acting_user=acting_user,
        plan=plan,
        parsed=ledger_read(path),
        build=plan_build,
        apply=_apply,
        today=today or timezone.localdate(),
        target=f"督办台账：{plan.title}",
        request=request,
        filename=filename,
        refusals=(IntegrityError,),
        refusal_message=lambda _error: ERR_COMMIT_CONFLICT,
    )
    return LedgerImportResult(counts=result.counts()) if done else result


def import_write(
    *,
    acting_user,
    plan: Plan,
    parsed,
    build,
    apply,
    today,
    target: str,
    request,
    filename: str,
    refusals,
    refusal_message,
):
    """The commit of a ledger import (shared with the 整改台账): in one transaction, with
    the plan locked, `build` the dry run again and, when it is valid, `apply` it and record
    one security event. A refusal (one of `refusals`) rolls everything back and is added
    to a fresh dry run as `refusal_message(error)`. Returns (result, written)."""
    try:
        with transaction.atomic():
            # One import into a plan at a time: numbers and positions are worked out from it.
            Plan.objects.select_for_update().filter(pk=plan.pk).first()
            result = build(plan, parsed, today)
            if not result.is_valid:
                return result, False
            apply(acting_user, plan, result, today)
            detail = {"plan": plan.pk, **result.counts()}
            if filename:
                detail["file"] = filename[:200]
            security_event_record(
                kind=EventKind.IMPORT, actor=acting_user, request=request, target=target[:200], detail=detail
            )
    except refusals as error:
        result = build(plan, parsed, today)
        result.general_errors.append(refusal_message(error))
        return result, False
    return result, True


def _apply(acting_user, plan: Plan, result: LedgerPlan, today: datetime.date) -> None:
    # Numbers in the file refer to the plan as it was before the import.
    top_level = {}
    for item in Item.objects.filter(plan=plan, parent__isnull=True).order_by("pk"):
        top_level.setdefault(item.ordinal, item)
    next_ordinal = (Item.objects.filter(plan=plan, parent__isnull=True).aggregate(m=Max("ordinal"))["m"] or 0) + 1
    numbered = {row.ordinal for row in result.rows if row.parent_number is None and row.ordinal}
    nodes_changed = []
    created = NewItems(acting_user, today)
    # Top-level rows first, so a new measure finds its new project (written before the
    # first measure).
    for row in sorted(result.rows, key=lambda r: (r.parent_number is not None, r.row)):
        if row.action == "unchanged":
            continue
        item = row.existing
        if item is None:
            item = Item(plan=plan, start_date=min(today, row.due) if row.due else today)
            if row.parent_number is not None:
                item.parent = top_level[row.parent_number]
                if item.parent.pk is None:
                    created.write()  # the new projects, before their first measure
            if row.ordinal is None:
                while next_ordinal in numbered:
                    next_ordinal += 1
                row.ordinal = next_ordinal
                next_ordinal += 1
            _fill(item, row)
            created.add(item, row)
            if row.parent_number is None:
                top_level.setdefault(item.ordinal, item)
            continue
        _fill(item, row)
        item = item_save(acting_user=acting_user, item=item, co_units=row.co_units, today=today)
        if _nodes_apply(acting_user, item, row):
            nodes_changed.append(item.pk)
    created.write()
    changed = nodes_changed + created.ids
    if changed:
        states_refresh(Item.objects.filter(pk__in=changed), today)


def _fill(item: Item, row: LedgerRow) -> None:
    """Copy the row onto the item; blank optional cells keep the current value."""
    item.title = row.title
    item.lead_unit = row.lead_unit
    item.due_date = row.due
    if row.ordinal is not None:
        item.ordinal = row.ordinal
    if row.patron is not None:
        item.patron_leader = row.patron
    if row.responsible is not None:
        item.responsible_person = row.responsible
    if row.remarks:
        item.remarks = row.remarks


def _nodes_apply(acting_user, item: Item, row: LedgerRow) -> bool:
    if not row.nodes_added and not row.nodes_removed:
        return False
    removed = 0
    # Completed nodes are never removed by an import (changes.py leaves them out).
    for node in TimeNode.objects.filter(item=item, pk__in=row.nodes_removed, done_on__isnull=True):
        node.delete()
        removed += 1
    order = item.nodes.count()
    for offset, (on, title) in enumerate(row.nodes_added, start=1):
        TimeNode.objects.create(item=item, title=title, due_date=on, order=order + offset)
    text = NODES_LOG.format(count=len(row.nodes_added))
    if removed:
        text += f"，删除 {removed} 个未完成的时间节点"
    log(item, LogKind.UPDATED, acting_user, text)
    return True

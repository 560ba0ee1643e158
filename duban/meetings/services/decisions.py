"""Minutes and decisions (会议纪要与决定事项): the organiser records what was decided, with a
lead unit and a deadline each; the office turns decisions into supervision items, linked back."""

import datetime
import re
from dataclasses import dataclass

from django.db import transaction

from duban.lib.dates import cn_date
from duban.meetings.models import Decision, Meeting, MeetingStatus
from duban.meetings.services.attendance import require_manager
from duban.org.models import Unit
from duban.supervision.models import Item, Plan
from duban.supervision.services import Refused
from duban.supervision.services.items import item_save
from duban.supervision.services.plans import plan_open_for_items, require_office

ERR_CANNOT_EDIT = "只有会务人员可以记录会议纪要和决定事项。"
ERR_CANCELLED = "会议已取消，不能记录决定事项。"
ERR_NO_TEXT = "第 {n} 条没有填写决定内容。"
ERR_LOCKED_CHANGE = "第 {n} 条已转为督办事项，不能修改。"
ERR_LOCKED_DELETE = "第 {n} 条已转为督办事项，不能删除。"
ERR_FOREIGN = "所选决定事项不属于本次会议。"
ERR_NONE_CHOSEN = "请选择要转为督办事项的决定事项。"
ERR_ALREADY = "第 {n} 条已转为督办事项“{title}”，不能重复转办。"
ERR_NO_LEAD = "第 {n} 条没有确定牵头单位，请先在决定事项中填写。"
ERR_DUE_BEFORE_START = "第 {n} 条的完成时限 {due} 早于开始日期 {start}，请修改。"

TITLE_MAX = 200
REMARKS_MAX = 300


@dataclass
class Row:
    """One decision as the page sends it, in the page's order."""

    pk: int | None = None
    text: str = ""
    lead_unit: Unit | None = None
    due_date: datetime.date | None = None
    delete: bool = False


def _same(decision: Decision, row: Row) -> bool:
    lead = row.lead_unit.pk if row.lead_unit else None
    return (decision.text, decision.lead_unit_id, decision.due_date) == (row.text.strip(), lead, row.due_date)


@transaction.atomic
def decisions_save(*, acting_user, meeting: Meeting, minutes: str, rows: list[Row]) -> list[Decision]:
    """Save the minutes text and the decisions: rows in order (numbered 1, 2, …), rows marked
    delete removed, blank new rows skipped. Decisions already made items cannot change."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require_manager(acting_user, meeting, ERR_CANNOT_EDIT)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Refused(ERR_CANCELLED)
    existing = {d.pk: d for d in meeting.decisions.select_for_update()}
    keep, drop = [], []
    for n, row in enumerate(rows, start=1):
        decision = existing.get(row.pk) if row.pk else None
        if decision is not None and decision.item_id:
            if row.delete:
                raise Refused(ERR_LOCKED_DELETE.format(n=n))
            if not _same(decision, row):
                raise Refused(ERR_LOCKED_CHANGE.format(n=n))
        if row.delete:
            if decision is not None:
                drop.append(decision)
            continue
        if not row.text.strip():
            if decision is None and row.lead_unit is None and row.due_date is None:
                continue
            raise Refused(ERR_NO_TEXT.format(n=n))
        keep.append((decision, row))
    for decision in drop:
        decision.delete()
    saved = []
    for order, (decision, row) in enumerate(keep, start=1):
        if decision is None:
            decision = Decision(meeting=meeting, created_by=acting_user)
        decision.order = order
        decision.text = row.text.strip()
        decision.lead_unit = row.lead_unit
        decision.due_date = row.due_date
        decision.save()
        saved.append(decision)
    meeting.minutes = (minutes or "").strip()
    meeting.version += 1
    meeting.save(update_fields=["minutes", "version"])
    return saved


def first_sentence(text: str) -> str:
    """An item's title: the decision's first sentence, at most 200 characters."""
    for part in re.split(r"[。；;！？!?\n]", text or ""):
        part = part.strip().rstrip("，,、：:")
        if part:
            return part[:TITLE_MAX]
    return (text or "").strip()[:TITLE_MAX]


@transaction.atomic
def to_items(
    acting_user, meeting: Meeting, decision_ids, plan: Plan | None, start_date: datetime.date | None
) -> list[Item]:
    """转为督办事项: one item per chosen decision, numbered after the plan's items, each decision
    linked to its item. All or nothing."""
    require_office(acting_user)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Refused(ERR_CANCELLED)
    ids = {int(pk) for pk in decision_ids or []}
    if not ids:
        raise Refused(ERR_NONE_CHOSEN)
    plan = plan_open_for_items(plan, start_date)
    decisions = list(meeting.decisions.select_for_update(of=("self",)).filter(pk__in=ids).select_related("item"))
    if len(decisions) != len(ids):
        raise Refused(ERR_FOREIGN)
    for d in decisions:
        if d.item_id:
            raise Refused(ERR_ALREADY.format(n=d.order, title=d.item.title))
        if d.lead_unit_id is None:
            raise Refused(ERR_NO_LEAD.format(n=d.order))
        if d.due_date and d.due_date < start_date:
            raise Refused(
                ERR_DUE_BEFORE_START.format(
                    n=d.order, due=cn_date(d.due_date, full=True), start=cn_date(start_date, full=True)
                )
            )
    last = plan.items.order_by("-ordinal").values_list("ordinal", flat=True).first() or 0
    when = cn_date(meeting.starts_at, full=True)
    created = []
    for k, d in enumerate(decisions, start=1):
        item = Item(
            plan=plan,
            ordinal=last + k,
            title=first_sentence(d.text),
            description=d.text,
            source_text=f"{meeting.title}（{when}）决定事项第{d.order}条：{d.text}",
            lead_unit_id=d.lead_unit_id,
            start_date=start_date,
            due_date=d.due_date,
            remarks=f"来源：{meeting.title}"[:REMARKS_MAX],
        )
        item = item_save(acting_user=acting_user, item=item)
        d.item = item
        d.save(update_fields=["item"])
        created.append(item)
    return created

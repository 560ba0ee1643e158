"""The agenda of a meeting: on a scheduling meeting (调度会) one slot per lead unit of the
plan, pre-filled from the latest report each of its items handed in; the unit edits and
files its 工作进展 / 存在问题 / 下一步计划 before the meeting. Managers add manual slots."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from duban.meetings import access as rules
from duban.meetings.models import AgendaSlot, Meeting, MeetingStatus
from duban.org.access import access_for
from duban.org.models import Role, RoleGrant
from duban.supervision.exports.weekly_docx import cn_ordinal
from duban.supervision.models import Item
from duban.supervision.services import Refused
from duban.supervision.summaries import PackUnit, meeting_pack

ERR_NO_PLAN = "该会议没有关联调度计划：请先在会议信息中选择计划。"
ERR_FIXED = "会议已结束或已取消，议程材料不能再修改。"
ERR_FILED = "该单位已报送材料，不能再按报告重新预填。"
ERR_NO_UNIT = "该议题没有汇报单位，无法预填。"
ERR_NO_ITEMS = "{unit}在该计划中没有未办结的事项。"
ERR_VERSION = "材料已被他人修改，请刷新后再改。"
ERR_PROGRESS = "请填写工作进展。"
ERR_TITLE = "请填写议题名称。"
ERR_UNIT_TWICE = "{unit}已在议程中。"
ERR_CANNOT_FILE = "只有该单位的负责人、联络员或会议管理人员可以报送材料。"
ERR_CANNOT_MANAGE = "只有会务联系人、督查办或主办单位负责人、联络员可以调整议程。"

NO_REPORT = "尚未报送进展。"
SLOT_TITLE = "{unit}汇报工作进展"


def _manage(acting_user, meeting: Meeting) -> None:
    if not rules.can_manage(access_for(acting_user), meeting):
        raise PermissionDenied(ERR_CANNOT_MANAGE)


def _open(meeting: Meeting) -> None:
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        raise Refused(ERR_FIXED)


def _open_items(meeting: Meeting):
    return Item.objects.filter(plan_id=meeting.plan_id, completed_on__isnull=True)


def prefill(unit: PackUnit) -> dict[str, str]:
    """Per item, "（一）<item title>：<text>" in each of the three sections."""
    texts = {"progress": [], "problems": [], "next_steps": []}
    for number, entry in enumerate(unit.entries, start=1):
        head = f"（{cn_ordinal(number)}）{entry.item.title}："
        report = entry.report
        if report is None:
            texts["progress"].append(head + NO_REPORT)
            continue
        for key, attribute in (("progress", "progress_text"), ("problems", "problems"), ("next_steps", "next_steps")):
            text = " ".join(line.strip() for line in (getattr(report, attribute) or "").splitlines() if line.strip())
            if text or key == "progress":
                texts[key].append(head + (text or "无。"))
    return {key: "\n".join(lines) for key, lines in texts.items()}


def _next_order(meeting: Meeting) -> int:
    return (meeting.slots.aggregate(top=Max("order"))["top"] or 0) + 1


@transaction.atomic
def slots_from_plan(*, acting_user, meeting: Meeting) -> int:
    """One slot per lead unit of the plan's open items, in unit order; slots already there are
    kept as they are and only missing units are added. Returns how many were added."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _manage(acting_user, meeting)
    _open(meeting)
    if not meeting.plan_id:
        raise Refused(ERR_NO_PLAN)
    have = set(meeting.slots.exclude(unit=None).values_list("unit_id", flat=True))
    order = _next_order(meeting)
    now = timezone.now()
    added = 0
    for unit in meeting_pack(meeting.plan, _open_items(meeting)):
        if unit.unit_id in have:
            continue
        AgendaSlot.objects.create(
            meeting=meeting,
            order=order,
            title=SLOT_TITLE.format(unit=unit.name),
            unit_id=unit.unit_id,
            prefilled_at=now,
            **prefill(unit),
        )
        order += 1
        added += 1
    return added


def _slot_for_update(slot: AgendaSlot) -> AgendaSlot:
    return AgendaSlot.objects.select_for_update(of=("self",)).select_related("meeting", "unit").get(pk=slot.pk)


@transaction.atomic
def slot_refill(*, acting_user, slot: AgendaSlot) -> AgendaSlot:
    """Pre-fill an unfiled slot again from the unit's latest reports."""
    slot = _slot_for_update(slot)
    if not rules.can_file_slot(access_for(acting_user), slot):
        raise PermissionDenied(ERR_CANNOT_FILE)
    _open(slot.meeting)
    if slot.filed_at:
        raise Refused(ERR_FILED)
    if slot.unit_id is None:
        raise Refused(ERR_NO_UNIT)
    if not slot.meeting.plan_id:
        raise Refused(ERR_NO_PLAN)
    units = meeting_pack(slot.meeting.plan, _open_items(slot.meeting).filter(lead_unit_id=slot.unit_id))
    if not units:
        raise Refused(ERR_NO_ITEMS.format(unit=slot.unit.name))
    for key, text in prefill(units[0]).items():
        setattr(slot, key, text)
    slot.prefilled_at = timezone.now()
    slot.version += 1
    slot.save()
    return slot


@transaction.atomic
def slot_file(
    *, acting_user, slot: AgendaSlot, progress: str, problems: str, next_steps: str, version: int
) -> AgendaSlot:
    """The unit files (or files again) its material for the meeting."""
    slot = _slot_for_update(slot)
    if not rules.can_file_slot(access_for(acting_user), slot):
        raise PermissionDenied(ERR_CANNOT_FILE)
    _open(slot.meeting)
    if version != slot.version:
        raise Refused(ERR_VERSION)
    progress = (progress or "").strip()
    if not progress:
        raise Refused(ERR_PROGRESS)
    slot.progress = progress
    slot.problems = (problems or "").strip()
    slot.next_steps = (next_steps or "").strip()
    slot.filed_by = acting_user
    slot.filed_at = timezone.now()
    slot.version += 1
    slot.save()
    return slot


@transaction.atomic
def slot_add(*, acting_user, meeting: Meeting, title: str, unit=None) -> AgendaSlot:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _manage(acting_user, meeting)
    _open(meeting)
    title = (title or "").strip()
    if not title:
        raise Refused(ERR_TITLE)
    if unit is not None and meeting.slots.filter(unit=unit).exists():
        raise Refused(ERR_UNIT_TWICE.format(unit=unit.name))
    return AgendaSlot.objects.create(meeting=meeting, order=_next_order(meeting), title=title[:200], unit=unit)


@transaction.atomic
def slot_remove(*, acting_user, slot: AgendaSlot) -> None:
    slot = _slot_for_update(slot)
    _manage(acting_user, slot.meeting)
    _open(slot.meeting)
    slot.delete()


def slot_contacts(meeting: Meeting) -> list[tuple[AgendaSlot, list]]:
    """Each unit slot with the heads and liaisons of its unit (two queries)."""
    slots = list(meeting.slots.exclude(unit=None).select_related("unit"))
    grants = RoleGrant.objects.filter(
        unit_id__in=[s.unit_id for s in slots], role__in=(Role.UNIT_HEAD, Role.LIAISON), person__is_active=True
    ).select_related("person")
    people: dict[int, dict] = {}
    for grant in grants:
        people.setdefault(grant.unit_id, {})[grant.person.pk] = grant.person
    return [(slot, list(people.get(slot.unit_id, {}).values())) for slot in slots]

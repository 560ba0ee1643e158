"""The meeting pack (会议材料) of a meeting, compiled from its agenda slots: a cover page,
the agenda, then each slot's 工作进展 / 存在问题 / 下一步计划 in agenda order. A slot its
unit has not filed is printed with what the system pre-filled, and says so."""

from django.utils import timezone

from duban.meetings.labels import when_text
from duban.meetings.models import Meeting
from duban.meetings.services.agenda import SLOT_TITLE
from duban.supervision import documents as doc
from duban.supervision.exports import meeting_pack as supervision_pack
from duban.supervision.exports.meeting_pack import _labelled
from duban.supervision.exports.weekly_docx import KAITI, cn_ordinal

UNFILED = "（该单位未报送，以下为系统根据最近报告预填）"
SECTIONS = (("工作进展", "progress"), ("存在问题", "problems"), ("下一步计划", "next_steps"))


def pack_title(meeting: Meeting) -> str:
    return f"{meeting.title}会议材料"


def pack_filename(meeting: Meeting) -> str:
    return supervision_pack.pack_filename(pack_title(meeting), timezone.localdate(meeting.starts_at))


def _cover(document, meeting: Meeting) -> None:
    lines = (f"时间：{when_text(meeting)}", f"地点：{meeting.place}", meeting.host_unit.name)
    supervision_pack._cover(
        document, meeting.title, timezone.localdate(meeting.starts_at), lines=lines, subtitle="会议材料"
    )


def agenda_lines(meeting: Meeting, slots) -> list[str]:
    """The agenda as written on the meeting, or else the slot titles."""
    return meeting.agenda_lines or [slot.title for slot in slots]


def meeting_pack_docx(meeting: Meeting) -> bytes:
    slots = list(meeting.slots.select_related("unit").order_by("order", "pk"))
    document = doc._new_document()
    _cover(document, meeting)
    doc._title(document, pack_title(meeting))
    doc._heading(document, "会议议程")
    for number, line in enumerate(agenda_lines(meeting, slots), start=1):
        doc._paragraph(document, f"{number}. {line}")
    doc._paragraph(document, indent=False)
    if not slots:
        doc._paragraph(document, "本次会议还没有议题材料。")
    for index, slot in enumerate(slots, start=1):
        doc._heading(document, f"{cn_ordinal(index)}、{slot.unit.name if slot.unit_id else slot.title}")
        if slot.unit_id and slot.title != SLOT_TITLE.format(unit=slot.unit.name):
            doc._paragraph(document, slot.title, font=KAITI)
        empty = not (slot.progress or slot.problems or slot.next_steps)
        if not slot.filed_at and empty:
            if slot.unit_id:
                doc._paragraph(document, "（该单位未报送材料）", font=KAITI)
            continue
        if not slot.filed_at and slot.unit_id:
            doc._paragraph(document, UNFILED, font=KAITI)
        for label, attribute in SECTIONS:
            _labelled(document, label, getattr(slot, attribute))
    return doc._bytes(document)

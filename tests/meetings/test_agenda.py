"""Agenda slots of a scheduling meeting: generated from the plan, pre-filled from the latest
filed reports, edited and filed by the unit; manual slots; and the meeting pack (.docx)."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from docx import Document

from duban.meetings.models import AgendaSlot, Meeting, MeetingStatus
from duban.meetings.pack import UNFILED, meeting_pack_docx, pack_filename
from duban.meetings.services import agenda as svc
from duban.supervision.models import ProgressReport, ReportStatus
from duban.supervision.services import Refused
from duban.system.models import SiteSettings
from tests.supervision.conftest import work  # noqa: F401


def report(item, start, status=ReportStatus.SUBMITTED, **texts):
    start = datetime.date.fromisoformat(start)
    ProgressReport.objects.update_or_create(
        item=item,
        period_start=start,
        defaults={
            "period_end": start + datetime.timedelta(days=6),
            "due_date": start + datetime.timedelta(days=7),
            "status": status,
            **texts,
        },
    )


@pytest.fixture
def scheduling(meeting, work):  # noqa: F811
    """The fixture 调度会 for the `work` plan, with reports filed by the units."""
    Meeting.objects.filter(pk=meeting.meeting.pk).update(plan=work.plan)
    meeting.meeting.refresh_from_db()
    report(work.teaching, "2026-11-09", progress_text="完成方案论证", problems="经费不足", next_steps="启动建设")
    report(work.labs, "2026-11-02", ReportStatus.ACCEPTED, progress_text="旧的进展", problems="", next_steps="")
    report(work.labs, "2026-11-09", progress_text="完成设备采购\n完成场地改造", problems="", next_steps="组织验收")
    report(work.courses, "2026-11-09", ReportStatus.DRAFT, progress_text="草稿不算")
    report(work.talent, "2026-11-09", progress_text="引进教授两名", problems="住房紧张", next_steps="继续引进")
    meeting.work = work
    return meeting


def slot_of(meeting, unit) -> AgendaSlot:
    return AgendaSlot.objects.get(meeting=meeting, unit=unit)


def test_slots_from_plan_one_per_lead_unit(scheduling, people, org):
    m = scheduling.meeting
    assert svc.slots_from_plan(acting_user=people.office, meeting=m) == 2
    slots = list(m.slots.order_by("order"))
    assert [(s.order, s.unit, s.title) for s in slots] == [
        (1, org.academic, "教务处汇报工作进展"),
        (2, org.hr, "人事处汇报工作进展"),
    ]
    academic = slots[0]
    assert academic.progress.splitlines() == [
        "（一）本科教学质量提升工程：完成方案论证",
        "（二）实验室建设项目：完成设备采购 完成场地改造",
        "（三）一流课程建设：尚未报送进展。",
    ]
    # An item whose report names no problem is left out of 存在问题.
    assert academic.problems.splitlines() == ["（一）本科教学质量提升工程：经费不足"]
    assert academic.next_steps.splitlines() == [
        "（一）本科教学质量提升工程：启动建设",
        "（二）实验室建设项目：组织验收",
    ]
    assert academic.prefilled_at and academic.filed_at is None


def test_slots_from_plan_is_idempotent(scheduling, people, org, work):  # noqa: F811
    m = scheduling.meeting
    svc.slots_from_plan(acting_user=people.office, meeting=m)
    AgendaSlot.objects.filter(meeting=m, unit=org.hr).delete()
    AgendaSlot.objects.filter(meeting=m, unit=org.academic).update(progress="单位改过的")
    assert svc.slots_from_plan(acting_user=people.office, meeting=m) == 1
    assert slot_of(m, org.academic).progress == "单位改过的"
    assert m.slots.count() == 2
    assert svc.slots_from_plan(acting_user=people.office, meeting=m) == 0


def test_completed_items_are_left_out(scheduling, people, org, work):  # noqa: F811
    type(work.talent).objects.filter(pk=work.talent.pk).update(completed_on=datetime.date(2026, 11, 1))
    svc.slots_from_plan(acting_user=people.office, meeting=scheduling.meeting)
    assert list(scheduling.meeting.slots.values_list("unit__name", flat=True)) == ["教务处"]


def test_slots_need_a_plan(meeting, people):
    with pytest.raises(Refused, match=svc.ERR_NO_PLAN):
        svc.slots_from_plan(acting_user=people.office, meeting=meeting.meeting)


def test_slots_only_by_managers(scheduling, people):
    with pytest.raises(PermissionDenied):
        svc.slots_from_plan(acting_user=people.head, meeting=scheduling.meeting)


def test_slots_fixed_after_close(scheduling, people):
    Meeting.objects.filter(pk=scheduling.meeting.pk).update(status=MeetingStatus.CLOSED)
    with pytest.raises(Refused, match=svc.ERR_FIXED):
        svc.slots_from_plan(acting_user=people.office, meeting=scheduling.meeting)


def test_unit_files_its_slot(scheduling, people, org):
    svc.slots_from_plan(acting_user=people.office, meeting=scheduling.meeting)
    slot = slot_of(scheduling.meeting, org.academic)
    filed = svc.slot_file(
        acting_user=people.liaison,
        slot=slot,
        progress=" 教务处本周进展 ",
        problems="无",
        next_steps="下周验收",
        version=slot.version,
    )
    assert (filed.progress, filed.filed_by, filed.version) == ("教务处本周进展", people.liaison, slot.version + 1)
    assert filed.filed_at
    with pytest.raises(Refused, match=svc.ERR_VERSION):
        svc.slot_file(
            acting_user=people.head, slot=slot, progress="x", problems="", next_steps="", version=slot.version
        )
    with pytest.raises(Refused, match=svc.ERR_PROGRESS):
        svc.slot_file(
            acting_user=people.head, slot=slot, progress=" ", problems="", next_steps="", version=filed.version
        )


@pytest.mark.parametrize("persona", ["outsider", "staff", "leader"])
def test_others_cannot_file(scheduling, people, org, persona):
    svc.slots_from_plan(acting_user=people.office, meeting=scheduling.meeting)
    slot = slot_of(scheduling.meeting, org.academic)
    with pytest.raises(PermissionDenied):
        svc.slot_file(
            acting_user=getattr(people, persona), slot=slot, progress="x", problems="", next_steps="", version=1
        )


def test_no_filing_after_cancel(scheduling, people, org):
    svc.slots_from_plan(acting_user=people.office, meeting=scheduling.meeting)
    Meeting.objects.filter(pk=scheduling.meeting.pk).update(status=MeetingStatus.CANCELLED)
    slot = slot_of(scheduling.meeting, org.academic)
    with pytest.raises(Refused, match=svc.ERR_FIXED):
        svc.slot_file(acting_user=people.head, slot=slot, progress="x", problems="", next_steps="", version=1)


def test_refill_only_unfiled(scheduling, people, org, work):  # noqa: F811
    svc.slots_from_plan(acting_user=people.office, meeting=scheduling.meeting)
    slot = slot_of(scheduling.meeting, org.hr)
    report(work.talent, "2026-11-16", progress_text="又引进一名", problems="", next_steps="")
    slot = svc.slot_refill(acting_user=people.outsider, slot=slot)
    assert slot.progress == "（一）高层次人才引进：又引进一名"
    assert slot.version == 2
    svc.slot_file(acting_user=people.outsider, slot=slot, progress="已报", problems="", next_steps="", version=2)
    with pytest.raises(Refused, match=svc.ERR_FILED):
        svc.slot_refill(acting_user=people.outsider, slot=slot)


def test_manual_slots(scheduling, people, org):
    slot = svc.slot_add(acting_user=people.office, meeting=scheduling.meeting, title="校领导讲话")
    assert (slot.order, slot.unit) == (1, None)
    with pytest.raises(Refused, match=svc.ERR_TITLE):
        svc.slot_add(acting_user=people.office, meeting=scheduling.meeting, title=" ")
    svc.slot_add(acting_user=people.office, meeting=scheduling.meeting, title="教务处专题汇报", unit=org.academic)
    with pytest.raises(Refused, match="教务处已在议程中。"):
        svc.slot_add(acting_user=people.office, meeting=scheduling.meeting, title="再来", unit=org.academic)
    with pytest.raises(Refused, match=svc.ERR_NO_UNIT):
        svc.slot_refill(acting_user=people.office, slot=slot)
    with pytest.raises(PermissionDenied):
        svc.slot_remove(acting_user=people.head, slot=slot)
    svc.slot_remove(acting_user=people.office, slot=slot)
    assert list(scheduling.meeting.slots.values_list("title", flat=True)) == ["教务处专题汇报"]


# --- The meeting pack ---------------------------------------------------------------------


def pack_text(meeting) -> str:
    document = Document(io.BytesIO(meeting_pack_docx(meeting)))
    return "\n".join(p.text for p in document.paragraphs)


def test_pack_holds_every_unit(scheduling, people, org):
    m = scheduling.meeting
    svc.slots_from_plan(acting_user=people.office, meeting=m)
    slot = slot_of(m, org.academic)
    svc.slot_file(
        acting_user=people.head,
        slot=slot,
        progress="（一）本科教学质量提升工程：教务处报送的进展",
        problems="（一）本科教学质量提升工程：师资不足",
        next_steps="（一）本科教学质量提升工程：下周完成验收",
        version=slot.version,
    )
    Meeting.objects.filter(pk=m.pk).update(agenda="各牵头单位汇报\n校领导讲话")
    m.refresh_from_db()
    text = pack_text(m)
    assert SiteSettings.current().institution_name in text
    assert m.title in text and m.place in text
    assert "1. 各牵头单位汇报" in text and "2. 校领导讲话" in text
    assert "一、教务处" in text and "二、人事处" in text
    assert "工作进展：（一）本科教学质量提升工程：教务处报送的进展" in text
    assert "存在问题：（一）本科教学质量提升工程：师资不足" in text
    assert "下一步计划：（一）本科教学质量提升工程：下周完成验收" in text
    # 人事处 has not filed: its pre-filled text, marked.
    hr_part = text.split("二、人事处", 1)[1]
    assert hr_part.lstrip().startswith(UNFILED)
    assert "工作进展：（一）高层次人才引进：引进教授两名" in hr_part
    assert "存在问题：（一）高层次人才引进：住房紧张" in hr_part
    assert UNFILED not in text.split("二、人事处", 1)[0]


def test_pack_agenda_defaults_to_slot_titles(scheduling, people):
    svc.slots_from_plan(acting_user=people.office, meeting=scheduling.meeting)
    text = pack_text(scheduling.meeting)
    assert "1. 教务处汇报工作进展" in text and "2. 人事处汇报工作进展" in text


def test_pack_of_a_meeting_without_slots(meeting):
    assert "本次会议还没有议题材料。" in pack_text(meeting.meeting)
    assert pack_filename(meeting.meeting).startswith(meeting.meeting.title)

"""Minutes and decisions; decisions turned into supervision items."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from duban.meetings.models import Decision, MeetingStatus
from duban.meetings.services import decisions as svc
from duban.meetings.services.decisions import Row
from duban.supervision.models import Item, PlanStatus
from duban.supervision.services import Refused
from tests.supervision.conftest import work  # noqa: F401

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 11, 10)


@pytest.fixture
def decided(meeting, org, people):
    svc.decisions_save(
        acting_user=people.office,
        meeting=meeting.meeting,
        minutes="会议听取了各单位重点工作进展汇报。",
        rows=[
            Row(
                text="教务处牵头完成新版人才培养方案修订。报校长办公会审议。",
                lead_unit=org.academic,
                due_date=datetime.date(2026, 12, 20),
            ),
            Row(text="人事处做好高层次人才引进工作", lead_unit=org.hr),
            Row(text="各单位进一步压实责任"),
        ],
    )
    return list(meeting.meeting.decisions.all())


def test_save_minutes_and_decisions(meeting, decided):
    meeting.meeting.refresh_from_db()
    assert meeting.meeting.minutes == "会议听取了各单位重点工作进展汇报。"
    assert [(d.order, d.text[:6]) for d in decided] == [(1, "教务处牵头完"), (2, "人事处做好高"), (3, "各单位进一步")]


def test_edit_reorder_delete_and_skip_blank(meeting, org, people, decided):
    one, two, three = decided
    svc.decisions_save(
        acting_user=people.office,
        meeting=meeting.meeting,
        minutes="",
        rows=[
            Row(pk=three.pk, text="各单位压实责任"),
            Row(pk=one.pk, text=one.text, lead_unit=org.academic, due_date=one.due_date),
            Row(pk=two.pk, text=two.text, delete=True),
            Row(),
        ],
    )
    assert [(d.order, d.pk) for d in meeting.meeting.decisions.all()] == [(1, three.pk), (2, one.pk)]
    assert Decision.objects.get(pk=three.pk).text == "各单位压实责任"


def test_save_rules(meeting, org, people, decided):
    with pytest.raises(PermissionDenied):
        svc.decisions_save(acting_user=people.head, meeting=meeting.meeting, minutes="", rows=[])
    with pytest.raises(Refused, match="第 2 条没有填写决定内容"):
        svc.decisions_save(
            acting_user=people.office,
            meeting=meeting.meeting,
            minutes="",
            rows=[Row(pk=decided[0].pk, text="x"), Row(pk=decided[1].pk, text=" ")],
        )
    meeting.meeting.status = MeetingStatus.CANCELLED
    meeting.meeting.save()
    with pytest.raises(Refused, match="会议已取消"):
        svc.decisions_save(acting_user=people.office, meeting=meeting.meeting, minutes="", rows=[])


def test_to_items(meeting, org, people, decided, work):  # noqa: F811
    last = work.plan.items.order_by("-ordinal").first().ordinal
    items = svc.to_items(people.office, meeting.meeting, [decided[0].pk, decided[1].pk], work.plan, START)
    assert [i.ordinal for i in items] == [last + 1, last + 2]
    first = items[0]
    assert first.title == "教务处牵头完成新版人才培养方案修订"
    assert first.description == decided[0].text
    day = meeting.meeting.starts_at
    assert first.source_text.startswith(
        f"第十二次重点工作调度会（{day.year}年{day.month}月{day.day}日）决定事项第1条：教务处"
    )
    assert first.remarks == "来源：第十二次重点工作调度会"
    assert first.lead_unit == org.academic and first.start_date == START
    assert first.due_date == datetime.date(2026, 12, 20) and items[1].due_date is None
    decided[0].refresh_from_db()
    assert decided[0].item == first and first.decision == decided[0]
    # Locked once made an item.
    with pytest.raises(Refused, match="第 1 条已转为督办事项“教务处牵头完成新版人才培养方案修订”，不能重复转办"):
        svc.to_items(people.office, meeting.meeting, [decided[0].pk], work.plan, START)
    with pytest.raises(Refused, match="第 1 条已转为督办事项，不能删除"):
        svc.decisions_save(
            acting_user=people.office,
            meeting=meeting.meeting,
            minutes="",
            rows=[Row(pk=decided[0].pk, text=decided[0].text, delete=True)],
        )
    with pytest.raises(Refused, match="第 1 条已转为督办事项，不能修改"):
        svc.decisions_save(
            acting_user=people.office, meeting=meeting.meeting, minutes="", rows=[Row(pk=decided[0].pk, text="改了")]
        )


def test_to_items_all_or_nothing(meeting, people, decided, work):  # noqa: F811
    before = Item.objects.count()
    with pytest.raises(Refused, match="第 3 条没有确定牵头单位，请先在决定事项中填写"):
        svc.to_items(people.office, meeting.meeting, [d.pk for d in decided], work.plan, START)
    assert Item.objects.count() == before
    assert not Decision.objects.filter(item__isnull=False).exists()


def test_to_items_refusals(meeting, people, decided, work):  # noqa: F811
    ids = [decided[0].pk]
    with pytest.raises(PermissionDenied):
        svc.to_items(people.head, meeting.meeting, ids, work.plan, START)
    with pytest.raises(Refused, match="请选择要转为督办事项的决定事项"):
        svc.to_items(people.office, meeting.meeting, [], work.plan, START)
    with pytest.raises(Refused, match="请选择事项要加入的督办计划"):
        svc.to_items(people.office, meeting.meeting, ids, None, START)
    with pytest.raises(Refused, match="请填写开始日期"):
        svc.to_items(people.office, meeting.meeting, ids, work.plan, None)
    with pytest.raises(Refused, match="早于开始日期"):
        svc.to_items(people.office, meeting.meeting, ids, work.plan, datetime.date(2027, 1, 1))
    other = Decision.objects.create(
        meeting=type(meeting.meeting).objects.create(
            title="另一个会",
            starts_at=meeting.meeting.starts_at,
            ends_at=meeting.meeting.ends_at,
            place="x",
            host_unit=meeting.meeting.host_unit,
            organiser=people.office,
        ),
        text="x",
    )
    with pytest.raises(Refused, match="所选决定事项不属于本次会议"):
        svc.to_items(people.office, meeting.meeting, [other.pk], work.plan, START)
    work.plan.status = PlanStatus.CLOSED
    work.plan.save()
    with pytest.raises(Refused, match="已结束，不能再添加事项"):
        svc.to_items(people.office, meeting.meeting, ids, work.plan, START)


def test_first_sentence():
    assert svc.first_sentence("一要抓落实；二要抓进度。") == "一要抓落实"
    assert svc.first_sentence("\n 全力推进，\n第二句") == "全力推进"
    assert len(svc.first_sentence("长" * 500)) == 200

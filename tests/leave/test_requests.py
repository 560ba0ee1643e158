"""Submitting, withdrawing and returning from leave; the overlap warnings."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from duban.leave.models import AbsenceRequest, AbsenceStatus, AbsenceType, CalendarDay, LeaveBalance, StepStatus
from duban.leave.services import approvals
from duban.leave.services import requests as services
from duban.meetings.models import Invitation, Meeting, MeetingKind, MeetingStatus
from duban.notify.models import Message
from duban.supervision.models import TimeNode
from duban.supervision.services import Refused
from tests.leave.chain_helpers import ask, day, frozen, kind  # noqa: F401
from tests.supervision.conftest import work  # noqa: F401

pytestmark = pytest.mark.usefixtures("frozen")


def refusal(call) -> str:
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.messages[0]


def approve_all(absence, *actors):
    for actor in actors:
        step = absence.steps.get(status=StepStatus.PENDING)
        approvals.act(actor, step, True, "")
    absence.refresh_from_db()
    return absence


# --- Validation -----------------------------------------------------------------------------


def test_submit_counts_working_days_and_keeps_the_fields(away):
    CalendarDay.objects.create(date=day(11, 17), is_workday=False, name="校庆")
    absence, warnings = ask(away.deputy, start=(11, 13), end=(11, 18), contact="13800000000")
    assert absence.days == 3  # Fri 13, Mon 16, Wed 18 (Tue 17 is a holiday)
    assert (absence.unit_id, absence.destination, absence.contact) == (away.deputy.unit_id, "北京", "13800000000")
    assert warnings == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": (11, 18), "end": (11, 16)}, "结束日期不能早于开始日期。"),
        ({"start": (10, 2), "end": (10, 5)}, "开始日期最早只能是 30 天前（2026年10月3日）。"),
        ({"destination": " "}, "出差须填写目的地。"),
        ({"reason": ""}, "请填写事由。"),
        ({"start": (11, 7), "end": (11, 8)}, "所选日期内没有工作日，无需请假。"),
    ],
)
def test_submit_refusals(away, kwargs, message):
    assert refusal(lambda: ask(away.deputy, **kwargs)) == message
    assert not AbsenceRequest.objects.exists()


def test_an_inactive_type_is_refused(away):
    AbsenceType.objects.filter(code="sick").update(is_active=False)
    assert refusal(lambda: ask(away.deputy, "sick")) == "该请假类型已停用，请另选一种。"


def test_a_person_without_unit_cannot_ask(away, people):
    people.norole.unit = None
    people.norole.save()
    with pytest.raises(PermissionDenied):
        ask(people.norole)


def test_overlap_with_an_own_live_request_is_refused(away):
    ask(away.deputy, start=(11, 16), end=(11, 18))
    message = refusal(lambda: ask(away.deputy, "personal", start=(11, 18), end=(11, 20)))
    assert message == "与您已提交的出差（11月16日—11月18日）时间重叠，请调整日期或先撤回原申请。"


def test_a_withdrawn_request_no_longer_blocks(away):
    first, _ = ask(away.deputy)
    services.withdraw(away.deputy, first)
    second, _ = ask(away.deputy)
    assert second.status == AbsenceStatus.PENDING


def test_annual_leave_beyond_the_balance_is_refused(away):
    LeaveBalance.objects.create(person=away.deputy, year=2026, entitled_days=3)
    message = refusal(lambda: ask(away.deputy, "annual", start=(11, 16), end=(11, 20)))
    assert message == "年休假余额不足：2026年剩余 3 天，本次需 5 天。"


def test_annual_leave_across_new_year_is_checked_per_year(away):
    LeaveBalance.objects.create(person=away.deputy, year=2027, entitled_days=1)
    # Thu 31 Dec 2026 and Fri 1 Jan 2027 (no holiday rows here): 1 day in each year.
    absence, _ = ask(away.deputy, "annual", start=(12, 31), end=(1, 1, 2027))
    assert absence.days == 2
    assert refusal(lambda: ask(away.deputy, "annual", start=(1, 4, 2027), end=(1, 4, 2027))) == (
        "年休假余额不足：2027年剩余 0 天，本次需 1 天。"
    )


def test_pending_annual_leave_counts_against_the_balance(away):
    LeaveBalance.objects.create(person=away.deputy, year=2026, entitled_days=5)
    ask(away.deputy, "annual", start=(11, 16), end=(11, 18))
    message = refusal(lambda: ask(away.deputy, "annual", start=(11, 23), end=(11, 25)))
    assert message == "年休假余额不足：2026年剩余 2 天，本次需 3 天。"


# --- Warnings ---------------------------------------------------------------------------------


def test_warnings_for_a_meeting_and_an_item_deadline(away, people, work):  # noqa: F811
    meeting = Meeting.objects.create(
        title="第十二次重点工作调度会",
        kind=MeetingKind.SCHEDULING,
        status=MeetingStatus.ANNOUNCED,
        starts_at=datetime.datetime(2026, 11, 17, 1, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 11, 17, 3, 0, tzinfo=datetime.UTC),
        place="行政楼第一会议室",
        host_unit=away.office_clerk.unit,
        organiser=people.office,
        created_by=people.office,
    )
    Invitation.objects.create(meeting=meeting, person=people.head)
    work.labs.due_date = day(11, 18)
    work.labs.save()
    TimeNode.objects.create(item=work.courses, title="完成课程遴选", due_date=day(11, 16))
    _absence, warnings = ask(people.head, start=(11, 16), end=(11, 18))
    assert warnings == [
        "与会议《第十二次重点工作调度会》（11月17日 09:00）时间冲突",
        "事项《实验室建设项目》完成时限 11月18日 在请假期间",
        "事项《一流课程建设》节点“完成课程遴选”时限 11月16日 在请假期间",
    ]
    # 钱联络 is the responsible person of the same items; 陈副处 answers for none of them.
    assert len(services.overlap_warnings(people.liaison, day(11, 16), day(11, 18))) == 2
    assert services.overlap_warnings(away.deputy, day(11, 16), day(11, 18)) == []


def test_no_warning_for_cancelled_meetings_or_finished_items(away, people, work):  # noqa: F811
    meeting = Meeting.objects.create(
        title="已取消的会",
        status=MeetingStatus.CANCELLED,
        starts_at=datetime.datetime(2026, 11, 17, 1, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 11, 17, 3, 0, tzinfo=datetime.UTC),
        place="会议室",
        host_unit=away.office_clerk.unit,
        organiser=people.office,
        created_by=people.office,
    )
    Invitation.objects.create(meeting=meeting, person=people.head)
    work.labs.due_date = day(11, 18)
    work.labs.completed_on = day(11, 1)
    work.labs.save()
    assert services.overlap_warnings(people.head, day(11, 16), day(11, 18)) == []


# --- Withdraw -----------------------------------------------------------------------------------


def test_withdraw_cancels_open_steps_and_tells_the_approver(away, people):
    absence, _ = ask(people.head)
    services.withdraw(people.head, absence)
    absence.refresh_from_db()
    assert absence.status == AbsenceStatus.WITHDRAWN
    assert set(absence.steps.values_list("status", flat=True)) == {StepStatus.CANCELLED}
    assert Message.objects.filter(recipient=away.vp, title__startswith="已撤回").exists()


def test_only_the_requester_withdraws_and_only_while_pending(away, people):
    absence, _ = ask(away.deputy)
    with pytest.raises(PermissionDenied):
        services.withdraw(people.head, absence)
    approve_all(absence, people.head)
    assert refusal(lambda: services.withdraw(away.deputy, absence)) == "只有审批中的申请可以撤回。"


# --- Return (销假) -------------------------------------------------------------------------------


def test_return_records_actual_days_and_tells_the_approver(away, people):
    absence, _ = ask(away.deputy, start=(10, 26), end=(10, 30))
    approve_all(absence, people.head)
    services.record_return(away.deputy, absence, day(10, 29), "提前完成任务")
    absence.refresh_from_db()
    assert absence.returned_on == day(10, 29)
    assert absence.returned_at is not None
    assert absence.actual_days == Decimal(3)  # 26, 27, 28
    assert absence.return_note == "提前完成任务"
    told = Message.objects.get(recipient=people.head, title__startswith="已销假")
    assert "实际请假 3 个工作日" in told.body and "超假" not in told.body


def test_return_after_the_next_working_day_is_an_overstay(away, people):
    absence, _ = ask(away.deputy, start=(10, 26), end=(10, 28))
    approve_all(absence, people.head)
    # Due back Thu 29 Oct; back on Mon 2 Nov: 29, 30 Oct are overstayed.
    services.record_return(people.head, absence, day(11, 2))
    absence.refresh_from_db()
    assert absence.actual_days == Decimal(3)
    assert services.is_overstay(absence)
    # 赵处长 recorded it himself, so the message goes to nobody else; check the text through the service.
    absence2, _ = ask(people.staff, start=(10, 26), end=(10, 26))
    approve_all(absence2, people.head)
    services.record_return(people.staff, absence2, day(10, 29))
    told = Message.objects.get(recipient=people.head, title__startswith="已销假")
    assert "超假：应于10月27日返岗，逾期 2 个工作日。" in told.body


def test_return_refusals(away, people):
    absence, _ = ask(away.deputy, start=(10, 26), end=(10, 28))
    assert refusal(lambda: services.record_return(away.deputy, absence, day(10, 27))) == "只有已批准的申请可以销假。"
    approve_all(absence, people.head)
    with pytest.raises(PermissionDenied):
        services.record_return(people.outsider, absence, day(10, 27))
    assert refusal(lambda: services.record_return(away.deputy, absence, day(10, 25))) == (
        "销假日期应在开始日期（10月26日）与今天（11月2日）之间。"
    )
    assert refusal(lambda: services.record_return(away.deputy, absence, day(11, 3))) == (
        "销假日期应在开始日期（10月26日）与今天（11月2日）之间。"
    )
    services.record_return(away.deputy, absence, day(10, 29))
    assert refusal(lambda: services.record_return(away.deputy, absence, day(10, 29))) == "该申请已于10月29日销假。"


def test_return_on_the_first_day_takes_nothing_from_the_balance(away, people):
    absence, _ = ask(away.deputy, "annual", start=(10, 26), end=(10, 27))
    approve_all(absence, away.vp, away.hr_clerk)
    services.record_return(away.deputy, absence, day(10, 26))
    absence.refresh_from_db()
    assert absence.actual_days == 0

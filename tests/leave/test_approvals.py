"""Acting on steps: approve, refuse, races, delegation, the approval signal."""

import pytest
from django.core.exceptions import PermissionDenied

from duban.leave import signals
from duban.leave.models import AbsenceStatus, Delegation, StepStatus
from duban.leave.services import approvals, delegation
from duban.notify.models import Message
from duban.supervision.services import Refused
from tests.leave.chain_helpers import TODAY, ask, day, frozen  # noqa: F401

pytestmark = pytest.mark.usefixtures("frozen")


def pending(absence):
    return absence.steps.get(status=StepStatus.PENDING)


def message(call) -> str:
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.messages[0]


def test_the_head_approves_a_deputys_travel(away, people):
    absence, _ = ask(away.deputy)
    step = approvals.act(people.head, pending(absence), True, "同意")
    absence.refresh_from_db()
    assert absence.status == AbsenceStatus.APPROVED and absence.decided_at is not None
    assert (step.status, step.acted_by, step.on_behalf_of, step.note) == (StepStatus.DONE, people.head, None, "同意")
    told = Message.objects.get(recipient=away.deputy)
    assert told.title.startswith("已批准：陈副处 · 出差")
    assert "本单位负责人审批：赵处长同意。" in told.body


def test_approval_moves_on_and_tells_the_office(away, people):
    absence, _ = ask(people.head)
    approvals.act(away.vp, pending(absence), True, "")
    absence.refresh_from_db()
    assert absence.status == AbsenceStatus.APPROVED
    office = absence.steps.get(order=2)
    assert office.status == StepStatus.DONE
    assert Message.objects.get(recipient=away.office_clerk).title.startswith("告知：赵处长 · 出差")


def test_annual_leave_waits_for_hr_after_the_leader(away, people):
    absence, _ = ask(away.deputy, "annual", start=(11, 16), end=(11, 16))
    approvals.act(away.vp, pending(absence), True, "")
    absence.refresh_from_db()
    assert absence.status == AbsenceStatus.PENDING
    assert pending(absence).label == "人事部门办理"
    assert Message.objects.filter(
        recipient=away.deputy, title__startswith="主管领导审批已同意，待人事部门办理"
    ).exists()
    assert not Message.objects.filter(recipient=away.office_clerk).exists()
    approvals.act(away.hr_clerk, pending(absence), True, "已登记")
    absence.refresh_from_db()
    assert absence.status == AbsenceStatus.APPROVED
    assert Message.objects.filter(recipient=away.office_clerk, title__startswith="请备案").exists()
    assert Message.objects.filter(recipient=away.political_clerk, title__startswith="请备案").exists()


def test_refusing_needs_a_note_and_ends_the_request(away, people):
    absence, _ = ask(away.deputy, "annual", start=(11, 16), end=(11, 16))
    assert message(lambda: approvals.act(away.vp, pending(absence), False, " ")) == "不同意须填写意见。"
    approvals.act(away.vp, pending(absence), False, "期末工作繁忙，请调整时间")
    absence.refresh_from_db()
    assert absence.status == AbsenceStatus.REFUSED
    assert list(absence.steps.order_by("order").values_list("status", flat=True)) == [
        StepStatus.REFUSED,
        StepStatus.CANCELLED,
        StepStatus.CANCELLED,
        StepStatus.CANCELLED,
    ]
    told = Message.objects.get(recipient=away.deputy)
    assert told.title.startswith("未批准") and "期末工作繁忙" in told.body


def test_someone_else_may_not_act(away, people):
    absence, _ = ask(away.deputy)
    for outsider in (people.outsider, people.leader, away.deputy):
        with pytest.raises(PermissionDenied):
            approvals.act(outsider, pending(absence), True, "")


def test_two_approvers_racing_the_loser_is_told_who_acted(away, people):
    absence, _ = ask(away.deputy, "annual", start=(11, 16), end=(11, 16))
    approvals.act(away.vp, pending(absence), True, "")
    hr = pending(absence)
    approvals.act(away.hr_clerk, hr, True, "")
    # 郑外单位 opened the same step before 林人事 acted.
    assert message(lambda: approvals.act(people.outsider, hr, True, "")) == "该环节已由林人事办理。"


def test_acting_on_a_withdrawn_request_is_refused(away, people):
    from duban.leave.services import requests

    absence, _ = ask(away.deputy)
    step = pending(absence)
    requests.withdraw(away.deputy, absence)
    assert message(lambda: approvals.act(people.head, step, True, "")) == "该环节当前不需要办理。"


def test_a_delegate_acts_on_behalf_of_the_approver(away, people):
    delegation.create(people.head, people.liaison, day(11, 1), day(11, 10), "出差期间")
    absence, _ = ask(away.deputy)
    # The delegate is told of the new task too.
    assert Message.objects.filter(recipient=people.liaison, title__startswith="待您审批").exists()
    step = approvals.act(people.liaison, pending(absence), True, "")
    assert (step.acted_by, step.on_behalf_of) == (people.liaison, people.head)
    told = Message.objects.get(recipient=away.deputy)
    assert "钱联络（代赵处长）同意" in told.body


def test_a_delegate_cannot_approve_their_own_request(away, people):
    delegation.create(people.head, away.deputy, day(11, 1), day(11, 10))
    absence, _ = ask(away.deputy)
    with pytest.raises(PermissionDenied):
        approvals.act(away.deputy, pending(absence), True, "")


def test_an_expired_or_revoked_delegation_gives_no_right(away, people):
    given = delegation.create(people.head, people.liaison, day(11, 2), day(11, 10))
    delegation.revoke(people.head, given)
    absence, _ = ask(away.deputy)
    with pytest.raises(PermissionDenied):
        approvals.act(people.liaison, pending(absence), True, "")


def test_the_signal_is_sent_on_approval(away, people):
    received = []

    def listener(sender, absence, **kwargs):
        received.append((absence.pk, absence.status))

    signals.absence_approved.connect(listener)
    try:
        absence, _ = ask(away.deputy)
        assert received == []
        approvals.act(people.head, pending(absence), True, "")
        outing, _ = ask(people.staff, "outing", start=(11, 20), end=(11, 20))
    finally:
        signals.absence_approved.disconnect(listener)
    assert received == [(absence.pk, AbsenceStatus.APPROVED), (outing.pk, AbsenceStatus.APPROVED)]


# --- Delegation rules ---------------------------------------------------------------------------


def test_delegation_rules(away, people):
    def refused(*args):
        return message(lambda: delegation.create(people.head, *args))

    assert refused(people.head, day(11, 2), day(11, 3)) == "不能委托给自己。"
    assert refused(people.liaison, day(11, 5), day(11, 3)) == "结束日期不能早于开始日期。"
    assert refused(people.liaison, day(10, 1), day(10, 3)) == "结束日期不能早于今天。"
    people.staff.is_active = False
    people.staff.save()
    assert refused(people.staff, day(11, 2), day(11, 3)) == "受托人账号已停用，请另选一人。"
    delegation.create(people.head, people.liaison, day(11, 2), day(11, 6))
    assert refused(away.deputy, day(11, 6), day(11, 9)) == (
        "该期间您已委托钱联络（11月2日—11月6日）代为审批，请先撤销原委托。"
    )
    assert delegation.delegators_of(people.liaison) == [people.head.pk]
    assert delegation.delegators_of(people.liaison, on=day(11, 7)) == []
    assert delegation.delegates_of(people.head) == [people.liaison]
    assert Message.objects.filter(recipient=people.liaison, title__contains="委托您代为审批").exists()


def test_revoke_rules(away, people):
    given = delegation.create(people.head, people.liaison, TODAY, day(11, 6))
    with pytest.raises(PermissionDenied):
        delegation.revoke(people.liaison, given)
    delegation.revoke(people.head, given)
    assert Delegation.objects.get().revoked_at is not None
    assert message(lambda: delegation.revoke(people.head, given)) == "该委托已撤销。"

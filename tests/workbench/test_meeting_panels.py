"""我的工作 shows 近期会议 and 待我审批的请假 only to those who have something there, and never
lists one's own request as waiting for one's approval (not even as a delegate)."""

import datetime

import time_machine
from django.urls import reverse

from duban.leave.services import delegation
from tests.leave.chain_helpers import NOW, ask
from tests.leave.conftest import away  # noqa: F401
from tests.meetings.conftest import meeting  # noqa: F401


def home(client_for, person) -> str:
    return client_for(person).get(reverse("workbench:home")).content.decode()


def test_approver_sees_the_request_the_requester_does_not(away, people, client_for):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        ask(away.deputy)  # 陈副处's travel waits for 赵处长
        # 赵处长 delegated to 陈副处 — who must still not see their own request as a task.
        delegation.create(people.head, away.deputy, datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
        head_page, deputy_page = home(client_for, people.head), home(client_for, away.deputy)
    assert "待我审批的请假" in head_page and "陈副处 · 出差（11月16日—11月18日，3 个工作日）" in head_page
    assert "待我审批的请假" not in deputy_page


def test_invitee_sees_the_meeting_others_do_not(meeting, people, client_for):  # noqa: F811
    assert "近期会议" in home(client_for, people.head) and meeting.meeting.title in home(client_for, people.head)
    assert "近期会议" not in home(client_for, people.staff)

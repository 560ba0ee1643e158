"""A meeting fixture: the office's scheduling meeting next week, hosted by 党委办公室,
organised by 王文书, inviting 赵处长, 钱联络 and 郑外单位 (invitations already made)."""

import datetime
from types import SimpleNamespace

import pytest
from auditlog.context import disable_auditlog
from django.utils import timezone

from duban.meetings.models import Invitation, Meeting, MeetingKind, MeetingStatus


def at(days: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """An aware local datetime `days` from today at hour:minute."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def meeting(org, people):
    return build_meeting(org, people)


def build_meeting(org, people) -> SimpleNamespace:
    with disable_auditlog():
        m = SimpleNamespace()
        m.meeting = Meeting.objects.create(
            title="第十二次重点工作调度会",
            kind=MeetingKind.SCHEDULING,
            status=MeetingStatus.ANNOUNCED,
            starts_at=at(7, 9),
            ends_at=at(7, 11),
            place="行政楼第一会议室",
            host_unit=org.office,
            organiser=people.office,
            created_by=people.office,
            announced_at=timezone.now(),
        )
        m.head = Invitation.objects.create(meeting=m.meeting, person=people.head, via_unit=org.academic)
        m.liaison = Invitation.objects.create(meeting=m.meeting, person=people.liaison, via_unit=org.academic)
        m.outsider = Invitation.objects.create(meeting=m.meeting, person=people.outsider, via_unit=org.hr)
        return m

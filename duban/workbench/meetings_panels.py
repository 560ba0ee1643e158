"""我的工作 panels fed by meetings and leave: the meetings one is invited to in the next two
weeks, and the leave or travel requests waiting for one's approval (also as a delegate).
They appear only when they have something: everyone may be invited or asked to approve."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.workbench.panels import Panel

LIMIT = 8
AHEAD = datetime.timedelta(days=14)


def meetings_panel(access) -> Panel | None:
    from duban.meetings.models import Invitation, MeetingStatus

    now = timezone.now()
    invitations = (
        Invitation.objects.filter(
            person=access.person,
            meeting__status=MeetingStatus.ANNOUNCED,
            meeting__ends_at__gte=now,
            meeting__starts_at__lte=now + AHEAD,
        )
        .select_related("meeting")
        .order_by("meeting__starts_at")
    )
    listed = list(invitations[:LIMIT])
    if not listed:
        return None
    rows = [
        {
            "text": f"{i.meeting.title} · {i.get_response_display()}",
            "url": reverse("meetings:meeting_detail", args=[i.meeting_id]),
            "meta": i.meeting.starts_at,
            "is_time": True,
        }
        for i in listed
    ]
    return Panel(
        _("近期会议"),
        "bi-calendar-event",
        "",
        rows,
        count=len(listed) if len(listed) < LIMIT else invitations.count(),
        action_url=reverse("meetings:meeting_list"),
        action_label=_("全部会议"),
    )


def approvals_panel(access) -> Panel | None:
    from duban.leave.selectors import pending_steps
    from duban.leave.services.flow import summary

    steps = pending_steps(access.person)
    listed = list(steps[:LIMIT])
    if not listed:
        return None
    rows = [
        {
            "text": summary(s.request),
            "url": reverse("leave:request_detail", args=[s.request_id]),
            "meta": s.request.submitted_at,
            "is_time": True,
        }
        for s in listed
    ]
    return Panel(
        _("待我审批的请假"),
        "bi-person-check",
        "",
        rows,
        count=len(listed) if len(listed) < LIMIT else steps.count(),
        action_url=reverse("leave:task_list"),
        action_label=_("全部待办"),
    )

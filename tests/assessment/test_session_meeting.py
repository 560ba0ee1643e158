"""A review session can name the 述职评议会 it is held at: the date and place come from the meeting,
and the session's header links to the meeting (its notice and attendance)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from duban.assessment.models import ReviewSession
from duban.meetings.models import Meeting, MeetingKind, MeetingStatus
from tests.assessment.test_office_views import session_data


def test_session_takes_date_and_place_from_its_meeting(client_for, people, org):
    starts = timezone.make_aware(datetime.datetime(2026, 12, 10, 14, 30))
    meeting = Meeting.objects.create(
        title="2026年度机关党支部书记述职评议会",
        kind=MeetingKind.REVIEW,
        status=MeetingStatus.ANNOUNCED,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="行政楼三楼报告厅",
        host_unit=org.party,
        organiser=people.office,
    )
    office = client_for(people.office)
    assert meeting.title in office.get(reverse("assessment:session_create")).content.decode()
    response = office.post(
        reverse("assessment:session_create"), session_data(org, meeting=meeting.pk, held_on="", place="")
    )
    assert response.status_code == 302
    session = ReviewSession.objects.get()
    assert (session.meeting, session.held_on, session.place) == (meeting, datetime.date(2026, 12, 10), meeting.place)
    page = office.get(reverse("assessment:session_detail", args=[session.pk])).content.decode()
    assert reverse("meetings:meeting_detail", args=[meeting.pk]) in page
    # What the clerk types wins over the meeting's values.
    edit = reverse("assessment:session_edit", args=[session.pk])
    data = session_data(org, meeting=meeting.pk, held_on="2026-12-11", place="图书馆九楼会议室")
    data.pop("scale")
    assert office.post(edit, data).status_code == 302
    session.refresh_from_db()
    assert (session.held_on, session.place) == (datetime.date(2026, 12, 11), "图书馆九楼会议室")


def test_other_meeting_kinds_are_not_offered(client_for, people, org):
    starts = timezone.now() + datetime.timedelta(days=3)
    Meeting.objects.create(
        title="重点工作调度会",
        kind=MeetingKind.SCHEDULING,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="第一会议室",
        host_unit=org.office,
        organiser=people.office,
    )
    page = client_for(people.office).get(reverse("assessment:session_create")).content.decode()
    assert "重点工作调度会" not in page and 'name="meeting"' not in page

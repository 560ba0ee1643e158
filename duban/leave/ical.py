"""A person's iCalendar feed: the meetings they are invited to, their own leave and travel,
and the deadlines of the open items they answer for: one query per source, three in all."""

import datetime

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from duban.leave import selectors
from duban.leave.models import LIVE, AbsenceRequest, AbsenceStatus

PAST_DAYS = 90
DAY = datetime.timedelta(days=1)


def _event(uid: str, summary: str, start, end, url: str, status: str, location: str = "") -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("dtstamp", timezone.now())
    event.add("status", status)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    return event


def meeting_events(person, since, absolute):
    invitations = selectors.invitations_of(person).filter(meeting__ends_at__gte=since).order_by("meeting__starts_at")
    for invitation in invitations:
        meeting = invitation.meeting
        yield _event(
            f"meeting-{meeting.pk}@duban",
            meeting.title,
            meeting.starts_at,
            meeting.ends_at,
            absolute(meeting.get_absolute_url()),
            "CONFIRMED",
            meeting.place,
        )


def absence_events(person, since, absolute):
    rows = AbsenceRequest.objects.filter(person=person, status__in=LIVE, ends_on__gte=since.date()).select_related(
        "absence_type"
    )
    for absence in rows:
        pending = absence.status == AbsenceStatus.PENDING
        summary = absence.absence_type.name + (f"：{absence.destination}" if absence.destination else "")
        yield _event(
            f"leave-{absence.pk}@duban",
            summary + ("（待批）" if pending else ""),
            absence.starts_on,
            absence.ends_on + DAY,
            absolute(reverse("leave:request_detail", args=[absence.pk])),
            "TENTATIVE" if pending else "CONFIRMED",
        )


def deadline_events(person, since, absolute):
    rows = selectors.answering_items(person).filter(due_date__isnull=False, due_date__gte=since.date())
    rows = rows.only("pk", "title", "due_date")
    for item in rows:
        yield _event(
            f"item-{item.pk}@duban",
            f"督办时限：{item.title}",
            item.due_date,
            item.due_date + DAY,
            absolute(item.get_absolute_url()),
            "CONFIRMED",
        )


def person_calendar(person, absolute) -> bytes:
    """The feed of `person`; `absolute(path)` makes a full URL."""
    calendar = Calendar()
    calendar.add("prodid", "-//duban//督查督办//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{person.name}的日程（督查督办）")
    calendar.add("x-wr-timezone", timezone.get_current_timezone_name())
    since = timezone.now() - datetime.timedelta(days=PAST_DAYS)
    for source in (meeting_events, absence_events, deadline_events):
        for event in source(person, since, absolute):
            calendar.add_component(event)
    return calendar.to_ical()

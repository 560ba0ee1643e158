"""How meetings read on a page and in a message: one tag colour per status, answer, attendance
and leave status (the `tag` template tag's colours), and the meeting's time as text."""

from django.utils import timezone

from duban.lib.dates import cn_datetime

STATUS_COLOURS = {"draft": "grey", "announced": "blue", "closed": "green", "cancelled": "red"}
RESPONSE_COLOURS = {"pending": "grey", "accepted": "green", "declined": "yellow"}
ATTENDANCE_COLOURS = {"unknown": "grey", "present": "green", "late": "yellow", "leave": "blue", "absent": "red"}
LEAVE_COLOURS = {"pending": "yellow", "approved": "green", "refused": "red", "withdrawn": "grey"}

# Every map at once, for templates: {{ colours.status|get_item:meeting.status }}.
COLOURS = {
    "status": STATUS_COLOURS,
    "response": RESPONSE_COLOURS,
    "attendance": ATTENDANCE_COLOURS,
    "leave": LEAVE_COLOURS,
}


def when_text(meeting) -> str:
    """11月20日 09:00—11:00 (the end with its date when it is another day)."""
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    tail = f"{end:%H:%M}" if start.date() == end.date() else cn_datetime(end)
    return f"{cn_datetime(start)}—{tail}"

"""An item made from a meeting decision names the meeting on its page, linked, for those who
may open the meeting; a colleague who may see the item but not the meeting sees neither."""

from django.urls import reverse

from duban.meetings.services import decisions as svc
from tests.meetings.test_decisions import START, decided  # noqa: F401
from tests.supervision.conftest import work  # noqa: F401


def test_item_page_links_the_meeting_only_for_those_who_may_open_it(meeting, people, decided, work, client_for):  # noqa: F811
    item = svc.to_items(people.office, meeting.meeting, [decided[0].pk], work.plan, START)[0]
    url = reverse("supervision:item_detail", args=[item.pk])
    link = reverse("meetings:decisions", args=[meeting.meeting.pk])
    office = client_for(people.office).get(url).content.decode()
    assert link in office and "来源会议" in office
    staff = client_for(people.staff).get(url)  # 教务处 staff: sees the item, not invited to the meeting
    assert staff.status_code == 200
    page = staff.content.decode()
    # The item's own remarks may still name the meeting; the linked source line is not shown.
    assert link not in page and "来源会议" not in page

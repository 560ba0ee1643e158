"""A minutes draft can be linked to a meeting of the platform: it takes the meeting's title
and date when the text has none, and the review page links back to the meeting."""

import pytest
from django.urls import reverse

from duban.minutes.models import MinutesDraft
from tests.meetings.conftest import meeting  # noqa: F401

TEXT = (
    "学校召开重点工作调度会。校长在讲话中强调，一要抓紧推进课程评估，教务处要在12月31日前完成；"
    "二要做好人才引进工作，人事处要在12月20日前拿出方案。"
)


@pytest.fixture
def held(meeting):  # noqa: F811
    from tests.meetings.conftest import at

    meeting.meeting.starts_at, meeting.meeting.ends_at = at(-3, 9), at(-3, 11)
    meeting.meeting.save()
    return meeting.meeting


def test_draft_linked_to_a_meeting_takes_its_title_and_date(held, people, client_for):
    office = client_for(people.office)
    page = office.get(reverse("minutes:draft_new") + f"?meeting={held.pk}")
    assert page.status_code == 200
    assert held.title in page.content.decode()
    response = office.post(reverse("minutes:draft_new"), {"text": TEXT, "meeting": held.pk})
    assert response.status_code == 302, response.context["form"].errors
    draft = MinutesDraft.objects.get()
    assert draft.meeting == held
    assert draft.title == held.title
    assert draft.meeting_title == held.title
    review = office.get(response["Location"]).content.decode()
    assert reverse("meetings:meeting_detail", args=[held.pk]) in review


def test_future_meeting_is_not_offered(meeting, people, client_for):  # noqa: F811
    page = client_for(people.office).get(reverse("minutes:draft_new")).content.decode()
    assert meeting.meeting.title not in page

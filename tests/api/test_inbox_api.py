"""The inbox through the API: a person lists, opens and marks read only their own
messages (another's is 404 and never counted), with the unread count, paging, and a
fixed number of queries whatever the number of messages."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from duban.notify.models import Message, MessageKind
from duban.notify.services import message_send
from tests.org.test_views import ALL_PERSONAS

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def mail(people):
    """Three messages for 钱联络 (the oldest read), one for 赵处长."""
    with time_machine.travel(NOW, tick=False):
        old = message_send(recipients=[people.liaison], title="旧通知", body="已读过")[0]
        Message.objects.filter(pk=old.pk).update(read_at=NOW)
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        reminder = message_send(
            recipients=[people.liaison],
            title="自动提醒：还有 10 天到期",
            body="完成时限是 2026年12月31日。",
            url="/supervision/items/7/",
            kind=MessageKind.REMINDER,
        )[0]
    with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
        review = message_send(recipients=[people.liaison], title="进展报告被退回", kind=MessageKind.REVIEW)[0]
        head = message_send(recipients=[people.head], title="延期申请待审批", kind=MessageKind.TASK)[0]
    return {"old": old, "reminder": reminder, "review": review, "head": head}


def _post(client, url, data=None):
    return client.post(url, data if data is not None else {}, content_type="application/json")


def test_own_messages_newest_first_with_the_unread_count(people, mail, api_for):
    body = api_for(people.liaison).get("/api/inbox").json()
    assert (body["count"], body["unread"]) == (3, 2)
    assert [m["id"] for m in body["items"]] == [mail["review"].pk, mail["reminder"].pk, mail["old"].pk]
    reminder = body["items"][1]
    assert reminder == {
        "id": mail["reminder"].pk,
        "kind": "reminder",
        "kind_label": "自动提醒",
        "title": "自动提醒：还有 10 天到期",
        "body": "完成时限是 2026年12月31日。",
        "url": "/supervision/items/7/",
        "created_at": reminder["created_at"],
        "read_at": None,
        "is_read": False,
    }
    assert reminder["created_at"].startswith("2026-11-02T")
    assert body["items"][2]["is_read"] is True


def test_unread_filter_and_paging(people, mail, api_for):
    client = api_for(people.liaison)
    unread = client.get("/api/inbox", {"unread": "true"}).json()
    assert [m["id"] for m in unread["items"]] == [mail["review"].pk, mail["reminder"].pk]
    assert (unread["count"], unread["unread"]) == (2, 2)
    page = client.get("/api/inbox", {"limit": 1, "offset": 1}).json()
    assert [m["id"] for m in page["items"]] == [mail["reminder"].pk]
    assert page["count"] == 3
    assert client.get("/api/inbox", {"limit": 0}).status_code == 422
    assert client.get("/api/inbox", {"limit": 501}).status_code == 422


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_everyone_signed_in_has_an_inbox_and_sees_only_theirs(persona, people, mail, api_for):
    person = getattr(people, persona)
    body = api_for(person).get("/api/inbox").json()
    mine = set(Message.objects.filter(recipient=person).values_list("pk", flat=True))
    assert {m["id"] for m in body["items"]} == mine
    assert body["count"] == len(mine)


def test_a_person_never_sees_anothers_message(people, mail, api_for):
    client = api_for(people.head)
    assert [m["id"] for m in client.get("/api/inbox").json()["items"]] == [mail["head"].pk]
    for key in ("old", "reminder", "review"):
        response = client.get(f"/api/inbox/{mail[key].pk}")
        assert response.status_code == 404
        assert response.json() == {"detail": "对象不存在。"}
    assert client.get("/api/inbox/999999").status_code == 404
    # Marking another's messages does nothing.
    marked = _post(client, "/api/inbox/read", {"ids": [mail["reminder"].pk, mail["review"].pk]})
    assert marked.json() == {"marked": 0, "unread": 1}
    assert Message.objects.filter(recipient=people.liaison, read_at__isnull=True).count() == 2


def test_opening_a_message_marks_it_read(people, mail, api_for):
    client = api_for(people.liaison)
    with time_machine.travel(NOW + datetime.timedelta(hours=3), tick=False):
        opened = client.get(f"/api/inbox/{mail['reminder'].pk}")
    assert opened.status_code == 200
    assert opened.json()["is_read"] is True
    assert opened.json()["read_at"].startswith("2026-11-02T12:00:00")
    assert client.get("/api/inbox").json()["unread"] == 1
    # Opening again keeps the first reading time.
    assert client.get(f"/api/inbox/{mail['reminder'].pk}").json()["read_at"] == opened.json()["read_at"]


def test_mark_some_or_all_read(people, mail, api_for):
    client = api_for(people.liaison)
    some = _post(client, "/api/inbox/read", {"ids": [mail["review"].pk, mail["old"].pk, mail["head"].pk]})
    assert some.status_code == 200
    assert some.json() == {"marked": 1, "unread": 1}
    assert Message.objects.get(pk=mail["head"].pk).read_at is None
    assert _post(client, "/api/inbox/read", {"ids": "all"}).status_code == 422
    everything = client.post("/api/inbox/read", "", content_type="application/json")
    assert everything.json() == {"marked": 1, "unread": 0}
    assert _post(client, "/api/inbox/read").json() == {"marked": 0, "unread": 0}
    assert Message.objects.get(pk=mail["head"].pk).read_at is None


def test_inbox_needs_a_signed_in_person(people, mail, client_for):
    assert Client().get("/api/inbox").status_code == 401
    assert Client().post("/api/inbox/read", {}, content_type="application/json").status_code == 401
    # The session works too; unsafe methods need the CSRF token.
    session = client_for(people.liaison)
    assert session.get("/api/inbox").json()["count"] == 3
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people.liaison, backend="django.contrib.auth.backends.ModelBackend")
    assert strict.post("/api/inbox/read", {}, content_type="application/json").status_code == 403
    assert Message.objects.filter(recipient=people.liaison, read_at__isnull=True).count() == 2


def test_inbox_query_count_is_fixed(people, api_for):
    client = api_for(people.liaison)

    def send(count):
        Message.objects.bulk_create(
            Message(recipient=people.liaison if i % 4 else people.head, title=f"消息{i}", kind=MessageKind.REMINDER)
            for i in range(count)
        )

    send(14)
    client.get("/api/inbox")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/inbox").json()["count"] == 10
    send(67)
    with CaptureQueriesContext(connection) as large:
        body = client.get("/api/inbox").json()
    assert (body["count"], len(body["items"])) == (60, 60)
    assert len(large) == len(small)

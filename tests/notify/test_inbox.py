"""The inbox pages: each person sees, opens and clears only their own messages."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from duban.notify.context import inbox as inbox_context
from duban.notify.models import Message, MessageKind
from duban.notify.selectors import messages_for, unread_count
from duban.notify.services import message_send

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
INBOX = "/inbox/"


@pytest.fixture
def mail(people):
    """Three messages for 钱联络 (one read), one for 赵处长."""
    with time_machine.travel(NOW, tick=False):
        old = message_send(recipients=[people.liaison], title="旧通知", body="已读过", kind=MessageKind.SYSTEM)[0]
        old.read_at = NOW
        old.save()
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        reminder = message_send(
            recipients=[people.liaison],
            title="自动提醒：“实验室建设项目”还有 10 天到期",
            body="完成时限是 2026年12月31日。",
            url="/supervision/items/7/",
            kind=MessageKind.REMINDER,
        )[0]
        review = message_send(recipients=[people.liaison], title="进展报告被退回", kind=MessageKind.REVIEW)[0]
        head = message_send(recipients=[people.head], title="延期申请待审批", kind=MessageKind.TASK)[0]
    return {"old": old, "reminder": reminder, "review": review, "head": head}


def test_urls():
    assert reverse("notify:inbox") == INBOX
    assert reverse("notify:read_all") == "/inbox/read-all/"
    assert reverse("notify:open", args=[5]) == "/inbox/5/"


@pytest.mark.parametrize("url", [INBOX, "/inbox/1/"])
def test_anonymous_people_sign_in_first(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_anonymous_cannot_mark_read(client, db):
    response = client.post("/inbox/read-all/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_inbox_lists_own_messages_newest_first(people, mail, client_for):
    with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
        response = client_for(people.liaison).get(INBOX)
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert [m.pk for m in page] == [mail["review"].pk, mail["reminder"].pk, mail["old"].pk]
    assert (response.context["total"], response.context["unread"]) == (3, 2)
    html = response.content.decode()
    assert "延期申请待审批" not in html  # 赵处长's message
    assert '<span class="db-tag db-tag-yellow">自动提醒</span>' in html
    assert f'href="/inbox/{mail["reminder"].pk}/"' in html
    assert "11月2日 18:00" in html  # 10:00 UTC in Asia/Shanghai
    assert "完成时限是 2026年12月31日。" in html
    assert "全部标为已读" in html
    assert "style=" not in html and "<script>" not in html and "onclick" not in html


def test_the_unread_filter(people, mail, client_for):
    response = client_for(people.liaison).get(INBOX + "?show=unread")
    assert [m.pk for m in response.context["page_obj"]] == [mail["review"].pk, mail["reminder"].pk]
    assert 'aria-current="page">未读' in response.content.decode()


def test_pagination_by_thirty(people, client_for):
    message_send(recipients=[people.liaison], title="x")
    for n in range(31):
        Message.objects.create(recipient=people.liaison, title=f"消息{n}")
    client = client_for(people.liaison)
    assert len(client.get(INBOX).context["page_obj"]) == 30
    assert len(client.get(INBOX + "?page=2").context["page_obj"]) == 2


@pytest.mark.parametrize(("show", "text"), [("", "还没有消息"), ("unread", "没有未读消息")])
def test_empty_states(people, client_for, show, text):
    html = client_for(people.staff).get(INBOX + (f"?show={show}" if show else "")).content.decode()
    assert text in html
    assert "全部标为已读" not in html


def test_every_persona_has_an_inbox(people, client_for):
    for person in (people.norole, people.sys_admin, people.leader):
        assert client_for(person).get(INBOX).status_code == 200


def test_opening_a_message_marks_it_read_and_follows_its_link(people, mail, client_for):
    response = client_for(people.liaison).get(f"/inbox/{mail['reminder'].pk}/")
    assert response.status_code == 302
    assert response.url == "/supervision/items/7/"
    mail["reminder"].refresh_from_db()
    assert mail["reminder"].read_at is not None
    assert Message.objects.get(pk=mail["review"].pk).read_at is None


def test_a_message_without_link_returns_to_the_inbox(people, mail, client_for):
    response = client_for(people.liaison).get(f"/inbox/{mail['review'].pk}/")
    assert response.url == INBOX
    assert Message.objects.get(pk=mail["review"].pk).read_at is not None


def test_opening_keeps_the_first_read_time(people, mail, client_for):
    client_for(people.liaison).get(f"/inbox/{mail['old'].pk}/")
    assert Message.objects.get(pk=mail["old"].pk).read_at == NOW


def test_an_outside_link_is_not_followed(people, client_for):
    message = Message.objects.create(recipient=people.liaison, title="x", url="https://evil.example/")
    assert client_for(people.liaison).get(f"/inbox/{message.pk}/").url == INBOX


def test_only_the_recipient_may_open_a_message(people, mail, client_for):
    for person in (people.head, people.office, people.sys_admin):
        assert client_for(person).get(f"/inbox/{mail['reminder'].pk}/").status_code == 404
    assert Message.objects.get(pk=mail["reminder"].pk).read_at is None
    assert client_for(people.liaison).get("/inbox/999999/").status_code == 404


def test_mark_all_read_touches_only_own_messages(people, mail, client_for):
    client = client_for(people.liaison)
    assert client.get("/inbox/read-all/").status_code == 405
    response = client.post("/inbox/read-all/", {"show": "unread"})
    assert response.status_code == 302
    assert response.url == "/inbox/?show=unread"
    assert unread_count(people.liaison) == 0
    assert unread_count(people.head) == 1
    assert "已将 2 条消息标为已读。" in client.get(INBOX).content.decode()


def test_selectors(people, mail):
    assert list(messages_for(people.liaison, unread_only=True)) == [mail["review"], mail["reminder"]]
    assert unread_count(AnonymousUser()) == 0
    assert unread_count(None) == 0


def test_context_processor_counts_lazily(people, mail, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert inbox_context(request) == {"inbox_unread": 0}
    request.user = people.liaison
    with django_assert_num_queries(0):
        context = inbox_context(request)
    with django_assert_num_queries(1):
        assert context["inbox_unread"] == 2
        assert context["inbox_unread"] > 1

"""接受职工监督: staff send feedback (anonymously if allowed, rate-limited); the office
replies, turns it into a finding or dismisses it."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.notify.models import Message
from duban.rectification.models import Feedback, FeedbackState, Finding, RectificationPlan, Severity
from duban.rectification.services import Refused
from duban.rectification.services.feedback import (
    ERR_CLOSED,
    ERR_EMPTY,
    ERR_FINDING,
    ERR_HANDLED,
    ERR_LIMIT,
    ERR_NO_ANONYMOUS,
    ERR_NO_REPLY,
    ERR_NOT_DISCLOSED,
    feedback_convert,
    feedback_dismiss,
    feedback_reply,
    feedback_send,
    sender_key,
)
from tests.rectification.conftest import FROZEN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def open_plan(rect):
    RectificationPlan.objects.filter(pk=rect.plan.pk).update(disclosed=True, feedback_daily_limit=2)
    return rect


def send(rect, person, text="建议公开整改台账", **kwargs):
    return feedback_send(acting_user=person, plan=rect.plan, text=text, **kwargs)


# --- Sending -------------------------------------------------------------------------------


def test_staff_send_from_the_page(open_plan, people, client_for):
    url = reverse("rectification:feedback_send", args=[open_plan.plan.pk])
    response = client_for(people.staff).post(url, {"finding": open_plan.f1.pk, "text": "组织生活会记录应当公开"})
    assert response.status_code == 302 and response["Location"].endswith("#feedback")
    feedback = Feedback.objects.get()
    assert feedback.sender == people.staff and not feedback.anonymous and feedback.finding == open_plan.f1
    assert feedback.state == FeedbackState.NEW and feedback.sent_on == open_plan.today
    assert Message.objects.filter(recipient=people.office, title__contains="收到职工意见").exists()


def test_page_preselects_the_finding(open_plan, people, client_for):
    url = reverse("rectification:disclosure_page", args=[open_plan.plan.pk]) + f"?finding={open_plan.f2.pk}"
    html = client_for(people.staff).get(url).content.decode()
    assert f'<option value="{open_plan.f2.pk}" selected>' in html


def test_empty_text_shows_an_error_on_the_page(open_plan, people, client_for):
    url = reverse("rectification:feedback_send", args=[open_plan.plan.pk])
    response = client_for(people.staff).post(url, {"text": "  "})
    assert response.status_code == 400 and "请填写意见内容。" in response.content.decode()
    assert not Feedback.objects.exists()


def test_rate_limit_per_day(open_plan, people, client_for):
    send(open_plan, people.staff)
    send(open_plan, people.staff, anonymous=True)  # anonymous ones count too
    with pytest.raises(Refused, match=ERR_LIMIT.format(limit=2)):
        send(open_plan, people.staff)
    url = reverse("rectification:feedback_send", args=[open_plan.plan.pk])
    response = client_for(people.staff).post(url, {"text": "第三条"})
    assert ERR_LIMIT.format(limit=2) in response.content.decode()
    send(open_plan, people.head)  # another person has their own limit
    with time_machine.travel(FROZEN + datetime.timedelta(days=1), tick=False):
        send(open_plan, people.staff)
    assert Feedback.objects.count() == 4


def test_anonymous_not_allowed(open_plan, people, client_for):
    RectificationPlan.objects.filter(pk=open_plan.plan.pk).update(feedback_anonymous=False)
    with pytest.raises(Refused, match=ERR_NO_ANONYMOUS):
        send(open_plan, people.staff, anonymous=True)
    client = client_for(people.staff)
    html = client.get(reverse("rectification:disclosure_page", args=[open_plan.plan.pk])).content.decode()
    assert "匿名提交" not in html
    # A stale page still ticking 匿名 is refused, not sent with a name.
    response = client.post(
        reverse("rectification:feedback_send", args=[open_plan.plan.pk]), {"text": "意见", "anonymous": "on"}
    )
    assert "该整改方案不接受匿名意见" in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    "setup, kwargs, message",
    [
        ({"disclosed": False}, {}, ERR_NOT_DISCLOSED),
        ({"feedback_open": False}, {}, ERR_CLOSED),
        ({}, {"text": "   "}, ERR_EMPTY),
    ],
)
def test_send_guards(open_plan, people, setup, kwargs, message):
    RectificationPlan.objects.filter(pk=open_plan.plan.pk).update(**setup)
    with pytest.raises(Refused, match=message):
        send(open_plan, people.staff, **kwargs)


def test_withheld_finding_cannot_be_commented(open_plan, people):
    Finding.objects.filter(pk=open_plan.f1.pk).update(disclosed=False)
    open_plan.f1.refresh_from_db()
    with pytest.raises(Refused, match=ERR_FINDING):
        send(open_plan, people.staff, finding=open_plan.f1)


@pytest.mark.parametrize("persona", ["sys_admin", "sec_admin", "audit_admin", "norole"])
def test_no_business_role_cannot_send(open_plan, people, client_for, persona):
    with pytest.raises(PermissionDenied):
        send(open_plan, getattr(people, persona))
    url = reverse("rectification:feedback_send", args=[open_plan.plan.pk])
    assert client_for(getattr(people, persona)).post(url, {"text": "x"}).status_code == 403


def test_send_view_refuses_get_and_undisclosed(rect, people, client_for):
    url = reverse("rectification:feedback_send", args=[rect.plan.pk])
    assert client_for(people.staff).get(url).status_code == 405
    assert client_for(people.staff).post(url, {"text": "x"}).status_code == 404
    assert Client().post(url, {"text": "x"}).status_code == 302


# --- Anonymity --------------------------------------------------------------------------------


def test_anonymous_hides_the_sender_from_the_office_but_not_from_themselves(open_plan, people, client_for):
    url = reverse("rectification:feedback_send", args=[open_plan.plan.pk])
    client_for(people.staff).post(url, {"text": "食堂问题整改不到位", "anonymous": "on"})
    feedback = Feedback.objects.get()
    assert feedback.anonymous and feedback.sender is None and feedback.sender_key == sender_key(people.staff)
    office = client_for(people.office)
    for page in (reverse("rectification:feedback_queue"), reverse("rectification:feedback_handle", args=[feedback.pk])):
        html = office.get(page).content.decode()
        assert "食堂问题整改不到位" in html and "匿名" in html and "吴职工" not in html
    mine = client_for(people.staff).get(reverse("rectification:my_feedback")).content.decode()
    assert "食堂问题整改不到位" in mine
    other = client_for(people.head).get(reverse("rectification:my_feedback")).content.decode()
    assert "食堂问题整改不到位" not in other


def test_named_feedback_shows_the_sender_to_the_office(open_plan, people, client_for):
    send(open_plan, people.staff, text="署名意见")
    html = client_for(people.office).get(reverse("rectification:feedback_queue")).content.decode()
    assert "吴职工" in html


# --- Triage -----------------------------------------------------------------------------------


def test_reply_is_shown_to_the_sender(open_plan, people, client_for):
    feedback = send(open_plan, people.staff, anonymous=True)
    url = reverse("rectification:feedback_handle", args=[feedback.pk])
    response = client_for(people.office).post(url, {"action": "reply", "reply": "感谢监督，已督促整改。"})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.REPLIED and feedback.handled_by == people.office
    mine = client_for(people.staff).get(reverse("rectification:my_feedback")).content.decode()
    assert "感谢监督，已督促整改。" in mine and "已答复" in mine
    # Anonymous: no inbox message (nobody to send it to); named: a message.
    named = send(open_plan, people.head)
    feedback_reply(acting_user=people.office, feedback=named, reply="已收到")
    assert Message.objects.filter(recipient=people.head, title="您的意见已答复").exists()


def test_handled_feedback_cannot_be_handled_again(open_plan, people):
    feedback = send(open_plan, people.staff)
    feedback_reply(acting_user=people.office, feedback=feedback, reply="好")
    with pytest.raises(Refused, match=ERR_HANDLED):
        feedback_dismiss(acting_user=people.office, feedback=feedback, reply="不")
    with pytest.raises(Refused, match=ERR_HANDLED):
        feedback_convert(acting_user=people.office, feedback=feedback, finding=Finding(category="c", description="d"))


def test_reply_and_dismiss_need_text(open_plan, people, client_for):
    feedback = send(open_plan, people.staff)
    with pytest.raises(Refused, match=ERR_NO_REPLY):
        feedback_reply(acting_user=people.office, feedback=feedback, reply=" ")
    with pytest.raises(Refused, match=ERR_NO_REPLY):
        feedback_dismiss(acting_user=people.office, feedback=feedback, reply="")
    url = reverse("rectification:feedback_handle", args=[feedback.pk])
    response = client_for(people.office).post(url, {"action": "dismiss", "reason": ""})
    assert "请填写不予采纳的理由。" in response.content.decode()
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.NEW


def test_dismiss_with_reason(open_plan, people, client_for):
    feedback = send(open_plan, people.staff)
    url = reverse("rectification:feedback_handle", args=[feedback.pk])
    client_for(people.office).post(url, {"action": "dismiss", "reason": "不属于本次整改范围"})
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.DISMISSED and feedback.reply == "不属于本次整改范围"


def test_convert_into_a_finding(open_plan, people, client_for, org):
    feedback = send(open_plan, people.staff, text="实验室安全台账不全", finding=open_plan.f1)
    client = client_for(people.office)
    url = reverse("rectification:feedback_handle", args=[feedback.pk])
    form = client.get(url).content.decode()
    assert "实验室安全台账不全</textarea>" in form and 'value="基层党建"' in form  # prefilled
    assert 'id="id_f-units" class="form-check-input"' not in form  # a list of checkboxes, not one
    assert "第一联络组" not in form  # liaison groups are not units a problem concerns
    response = client.post(
        url,
        {
            "action": "convert",
            "f-category": "安全管理",
            "f-severity": Severity.SERIOUS,
            "f-description": "实验室安全台账不全，需补齐",
            "f-units": [org.academic.pk],
            "f-public_summary": "实验室安全台账需补齐",
            "f-disclosed": "on",
        },
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    finding = feedback.created_finding
    assert feedback.state == FeedbackState.CONVERTED and finding.origin_feedback == feedback
    assert finding.plan_id == open_plan.plan.pk and finding.ordinal == 3
    assert list(finding.units.all()) == [org.academic] and finding.public_summary == "实验室安全台账需补齐"
    page = client.get(url).content.decode()
    assert reverse("rectification:finding_detail", args=[finding.pk]) in page
    assert (
        "已纳入整改台账（问题3）" in client_for(people.staff).get(reverse("rectification:my_feedback")).content.decode()
    )


def test_convert_refuses_a_name_in_the_public_summary(open_plan, people, client_for):
    feedback = send(open_plan, people.staff)
    url = reverse("rectification:feedback_handle", args=[feedback.pk])
    response = client_for(people.office).post(
        url,
        {
            "action": "convert",
            "f-category": "作风",
            "f-severity": Severity.GENERAL,
            "f-description": "d",
            "f-public_summary": "赵处长作风问题",
        },
    )
    assert "公开摘要含有人名“赵处长”" in response.content.decode()
    assert Finding.objects.count() == 2


@pytest.mark.parametrize("persona", ["leader", "head", "liaison", "taskforce", "discipline", "staff"])
def test_triage_is_the_office_only(open_plan, people, client_for, persona):
    feedback = send(open_plan, people.staff)
    person = getattr(people, persona)
    with pytest.raises(PermissionDenied):
        feedback_reply(acting_user=person, feedback=feedback, reply="x")
    client = client_for(person)
    assert client.get(reverse("rectification:feedback_queue")).status_code == 403
    handle = reverse("rectification:feedback_handle", args=[feedback.pk])
    assert client.get(handle).status_code == 403
    assert client.post(handle, {"action": "reply", "reply": "x"}).status_code == 403
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.NEW


@pytest.mark.parametrize(
    "persona, status",
    [("office", 200), ("staff", 200), ("leader", 200), ("sys_admin", 403), ("norole", 403)],
)
def test_my_feedback_per_persona(people, client_for, persona, status):
    assert client_for(getattr(people, persona)).get(reverse("rectification:my_feedback")).status_code == status


def test_anonymous_visitor_is_sent_to_login(open_plan):
    for url in (
        reverse("rectification:my_feedback"),
        reverse("rectification:feedback_queue"),
        reverse("rectification:feedback_handle", args=[1]),
    ):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_queue_new_first_and_filters(open_plan, people, client_for):
    old = send(open_plan, people.staff, text="早先的意见")
    feedback_reply(acting_user=people.office, feedback=old, reply="已答复")
    send(open_plan, people.head, text="新的意见")
    client = client_for(people.office)
    html = client.get(reverse("rectification:feedback_queue")).content.decode()
    assert html.index("新的意见") < html.index("早先的意见")
    html = client.get(reverse("rectification:feedback_queue") + "?state=replied").content.decode()
    assert "早先的意见" in html and "新的意见" not in html
    html = client.get(reverse("rectification:feedback_queue") + "?plan=99999").content.decode()
    assert "没有符合条件的职工意见" in html


def test_queue_query_count_is_flat(open_plan, people, client_for):
    RectificationPlan.objects.filter(pk=open_plan.plan.pk).update(feedback_daily_limit=50)
    client = client_for(people.office)
    url = reverse("rectification:feedback_queue")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    send(open_plan, people.staff, finding=open_plan.f1)
    send(open_plan, people.head, anonymous=True)
    few = count()
    for i in range(8):
        send(open_plan, people.liaison if i % 2 else people.leader, text=f"意见{i}", finding=open_plan.f2)
    assert count() == few


# --- The findings select, rendered in Python ---------------------------------------------


@pytest.mark.parametrize("value", [None, "", 2, "2", "999"])
def test_quick_select_is_djangos_select(value):
    """The same HTML as Django's Select (but for the blank lines between options), escaping
    included, for every selection."""
    from django import forms
    from django.utils.translation import gettext_lazy

    from duban.rectification.forms_disclosure import QuickSelect

    choices = [
        ("", gettext_lazy("整体意见（不针对具体问题）")),
        (1, '<b>"党建" & 作风</b>'),
        (2, "干部 选拔'任用"),
        (3, "三"),
    ]
    attrs = {"id": "id_finding", "class": "form-select", "data-x": '"q"'}
    quick, plain = QuickSelect(attrs=dict(attrs)), forms.Select(attrs=dict(attrs))
    quick.choices = plain.choices = choices
    html = quick.render("finding", value, {"required": False})
    assert squeeze(html) == squeeze(plain.render("finding", value, {"required": False}))
    assert html.count("<option") == 4 and html.count(" selected") == (1 if value in ("", None, 2, "2") else 0)


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html))


def test_quick_select_leaves_grouped_choices_to_django():
    from django import forms

    from duban.rectification.forms_disclosure import QuickSelect

    choices = [("组一", [(1, "甲"), (2, "乙")]), (3, "丙")]
    quick, plain = QuickSelect(), forms.Select()
    quick.choices = plain.choices = choices
    assert quick.render("f", 2) == plain.render("f", 2) and "<optgroup" in quick.render("f", 2)

"""Staff see the rectification progress without names and send anonymous feedback; the
office replies; the anonymous public page shows the same progress."""

import re

import pytest
import time_machine
from playwright.sync_api import expect

from duban.org.models import Person
from duban.rectification.models import Feedback, FeedbackState
from duban.rectification.services.disclosure import disclosure_save
from tests.conftest import PASSWORD
from tests.rectification import conftest as rectification_fixtures
from tests.rectification.conftest import FROZEN
from tests.rectification.test_disclosure import close

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
rect = rectification_fixtures.rect  # the plan in mid-course of the rectification tests


def login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_staff_page_feedback_and_public_page(live_server, page_factory, shot, rect, people):
    with time_machine.travel(FROZEN, tick=False):
        close(rect.at_once, people.outsider, {"statement": "已纠正"}, people, rect.today)
    rect.profile.disclosed = rect.profile.public_page = True
    disclosure_save(acting_user=people.office, profile=rect.profile)
    names = list(Person.objects.values_list("name", flat=True))

    staff = page_factory()
    login(staff, live_server.url, "staff")
    staff.goto(live_server.url + "/rectification/disclosure/")
    staff.get_by_role("link", name="2026年巡视整改方案").click()
    expect(staff.get_by_role("heading", name="2026年巡视整改方案")).to_be_visible()
    expect(staff.locator("[data-chart] canvas")).to_have_count(1)
    content = staff.locator("main").inner_text()
    assert not [n for n in names if n in content]
    shot(staff, "rect-disclosure-staff-page")
    staff.get_by_role("link", name="提意见").nth(1).click()  # the first row's link
    staff.get_by_label("意见内容").fill("组织生活会的整改情况建议在支部内通报")
    staff.get_by_label("匿名提交").check()
    staff.get_by_role("button", name="提交意见").click()
    expect(staff.get_by_text(re.compile("意见已提交"))).to_be_visible()
    feedback = Feedback.objects.get()
    assert feedback.anonymous and feedback.finding_id == rect.f1.pk and feedback.sender_id is None
    assert staff.console_errors == [], staff.console_errors

    office = page_factory()
    login(office, live_server.url, "office")
    office.goto(live_server.url + "/rectification/feedback/")
    expect(office.get_by_text("匿名").first).to_be_visible()
    shot(office, "rect-feedback-queue")
    office.get_by_role("link", name="处理").click()
    shot(office, "rect-feedback-handle")
    office.get_by_label("答复内容").fill("感谢监督，已请机关党委在支部内通报。")
    office.get_by_role("button", name="发送答复").click()
    expect(office.get_by_text("已答复，提意见的职工会收到通知。")).to_be_visible()
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.REPLIED
    office.goto(live_server.url + f"/rectification/plans/{rect.plan.pk}/disclosure/")
    shot(office, "rect-disclosure-settings")

    staff.goto(live_server.url + "/rectification/my-feedback/")
    expect(staff.get_by_text("感谢监督，已请机关党委在支部内通报。")).to_be_visible()
    shot(staff, "rect-my-feedback")

    public = page_factory(390, 844)
    public.goto(live_server.url + f"/rectification/public/{rect.profile.public_token}/")
    expect(public.get_by_role("heading", name="2026年巡视整改方案")).to_be_visible()
    assert not [n for n in names if n in public.content()]
    shot(public, "rect-disclosure-public-phone")
    assert public.console_errors == [], public.console_errors

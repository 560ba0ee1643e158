"""Seed 003 in a browser: 陈副处 (副处级, 教务处) asks to travel and 赵处长 approves; 赵处长
(正处级) asks to travel, it goes to 刘副校长, who approves, and 韩党办 of 党委办公室 finds the
notice in the inbox. Screenshots under var/screenshots/ (leave-…)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from duban.leave.defaults import install_defaults
from duban.leave.models import AbsenceRequest, AbsenceStatus, AbsenceType, ChainRule, ChainStep
from duban.meetings.models import Invitation, Meeting, MeetingKind, MeetingStatus
from tests.browser.test_assessment_office import sign_in
from tests.leave.conftest import away  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


def fill_request(page, start, end, destination, reason):
    page.get_by_label("类型").select_option(label="出差")
    page.get_by_label("开始日期").fill(start.isoformat())
    page.get_by_label("结束日期").fill(end.isoformat())
    page.get_by_label("目的地").fill(destination)
    page.get_by_label("事由").fill(reason)
    settle(page)


def settle(page):
    """Wait until no preview request is in flight: the live test server shares one in-memory
    SQLite connection between its threads, so a preview racing the submit would collide there."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_travel_requests_follow_seed_003(live_server, page_factory, shot, org, people, away):  # noqa: F811
    # A transactional test starts from an empty database: put the default chains back.
    install_defaults(AbsenceType, ChainRule, ChainStep)
    base = live_server.url
    monday = next_monday()
    starts_at = timezone.make_aware(datetime.datetime.combine(monday + datetime.timedelta(days=1), datetime.time(9)))
    meeting = Meeting.objects.create(
        title="第十二次重点工作调度会",
        kind=MeetingKind.SCHEDULING,
        status=MeetingStatus.ANNOUNCED,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        place="行政楼第一会议室",
        host_unit=org.office,
        organiser=people.office,
        created_by=people.office,
    )
    Invitation.objects.create(meeting=meeting, person=away.deputy)

    # 1. 陈副处 asks to travel; the form shows the working days, the chain and the meeting clash.
    page = sign_in(page_factory, base, "deputy")
    page.goto(base + "/leave/")
    expect(page.get_by_text("还没有请假或出差申请")).to_be_visible()
    page.get_by_role("link", name="新建申请").first.click()
    fill_request(page, monday, monday + datetime.timedelta(days=2), "北京", "参加全国高校教务处长会议")
    preview = page.locator("#leave-preview")
    expect(preview.get_by_text("与会议《第十二次重点工作调度会》")).to_be_visible()
    expect(preview.get_by_text("本单位负责人审批")).to_be_visible()
    expect(preview.get_by_text("赵处长")).to_be_visible()
    shot(page, "leave-01-form-with-warnings")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("申请已提交。")).to_be_visible()
    expect(page.locator("h1").get_by_text("审批中")).to_be_visible()
    assert page.console_errors == []

    # 2. 赵处长 approves it from his task list.
    head = sign_in(page_factory, base, "head")
    head.goto(base + "/leave/tasks/")
    row = head.get_by_role("row").filter(has_text="陈副处")
    expect(row).to_be_visible()
    shot(head, "leave-02-task-list")
    row.get_by_role("button", name="同意", exact=True).click()
    expect(head.get_by_text("已同意。")).to_be_visible()
    assert AbsenceRequest.objects.get(person=away.deputy).status == AbsenceStatus.APPROVED

    # 3. 赵处长 (正处级) asks to travel himself: it goes to 刘副校长, the office is told afterwards.
    head.goto(base + "/leave/new/")
    later = monday + datetime.timedelta(days=7)
    fill_request(head, later, later + datetime.timedelta(days=1), "上海", "赴兄弟院校调研教学改革")
    expect(head.locator("#leave-preview").get_by_text("主管领导审批")).to_be_visible()
    expect(head.locator("#leave-preview").get_by_text("办公室告知")).to_be_visible()
    head.get_by_role("button", name="提交申请").click()
    expect(head.get_by_text("申请已提交。")).to_be_visible()
    absence = AbsenceRequest.objects.get(person=people.head)

    # 4. 刘副校长 approves on the detail page.
    vp = sign_in(page_factory, base, "vp")
    vp.goto(base + "/leave/tasks/")
    vp.get_by_role("link", name="出差", exact=True).click()
    expect(vp).to_have_url(re.compile(rf"/leave/{absence.pk}/$"))
    expect(vp.get_by_text("请您办理：主管领导审批")).to_be_visible()
    vp.get_by_label("意见").fill("同意，注意安全")
    vp.get_by_role("button", name="同意", exact=True).click()
    expect(vp.get_by_text("已同意。")).to_be_visible()
    expect(vp.locator("h1").get_by_text("已批准")).to_be_visible()
    expect(vp.get_by_text("刘副校长：同意，注意安全")).to_be_visible()
    shot(vp, "leave-03-detail-timeline")
    assert vp.console_errors == []

    # 5. 韩党办 of 党委办公室 finds the notice in the inbox.
    clerk = sign_in(page_factory, base, "officeclerk")
    clerk.goto(base + "/inbox/")
    expect(clerk.get_by_text(re.compile("告知：赵处长 · 出差"))).to_be_visible()
    shot(clerk, "leave-04-office-inbox")

"""A meeting in the browser: an invitee asks for leave and the organiser approves it; another
invitee signs in on a phone by the door's QR link; the clerk ticks a name (HTMX), closes the
meeting, records a decision and turns it into an item; the statistics. Screenshots under
var/screenshots/ (meet-att-…)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from duban.meetings.models import Attendance, Decision, Invitation, MeetingStatus
from tests.conftest import PASSWORD
from tests.meetings.conftest import meeting  # noqa: F401
from tests.supervision.conftest import work  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page_factory, base, username, **size):
    page = page_factory(**size)
    page.goto(base + "/accounts/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


def test_leave_sign_in_and_decisions(live_server, page_factory, shot, meeting, people, org, work):  # noqa: F811
    m = meeting.meeting
    now = timezone.now()
    m.starts_at, m.ends_at, m.late_after_minutes = (
        now - datetime.timedelta(minutes=5),
        now + datetime.timedelta(hours=2),
        15,
    )
    m.save()
    base = live_server.url

    # 1. 赵处长 asks for leave.
    head = sign_in(page_factory, base, "head")
    head.goto(f"{base}/meetings/{m.pk}/leave/")
    head.get_by_label("请假事由").fill("赴京参加教育部本科教学工作会议")
    shot(head, "meet-att-01-leave-form")
    head.get_by_role("button", name="提交请假申请").click()
    expect(head.get_by_text("请假申请已提交")).to_be_visible()
    expect(head.get_by_test_id("my-leave")).to_contain_text("请假申请待审批")

    # 2. The organiser approves it on the attendance page.
    office = sign_in(page_factory, base, "office")
    office.goto(f"{base}/meetings/{m.pk}/attendance/")
    expect(office.locator("#leaves")).to_contain_text("赴京参加教育部本科教学工作会议")
    office.get_by_role("button", name="准假", exact=True).click()
    expect(office.get_by_text("已准假。")).to_be_visible()
    expect(office.locator(f"#att-{meeting.head.pk} [data-testid=attendance]")).to_contain_text("请假")

    # 3. The door page shows the QR code and the live count.
    office.goto(f"{base}/meetings/{m.pk}/door/")
    expect(office.get_by_test_id("door-qr")).to_be_visible()
    assert office.get_by_test_id("door-qr").evaluate("img => img.naturalWidth") > 100
    expect(office.get_by_test_id("door-count")).to_have_text("0")
    shot(office, "meet-att-02-door")

    # 4. 钱联络 scans the code with a phone and signs in.
    phone = sign_in(page_factory, base, "liaison", width=390, height=844)
    phone.goto(f"{base}/meetings/{m.pk}/sign-in/{m.sign_in_token}/")
    shot(phone, "meet-att-03-phone-confirm")
    phone.get_by_role("button", name="确认签到").click()
    expect(phone.get_by_test_id("sign-in-result")).to_contain_text("签到成功")
    shot(phone, "meet-att-04-phone-done")
    expect(office.get_by_test_id("door-count")).to_have_text("1", timeout=8000)

    # 5. The clerk ticks 郑外单位 absent (the row is swapped in place) and sees 钱联络 present.
    office.goto(f"{base}/meetings/{m.pk}/attendance/")
    expect(office.locator(f"#att-{meeting.liaison.pk} [data-testid=attendance]")).to_contain_text("出席")
    office.locator(f"#att-{meeting.outsider.pk}").get_by_role("button", name="缺席").click()
    expect(office.locator(f"#att-{meeting.outsider.pk} [data-testid=attendance]")).to_contain_text("缺席")
    expect(office.locator("#att-summary")).to_contain_text("缺席")
    shot(office, "meet-att-05-attendance")
    assert Invitation.objects.get(pk=meeting.outsider.pk).attendance == Attendance.ABSENT

    # 6. Close the meeting.
    office.get_by_role("button", name="结束会议").click()
    expect(office.get_by_text("会议已结束：未签到的人员已记为缺席")).to_be_visible()
    m.refresh_from_db()
    assert m.status == MeetingStatus.CLOSED

    # 7. Minutes and a decision, turned into an item.
    office.goto(f"{base}/meetings/{m.pk}/decisions/")
    office.get_by_label("会议纪要").fill("会议听取了各单位重点工作推进情况汇报，研究部署下一阶段工作。")
    office.locator("#id_d-0-text").fill("教务处牵头完成新版人才培养方案修订。年底前报校长办公会审议。")
    office.locator("#id_d-0-lead_unit").select_option(value=str(org.academic.pk))
    office.locator("#id_d-0-due_date").fill("2026-12-20")
    office.locator("#id_d-1-text").fill("各单位进一步压实责任，按月报送进展。")
    office.get_by_role("button", name="保存纪要和决定事项").click()
    expect(office.get_by_text("会议纪要和决定事项已保存")).to_be_visible()
    decision = Decision.objects.get(order=1)
    office.locator(f"#to-item-{decision.pk}").check()
    office.get_by_label("加入督办计划").select_option(value=str(work.plan.pk))
    office.get_by_label("开始日期").fill("2026-11-10")
    office.locator("#to-items").get_by_role("button", name="转为督办事项").click()
    expect(office.get_by_text("已转为 1 项督办事项")).to_be_visible()
    expect(office.get_by_role("link", name=re.compile("教务处牵头完成新版人才培养方案修订"))).to_be_visible()
    shot(office, "meet-att-06-decisions")

    # 8. Statistics for this year.
    office.goto(f"{base}/meetings/stats/")
    expect(office.get_by_test_id("unit-stats")).to_contain_text("教务处")
    expect(office.get_by_test_id("person-stats")).to_contain_text("郑外单位")
    shot(office, "meet-att-07-stats")

    for page in (head, office, phone):
        assert page.console_errors == []

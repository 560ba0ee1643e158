"""The away calendar in a browser: 教务处's month with travel, annual leave (one pending), a
holiday, and a vice president away this week. Screenshot var/screenshots/leave-calendar.png."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from duban.leave.defaults import install_defaults
from duban.leave.models import AbsenceStatus, AbsenceType, CalendarDay, ChainRule, ChainStep, LeaveSettings
from duban.org.models import Rank, Role
from tests.browser.test_assessment_office import sign_in
from tests.conftest import _person
from tests.leave.away_helpers import absence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_calendar_month(live_server, page_factory, shot, people, org):
    install_defaults(AbsenceType, ChainRule, ChainStep)
    LeaveSettings.objects.update_or_create(pk=1, defaults={"office_unit": org.office, "hr_unit": org.hr})
    vp = _person("vp", "刘副校长", org.school, [(Role.LEADER, org.academic)], Rank.SCHOOL)
    first = timezone.localdate().replace(day=1)
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())

    def day(n):
        return first + datetime.timedelta(days=n)

    CalendarDay.objects.get_or_create(date=day(14), defaults={"name": "节假日"})
    absence(people.head, "travel", day(2), day(5), destination="北京", reason="参加教学工作会议")
    absence(people.staff, "annual", day(9), day(13))
    absence(people.liaison, "personal", day(18), day(18), status=AbsenceStatus.PENDING)
    absence(people.staff, "sick", day(20), day(21))
    extra = _person("teacher", "孙老师", org.academic, [(Role.STAFF, org.academic)])
    absence(extra, "outing", day(6), day(6), destination="市教育局")
    absence(extra, "annual", day(23), day(26), status=AbsenceStatus.PENDING)
    absence(vp, "travel", monday, monday + datetime.timedelta(days=2), destination="上海")

    page = sign_in(page_factory, live_server.url, "head")
    page.goto(live_server.url + "/leave/calendar/")
    expect(page.get_by_role("heading", name="请假出差日历")).to_be_visible()
    expect(page.locator(".lv-leader")).to_contain_text("刘副校长")
    expect(page.locator(".lv-grid tbody tr")).to_have_count(4)
    expect(page.locator(".lv-cell.lv-pending").first).to_be_visible()
    assert "参加教学工作会议" in page.content()  # his own
    shot(page, "leave-calendar")
    page.get_by_role("link", name="下个月").click()
    expect(page.locator(".lv-month")).not_to_have_text(f"{first.year}年{first.month}月")

"""Seed 001 in a browser: the office sets up a 调度会 for the plan, invites the lead units and
generates the agenda; 钱联络 (教务处) edits and files the unit's material; the office downloads
the meeting pack and it holds every lead unit's report. Screenshots: var/screenshots/meetings-…"""

import datetime
import io
import re
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import expect

from duban.meetings.models import AgendaSlot, Meeting, MeetingStatus
from duban.meetings.pack import UNFILED
from duban.supervision.models import ProgressReport, ReportStatus
from tests.browser.test_assessment_office import sign_in
from tests.meetings.conftest import at
from tests.supervision.conftest import work  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def filed(item, progress, problems="", next_steps=""):
    start = datetime.date(2026, 11, 9)
    ProgressReport.objects.update_or_create(
        item=item,
        period_start=start,
        defaults={
            "period_end": start + datetime.timedelta(days=6),
            "due_date": start + datetime.timedelta(days=7),
            "status": ReportStatus.SUBMITTED,
            "progress_text": progress,
            "problems": problems,
            "next_steps": next_steps,
        },
    )


def test_office_runs_a_scheduling_meeting(live_server, page_factory, shot, people, org, work):  # noqa: F811
    filed(work.teaching, "完成方案论证", "经费不足", "启动建设")
    filed(work.talent, "引进教授两名", "住房紧张", "继续引进")
    base = live_server.url
    office = sign_in(page_factory, base, "office")

    # 1. Create the meeting.
    office.goto(base + "/meetings/")
    expect(office.get_by_text("近期没有要召开的会议")).to_be_visible()
    office.get_by_role("link", name="新建会议").first.click()
    office.get_by_label("会议类型").select_option("scheduling")
    office.get_by_label("会议名称").fill("2026年重点工作第一次调度会")
    office.get_by_label("会议日期").fill(at(4).date().isoformat())
    office.get_by_label("开始时间").fill("14:30")
    office.get_by_label("结束时间").fill("16:30")
    office.get_by_label("地点").fill("行政楼第一会议室")
    office.get_by_label("主持人").fill("李校长")
    office.get_by_label("调度计划").select_option(str(work.plan.pk))
    office.get_by_label("材料报送截止日期").fill(at(3).date().isoformat())
    office.get_by_label("会议议程").fill("各牵头单位汇报工作进展\n校领导讲话")
    shot(office, "meetings-01-form")
    office.get_by_role("button", name="创建会议").click()
    expect(office.get_by_text("会议已创建")).to_be_visible()
    meeting = Meeting.objects.get()

    # 2. Invite the lead units' heads and liaisons.
    office.get_by_role("link", name="参会人员").click()
    for unit in (org.academic, org.hr):
        office.get_by_label("参会单位").select_option(str(unit.pk))
        office.get_by_label("参会范围").select_option("heads_liaisons")
        office.get_by_role("button", name="添加单位").click()
        expect(office.get_by_text("已添加参会单位。")).to_be_visible()

    # 3. Generate the agenda from the plan, then announce.
    office.get_by_role("link", name="议程材料").click()
    office.get_by_role("button", name="按计划生成议程").click()
    expect(office.get_by_text("新增 2 个汇报单位")).to_be_visible()
    expect(office.get_by_text("预填未报送")).to_have_count(2)
    office.get_by_role("button", name="发出会议通知").click()
    expect(office.get_by_text("会议通知已发出，共通知 3 人。")).to_be_visible()
    assert Meeting.objects.get().status == MeetingStatus.ANNOUNCED
    shot(office, "meetings-02-detail")

    # 4. 钱联络 (教务处) edits and files the unit's material.
    liaison = sign_in(page_factory, base, "liaison")
    liaison.goto(f"{base}/meetings/")
    expect(liaison.get_by_text("2026年重点工作第一次调度会")).to_be_visible()
    shot(liaison, "meetings-03-list")
    liaison.get_by_role("link", name="2026年重点工作第一次调度会").click()
    liaison.get_by_role("button", name="参加", exact=True).click()
    expect(liaison.get_by_text("已回复：参加。")).to_be_visible()
    liaison.locator(".db-tabs").get_by_role("link", name="议程材料").click()
    liaison.get_by_role("link", name="填写报送").click()
    progress = liaison.get_by_label("工作进展")
    expect(progress).to_have_value(re.compile("本科教学质量提升工程：完成方案论证"))
    shot(liaison, "meetings-04-slot-form")
    progress.fill("（一）本科教学质量提升工程：方案已通过专家论证，进入建设阶段。")
    liaison.get_by_label("下一步计划").fill("（一）本科教学质量提升工程：12月底前完成首批课程建设。")
    liaison.get_by_role("button", name="报送").click()
    expect(liaison.get_by_text("材料已报送")).to_be_visible()
    slot = AgendaSlot.objects.get(meeting=meeting, unit=org.academic)
    assert slot.filed_by == people.liaison

    # 5. The office sees who has filed and downloads the pack.
    office.goto(f"{base}/meetings/{meeting.pk}/agenda/")
    expect(office.get_by_text("已报送 1 / 2")).to_be_visible()
    shot(office, "meetings-05-agenda")
    with office.expect_download() as download:
        office.get_by_role("link", name="下载会议材料").click()
    path = Path(download.value.path())
    assert download.value.suggested_filename.endswith(".docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(path.read_bytes())).paragraphs)
    assert "一、教务处" in text and "二、人事处" in text
    assert "方案已通过专家论证，进入建设阶段。" in text
    hr = text.split("二、人事处", 1)[1]
    assert UNFILED in hr and "（一）高层次人才引进：引进教授两名" in hr
    assert not office.console_errors and not liaison.console_errors

"""Seed 001 played in a browser: the office sets up the nine key projects from its Excel
ledger; a liaison files the weekly report and the unit head submits it; one project falls
behind pace and another runs past its deadline; the ladder fires; the office issues a
督办单; the dashboard and the battle map show it red; the weekly summary names the lagging
units. Screenshots are saved under var/screenshots/ (40-…)."""

import datetime
import json
import re
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from duban.notify.models import Message
from duban.org.demo import load_demo
from duban.org.models import Person
from duban.supervision.models import Item, Notice, ReportStatus, Status
from tests.browser.test_office_clerk import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROJECTS = [
    ("干部队伍建设提升工程", "组织部", "人事处", "deputysec"),
    ("高层次人才引进计划", "人事处", "航空运输系", "vp2"),
    ("本科教学审核评估迎评", "教务处", "航空乘务系", "vp1"),
    ("国有资产清查与处置", "国有资产管理处", "财务处", "vp2"),
    ("科研平台建设与项目申报", "科技处", "航空制造系", "vp1"),
    ("全面从严治党主体责任落实", "纪委办公室（纪监处）", "组织部", "jiwei"),
    ("智慧校园一期建设", "图文信息中心", "教务处", "vp1"),
    ("毕业生就业质量提升行动", "学生工作处（团委）", "航空乘务系", "vp3"),
    ("校园安全综合治理", "保卫处", "后勤管理处", "vp3"),
]


def ledger_file(today) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "督办台账"
    sheet.append(
        [
            "序号",
            "事项",
            "牵头单位",
            "责任单位",
            "帮包领导",
            "责任人",
            "时间节点",
            "完成时限",
            "进展情况",
            "状态",
            "备注",
        ]
    )
    due = today + datetime.timedelta(days=60)
    for n, (title, lead, co, patron) in enumerate(PROJECTS, start=1):
        head = Person.objects.filter(grants__role="unit_head", grants__unit__name=lead).first()
        sheet.append(
            [n, title, lead, co, Person.objects.get(username=patron).name, head.name, "", due.isoformat(), "", "", ""]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def set_dates(page, base, item, start, due):
    page.goto(f"{base}/supervision/items/{item.pk}/edit/")
    page.locator("#id_start_date").fill(start.isoformat())
    page.locator("#id_due_date").fill(due.isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text(f"事项“{item.title}”已保存。")).to_be_visible()


def test_seed_001_key_projects(live_server, page_factory, shot):
    load_demo()
    base = live_server.url
    today = timezone.localdate()

    # 1. The office creates the plan and imports its nine projects from the ledger it already keeps.
    office = page_factory()
    login(office, base, "office")
    office.get_by_role("link", name="督办计划").click()
    office.get_by_role("link", name="新建计划").click()
    office.get_by_label("名称").fill("2026年重点工作攻坚突破项目")
    office.get_by_label("类型").select_option(label="攻坚突破项目")
    office.get_by_label("年度").fill("2026")
    office.get_by_role("button", name="保存").click()
    expect(office.get_by_role("heading", name="2026年重点工作攻坚突破项目")).to_be_visible()
    office.get_by_role("link", name="导入台账").click()
    office.locator("input[type=file]").set_input_files(
        {"name": "台账.xlsx", "mimeType": "application/octet-stream", "buffer": ledger_file(today)}
    )
    office.get_by_role("button", name="上传并检查").click()
    expect(office.get_by_role("button", name="确认导入")).to_be_visible()
    shot(office, "40-ledger-import-preview")
    office.get_by_role("button", name="确认导入").click()
    assert Item.objects.count() == 9

    # 2. Two projects started months ago: one has no progress (behind pace), one is past its deadline.
    talent = Item.objects.get(title="高层次人才引进计划")
    assets = Item.objects.get(title="国有资产清查与处置")
    set_dates(office, base, talent, today - datetime.timedelta(weeks=10), today + datetime.timedelta(weeks=6))
    set_dates(office, base, assets, today - datetime.timedelta(weeks=12), today - datetime.timedelta(days=3))

    # 3. The 教务处 liaison files this week's report; the unit head submits it; the office accepts it.
    teaching = Item.objects.get(title="本科教学审核评估迎评")
    liaison = page_factory(390, 844)
    login(liaison, base, "liaison")
    liaison.get_by_role("link", name="本科教学审核评估迎评").first.click()
    liaison.get_by_label("工作进展").fill("完成自评报告初稿，召开评建工作推进会。")
    liaison.get_by_label("存在问题").fill("部分教学档案不全。")
    liaison.get_by_label("下一步计划").fill("补齐档案，组织专家预评。")
    liaison.get_by_label("完成进度（%）").fill("20")
    shot(liaison, "41-liaison-files-report-phone")
    liaison.get_by_role("button", name="保存，交单位负责人提交").click()
    expect(liaison.get_by_text("报告已保存，待单位负责人提交。")).to_be_visible()
    head = page_factory()
    login(head, base, "unithead")
    head.goto(f"{base}{teaching.get_absolute_url()}")
    head.get_by_role("button", name="提交").click()
    expect(head.get_by_text("报告已提交督查办审核。")).to_be_visible()
    office.get_by_role("link", name="待审核").click()
    office.get_by_role("link", name="从第一份开始审核").click()
    office.get_by_label("采纳").check()
    office.get_by_role("button", name="提交审核结果").click()
    assert teaching.reports.filter(status=ReportStatus.ACCEPTED).count() == 1

    # 4. The ladder fires (the worker's sweep, as `send_reminders` runs it).
    call_command("send_reminders", stdout=StringIO())
    assert Item.objects.get(pk=talent.pk).state.status == Status.BEHIND
    assert Item.objects.get(pk=assets.pk).state.status == Status.OVERDUE
    assets_head = Person.objects.get(grants__role="unit_head", grants__unit__name="国有资产管理处")
    assert Message.objects.filter(recipient=assets_head, title__contains="国有资产清查与处置").exists()
    assert Message.objects.filter(recipient__username="vp2", title__contains="高层次人才引进计划").exists()

    # 5. The office issues a 督办单 on the overdue project.
    office.goto(f"{base}{assets.get_absolute_url()}")
    office.get_by_role("link", name="下发督办单").click()
    office.get_by_label("督办要求").fill("请于一周内说明逾期原因，提出整改措施和完成时间。")
    office.get_by_role("button", name="下发督办单").click()
    expect(office).to_have_url(re.compile(r"/supervision/notices/\d+/"))
    notice = Notice.objects.get(item=assets)
    expect(office.get_by_text(notice.number).first).to_be_visible()
    shot(office, "42-notice")
    with office.expect_download() as download:
        office.get_by_role("link", name=re.compile("下载")).first.click()
    assert download.value.suggested_filename.endswith(".docx")

    # 6. The ledger, the dashboard and the battle map show the overdue project red.
    plan = assets.plan
    office.goto(f"{base}/supervision/plans/{plan.pk}/")
    expect(office.locator("tbody tr").first).to_be_visible()
    shot(office, "42b-plan-ledger")
    office.goto(f"{base}/supervision/plans/{plan.pk}/dashboard/")
    expect(office.get_by_text("国有资产清查与处置").first).to_be_visible()
    shot(office, "43-dashboard")
    office.goto(f"{base}/supervision/plans/{plan.pk}/battle-map/")
    expect(office.locator("canvas").first).to_be_visible()
    shot(office, "44-battle-map")
    data = json.loads(office.evaluate(f"fetch('/supervision/plans/{plan.pk}/battle-map.json').then(r => r.text())"))
    assert "#b4232a" in json.dumps(data, ensure_ascii=False)

    # 7. The weekly summary names the lagging units with their problems.
    office.goto(f"{base}/supervision/plans/{plan.pk}/weekly/")
    lagging = office.locator("#s-lagging").locator("xpath=..")
    expect(lagging.get_by_text("国有资产管理处").first).to_be_visible()
    expect(lagging.get_by_text("人事处").first).to_be_visible()
    shot(office, "45-weekly-summary")
    for page in (office, liaison, head):
        assert page.console_errors == [], page.console_errors

"""The office clerk opens the battle map (挂图作战) of the nine key projects, then the plan
dashboard and an item's indicator chart: the charts draw under the CSP without console
errors (screenshots in var/screenshots/)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from duban.org.demo import load_demo
from duban.org.models import Person, Unit
from duban.supervision.models import (
    Deferral,
    DeferralStatus,
    Indicator,
    IndicatorReading,
    Item,
    Plan,
    PlanKind,
    ProgressReport,
    ReportStatus,
    TimeNode,
)
from duban.supervision.state import states_refresh
from tests.browser.test_office_clerk import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date(2026, 11, 22)
NOW = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
PROJECTS = [
    ("本科教学质量提升工程", "教务处", (9, 1), (12, 31), 55),
    ("高层次人才引进计划", "人事处", (9, 1), (12, 20), 30),
    ("科研平台培育项目", "科技处", (9, 15), (11, 15), 80),
    ("智慧校园二期建设", "图文信息中心", (9, 1), (12, 31), 70),
    ("国有资产清查整改", "国有资产管理处", (9, 1), (11, 10), 100),
    ("学生宿舍改造工程", "后勤管理处", (10, 1), (12, 31), 10),
    ("干部作风建设专项行动", "组织部", (9, 1), (12, 15), 60),
    ("财务内控体系建设", "财务处", (9, 20), (12, 31), 45),
    ("平安校园建设", "保卫处", (9, 1), (12, 25), 65),
]
MEASURES = ["制定实施方案", "组织推进落实", "总结验收"]


def d(month, day):
    return datetime.date(2026, month, day)


def nine_projects() -> Plan:
    """Seed 001's nine key projects, each with measures, time nodes and weekly reports."""
    office = Person.objects.get(username="office")
    leader = Person.objects.get(username="leader")
    plan = Plan.objects.create(
        title="2026年重点工作攻坚突破项目",
        kind=PlanKind.BREAKTHROUGH,
        year=2026,
        start_date=d(9, 1),
        end_date=d(12, 31),
    )
    for number, (title, unit_name, start, due, percent) in enumerate(PROJECTS, start=1):
        unit = Unit.objects.get(name=unit_name)
        project = Item.objects.create(
            plan=plan,
            ordinal=number,
            title=title,
            lead_unit=unit,
            patron_leader=leader,
            start_date=d(*start),
            due_date=d(*due),
            original_due_date=d(*due),
            created_by=office,
        )
        if percent == 100:
            Item.objects.filter(pk=project.pk).update(completed_on=d(11, 8))
        if number in (2, 9):  # deferred by three weeks
            Item.objects.filter(pk=project.pk).update(original_due_date=d(*due) - datetime.timedelta(days=21))
            Deferral.objects.create(
                item=project,
                requested_by=office,
                reason="外部条件变化",
                old_due_date=d(*due) - datetime.timedelta(days=21),
                new_due_date=d(*due),
                status=DeferralStatus.APPROVED,
            )
        span = (project.due_date - project.start_date).days
        for step, name in enumerate(MEASURES):
            measure_due = project.start_date + datetime.timedelta(days=span * (step + 1) // 3)
            Item.objects.create(
                plan=plan,
                parent=project,
                ordinal=step + 1,
                title=name,
                lead_unit=unit,
                start_date=project.start_date + datetime.timedelta(days=span * step // 3),
                due_date=measure_due,
                original_due_date=measure_due,
                completed_on=measure_due if measure_due < TODAY and (percent >= 50 or step == 0) else None,
            )
            TimeNode.objects.create(
                item=project,
                title=name,
                due_date=measure_due,
                done_on=measure_due if measure_due < TODAY and percent >= 50 else None,
            )
        ProgressReport.objects.create(
            item=project,
            period_start=d(11, 9),
            period_end=d(11, 15),
            due_date=d(11, 13),
            status=ReportStatus.ACCEPTED,
            progress_text=f"{title}按计划推进。",
            percent=min(percent, 99),
            submitted_at=NOW - datetime.timedelta(days=10 if number % 3 else 8),
        )
        if number == 1:
            indicator = Indicator.objects.create(item=project, name="新增一流课程", unit_of_measure="门", target=10)
            for month, day, value in ((9, 30, 1), (10, 31, 4), (11, 15, 6)):
                IndicatorReading.objects.create(indicator=indicator, period_end=d(month, day), value=Decimal(value))
    states_refresh(Item.objects.filter(plan=plan), TODAY)
    return plan


def test_office_clerk_sees_the_battle_map(live_server, page_factory, shot):
    with time_machine.travel(NOW, tick=True):
        load_demo()
        plan = nine_projects()
        page = page_factory(1366, 900)
        login(page, live_server.url, "office")

        page.goto(f"{live_server.url}/supervision/plans/{plan.pk}/battle-map/")
        expect(page.get_by_role("heading", name="2026年重点工作攻坚突破项目 · 挂图作战")).to_be_visible()
        canvas = page.locator("[data-chart=gantt] canvas").first
        expect(canvas).to_be_visible()
        assert canvas.bounding_box()["height"] > 400
        canvas.hover(position={"x": 520, "y": 51})
        page.wait_for_timeout(300)
        shot(page, "30-battle-map")

        page.get_by_label("状态").select_option("behind")
        expect(page.get_by_text("共 ", exact=False).first).to_be_visible()
        expect(page.locator("[data-chart=gantt] canvas").first).to_be_visible()
        assert "status=behind" in page.url

        page.goto(f"{live_server.url}/supervision/plans/{plan.pk}/dashboard/")
        expect(page.locator("[data-chart=donut] canvas").first).to_be_visible()
        expect(page.locator("[data-chart=unit-bars] canvas").first).to_be_visible()
        shot(page, "31-plan-dashboard")

        page.goto(f"{live_server.url}/supervision/plans/{plan.pk}/league/")
        expect(page.get_by_role("link", name="按期完成率")).to_be_visible()
        shot(page, "32-league")

        project = Item.objects.get(plan=plan, ordinal=1, parent=None)
        page.goto(f"{live_server.url}/supervision/items/{project.pk}/indicators/")
        expect(page.locator("[data-chart=indicator] canvas").first).to_be_visible()
        shot(page, "33-indicators")

        assert page.console_errors == [], page.console_errors

        phone = page_factory(390, 844)
        login(phone, live_server.url, "leader")
        phone.goto(f"{live_server.url}/supervision/plans/{plan.pk}/battle-map/")
        expect(phone.locator("[data-chart=gantt] canvas").first).to_be_visible()
        shot(phone, "34-battle-map-phone")
        assert phone.console_errors == [], phone.console_errors

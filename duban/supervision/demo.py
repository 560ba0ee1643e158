"""Demo data for supervision: seed 001's nine key projects with weeks of history, so a
new user's dashboard is alive. Dates are relative to today; loading is idempotent
(the plan is created once and never duplicated)."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from duban.org.models import Person, Unit
from duban.supervision.models import (
    Deferral,
    DeferralStatus,
    Indicator,
    IndicatorReading,
    Item,
    ItemLog,
    LogKind,
    Plan,
    PlanKind,
    ProgressReport,
    ReportStatus,
    TimeNode,
)
from duban.supervision.schedule import slots_between
from duban.supervision.services.plans import ladder_reset
from duban.supervision.state import states_refresh

PLAN_TITLE = "重点工作攻坚突破项目"

# (title, lead unit, co-units, patron username, responsible position hint, indicator, scenario)
PROJECTS = [
    ("干部队伍建设提升工程", "组织部", ["人事处"], "deputysec", None, "on_track"),
    ("高层次人才引进计划", "人事处", ["航空运输系", "航空维修系"], "vp2", ("引进博士及以上人才", "人", 20), "behind"),
    ("本科教学审核评估迎评", "教务处", ["航空运输系", "航空乘务系"], "vp1", ("完成自评报告章节", "章", 12), "on_track"),
    ("国有资产清查与处置", "国有资产管理处", ["财务处"], "vp2", ("完成清查资产", "万元", 8600), "overdue"),
    ("科研平台建设与项目申报", "科技处", ["航空制造系"], "vp1", ("新增省部级科研项目", "项", 15), "missing"),
    ("全面从严治党主体责任落实", "纪委办公室（纪监处）", ["组织部"], "jiwei", None, "on_track"),
    ("智慧校园一期建设", "图文信息中心", ["教务处"], "vp1", None, "deferred"),
    ("毕业生就业质量提升行动", "学生工作处（团委）", ["航空乘务系"], "vp3", ("毕业去向落实率", "%", 95), "on_track"),
    ("校园安全综合治理", "保卫处", ["后勤管理处"], "vp3", None, "completed"),
]
STEPS = ["制定实施方案", "完成阶段任务", "中期检查整改", "总结验收"]
PROGRESS_TEXT = {
    "on_track": "按方案推进，本周完成既定任务。",
    "behind": "已发布招聘公告，应聘人数少于预期。",
    "overdue": "清查工作基本完成，处置审批尚在进行。",
    "missing": "项目申报材料整理中。",
    "deferred": "核心机房改造受设备到货影响。",
    "completed": "各项整治任务全部完成。",
}


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@transaction.atomic
def load_demo(today: datetime.date | None = None) -> None:
    if Plan.objects.filter(title__endswith=PLAN_TITLE).exists():
        return
    today = today or timezone.localdate()
    start = _monday(today) - datetime.timedelta(weeks=10)
    due = start + datetime.timedelta(weeks=22) - datetime.timedelta(days=3)  # a Friday
    office = Person.objects.get(username="office")
    units = {u.name: u for u in Unit.objects.all()}
    plan = Plan.objects.create(
        title=f"{start.year}年{PLAN_TITLE}",
        kind=PlanKind.BREAKTHROUGH,
        year=start.year,
        start_date=start,
        end_date=due,
        owner_unit=units["党委办公室"],
        description="学校党委确定的九项重点工作攻坚突破项目，每周五前填报进展，督查办每周汇总分析。",
        created_by=office,
    )
    ladder_reset(plan=plan)
    for ordinal, (title, lead, co, patron, indicator, scenario) in enumerate(PROJECTS, start=1):
        _project(
            plan,
            ordinal,
            title,
            units[lead],
            [units[c] for c in co],
            patron,
            indicator,
            scenario,
            start,
            due,
            today,
            office,
        )
    states_refresh(Item.objects.filter(plan=plan), today)
    # Run the reminder ladder once, as the worker would have, so inboxes are not empty.
    from duban.supervision.reminders import sweep

    transaction.on_commit(lambda: sweep(today))


def _project(plan, ordinal, title, lead, co_units, patron, indicator, scenario, start, due, today, office):
    head = Person.objects.filter(grants__role="unit_head", grants__unit=lead).first()
    liaison = Person.objects.filter(grants__role="liaison", grants__unit=lead).first() or head
    item_due = today - datetime.timedelta(days=5) if scenario == "overdue" else due
    item = Item.objects.create(
        plan=plan,
        ordinal=ordinal,
        title=title,
        description=f"{lead.name}牵头，{'、'.join(u.name for u in co_units)}配合，按时间节点倒排工期、挂图作战。",
        lead_unit=lead,
        patron_leader=Person.objects.get(username=patron),
        responsible_person=liaison,
        start_date=start,
        due_date=item_due,
        original_due_date=item_due,
        created_by=office,
    )
    item.co_units.set(co_units)
    ItemLog.objects.create(item=item, kind=LogKind.CREATED, actor=office, at=_at(start, 9))
    span = (item_due - start).days
    for i, step in enumerate(STEPS, start=1):
        node_due = start + datetime.timedelta(days=span * i // len(STEPS))
        if scenario == "completed":
            done_on = min(node_due, today - datetime.timedelta(days=3))
        elif node_due < today and scenario != "behind":
            done_on = node_due
        else:
            done_on = None
        TimeNode.objects.create(
            item=item,
            title=step,
            due_date=node_due,
            order=i,
            target_percent=25 * i if i < 4 else None,
            done_on=done_on,
        )
    measure = None
    if indicator:
        name, uom, target = indicator
        measure = Indicator.objects.create(item=item, name=name, unit_of_measure=uom, target=Decimal(target))
    last_week = _monday(today) - datetime.timedelta(days=1)
    for n, slot in enumerate(slots_between(item.cadence, item.cadence_day, start, start, today), start=1):
        report = ProgressReport.objects.create(
            item=item, period_start=slot.period_start, period_end=slot.period_end, due_date=slot.due_date
        )
        finished = slot.period_end <= last_week
        if not finished or (scenario == "missing" and slot.period_end > last_week - datetime.timedelta(weeks=2)):
            continue
        elapsed = (slot.period_end - start).days
        expected = min(100, round(100 * elapsed / max(span, 1)))
        percent = {"behind": expected // 2, "completed": min(100, expected + 15), "overdue": min(90, expected)}.get(
            scenario, min(100, expected + (n % 3))
        )
        report.progress_text = PROGRESS_TEXT[scenario]
        report.problems = "应聘人数不足，需拓宽引才渠道。" if scenario == "behind" else ""
        report.next_steps = "继续按节点推进。"
        report.percent = percent
        report.status = ReportStatus.ACCEPTED
        report.filled_by, report.filled_at = liaison, _at(slot.due_date - datetime.timedelta(days=1), 16)
        report.submitted_by, report.submitted_at = head, _at(slot.due_date, 10)
        report.reviewed_by, report.reviewed_at = office, _at(slot.due_date + datetime.timedelta(days=1), 9)
        report.save()
        if measure is not None:
            whole = measure.unit_of_measure in ("人", "项", "章", "门")
            value = (measure.target * percent / 100).quantize(Decimal("1") if whole else Decimal("0.01"))
            IndicatorReading.objects.create(indicator=measure, report=report, period_end=slot.period_end, value=value)
        for kind, actor, at in (
            (LogKind.REPORT_SUBMITTED, head, report.submitted_at),
            (LogKind.REPORT_ACCEPTED, office, report.reviewed_at),
        ):
            ItemLog.objects.create(item=item, kind=kind, actor=actor, at=at, report=report)
    if scenario == "completed":
        item.completed_on = today - datetime.timedelta(days=3)
        item.save(update_fields=["completed_on"])
        ItemLog.objects.create(item=item, kind=LogKind.COMPLETED, actor=office, at=_at(item.completed_on, 15))
    if scenario == "deferred":
        new_due = item_due + datetime.timedelta(weeks=6)
        Deferral.objects.create(
            item=item,
            requested_by=head,
            requested_at=_at(today - datetime.timedelta(days=20), 10),
            reason="核心机房改造所需设备到货推迟，申请顺延六周。",
            old_due_date=item_due,
            new_due_date=new_due,
            status=DeferralStatus.APPROVED,
            decided_by=item.patron_leader,
            decided_at=_at(today - datetime.timedelta(days=18), 11),
            decision_comment="同意，务必确保质量。",
        )
        item.due_date = new_due
        item.save(update_fields=["due_date"])

"""Demo data for rectification: seed 002's inspection rectification in mid-course, with
seed 003's look-back, so a new user sees every stage of 对账销号 and the relapse watch.

Findings and measures are created through the services (so their rules hold); dates are
relative to today, and timestamps are then moved back to the days the story says.
Loading is idempotent: the plan is created once.
"""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from duban.org.models import Person, Role, RoleGrant, Unit
from duban.rectification.models import (
    ClosureRequest,
    ClosureStatus,
    Finding,
    LookbackRound,
    MeasureType,
    Recheck,
    RectificationPlan,
    Severity,
    Source,
)
from duban.rectification.services import closure as closing
from duban.rectification.services import feedback as feedback_services
from duban.rectification.services import lookback, watch
from duban.rectification.services.findings import finding_save, measure_document_save, measure_save
from duban.rectification.services.plans import rectification_plan_save
from duban.supervision.models import Cadence, Item, Plan, ReportStatus
from duban.supervision.state import states_refresh

PLAN_TITLE = "巡视整改落实方案"
BRANCHES = [
    "航空运输系党支部",
    "航空乘务系党支部",
    "空港管理系党支部",
    "航空维修系党支部",
    "航空制造系党支部",
    "基础教学部党支部",
    "行政管理党支部",
]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _pdf(name: str) -> ContentFile:
    return ContentFile(b"%PDF-1.4\n% demo evidence\n", name=name)


class Story:
    def __init__(self, today):
        self.today = today
        self.start = today - datetime.timedelta(days=120)
        self.units = {u.name: u for u in Unit.objects.all()}
        self.office = Person.objects.get(username="office")
        self.heads = {
            g.unit_id: g.person
            for g in RoleGrant.objects.filter(role=Role.UNIT_HEAD, unit__isnull=False).select_related("person")
        }
        self.leader = Person.objects.get(username="jiwei")

    def day(self, offset: int) -> datetime.date:
        return self.start + datetime.timedelta(days=offset)

    def finding(self, plan, ordinal, reference, category, severity, description, summary, units, **extra):
        return finding_save(
            acting_user=self.office,
            finding=Finding(
                plan=plan,
                ordinal=ordinal,
                reference=reference,
                category=category,
                severity=severity,
                description=description,
                public_summary=summary,
                **extra,
            ),
            units=[self.units[name] for name in units],
        )

    def measure(self, finding, title, unit_name, kind, due_offset, patron=None):
        unit = self.units[unit_name]
        item = Item(
            title=title,
            lead_unit=unit,
            patron_leader=patron or self.leader,
            responsible_person=self.heads.get(unit.pk),
            start_date=self.start,
            due_date=None if due_offset is None else self.day(due_offset),
            cadence=Cadence.MONTHLY,
            cadence_day=25,
        )
        return measure_save(acting_user=self.office, finding=finding, item=item, measure_type=kind)

    def close(self, measure, on: datetime.date, statement: str, reviewed: bool = True, approve: bool = True):
        """Drive a closure through the services, then date it as the story says."""
        requester = measure.item.responsible_person
        evidence = {
            "statement": statement,
            "mechanism": statement,
            "execution": statement,
            "proof": _pdf("佐证材料.pdf"),
        }
        request = closing.closure_request(
            acting_user=requester, measure=measure, statement=statement, evidence=evidence
        )
        ClosureRequest.objects.filter(pk=request.pk).update(requested_at=_at(on - datetime.timedelta(days=4)))
        if request.status == ClosureStatus.PENDING_REVIEW and reviewed:
            reviewer = self.reviewer(measure)
            closing.closure_review(acting_user=reviewer, closure=request, remark="材料齐全，同意报督查办审批。")
            ClosureRequest.objects.filter(pk=request.pk).update(reviewed_at=_at(on - datetime.timedelta(days=2)))
        if approve and (request.review_skipped or reviewed):
            closing.closure_approve(acting_user=self.office, closure=request, remark="同意销号。", today=on)
            ClosureRequest.objects.filter(pk=request.pk).update(approved_at=_at(on, 15))
        return request

    def reviewer(self, measure):
        from duban.rectification.recipients import grid_reviewers

        return grid_reviewers(measure.item.lead_unit_id)[0]

    def reports(self, measure, percent_now: int):
        """Accept the monthly reports up to last month, with rising percentages."""
        slots = list(measure.item.reports.order_by("period_start"))
        for n, report in enumerate(slots, start=1):
            if report.due_date >= self.today:
                continue
            report.progress_text = "按整改方案推进，已完成阶段任务。"
            report.next_steps = "继续抓好整改落实，巩固整改成果。"
            report.percent = min(100, round(percent_now * n / max(len(slots), 1)))
            report.status = ReportStatus.ACCEPTED
            report.filled_by = report.submitted_by = measure.item.responsible_person
            report.filled_at = report.submitted_at = _at(report.due_date - datetime.timedelta(days=1), 16)
            report.reviewed_by, report.reviewed_at = self.office, _at(report.due_date, 9)
            report.save()


@transaction.atomic
def load_demo(today: datetime.date | None = None) -> None:
    if Plan.objects.filter(title__endswith=PLAN_TITLE).exists():
        return
    s = Story(today or timezone.localdate())
    profile = rectification_plan_save(
        acting_user=s.office,
        plan=Plan(
            title=f"{s.start.year}年{PLAN_TITLE}",
            year=s.start.year,
            start_date=s.start,
            end_date=s.day(365),
            owner_unit=s.units["党委办公室"],
            description="针对学院党委巡视反馈意见，集中整改三个月，长期坚持的措施持续推进；7个联络组网格化对接7个直属党支部。",
        ),
        profile=RectificationPlan(
            source=Source.INSPECTION,
            reference="学院党委巡视组反馈意见",
            disclosed=True,
            feedback_anonymous=True,
        ),
    )
    plan = profile.plan

    f1 = s.finding(
        plan, 1, "反馈意见第1条", "基层党建", Severity.SERIOUS,
        "个别党支部召开组织生活会不够规范严谨，会前谈心谈话不充分，会议记录不完整。",
        "部分党支部组织生活会不够规范严谨",
        BRANCHES,
    )  # fmt: skip
    branch_measures = [
        s.measure(f1, f"{name}规范召开年度组织生活会和民主评议党员", name, MeasureType.DEADLINE, 100)
        for name in BRANCHES
    ]
    f2 = s.finding(
        plan, 2, "反馈意见第2条", "制度建设", Severity.GENERAL,
        "党建工作制度体系不够健全，部分制度多年未修订，责任清单、任务分工不够明确。",
        "党建工作制度体系需进一步健全",
        ["党委办公室", "组织部"],
    )  # fmt: skip
    rule_done = s.measure(f2, "制定《党支部工作规范》", "组织部", MeasureType.INSTITUTION, 90)
    rule_open = s.measure(f2, "修订《党委会议事规则》", "党委办公室", MeasureType.INSTITUTION, 150)
    f3 = s.finding(
        plan, 3, "反馈意见第3条", "意识形态", Severity.SERIOUS,
        "意识形态工作责任制落实不到位，对学生思想动态研判不够及时。",
        "意识形态工作责任制需进一步压实",
        ["宣传部", "学生工作处（团委）"],
    )  # fmt: skip
    ongoing = s.measure(f3, "每季度专题研究意识形态工作", "宣传部", MeasureType.ONGOING, None)
    students = s.measure(f3, "建立学生思想动态研判机制", "学生工作处（团委）", MeasureType.DEADLINE, 110)
    f4 = s.finding(
        plan, 4, "反馈意见第4条", "选人用人", Severity.GENERAL,
        "干部选拔任用个别环节程序执行不严格，档案审核不够细致。",
        "干部选拔任用程序执行需进一步规范",
        ["人事处"],
    )  # fmt: skip
    hr_now = s.measure(f4, "立即纠正档案审核中的不规范做法", "人事处", MeasureType.IMMEDIATE, 14)
    hr_late = s.measure(f4, "完成干部人事档案专项审核", "人事处", MeasureType.DEADLINE, 112)
    f5 = s.finding(
        plan, 5, "反馈意见第5条", "作风建设", Severity.GENERAL,
        "校务信息公开不及时，师生反映的问题回应较慢。",
        "校务信息公开和师生诉求回应不够及时",
        ["图文信息中心"],
    )  # fmt: skip
    info = s.measure(f5, "建立信息公开和诉求回应限时办结机制", "图文信息中心", MeasureType.DEADLINE, 125)

    measures = [*branch_measures, rule_done, rule_open, ongoing, students, hr_now, hr_late, info]
    for measure in measures:
        s.reports(measure, 80)

    # Closures: five branches closed at the end of the concentrated period, 人事处 at once.
    s.close(hr_now, s.day(12), "已立即纠正，并对经办人员进行了提醒谈话。")
    for measure in branch_measures[:5]:
        s.close(measure, s.day(85), "已按规范召开组织生活会，会前谈心谈话全覆盖，会议记录完整归档。")
    measure_document_save(
        acting_user=rule_done.item.responsible_person,
        measure=rule_done,
        title="党支部工作规范",
        number="航院党发〔" + str(s.start.year) + "〕15号",
        issued_on=s.day(80),
        upload=_pdf("党支部工作规范.pdf"),
    )
    s.close(rule_done, s.day(88), "《党支部工作规范》已印发并组织全体支部书记学习。")
    # 航空乘务系: the 30-day re-check found the problem back, so the measure is open again.
    relapsed = branch_measures[1]
    recheck = Recheck.objects.get(measure=relapsed, offset_days=30)
    watch.recheck_relapse(
        acting_user=s.reviewer(relapsed),
        recheck=recheck,
        description="复查发现本季度支部主题党日记录再次缺失，整改成果未巩固。",
        today=recheck.due_on + datetime.timedelta(days=1),
    )
    Recheck.objects.filter(pk=recheck.pk).update(checked_at=_at(recheck.due_on + datetime.timedelta(days=1)))
    # The other closed branches held at 30 days.
    for measure in branch_measures[:5]:
        if measure == relapsed:
            continue
        held = Recheck.objects.get(measure=measure, offset_days=30)
        if held.due_on <= s.today:
            watch.recheck_hold(
                acting_user=s.reviewer(measure), recheck=held, remark="整改成果巩固，未见反弹。", today=s.today
            )
            Recheck.objects.filter(pk=held.pk).update(checked_at=_at(held.due_on + datetime.timedelta(days=2)))
    # Requests in flight: one awaiting the liaison group, one awaiting the office.
    s.close(branch_measures[5], s.today - datetime.timedelta(days=1), "已规范召开组织生活会。", reviewed=False)
    s.close(students, s.today, "研判机制已建立并运行两个月。", approve=False)

    # A look-back round (seed 003's 四看) held last month found a new problem.
    round = lookback.round_open(acting_user=s.office, plan=plan, title="第一轮整改落实“回头看”")
    for measure in branch_measures[:5]:
        if measure == relapsed:
            continue
        lookback.review_save(
            acting_user=s.reviewer(measure),
            round=round,
            measure=measure,
            answers={"belief": "yes", "measures": "yes", "problems": "yes", "mechanism": "partly"},
            verdict="holds",
            remarks="整改措施落实到位。",
        )
    f6 = lookback.round_finding_add(
        acting_user=s.office,
        round=round,
        finding=Finding(
            ordinal=6,
            reference="回头看发现",
            category="作风建设",
            severity=Severity.GENERAL,
            description="部分整改措施存在“重制定、轻执行”现象，制度印发后宣传解读不够。",
            public_summary="部分整改措施重制定、轻执行",
        ),
        units=[s.units["组织部"]],
    )
    s.measure(f6, "开展已印发制度的宣传解读和执行情况检查", "组织部", MeasureType.DEADLINE, 160)
    lookback.round_close(acting_user=s.office, round=round, summary="整改总体到位，发现新问题1个，已纳入台账。")
    LookbackRound.objects.filter(pk=round.pk).update(
        opened_at=_at(s.today - datetime.timedelta(days=30)), closed_at=_at(s.today - datetime.timedelta(days=10))
    )

    # Staff feedback: one turned into a finding, one awaiting the office.
    staff = list(Person.objects.filter(grants__role=Role.STAFF, username__startswith="staff").order_by("username")[:2])
    if len(staff) == 2:
        first = feedback_services.feedback_send(
            acting_user=staff[0], plan=plan, text="希望公开各支部组织生活会整改后的具体做法，供大家学习。", finding=f1
        )
        feedback_services.feedback_reply(
            acting_user=s.office, feedback=first, reply="感谢建议，典型做法将在整改专栏陆续公开。"
        )
        second = feedback_services.feedback_send(
            acting_user=staff[1], plan=plan, text="部分部门办事仍需多次跑腿，建议纳入作风整改。", anonymous=True
        )
        feedback_services.feedback_convert(
            acting_user=s.office,
            feedback=second,
            finding=Finding(
                category="作风建设",
                severity=Severity.GENERAL,
                description="职工反映部分部门办事仍需多次跑腿。",
                public_summary="办事流程不够便捷",
                reference="职工意见",
            ),
            units=[s.units["校长办公室"]],
        )
        feedback_services.feedback_send(
            acting_user=staff[0], plan=plan, text="建议公开整改台账的逐月完成情况。", anonymous=True
        )
    states_refresh(Item.objects.filter(plan=plan), s.today)

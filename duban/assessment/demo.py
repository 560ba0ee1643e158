"""Demo data for review sessions and unit assessment (seed 004 and seed 000's 奖勤罚懒).

- last year's 述职评议 of the 22 branch secretaries, closed, with 32 ballots (30 cast on phones,
  2 paper slips typed twice) and its locked result;
- this year's session, open, with no codes yet: the office generates them (slips or the screen)
  to try voting on a phone;
- a unit assessment period with published rules over the supervision and rectification demo data,
  some assessors' scores, and a few typical examples.

Ballots go through the same services as real ones (codes, sealing, shuffled flush), so the demo
shows what the anonymity rules leave in the database. Idempotent: created once.
"""

import datetime
import io
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from duban.assessment.models import (
    AssessmentPeriod,
    Band,
    Example,
    ExampleKind,
    Metric,
    ReportMode,
    ReviewSession,
    ScoringRule,
    Subject,
    VoterGroup,
)
from duban.assessment.rules import Shape, ballot_errors
from duban.assessment.services import codes as code_services
from duban.assessment.services import paper as paper_services
from duban.assessment.services import periods as period_services
from duban.assessment.services import sessions as session_services
from duban.assessment.services.voting import ballot_cast
from duban.org.models import Person, Role, RoleGrant, Unit, UnitKind
from duban.supervision.models import Plan, PlanKind

TITLE = "年度机关党支部书记抓党建工作述职评议"
GROUPS = [("委员", Decimal("0.4"), 12), ("党代会、教代会代表", Decimal("0.4"), 16), ("民主党派代表", Decimal("0.2"), 4)]
INSTRUCTIONS = (
    "请对照各位党支部书记的述职报告和抓党建工作实绩，逐一评价。"
    "评为“好”的人数不超过被测评人数的30%。本次测评以无记名方式进行，系统不记录投票人。"
)


def _report(name: str, branch: str, year: int) -> ContentFile:
    import docx

    document = docx.Document()
    document.add_heading(f"{year}年度抓党建工作述职报告", level=1)
    document.add_paragraph(f"{branch}书记 {name}")
    for title, text in (
        ("一、履职尽责情况", "认真落实党支部书记第一责任人职责，按时召开支部委员会和党员大会，落实“三会一课”制度。"),
        ("二、存在的突出问题", "理论学习的深度和广度还不够，党建与业务融合还不够紧密。"),
        ("三、下一步工作计划", "持续推进支部标准化规范化建设，争创“样板支部”，抓好党建特色品牌建设。"),
    ):
        document.add_heading(title, level=2)
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return ContentFile(buffer.getvalue(), name=f"{name}述职报告.docx")


def _session(office, party, year: int, held_on: datetime.date) -> ReviewSession:
    session = session_services.session_create(
        acting_user=office,
        session=ReviewSession(
            title=f"{year}{TITLE}",
            year=year,
            organiser=party,
            held_on=held_on,
            place="图书馆九楼会议室",
            instructions=INSTRUCTIONS,
            top_quota_percent=30,
            require_all=True,
        ),
    )
    secretaries = Person.objects.filter(username__startswith="branch").select_related("unit").order_by("username")
    for i, person in enumerate(secretaries, start=1):
        subject = Subject(
            session=session,
            order=i,
            person=person,
            name=person.name,
            unit=person.unit,
            position=person.position or "党支部书记",
            report_mode=ReportMode.ONSITE if i <= 8 else ReportMode.WRITTEN,
        )
        report = _report(person.name, person.unit.name if person.unit else "", year)
        subject.report.save(report.name, report, save=False)
        subject.report_name = report.name
        session_services.part_save(acting_user=office, obj=subject)
    for order, (name, weight, ballots) in enumerate(GROUPS, start=1):
        group = VoterGroup(session=session, order=order, name=name, weight=weight, ballots=ballots)
        session_services.part_save(acting_user=office, obj=group)
    return session


def _marks(rng: random.Random, shape: Shape, strengths: dict) -> dict:
    """A plausible ballot: better-rated secretaries get better grades; at most the quota 好."""
    limit = shape.top_max()
    while True:
        marks = {}
        for sid, _ in shape.subjects:
            roll = rng.random() + strengths[sid]
            marks[str(sid)] = 1 if roll > 1.25 else 2 if roll > 0.55 else 3 if roll > 0.12 else 4
        tops = [k for k, v in marks.items() if v == 1]
        rng.shuffle(tops)
        for k in tops[limit:]:
            marks[k] = 2
        if not ballot_errors(shape, marks):
            return marks


def _closed_session(office, clerk, party, year: int, today: datetime.date) -> None:
    session = _session(office, party, year, datetime.date(year + 1, 1, 7) if year < today.year else today)
    session = session_services.session_open(acting_user=office, session=session)
    shape = Shape.of(session)
    rng = random.Random(2004)
    strengths = {sid: rng.uniform(-0.05, 0.45) for sid, _ in shape.subjects}
    for group in session.groups.order_by("order"):
        paper = 1 if clerk and group.order == 1 else 0
        online = group.ballots - paper * 2
        for code in code_services.codes_generate(acting_user=office, group=group, count=online):
            ballot_cast(code_text=code, raw_marks=_marks(rng, shape, strengths))
        for slip in range(1, paper * 2 + 1):
            marks = _marks(rng, shape, strengths)
            for person in (office, clerk):
                paper_services.paper_enter(acting_user=person, group=group, slip_no=slip, raw_marks=marks)
    session_services.session_close(acting_user=office, session=session)


def _period(office, leaders, today: datetime.date) -> None:
    plans = list(Plan.objects.exclude(kind=PlanKind.MEETING).filter(year__in=[today.year, today.year - 1]))
    period = period_services.period_save(
        acting_user=office,
        period=AssessmentPeriod(
            title=f"{today.year}年度督查督办工作考核",
            year=today.year,
            start=datetime.date(today.year, 1, 1),
            end=datetime.date(today.year, 12, 31),
            base_score=Decimal(30),
            note="依据《督查督办工作考核办法》：奖勤罚懒，按数据计分为主、评分人评分为辅。",
        ),
        units=list(Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True)),
        plans=plans,
        assessors=leaders,
    )
    rules = [
        (Metric.ON_TIME_RATE, 30, None, "按期完成率×30"),
        (Metric.REPORT_PUNCTUALITY, 20, None, "按时填报率×20"),
        (Metric.OVERDUE_ITEMS, -2, 10, "每个逾期事项扣2分，最多扣10分"),
        (Metric.MISSING_REPORTS, -1, 5, "每缺报一次扣1分，最多扣5分"),
        (Metric.DEFERRALS, -1, 3, "每批准延期一次扣1分，最多扣3分"),
        (Metric.MEASURES_CLOSED, 1, 5, "每销号一项整改措施加1分，最多加5分"),
        (Metric.RELAPSES, -3, 9, "每出现一次整改反弹扣3分，最多扣9分"),
        (Metric.LOOKBACK_FAILURES, -2, 6, "回头看结论为滞后或反弹的，每项扣2分，最多扣6分"),
        (Metric.ACCOUNTABILITY, -5, 10, "每条问责记录扣5分，最多扣10分"),
        (Metric.GOOD_EXAMPLES, 3, 6, "每个正面典型加3分，最多加6分"),
        (Metric.BAD_EXAMPLES, -3, 6, "每个反面典型扣3分，最多扣6分"),
        (Metric.MANUAL, 20, None, "校领导根据工作实绩评分，取平均"),
    ]
    for order, (metric, points, cap, text) in enumerate(rules, start=1):
        period_services.rule_save(
            acting_user=office,
            rule=ScoringRule(
                period=period,
                order=order,
                metric=metric,
                points=Decimal(points),
                cap=Decimal(cap) if cap is not None else None,
                description=text,
            ),
        )
    for label, minimum in (("优秀", 90), ("良好", 80), ("合格", 60), ("不合格", 0)):
        Band.objects.create(period=period, label=label, min_score=minimum)
    period_services.period_publish(acting_user=office, period=period)
    rule = period.rules.get(metric=Metric.MANUAL)
    rng = random.Random(2026)
    for unit in period.units.order_by("order")[:8]:
        period_services.manual_score_set(
            acting_user=leaders[0], rule=rule, unit=unit, score=Decimal(rng.randint(15, 20)), note="工作扎实"
        )


def _examples(office, today: datetime.date) -> None:
    units = {u.name: u for u in Unit.objects.all()}
    rows = [
        (
            ExampleKind.GOOD,
            "教务处倒排工期按期完成课程建设",
            "教务处",
            True,
            "对照时间节点倒排工期，每周调度，提前两周完成。",
        ),
        (ExampleKind.GOOD, "组织部建章立制规范党支部工作", "组织部", True, "制定《党支部工作规范》，经对账销号通过。"),
        (ExampleKind.GOOD, "图文信息中心主动服务师生", "图文信息中心", False, "延长开放时间，主动上门解决问题。"),
        (
            ExampleKind.BAD,
            "督办事项多次催办仍未按时报送进展",
            "后勤管理处",
            True,
            "连续三周未按时填报进展，经提醒仍未整改。",
        ),
        (ExampleKind.BAD, "会议决定事项推进迟缓", "国有资产管理处", False, "调度会决定事项逾期一个月未启动。"),
    ]
    for i, (kind, title, unit, published, summary) in enumerate(rows):
        if unit not in units:
            continue
        Example.objects.create(
            kind=kind,
            title=title,
            summary=summary,
            unit=units[unit],
            recognised_on=today - datetime.timedelta(days=20 + 15 * i),
            source="督查通报",
            published=published,
            published_summary="" if kind == ExampleKind.GOOD else f"{unit}：{summary}",
            created_by=office,
        )


@transaction.atomic
def load_demo(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    if ReviewSession.objects.filter(title__endswith=TITLE).exists():
        return
    party = Unit.objects.filter(name="机关党委").first()
    office = Person.objects.filter(username="office").first()
    if party is None or office is None or not Person.objects.filter(username__startswith="branch").exists():
        return
    clerk = Person.objects.filter(grants__role=Role.OFFICE).exclude(pk=office.pk).first() or _second_clerk(office)
    _closed_session(office, clerk, party, today.year - 1, today)
    session = _session(office, party, today.year, today)
    session_services.session_open(acting_user=office, session=session)
    leaders = list(Person.objects.filter(username__in=["leader", "jiwei"]).order_by("username"))
    _examples(office, today)
    _period(office, leaders, today)


def _second_clerk(office) -> Person:
    """A second office clerk, so paper slips can be typed twice."""
    clerk = Person.objects.filter(username="office2").first()
    if clerk is None:
        from duban.org.demo import DEMO_PASSWORD

        clerk = Person.objects.create_user(
            username="office2",
            password=DEMO_PASSWORD,
            name="督查办录入员",
            unit=office.unit,
            position="科员",
            must_change_password=False,
        )
    RoleGrant.objects.get_or_create(person=clerk, role=Role.OFFICE, unit=None)
    return clerk

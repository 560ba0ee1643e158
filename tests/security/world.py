"""One institution holding an object of every kind a URL can name, for the authorisation matrix.

On top of tests/conftest.py's personas it adds 何后勤 (`stranger`): head of 后勤处, a unit that no
plan, item, finding, meeting, session or request involves. Every object below belongs to 教务处
(赵处长's unit) or to the office, so what 何后勤 may open is only what is open to everyone.

The world is built with time frozen on Monday 2026-11-02 (the date the app fixtures use) and the
matrix requests run at the same moment, so what each persona sees never depends on the day the
suite runs.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import time_machine
from auditlog.context import disable_auditlog
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from duban.accounts.services import api_token_create
from duban.assessment.models import AssessmentPeriod, CodeBatch, Example, ExampleKind
from duban.assessment.services.codes import codes_generate
from duban.assessment.services.examples import example_save
from duban.assessment.services.paper import paper_enter
from duban.assessment.services.periods import period_save
from duban.leave.models import Delegation, RequestStep
from duban.leave.services.feeds import feed_token_reset
from duban.meetings.models import LeaveStatus, MeetingLeave
from duban.meetings.services.agenda import slot_add
from duban.minutes.services import draft_create
from duban.notify.services import message_send
from duban.org.models import Rank, Role, RoleGrant, UnitKind
from duban.rectification.models import LookbackTemplate, Recheck
from duban.rectification.services.closure import closure_approve, closure_request, closure_review
from duban.rectification.services.feedback import feedback_send
from duban.rectification.services.lookback import round_open, template_save
from duban.supervision.models import AccountabilityKind, ProgressReport, ReminderRung, TimeNode
from duban.supervision.services import actions
from duban.supervision.services.attachments import attachments_add
from duban.supervision.services.deferrals import deferral_request
from tests.assessment.conftest import all_marks, build_review
from tests.conftest import _org, _people, _person
from tests.leave.chain_helpers import ask
from tests.meetings.conftest import build_meeting
from tests.rectification.conftest import build_rect
from tests.supervision.conftest import build_work

FROZEN = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
PDF = b"%PDF-1.4\n% evidence\n"


def pdf(name="佐证材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


MINUTES_TEXT = """江城航空学院召开教学工作推进会

11月2日下午，学校召开教学工作推进会。

会议强调，一要抓好课程建设。教务处要在11月30日前完成课程大纲修订。二要抓好实践教学。教务处年底前完成实习基地评估。
"""


def build_world() -> SimpleNamespace:
    with disable_auditlog(), time_machine.travel(FROZEN, tick=False):
        return _build()


def _build() -> SimpleNamespace:
    w = SimpleNamespace()
    w.org = org = _org()
    w.people = people = _people(org)
    w.logistics = org.school.children.create(name="后勤处", kind=UnitKind.DEPARTMENT, order=50)
    people.stranger = _person("stranger", "何后勤", w.logistics, [(Role.UNIT_HEAD, w.logistics)], Rank.DIVISION)

    # Supervision: the plan of key projects; 教务处's item 本科教学质量提升工程 carries everything.
    w.work = work = build_work(org, people)
    item = work.teaching
    w.node = TimeNode.objects.filter(item=item).first()
    w.report = ProgressReport.objects.filter(item=item).order_by("period_start").first()
    w.deferral = deferral_request(
        acting_user=people.head, item=item, new_due_date=datetime.date(2027, 1, 31), reason="设备到货推迟"
    )
    w.attachment = attachments_add(acting_user=people.liaison, item=item, uploads=[pdf()])[0]
    w.notice = actions.notice_issue(
        acting_user=people.office,
        item=item,
        requirement="请两周内完成方案论证。",
        respond_by=datetime.date(2026, 11, 16),
    )
    w.accountability = actions.accountability_record(
        acting_user=people.discipline,
        item=item,
        kind=AccountabilityKind.TALK,
        reason="逾期未报。",
        decided_on=datetime.date(2026, 11, 1),
        decision_file=pdf("约谈决定.pdf"),
    )
    w.circular = actions.circular_issue(
        acting_user=people.office, plan=work.plan, title="推进情况通报", body="现通报。"
    )
    w.rung = ReminderRung.objects.filter(plan=work.plan).first()

    # Rectification: 教务处's measures; one closure waiting for review, one closed and under watch.
    w.rect = rect = build_rect(org, people)
    w.closure = closure_request(
        acting_user=people.liaison,
        measure=rect.ongoing,
        statement="已建立长效机制",
        evidence={"mechanism": "每月检查一次", "proof": pdf()},
    )
    closed = closure_request(
        acting_user=people.liaison,
        measure=rect.deadline,
        statement="已规范",
        evidence={"statement": "已规范流程", "proof": pdf()},
    )
    closure_review(acting_user=people.taskforce, closure=closed)
    closure_approve(acting_user=people.office, closure=closed)
    w.recheck = Recheck.objects.filter(measure=rect.deadline).order_by("due_on").first()
    w.round = round_open(acting_user=people.office, plan=rect.plan)
    w.template = template_save(
        acting_user=people.office, template=LookbackTemplate(), name="常规回头看", points=w.round.checklist
    )
    rect.profile.disclosed = rect.profile.public_page = True
    rect.profile.save(update_fields=["disclosed", "public_page"])
    w.feedback = feedback_send(acting_user=people.staff, plan=rect.plan, text="建议公开整改进展")

    w.minutes = draft_create(acting_user=people.office, text=MINUTES_TEXT)

    # Assessment: an open review session with a slip entered on paper, a unit assessment period
    # and a recognised good example of 教务处.
    w.review = review = build_review(people, org, subjects=4, onsite=2)
    w.group = review.groups["代表"]
    w.codes = codes_generate(acting_user=people.office, group=w.group, count=3)
    w.batch = CodeBatch.objects.filter(group=w.group).first()
    paper_enter(acting_user=people.office, group=w.group, slip_no=1, raw_marks=all_marks(review))
    w.subject = review.subjects[2]  # reports in writing
    w.subject.report_name = "述职报告.pdf"
    w.subject.report.save("述职报告.pdf", ContentFile(PDF))
    w.period = period_save(
        acting_user=people.office,
        period=AssessmentPeriod(
            title="2026年度督查督办工作考核",
            year=2026,
            start=datetime.date(2026, 1, 1),
            end=datetime.date(2026, 12, 31),
            base_score=Decimal(60),
        ),
        units=[org.academic, org.hr],
        plans=[work.plan],
        assessors=[people.leader, people.discipline],
    )
    w.example = example_save(
        acting_user=people.office,
        example=Example(kind=ExampleKind.GOOD, title="课程思政示范", summary="成效显著", unit=org.academic),
    )
    w.example.evidence_name = "佐证.pdf"
    w.example.evidence.save("佐证.pdf", ContentFile(PDF))

    # Meetings: the office's scheduling meeting, 赵处长 asking to be excused.
    w.meeting = build_meeting(org, people)
    w.slot = slot_add(acting_user=people.office, meeting=w.meeting.meeting, title="教务处汇报", unit=org.academic)
    w.meeting_leave = MeetingLeave.objects.create(invitation=w.meeting.head, reason="出差", status=LeaveStatus.PENDING)

    # Leave: 吴职工's business trip waiting for 赵处长; 赵处长's delegation to 钱联络.
    w.absence, _ = ask(people.staff)
    w.step = RequestStep.objects.filter(request=w.absence).order_by("order").first()
    w.delegation = Delegation.objects.create(
        delegator=people.head,
        delegate=people.liaison,
        starts_on=datetime.date(2026, 11, 10),
        ends_on=datetime.date(2026, 11, 20),
    )
    w.absence_type = w.absence.absence_type
    w.ical_token = feed_token_reset(person=people.staff)

    w.message = message_send(recipients=[people.liaison], title="请按时填报", body="本周进展")[0]
    w.api_token, _ = api_token_create(person=people.liaison, name="对接")
    w.grant = RoleGrant.objects.get(person=people.liaison)
    return w

"""Demo meetings (seed 001's 调度会 and seed 004's 述职评议会), on top of the supervision,
leave and assessment demo data:

- three weeks ago, the plan's scheduling meeting: agenda slots filed by the lead units (the pack
  can be downloaded), attendance closed (one late, one on leave, one absent), minutes with three
  decisions, two of them already turned into items of a 会议决定事项 plan;
- next week, the next scheduling meeting, announced: some units have filed, some not yet;
- the annual 述职评议会, linked to this year's review session.

Idempotent: created once.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from duban.meetings.models import (
    Attendance,
    Invitation,
    InviteScope,
    LeaveStatus,
    Meeting,
    MeetingKind,
    MeetingLeave,
    MeetingStatus,
    Response,
)
from duban.meetings.services import agenda as agenda_services
from duban.meetings.services import decisions as decision_services
from duban.meetings.services import meetings as meeting_services
from duban.org.models import Person, Role, Unit
from duban.supervision.models import Plan, PlanKind

PAST_TITLE = "重点工作攻坚突破项目第三次调度会"
NEXT_TITLE = "重点工作攻坚突破项目第四次调度会"
REVIEW_TITLE = "机关党支部书记抓党建工作述职评议会"
PLACE = "行政楼第一会议室"
MINUTES = (
    "会议听取了各牵头单位关于重点工作攻坚突破项目推进情况的汇报。会议指出，九项重点工作总体推进有序，"
    "但个别项目进度滞后、指标完成率偏低。会议要求各牵头单位对照时间节点查找差距，倒排工期，确保年底前完成任务。"
)
DECISIONS = [
    ("教务处", "教务处牵头，会同各教学单位在月底前完成专业人才培养方案修订的校内论证。", 24),
    ("人事处", "人事处在两周内拿出高层次人才引进“一人一策”工作方案，提交校长办公会审议。", 14),
    ("后勤管理处", "后勤管理处对学生公寓维修工程倒排工期，每周向督查办报送一次进度。", 30),
]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _plan() -> Plan | None:
    return Plan.objects.filter(kind=PlanKind.BREAKTHROUGH).order_by("-year", "id").first()


@transaction.atomic
def load_demo(today: datetime.date | None = None) -> None:
    if Meeting.objects.filter(title__endswith=PAST_TITLE).exists():
        return
    plan = _plan()
    if plan is None:
        return
    today = today or timezone.localdate()
    office = Person.objects.get(username="office")
    host = Unit.objects.get(name="党委办公室")
    _past_meeting(plan, office, host, today)
    _next_meeting(plan, office, host, today)
    _review_meeting(office, today)


def _leaders():
    return list(
        Person.objects.filter(grants__role=Role.LEADER, grants__unit__isnull=True, is_active=True)
        .distinct()
        .order_by("id")[:2]
    )


def _invite_units(meeting, office, plan):
    lead_units = Unit.objects.filter(led_items__plan=plan).distinct().order_by("order", "id")
    for unit in lead_units:
        meeting_services.unit_invite_add(
            acting_user=office, meeting=meeting, unit=unit, scope=InviteScope.HEADS_LIAISONS
        )
    meeting_services.people_invite(acting_user=office, meeting=meeting, people=_leaders())


def _new(plan, office, host, title, starts, **extra) -> Meeting:
    return Meeting.objects.create(
        title=f"{plan.year}年{title}",
        kind=MeetingKind.SCHEDULING,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place=PLACE,
        host_unit=host,
        organiser=office,
        chair="党委书记",
        plan=plan,
        agenda="各牵头单位汇报工作进展、存在问题和下一步计划\n督查办通报重点工作推进情况\n校领导讲话",
        late_after_minutes=5,
        created_by=office,
        **extra,
    )


def _file_slots(meeting, office, *, skip=()):
    for slot in meeting.slots.select_related("unit").order_by("order"):
        if slot.unit is None or slot.unit.name in skip:
            continue
        filer = (
            Person.objects.filter(grants__role=Role.LIAISON, grants__unit=slot.unit).order_by("id").first() or office
        )
        agenda_services.slot_file(
            acting_user=filer,
            slot=slot,
            progress=slot.progress,
            problems=slot.problems or "暂无。",
            next_steps=slot.next_steps or "按时间节点继续推进。",
            version=slot.version,
        )


def _past_meeting(plan, office, host, today):
    day = today - datetime.timedelta(days=21)
    starts = _at(day, 14, 30)
    meeting = _new(
        plan,
        office,
        host,
        PAST_TITLE,
        starts,
        reports_due_at=starts - datetime.timedelta(days=1),
    )
    # Invited while still a draft (nobody is told today about a meeting three weeks ago), then
    # recorded as announced five days before it.
    _invite_units(meeting, office, plan)
    meeting_services.expand_invitations(meeting)
    announced_at = starts - datetime.timedelta(days=5)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.ANNOUNCED, announced_at=announced_at)
    meeting.refresh_from_db()
    Invitation.objects.filter(meeting=meeting).update(response=Response.ACCEPTED, responded_at=announced_at)
    agenda_services.slots_from_plan(acting_user=office, meeting=meeting)
    _file_slots(meeting, office)
    # Attendance as the clerk recorded it: everyone signed in, one late, one on leave, one absent.
    invitations = list(meeting.invitations.select_related("person").order_by("id"))
    for invitation in invitations:
        invitation.attendance = Attendance.PRESENT
        invitation.signed_in_at = starts - datetime.timedelta(minutes=8)
        invitation.signed_in_by = invitation.person
    if len(invitations) >= 4:
        late, on_leave, absent = invitations[1], invitations[2], invitations[3]
        late.attendance, late.signed_in_at = Attendance.LATE, starts + datetime.timedelta(minutes=12)
        on_leave.attendance, on_leave.signed_in_at, on_leave.signed_in_by = Attendance.LEAVE, None, None
        absent.attendance, absent.signed_in_at, absent.signed_in_by = Attendance.ABSENT, None, None
        MeetingLeave.objects.create(
            invitation=on_leave,
            reason="赴省教育厅参加专题会议",
            status=LeaveStatus.APPROVED,
            requested_at=starts - datetime.timedelta(days=2),
            decided_by=office,
            decided_at=starts - datetime.timedelta(days=2, hours=-1),
            decision_note="同意，请安排副职参会。",
        )
    Invitation.objects.bulk_update(invitations, ["attendance", "signed_in_at", "signed_in_by"])
    # Minutes and decisions; two of them become items of the 会议决定事项 plan.
    units = {u.name: u for u in Unit.objects.filter(name__in=[name for name, _text, _days in DECISIONS])}
    rows = [
        decision_services.Row(text=text, lead_unit=units.get(name), due_date=day + datetime.timedelta(days=days))
        for name, text, days in DECISIONS
    ]
    decisions = decision_services.decisions_save(acting_user=office, meeting=meeting, minutes=MINUTES, rows=rows)
    decisions_plan = _decisions_plan(office, host, day)
    decision_services.to_items(office, meeting, [d.pk for d in decisions[:2]], decisions_plan, day)
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.CLOSED, closed_at=meeting.ends_at, version=meeting.version + 1
    )


def _decisions_plan(office, host, day) -> Plan:
    from duban.supervision.services.plans import plan_save

    existing = Plan.objects.filter(kind=PlanKind.MEETING, year=day.year).first()
    if existing is not None:
        return existing
    return plan_save(
        acting_user=office,
        plan=Plan(title=f"{day.year}年党委会议决定事项", kind=PlanKind.MEETING, year=day.year, owner_unit=host),
    )


def _next_meeting(plan, office, host, today):
    day = today + datetime.timedelta(days=7)
    starts = _at(day, 14, 30)
    meeting = _new(plan, office, host, NEXT_TITLE, starts, reports_due_at=starts - datetime.timedelta(days=1))
    _invite_units(meeting, office, plan)
    meeting_services.meeting_announce(acting_user=office, meeting=meeting)  # also makes the agenda slots
    meeting.refresh_from_db()
    lead_names = list(meeting.slots.exclude(unit=None).values_list("unit__name", flat=True).order_by("order"))
    _file_slots(meeting, office, skip=set(lead_names[len(lead_names) // 2 :]))
    for invitation in meeting.invitations.select_related("person").order_by("id")[:5]:
        meeting_services.invitation_respond(acting_user=invitation.person, meeting=meeting, accept=True)


def _review_meeting(office, today):
    from duban.assessment.models import ReviewSession, SessionState

    session = ReviewSession.objects.filter(state=SessionState.OPEN).order_by("-year").first()
    party = Unit.objects.filter(name="机关党委").first()
    if session is None or party is None:
        return
    day = today + datetime.timedelta(days=10)
    starts = _at(day, 9)
    meeting = Meeting.objects.create(
        title=f"{session.year}年度{REVIEW_TITLE}",
        kind=MeetingKind.REVIEW,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        place=session.place or "图书馆九楼会议室",
        host_unit=party,
        organiser=office,
        chair="机关党委书记",
        agenda="各党支部书记现场述职\n书面述职材料印发\n民主测评（手机扫码投票）\n校领导点评",
        created_by=office,
    )
    heads = Person.objects.filter(grants__role=Role.UNIT_HEAD, grants__unit=party).distinct()
    secretaries = Person.objects.filter(unit__parent=party, grants__role=Role.UNIT_HEAD).distinct()[:22]
    meeting_services.people_invite(acting_user=office, meeting=meeting, people=[*heads, *secretaries])
    meeting_services.meeting_announce(acting_user=office, meeting=meeting)
    ReviewSession.objects.filter(pk=session.pk).update(meeting=meeting, held_on=day)

"""Leave and travel requests: submit (with the approval chain built from the rules),
withdraw before approval, record the return (销假), and the overlap warnings."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from duban.leave import access as rules
from duban.leave import balances, selectors
from duban.leave.models import LIVE, AbsenceRequest, AbsenceStatus, RequestStep, StepStatus
from duban.leave.services import chains, flow
from duban.leave.workdays import Workdays, working_days
from duban.lib.dates import cn_date, cn_datetime
from duban.lib.numbers import plain
from duban.notify.models import MessageKind
from duban.notify.services import message_send
from duban.org.access import access_for
from duban.org.models import Person
from duban.supervision.services import Refused

MAX_PAST_DAYS = 30

ERR_CANNOT_REQUEST = "您的账号没有所在单位，不能提交请假申请，请联系系统管理员。"
ERR_TYPE = "该请假类型已停用，请另选一种。"
ERR_DATES = "结束日期不能早于开始日期。"
ERR_TOO_OLD = "开始日期最早只能是 {max_days} 天前（{day}）。"
ERR_DESTINATION = "{type}须填写目的地。"
ERR_REASON = "请填写事由。"
ERR_NO_WORKDAY = "所选日期内没有工作日，无需请假。"
ERR_OVERLAP = "与您已提交的{type}（{period}）时间重叠，请调整日期或先撤回原申请。"
ERR_BALANCE = "年休假余额不足：{year}年剩余 {available} 天，本次需 {need} 天。"
ERR_NO_RULE = "“{type}”没有适用于您职级的审批规则，请联系系统管理员设置。"
ERR_NOBODY = "“{label}”环节没有办理人，请联系系统管理员设置。"
NOTE_NOBODY = "没有可告知的人员，已跳过。"
ERR_NOT_YOURS = "只能撤回自己的申请。"
ERR_NOT_PENDING = "只有审批中的申请可以撤回。"
NOTE_WITHDRAWN = "申请人已撤回。"
ERR_RETURN_WHO = "只有申请人或其单位负责人可以销假。"
ERR_RETURN_STATE = "只有已批准的申请可以销假。"
ERR_RETURNED = "该申请已于{day}销假。"
ERR_RETURN_DAY = "销假日期应在开始日期（{start}）与今天（{today}）之间。"


def _check(person, absence_type, starts_on, ends_on, reason, destination, today) -> int:
    if not absence_type.is_active:
        raise Refused(ERR_TYPE)
    if ends_on < starts_on:
        raise Refused(ERR_DATES)
    earliest = today - datetime.timedelta(days=MAX_PAST_DAYS)
    if starts_on < earliest:
        raise Refused(ERR_TOO_OLD.format(max_days=MAX_PAST_DAYS, day=cn_date(earliest, full=True)))
    if absence_type.needs_destination and not destination:
        raise Refused(ERR_DESTINATION.format(type=absence_type.name))
    if not reason:
        raise Refused(ERR_REASON)
    days = working_days(starts_on, ends_on)
    if days < 1:
        raise Refused(ERR_NO_WORKDAY)
    clash = (
        AbsenceRequest.objects.filter(person=person, status__in=LIVE, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .select_related("absence_type")
        .first()
    )
    if clash is not None:
        raise Refused(ERR_OVERLAP.format(type=clash.absence_type.name, period=flow.period(clash)))
    if absence_type.uses_balance:
        for year in range(starts_on.year, ends_on.year + 1):
            first, last = max(starts_on, datetime.date(year, 1, 1)), min(ends_on, datetime.date(year, 12, 31))
            need = Decimal(working_days(first, last))
            available = balances.balance(person, year).available
            if need > available:
                raise Refused(
                    ERR_BALANCE.format(year=year, available=plain(max(available, Decimal(0))), need=plain(need))
                )
    return days


@transaction.atomic
def submit(
    person, absence_type, starts_on, ends_on, reason, destination="", contact="", today=None
) -> tuple[AbsenceRequest, list[str]]:
    """Create a request and start its chain; returns it with the overlap warnings."""
    today = today or timezone.localdate()
    if not rules.can_request(access_for(person)):
        raise PermissionDenied(ERR_CANNOT_REQUEST)
    # One submission at a time per person, so two overlapping requests cannot both pass.
    person = Person.objects.select_for_update().get(pk=person.pk)
    reason, destination, contact = (reason or "").strip(), (destination or "").strip(), (contact or "").strip()
    days = _check(person, absence_type, starts_on, ends_on, reason, destination, today)
    rule, planned = chains.plan(absence_type, person)
    if rule is None:
        raise Refused(ERR_NO_RULE.format(type=absence_type.name))
    for step in planned:
        if step.blocking and not step.assignees:
            raise Refused(ERR_NOBODY.format(label=step.label))
    absence = AbsenceRequest.objects.create(
        person=person,
        unit_id=person.unit_id,
        absence_type=absence_type,
        starts_on=starts_on,
        ends_on=ends_on,
        days=days,
        destination=destination[:100],
        reason=reason[:300],
        contact=contact[:60],
    )
    for order, step in enumerate(planned, start=1):
        row = RequestStep.objects.create(
            request=absence,
            order=order,
            approver=step.chain_step.approver,
            unit_id=step.chain_step.unit_id,
            action=step.chain_step.action,
            label=step.label,
            status=StepStatus.WAITING if step.assignees else StepStatus.CANCELLED,
            note="" if step.assignees else NOTE_NOBODY,
        )
        row.assignees.set(step.assignees)
    flow.advance(absence)
    return absence, overlap_warnings(person, starts_on, ends_on)


def overlap_warnings(person, starts_on, ends_on) -> list[str]:
    """Meetings the person is invited to and deadlines they answer for within the dates."""
    from duban.supervision.models import TimeNode

    warnings = []
    invitations = selectors.invitations_of(person).filter(meeting__starts_at__date__range=(starts_on, ends_on))
    for invitation in invitations.order_by("meeting__starts_at"):
        meeting = invitation.meeting
        warnings.append(f"与会议《{meeting.title}》（{cn_datetime(meeting.starts_at)}）时间冲突")
    items = selectors.answering_items(person)
    for item in items.filter(due_date__range=(starts_on, ends_on)).order_by("due_date", "pk"):
        warnings.append(f"事项《{item.title}》完成时限 {cn_date(item.due_date)} 在请假期间")
    nodes = TimeNode.objects.filter(done_on__isnull=True, due_date__range=(starts_on, ends_on), item__in=items)
    for node in nodes.select_related("item").order_by("due_date", "pk"):
        warnings.append(f"事项《{node.item.title}》节点“{node.title}”时限 {cn_date(node.due_date)} 在请假期间")
    return warnings


@transaction.atomic
def withdraw(person, absence: AbsenceRequest) -> AbsenceRequest:
    absence = AbsenceRequest.objects.select_for_update().select_related("person", "absence_type").get(pk=absence.pk)
    if absence.person_id != person.pk:
        raise PermissionDenied(ERR_NOT_YOURS)
    if absence.status != AbsenceStatus.PENDING:
        raise Refused(ERR_NOT_PENDING)
    absence.status = AbsenceStatus.WITHDRAWN
    absence.decided_at = timezone.now()
    absence.version += 1
    absence.save(update_fields=["status", "decided_at", "version"])
    told = flow.cancel_open_steps(absence, NOTE_WITHDRAWN)
    message_send(
        recipients=told,
        kind=MessageKind.SYSTEM,
        title=f"已撤回：{flow.summary(absence)}",
        body="申请人已撤回该申请，无需再办理。",
        url=absence.get_absolute_url(),
    )
    return absence


def due_back(absence) -> datetime.date:
    """The day the person is due back at work: the first working day after the end date."""
    calendar = Workdays(absence.ends_on + datetime.timedelta(days=1), absence.ends_on + datetime.timedelta(days=40))
    probe = calendar.start
    while probe <= calendar.end and not calendar.is_workday(probe):
        probe += datetime.timedelta(days=1)
    return probe


@transaction.atomic
def record_return(acting_user, absence: AbsenceRequest, returned_on, note: str = "", today=None) -> AbsenceRequest:
    """销假: the day the person was back at work; the days actually taken are counted to the
    day before. Coming back after the first working day past the end is an overstay."""
    today = today or timezone.localdate()
    absence = AbsenceRequest.objects.select_for_update().select_related("person", "absence_type").get(pk=absence.pk)
    if not rules.can_record_return(access_for(acting_user), absence):
        raise PermissionDenied(ERR_RETURN_WHO)
    if absence.status != AbsenceStatus.APPROVED:
        raise Refused(ERR_RETURN_STATE)
    if absence.returned_on is not None:
        raise Refused(ERR_RETURNED.format(day=cn_date(absence.returned_on)))
    if not (absence.starts_on <= returned_on <= today):
        raise Refused(ERR_RETURN_DAY.format(start=cn_date(absence.starts_on), today=cn_date(today)))
    absence.returned_on = returned_on
    absence.returned_at = timezone.now()
    absence.return_note = (note or "").strip()[:200]
    absence.actual_days = Decimal(working_days(absence.starts_on, absence.last_day))
    absence.version += 1
    absence.save(update_fields=["returned_on", "returned_at", "return_note", "actual_days", "version"])
    lines = [f"返岗日期：{cn_date(returned_on)}，实际请假 {plain(absence.actual_days)} 个工作日。"]
    due = due_back(absence)
    if is_overstay(absence, due):
        late = working_days(due, returned_on - datetime.timedelta(days=1))
        lines.append(f"超假：应于{cn_date(due)}返岗，逾期 {late} 个工作日。")
    if absence.return_note:
        lines.append(f"说明：{absence.return_note}")
    approvers = [
        step.acted_by
        for step in absence.steps.filter(status=StepStatus.DONE, acted_by__isnull=False).select_related("acted_by")
    ]
    message_send(
        recipients=[p for p in approvers if p.pk != acting_user.pk],
        kind=MessageKind.SYSTEM,
        title=f"已销假：{flow.summary(absence)}",
        body="\n".join(lines),
        url=absence.get_absolute_url(),
    )
    return absence


def is_overstay(absence, due: datetime.date | None = None) -> bool:
    """Back after the day due (due_back): 超假."""
    if absence.returned_on is None:
        return False
    return absence.returned_on > (due or due_back(absence))

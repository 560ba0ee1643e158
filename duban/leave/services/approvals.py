"""Acting on a step: an assignee (or their delegate) agrees or refuses; the request moves on
or stops, and the requester is told either way."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from duban.leave import access as rules
from duban.leave.models import AbsenceRequest, AbsenceStatus, RequestStep, StepAction, StepStatus
from duban.leave.services import flow
from duban.notify.models import MessageKind
from duban.notify.services import message_send
from duban.org.access import access_for
from duban.org.models import Person
from duban.supervision.services import Refused

ERR_DONE_BY = "该环节已由{name}办理。"
ERR_NOT_OPEN = "该环节当前不需要办理。"
ERR_CLOSED = "该申请{status}，无需再办理。"
ERR_NOT_ASSIGNEE = "您不是该环节的办理人，也没有受托代为办理。"
ERR_NOTE = "不同意须填写意见。"
NOTE_REFUSED = "前一环节不同意，流程结束。"


def verdict(step, approve: bool) -> str:
    """What the actor did: 同意, 已办理 (a 办理 step) or 不同意."""
    if not approve:
        return "不同意"
    return "已办理" if step.action == StepAction.HANDLE else "同意"


@transaction.atomic
def act(acting_user, step: RequestStep, approve: bool, note: str = "") -> RequestStep:
    absence = (
        AbsenceRequest.objects.select_for_update().select_related("person", "absence_type").get(pk=step.request_id)
    )
    step = RequestStep.objects.select_related("acted_by").get(pk=step.pk)
    step.request = absence
    # Who may act is checked first: others learn nothing of the step's state.
    principal = rules.step_principal(access_for(acting_user), step)
    if principal is None:
        raise PermissionDenied(ERR_NOT_ASSIGNEE)
    if step.status != StepStatus.PENDING:
        if step.acted_by is not None:
            raise Refused(ERR_DONE_BY.format(name=step.acted_by.name))
        raise Refused(ERR_NOT_OPEN)
    if absence.status != AbsenceStatus.PENDING:
        raise Refused(ERR_CLOSED.format(status=absence.get_status_display()))
    note = (note or "").strip()[:300]
    if not approve and not note:
        raise Refused(ERR_NOTE)
    now = timezone.now()
    step.status = StepStatus.DONE if approve else StepStatus.REFUSED
    step.acted_by = acting_user
    step.on_behalf_of = None if principal == acting_user.pk else Person.objects.get(pk=principal)
    step.acted_at = now
    step.note = note
    step.save(update_fields=["status", "acted_by", "on_behalf_of", "acted_at", "note"])
    who = acting_user.name
    if step.on_behalf_of is not None:
        who = f"{acting_user.name}（代{step.on_behalf_of.name}）"
    if approve:
        pending = flow.advance(absence)
        if pending is None:
            title = f"已批准：{flow.summary(absence)}"
        else:
            done = "完成" if step.action == StepAction.HANDLE else "已同意"
            title = f"{step.label}{done}，待{pending.label}：{flow.summary(absence)}"
    else:
        absence.status = AbsenceStatus.REFUSED
        absence.decided_at = now
        absence.version += 1
        absence.save(update_fields=["status", "decided_at", "version"])
        flow.cancel_open_steps(absence, NOTE_REFUSED)
        title = f"未批准：{flow.summary(absence)}"
    body = f"{step.label}：{who}{verdict(step, approve)}。"
    if note:
        body += f"\n意见：{note}"
    message_send(
        recipients=[absence.person],
        kind=MessageKind.REVIEW,
        title=title,
        body=body,
        url=absence.get_absolute_url(),
    )
    return step

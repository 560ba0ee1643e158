"""Moving a request along its steps, and the messages that go with it. Called inside the
transaction of submit (requests.py) and act (approvals.py)."""

from django.utils import timezone

from duban.leave import signals
from duban.leave.models import BLOCKING, AbsenceRequest, AbsenceStatus, StepAction, StepStatus, is_blocking
from duban.leave.services.delegation import delegates_of_all
from duban.lib.dates import cn_date
from duban.lib.numbers import plain
from duban.notify.models import MessageKind
from duban.notify.services import message_send

ASKS = {
    StepAction.APPROVE: "待您审批",
    StepAction.HANDLE: "待您办理",
    StepAction.FILE: "请备案",
    StepAction.NOTIFY: "告知",
}


def period(absence) -> str:
    if absence.starts_on == absence.ends_on:
        return cn_date(absence.starts_on)
    return f"{cn_date(absence.starts_on)}—{cn_date(absence.ends_on)}"


def summary(absence) -> str:
    """赵处长 · 出差（11月20日—11月22日，3 个工作日）"""
    return f"{absence.person.name} · {absence.absence_type.name}（{period(absence)}，{plain(absence.days)} 个工作日）"


def body(absence) -> str:
    lines = [f"事由：{absence.reason}"]
    if absence.destination:
        lines.append(f"目的地：{absence.destination}")
    if absence.contact:
        lines.append(f"联系方式：{absence.contact}")
    return "\n".join(lines)


def tell_step(absence, step, people=None) -> None:
    """Message the people of a step just reached (and, for a step that waits, their delegates)."""
    people = list(step.assignees.all()) if people is None else list(people)
    waits = is_blocking(step.action, absence.absence_type)
    # On a report-only type an 审批/办理 step only informs.
    ask = ASKS[step.action] if waits or step.action not in BLOCKING else ASKS[StepAction.NOTIFY]
    if waits:
        people.extend(delegates_of_all(people))
    people = [p for p in people if p.pk != absence.person_id]
    message_send(
        recipients=people,
        kind=MessageKind.TASK if waits else MessageKind.SYSTEM,
        title=f"{ask}：{summary(absence)}",
        body=f"环节：{step.label}\n{body(absence)}",
        url=absence.get_absolute_url(),
    )


def approve(absence: AbsenceRequest, now=None) -> None:
    absence.status = AbsenceStatus.APPROVED
    absence.decided_at = now or timezone.now()
    absence.version += 1
    absence.save(update_fields=["status", "decided_at", "version"])
    signals.absence_approved.send(sender=AbsenceRequest, absence=absence)


def advance(absence: AbsenceRequest):
    """Reach the next steps: notify/file steps are done at once (their people are told); the
    first step that waits becomes pending and is returned. With none left the request is
    approved (and None returned)."""
    now = timezone.now()
    for step in absence.steps.filter(status=StepStatus.WAITING).order_by("order"):
        step.reached_at = now
        if is_blocking(step.action, absence.absence_type):
            step.status = StepStatus.PENDING
            step.save(update_fields=["status", "reached_at"])
            tell_step(absence, step)
            return step
        step.status = StepStatus.DONE
        step.acted_at = now
        step.save(update_fields=["status", "reached_at", "acted_at"])
        tell_step(absence, step)
    approve(absence, now)
    return None


def cancel_open_steps(absence: AbsenceRequest, note: str) -> list:
    """Cancel the steps not yet done; returns the people of the step that was pending."""
    told = []
    for step in absence.steps.filter(status__in=[StepStatus.WAITING, StepStatus.PENDING]):
        if step.status == StepStatus.PENDING:
            told.extend(step.assignees.all())
        step.status = StepStatus.CANCELLED
        step.note = note
        step.save(update_fields=["status", "note"])
    return told

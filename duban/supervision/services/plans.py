"""Plans and their reminder ladders."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from duban.org.access import access_for
from duban.supervision import access as rules
from duban.supervision.models import Item, Plan, PlanPhase, PlanStatus, Recipient, ReminderRung, RungTrigger
from duban.supervision.services import Refused

ERR_NOT_OFFICE = "只有督查办可以维护督办计划和事项。"
ERR_NO_PLAN = "请选择事项要加入的督办计划。"
ERR_PLAN_CLOSED = "计划“{plan}”已结束，不能再添加事项。"
ERR_NO_START = "请填写开始日期。"

# The ladder every new plan starts with (the office edits it per plan afterwards).
DEFAULT_LADDER = [
    (RungTrigger.BEFORE_DUE, 20, [Recipient.RESPONSIBLE], 0),
    (RungTrigger.BEFORE_DUE, 10, [Recipient.RESPONSIBLE, Recipient.UNIT_HEAD], 0),
    (RungTrigger.BEFORE_DUE, 3, [Recipient.RESPONSIBLE, Recipient.UNIT_HEAD, Recipient.LIAISON], 0),
    (RungTrigger.OVERDUE, 1, [Recipient.RESPONSIBLE, Recipient.UNIT_HEAD, Recipient.PATRON, Recipient.OFFICE], 7),
    (RungTrigger.REPORT_MISSING, 2, [Recipient.LIAISON], 0),
    (RungTrigger.BEHIND, 0, [Recipient.UNIT_HEAD, Recipient.PATRON], 7),
]


def require_office(acting_user) -> None:
    if not rules.can_manage(access_for(acting_user)):
        raise PermissionDenied(ERR_NOT_OFFICE)


def plan_open_for_items(plan: Plan | None, start_date) -> Plan:
    """Items from elsewhere (minutes, meeting decisions) go into a chosen plan that is not
    closed, from a start date. Returns the plan, locked; call it inside a transaction."""
    if plan is None:
        raise Refused(ERR_NO_PLAN)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.CLOSED:
        raise Refused(ERR_PLAN_CLOSED.format(plan=plan.title))
    if start_date is None:
        raise Refused(ERR_NO_START)
    return plan


@transaction.atomic
def plan_save(*, acting_user, plan: Plan) -> Plan:
    require_office(acting_user)
    creating = plan.pk is None
    if creating:
        plan.created_by = acting_user
    plan.save()
    if creating:
        ladder_reset(plan=plan)
    else:
        # Thresholds and colours may have changed: re-evaluate the plan's items.
        from duban.supervision.state import states_refresh

        states_refresh(Item.objects.filter(plan=plan))
    return plan


@transaction.atomic
def phase_save(*, acting_user, phase: PlanPhase) -> PlanPhase:
    require_office(acting_user)
    phase.save()
    return phase


@transaction.atomic
def phase_delete(*, acting_user, phase: PlanPhase) -> None:
    """Items of the phase keep existing; they simply belong to no phase."""
    require_office(acting_user)
    phase.delete()


def ladder_reset(*, plan: Plan) -> None:
    """Replace the plan's ladder with the default one."""
    for rung in list(plan.rungs.all()):
        rung.delete()
    for order, (trigger, days, recipients, repeat) in enumerate(DEFAULT_LADDER, start=1):
        ReminderRung.objects.create(
            plan=plan,
            trigger=trigger,
            days=days,
            recipients=[str(r) for r in recipients],
            repeat_days=repeat,
            order=order,
        )

"""Plans and their reminder ladders."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from duban.org.access import access_for
from duban.supervision import access as rules
from duban.supervision.models import Item, Plan, PlanPhase, Recipient, ReminderRung, RungTrigger

ERR_NOT_OFFICE = "只有督查办可以维护督办计划和事项。"

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

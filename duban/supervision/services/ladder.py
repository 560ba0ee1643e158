"""A plan's reminder ladder: the office adds, edits and deletes rungs, or restores the default.

The rules checked here are the same the ladder page's form shows, so a refusal names the
field it is about."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from duban.supervision.models import Plan, Recipient, ReminderRung, RungTrigger
from duban.supervision.services import Refused
from duban.supervision.services.plans import ladder_reset, require_office

MAX_DAYS = 365
ERR_TRIGGER = _("请选择触发条件。")
ERR_DAYS = _("天数应为 0 到 365 之间的整数。")
ERR_REPEAT = _("重复间隔应为 0 到 365 之间的整数（0 表示每个完成时限只提醒一次）。")
ERR_NO_RECIPIENT = _("请至少选择一个提醒对象。")
ERR_RECIPIENT = _("提醒对象无效。")
ERR_WRONG_PLAN = _("该提醒规则不属于这个计划。")

# Rungs read in this order on the page: before the due date (far to near), then after it.
TRIGGER_ORDER = [RungTrigger.BEFORE_DUE, RungTrigger.OVERDUE, RungTrigger.REPORT_MISSING, RungTrigger.BEHIND]


def rung_label(rung: ReminderRung) -> str:
    """How a rung is named on pages and in the timeline: 到期前 10 天, 逾期后 1 天, 缺报 2 天, 进度滞后."""
    if rung.trigger == RungTrigger.BEHIND:
        return str(rung.get_trigger_display())
    return _("%(trigger)s %(days)d 天") % {"trigger": rung.get_trigger_display(), "days": rung.days}


def rung_validate(rung: ReminderRung) -> None:
    """Refuse a rung that breaks a rule; the error names the field."""
    errors = {}
    if rung.trigger not in RungTrigger.values:
        errors["trigger"] = ERR_TRIGGER
    if not isinstance(rung.days, int) or not 0 <= rung.days <= MAX_DAYS:
        errors["days"] = ERR_DAYS
    if not isinstance(rung.repeat_days, int) or not 0 <= rung.repeat_days <= MAX_DAYS:
        errors["repeat_days"] = ERR_REPEAT
    recipients = list(rung.recipients or [])
    if not recipients:
        errors["recipients"] = ERR_NO_RECIPIENT
    elif any(r not in Recipient.values for r in recipients):
        errors["recipients"] = ERR_RECIPIENT
    if errors:
        raise Refused(errors)


def _sort_key(rung: ReminderRung):
    index = TRIGGER_ORDER.index(rung.trigger) if rung.trigger in TRIGGER_ORDER else len(TRIGGER_ORDER)
    return (index, -rung.days if rung.trigger == RungTrigger.BEFORE_DUE else rung.days, rung.pk)


def _renumber(plan: Plan) -> None:
    for order, rung in enumerate(sorted(plan.rungs.all(), key=_sort_key), start=1):
        if rung.order != order:
            rung.order = order
            rung.save(update_fields=["order"])


@transaction.atomic
def rung_add(
    *,
    acting_user,
    plan: Plan,
    trigger: str,
    days: int,
    recipients: list[str],
    repeat_days: int = 0,
    active: bool = True,
) -> ReminderRung:
    require_office(acting_user)
    rung = ReminderRung(
        plan=plan,
        trigger=trigger,
        days=days,
        recipients=[str(r) for r in recipients],
        repeat_days=repeat_days,
        active=active,
    )
    rung_validate(rung)
    rung.save()
    _renumber(plan)
    return rung


@transaction.atomic
def rungs_update(*, acting_user, plan: Plan, rungs: list[ReminderRung]) -> int:
    """Save edited rungs of the plan (as changed by the page's formset); returns how many."""
    require_office(acting_user)
    for rung in rungs:
        if rung.pk is None or rung.plan_id != plan.pk:
            raise Refused(ERR_WRONG_PLAN)
        rung.recipients = [str(r) for r in rung.recipients or []]
        rung_validate(rung)
    for rung in rungs:
        rung.save()
    _renumber(plan)
    return len(rungs)


@transaction.atomic
def rung_delete(*, acting_user, rung: ReminderRung) -> None:
    """Delete a rung. Its ReminderSent rows go with it (the database cascades)."""
    require_office(acting_user)
    rung.delete()


@transaction.atomic
def ladder_restore_default(*, acting_user, plan: Plan) -> None:
    require_office(acting_user)
    ladder_reset(plan=plan)

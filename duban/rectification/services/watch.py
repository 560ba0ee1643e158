"""Relapse watch: a re-check holds, or finds a relapse that reopens the measure."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from duban.notify.services import message_send
from duban.org.access import access_for
from duban.org.tree import UnitTree
from duban.rectification import access as rules
from duban.rectification.models import ClosureState, ClosureStatus, Measure, Recheck, RecheckState, Relapse
from duban.rectification.recipients import grid_reviewers, office_people, unit_people
from duban.rectification.services import PermissionDenied, Refused
from duban.rectification.services.findings import finding_refresh
from duban.supervision.models import Item, LogKind
from duban.supervision.services.items import log
from duban.supervision.state import item_state_refresh

ERR_CANNOT_RECHECK = "只有联系该单位的联络组成员或督查办可以复查。"
ERR_NOT_SCHEDULED = "该复查已完成或已取消。"
ERR_NOT_YET = "复查日期为 {due}，尚未到期。"
ERR_NO_DESCRIPTION = "请写明反弹的具体情况。"
ERR_NOT_CLOSED = "只有已销号的措施才会出现反弹。"


@transaction.atomic
def recheck_hold(*, acting_user, recheck: Recheck, remark: str = "", today: datetime.date | None = None) -> Recheck:
    """The re-check finds the rectification holds (巩固良好)."""
    today = today or timezone.localdate()
    recheck = Recheck.objects.select_for_update().select_related("measure__item").get(pk=recheck.pk)
    _check(acting_user, recheck, today)
    recheck.state = RecheckState.HELD
    recheck.checked_by, recheck.checked_at, recheck.remark = acting_user, timezone.now(), (remark or "").strip()
    recheck.save()
    log(
        recheck.measure.item,
        LogKind.UPDATED,
        acting_user,
        f"销号后第 {recheck.offset_days} 天复查：巩固良好" + (f"。{recheck.remark}" if recheck.remark else ""),
    )
    return recheck


@transaction.atomic
def recheck_relapse(*, acting_user, recheck: Recheck, description: str, today: datetime.date | None = None) -> Relapse:
    """The re-check finds the problem back: record the relapse and reopen the measure."""
    today = today or timezone.localdate()
    recheck = Recheck.objects.select_for_update().select_related("measure__item").get(pk=recheck.pk)
    _check(acting_user, recheck, today)
    description = (description or "").strip()
    if not description:
        raise Refused(ERR_NO_DESCRIPTION)
    recheck.state = RecheckState.RELAPSED
    recheck.checked_by, recheck.checked_at, recheck.remark = acting_user, timezone.now(), description
    recheck.save()
    return measure_relapse(
        acting_user=acting_user,
        measure=recheck.measure,
        description=description,
        recheck=recheck,
        today=today,
        origin=f"销号后第 {recheck.offset_days} 天复查",
    )


def _check(acting_user, recheck: Recheck, today) -> None:
    if not rules.can_recheck(access_for(acting_user), recheck.measure):
        raise PermissionDenied(ERR_CANNOT_RECHECK)
    if recheck.state != RecheckState.SCHEDULED:
        raise Refused(ERR_NOT_SCHEDULED)
    if recheck.due_on > today:
        raise Refused(ERR_NOT_YET.format(due=f"{recheck.due_on:%Y-%m-%d}"))


def measure_relapse(
    *, acting_user, measure: Measure, description: str, today, origin: str, recheck=None, review=None
) -> Relapse:
    """Record a relapse of a closed measure and reopen it (call inside a transaction)."""
    measure = Measure.objects.select_for_update().select_related("item", "finding").get(pk=measure.pk)
    if measure.closure != ClosureState.CLOSED:
        raise Refused(ERR_NOT_CLOSED)
    approved = measure.closures.filter(status=ClosureStatus.APPROVED).order_by("-approved_at", "-id").first()
    relapse = Relapse.objects.create(
        measure=measure,
        unit_id=measure.item.lead_unit_id,
        closure=approved,
        recheck=recheck,
        review=review,
        found_on=today,
        description=description,
        found_by=acting_user,
    )
    # Later re-checks of the undone closure no longer make sense.
    measure.rechecks.filter(state=RecheckState.SCHEDULED).update(state=RecheckState.CANCELLED)
    measure.closure, measure.closed_on, measure.closed_by = ClosureState.OPEN, None, None
    measure.relapse_count += 1
    measure.save(update_fields=["closure", "closed_on", "closed_by", "relapse_count"])

    item = Item.objects.select_for_update().get(pk=measure.pk)
    item.completed_on = None
    item.version += 1
    item.save(update_fields=["completed_on", "version"])
    log(item, LogKind.REOPENED, acting_user, f"{origin}发现反弹，重新整改：{description}", relapse=relapse.pk)
    item_state_refresh(item, today)
    finding_refresh(measure.finding)
    message_send(
        recipients=unit_people(item) + office_people(),
        title=f"整改出现反弹，已重新打开：{item.title[:60]}",
        body=f"{origin}：{description}",
        url=reverse("rectification:measure_detail", args=[measure.pk]),
    )
    return relapse


def rechecks_sweep(today: datetime.date | None = None) -> int:
    """Tell the liaison group about re-checks that fell due; each re-check once.
    Idempotent: the send is recorded on the re-check in the same transaction."""
    today = today or timezone.localdate()
    due = Recheck.objects.filter(state=RecheckState.SCHEDULED, due_on__lte=today, notified_on__isnull=True)
    tree = UnitTree.load()
    sent = 0
    for recheck_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            recheck = (
                Recheck.objects.select_for_update()
                .select_related("measure__item")
                .filter(pk=recheck_id, notified_on__isnull=True, state=RecheckState.SCHEDULED)
                .first()
            )
            if recheck is None:
                continue
            item = recheck.measure.item
            people = grid_reviewers(item.lead_unit_id, tree) or office_people()
            message_send(
                recipients=people,
                title=f"复查到期：{item.title[:60]}（销号后第 {recheck.offset_days} 天）",
                body="请核实整改成果是否巩固，有无反弹回潮，并在系统中记录复查结论。",
                url=reverse("rectification:measure_detail", args=[recheck.measure_id]),
            )
            recheck.notified_on = today
            recheck.save(update_fields=["notified_on"])
            sent += 1
    return sent

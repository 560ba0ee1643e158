"""Deferral requests (延期申请): the unit asks, the office or the patron leader decides.
The item's original due date stays on record."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from duban.notify.models import MessageKind
from duban.notify.services import message_send
from duban.org.access import access_for
from duban.supervision import access as rules
from duban.supervision.models import Deferral, DeferralStatus, Item, LogKind, Recipient
from duban.supervision.recipients import people_for
from duban.supervision.services import Refused
from duban.supervision.services.items import log
from duban.supervision.state import item_state_refresh

ERR_CANNOT_REQUEST = "只有牵头单位负责人可以申请延期。"
ERR_CANNOT_DECIDE = "只有督查办或该事项的帮包领导可以审批延期。"
ERR_NO_DUE = "该事项没有完成时限，无需延期。"
ERR_DONE = "该事项已办结，不能申请延期。"
ERR_NOT_LATER = "申请延至的日期必须晚于当前完成时限（{due}）。"
ERR_PENDING = "该事项已有一份待审批的延期申请。"
ERR_REASON = "请说明延期理由。"
ERR_NOT_PENDING = "该申请已审批过。"
ERR_REFUSE_REASON = "不同意延期须说明理由。"


@transaction.atomic
def deferral_request(*, acting_user, item: Item, new_due_date: datetime.date, reason: str) -> Deferral:
    item = Item.objects.select_for_update().get(pk=item.pk)
    if not rules.can_request_deferral(access_for(acting_user), item):
        raise PermissionDenied(ERR_CANNOT_REQUEST)
    if item.completed_on:
        raise Refused(ERR_DONE)
    if item.due_date is None:
        raise Refused(ERR_NO_DUE)
    if new_due_date <= item.due_date:
        raise Refused(ERR_NOT_LATER.format(due=f"{item.due_date:%Y-%m-%d}"))
    if not (reason or "").strip():
        raise Refused(ERR_REASON)
    if item.deferrals.filter(status=DeferralStatus.PENDING).exists():
        raise Refused(ERR_PENDING)
    deferral = Deferral.objects.create(
        item=item,
        requested_by=acting_user,
        reason=reason.strip(),
        old_due_date=item.due_date,
        new_due_date=new_due_date,
    )
    log(item, LogKind.DEFERRAL_REQUESTED, acting_user, reason, new_due_date=str(new_due_date))
    message_send(
        recipients=people_for(item, [Recipient.OFFICE, Recipient.PATRON]),
        kind=MessageKind.TASK,
        title=f"延期申请待审批：{item.title}",
        body=f"申请将完成时限由 {item.due_date:%Y年%m月%d日} 延至 {new_due_date:%Y年%m月%d日}。理由：{reason.strip()}",
        url=item.get_absolute_url(),
    )
    return deferral


@transaction.atomic
def deferral_decide(*, acting_user, deferral: Deferral, approve: bool, comment: str = "") -> Deferral:
    deferral = Deferral.objects.select_for_update().select_related("item").get(pk=deferral.pk)
    item = Item.objects.select_for_update().get(pk=deferral.item_id)
    if not rules.can_decide_deferral(access_for(acting_user), item):
        raise PermissionDenied(ERR_CANNOT_DECIDE)
    if deferral.status != DeferralStatus.PENDING:
        raise Refused(ERR_NOT_PENDING)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise Refused(ERR_REFUSE_REASON)
    deferral.status = DeferralStatus.APPROVED if approve else DeferralStatus.REFUSED
    deferral.decided_by = acting_user
    deferral.decided_at = timezone.now()
    deferral.decision_comment = comment[:300]
    deferral.save()
    if approve:
        if item.original_due_date is None:
            item.original_due_date = deferral.old_due_date
        item.due_date = deferral.new_due_date
        item.version += 1
        item.save(update_fields=["due_date", "original_due_date", "version"])
    log(
        item,
        LogKind.DEFERRAL_APPROVED if approve else LogKind.DEFERRAL_REFUSED,
        acting_user,
        comment,
        new_due_date=str(deferral.new_due_date),
    )
    message_send(
        recipients=[deferral.requested_by],
        kind=MessageKind.REVIEW,
        title=f"延期申请{'已批准' if approve else '未批准'}：{item.title}",
        body=comment,
        url=item.get_absolute_url(),
    )
    item_state_refresh(item)
    return deferral

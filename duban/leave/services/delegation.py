"""Delegation (审批委托): while away, an approver lets a colleague act on their steps.
Dates are inclusive; a revoked delegation no longer counts."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from duban.leave.models import Delegation
from duban.lib.dates import cn_date
from duban.notify.models import MessageKind
from duban.notify.services import message_send
from duban.org.models import Person
from duban.supervision.services import Refused

ERR_SELF = "不能委托给自己。"
ERR_INACTIVE = "受托人账号已停用，请另选一人。"
ERR_DATES = "结束日期不能早于开始日期。"
ERR_PAST = "结束日期不能早于今天。"
ERR_OVERLAP = "该期间您已委托{name}（{start}—{end}）代为审批，请先撤销原委托。"
ERR_NOT_YOURS = "只能撤销自己设置的委托。"
ERR_REVOKED = "该委托已撤销。"
ERR_ENDED = "该委托已到期，无需撤销。"


def _live(on: datetime.date):
    return Q(revoked_at__isnull=True, starts_on__lte=on, ends_on__gte=on)


def delegators_of(person, on=None) -> list[int]:
    """Ids of the people who let `person` act for them on that day (today by default)."""
    if person is None or not getattr(person, "pk", None):
        return []
    on = on or timezone.localdate()
    return list(
        Delegation.objects.filter(_live(on), delegate=person, delegator__is_active=True)
        .values_list("delegator_id", flat=True)
        .distinct()
    )


def delegates_of(person, on=None) -> list:
    """The people who act for `person` on that day."""
    return delegates_of_all([person], on)


def delegates_of_all(people, on=None) -> list:
    """The people who act for any of `people` on that day, in one query."""
    on = on or timezone.localdate()
    ids = Delegation.objects.filter(_live(on), delegator__in=[p.pk for p in people]).values("delegate_id")
    return list(Person.objects.filter(pk__in=ids, is_active=True).order_by("name", "pk"))


@transaction.atomic
def create(delegator, delegate, starts_on, ends_on, note: str = "", today=None) -> Delegation:
    today = today or timezone.localdate()
    if delegate is None or delegate.pk == delegator.pk:
        raise Refused(ERR_SELF)
    if not delegate.is_active:
        raise Refused(ERR_INACTIVE)
    if ends_on < starts_on:
        raise Refused(ERR_DATES)
    if ends_on < today:
        raise Refused(ERR_PAST)
    Person.objects.select_for_update().filter(pk=delegator.pk).first()
    clash = (
        Delegation.objects.filter(
            delegator=delegator, revoked_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        .select_related("delegate")
        .first()
    )
    if clash is not None:
        raise Refused(
            ERR_OVERLAP.format(name=clash.delegate.name, start=cn_date(clash.starts_on), end=cn_date(clash.ends_on))
        )
    delegation = Delegation.objects.create(
        delegator=delegator, delegate=delegate, starts_on=starts_on, ends_on=ends_on, note=(note or "").strip()[:200]
    )
    message_send(
        recipients=[delegate],
        kind=MessageKind.TASK,
        title=f"{delegator.name}委托您代为审批请假（{cn_date(starts_on)}—{cn_date(ends_on)}）",
        body=delegation.note,
        url=reverse("leave:task_list"),
    )
    return delegation


@transaction.atomic
def revoke(acting_user, delegation: Delegation, today=None) -> Delegation:
    today = today or timezone.localdate()
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.delegator_id != acting_user.pk:
        raise PermissionDenied(ERR_NOT_YOURS)
    if not delegation.revocable(today):
        raise Refused(ERR_REVOKED if delegation.state(today) == "revoked" else ERR_ENDED)
    delegation.revoked_at = timezone.now()
    delegation.save(update_fields=["revoked_at"])
    return delegation

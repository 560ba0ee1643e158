"""Staff feedback: sending (anonymously if the plan allows, rate-limited) and the
office's triage (reply, turn into a finding, or dismiss)."""

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from duban.notify.services import message_send
from duban.org.access import access_for
from duban.rectification import access as rules
from duban.rectification.models import Feedback, FeedbackState, Finding
from duban.rectification.recipients import office_people
from duban.rectification.services import PermissionDenied, Refused
from duban.rectification.services.findings import finding_save, require_office
from duban.rectification.services.plans import profile_for

ERR_CANNOT_SEND = "您没有提意见的权限。"
ERR_CLOSED = "该整改方案暂不接受意见。"
ERR_NOT_DISCLOSED = "该整改方案尚未向职工公开。"
ERR_NO_ANONYMOUS = "该整改方案不接受匿名意见。"
ERR_EMPTY = "请填写意见内容。"
ERR_TOO_LONG = "意见内容请控制在 2000 字以内。"
ERR_LIMIT = "今天提交的意见已达 {limit} 条上限，请明天再提。"
ERR_FINDING = "所选问题不属于该整改方案或未公开。"
ERR_HANDLED = "这条意见已处理。"
ERR_NO_REPLY = "请填写答复内容。"


def sender_key(person) -> str:
    """A keyed hash of the account: lets a sender find their own feedback and the rate
    limit count it, without storing who sent anonymous feedback."""
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"rectification-feedback:{person.pk}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def feedback_send(*, acting_user, plan, text: str, anonymous: bool = False, finding: Finding | None = None) -> Feedback:
    if not rules.can_send_feedback(access_for(acting_user)):
        raise PermissionDenied(ERR_CANNOT_SEND)
    profile = profile_for(plan)
    if not profile.disclosed:
        raise Refused(ERR_NOT_DISCLOSED)
    if not profile.feedback_open:
        raise Refused(ERR_CLOSED)
    if anonymous and not profile.feedback_anonymous:
        raise Refused(ERR_NO_ANONYMOUS)
    text = (text or "").strip()
    if not text:
        raise Refused(ERR_EMPTY)
    if len(text) > 2000:
        raise Refused(ERR_TOO_LONG)
    if finding is not None and (finding.plan_id != plan.pk or not finding.disclosed):
        raise Refused(ERR_FINDING)
    key = sender_key(acting_user)
    today = timezone.localdate()
    # Serialise one sender's submissions so the daily limit (per plan: it is the plan's
    # setting) holds under concurrency.
    get_user_model().objects.select_for_update().filter(pk=acting_user.pk).exists()
    if Feedback.objects.filter(plan=plan, sender_key=key, sent_on=today).count() >= profile.feedback_daily_limit:
        raise Refused(ERR_LIMIT.format(limit=profile.feedback_daily_limit))
    feedback = Feedback.objects.create(
        plan=plan,
        finding=finding,
        text=text,
        anonymous=anonymous,
        sender=None if anonymous else acting_user,
        sender_key=key,
        sent_on=today,
    )
    message_send(
        recipients=office_people(),
        title=f"收到职工意见：{plan.title[:40]}",
        body=text[:300],
        url=reverse("rectification:feedback_queue"),
    )
    return feedback


def _pending(feedback: Feedback) -> Feedback:
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.state != FeedbackState.NEW:
        raise Refused(ERR_HANDLED)
    return feedback


def _done(feedback, acting_user, state, reply="") -> None:
    feedback.state, feedback.reply = state, reply
    feedback.handled_by, feedback.handled_at = acting_user, timezone.now()
    feedback.save()
    if feedback.sender_id and reply:
        message_send(
            recipients=[feedback.sender],
            title="您的意见已答复",
            body=reply[:500],
            url=reverse("rectification:my_feedback"),
        )


@transaction.atomic
def feedback_reply(*, acting_user, feedback: Feedback, reply: str) -> Feedback:
    require_office(acting_user)
    feedback = _pending(feedback)
    reply = (reply or "").strip()
    if not reply:
        raise Refused(ERR_NO_REPLY)
    _done(feedback, acting_user, FeedbackState.REPLIED, reply)
    return feedback


@transaction.atomic
def feedback_dismiss(*, acting_user, feedback: Feedback, reply: str) -> Feedback:
    require_office(acting_user)
    feedback = _pending(feedback)
    reply = (reply or "").strip()
    if not reply:
        raise Refused(ERR_NO_REPLY)
    _done(feedback, acting_user, FeedbackState.DISMISSED, reply)
    return feedback


@transaction.atomic
def feedback_convert(*, acting_user, feedback: Feedback, finding: Finding, units=None, reply: str = "") -> Finding:
    """Turn feedback into a finding of the same plan, kept linked both ways."""
    require_office(acting_user)
    feedback = _pending(feedback)
    finding.plan_id = feedback.plan_id
    finding.origin_feedback = feedback
    finding = finding_save(acting_user=acting_user, finding=finding, units=units)
    feedback.created_finding = finding
    _done(
        feedback,
        acting_user,
        FeedbackState.CONVERTED,
        (reply or "").strip() or f"已纳入整改台账（问题{finding.ordinal}）。",
    )
    return finding

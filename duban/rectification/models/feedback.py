"""Staff feedback on disclosed rectification (接受职工监督)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackState(models.TextChoices):
    NEW = "new", _("待处理")
    REPLIED = "replied", _("已答复")
    CONVERTED = "converted", _("已转为问题")
    DISMISSED = "dismissed", _("不予采纳")


class Feedback(models.Model):
    """A comment on a disclosed finding, or general feedback on a plan.

    An anonymous sender is stored only as `sender_key`, a keyed hash of their account
    that lets them (and the rate limit) recognise their own feedback; the office sees no
    name. The row carries a date, not a time, and is not in the audit history.
    """

    plan = models.ForeignKey("supervision.Plan", on_delete=models.CASCADE, related_name="feedback")
    finding = models.ForeignKey(
        "rectification.Finding",
        verbose_name=_("针对问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    text = models.TextField(_("意见内容"))
    anonymous = models.BooleanField(_("匿名"), default=False)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sender_key = models.CharField(max_length=64, db_index=True)
    sent_on = models.DateField(_("提出日期"))
    state = models.CharField(_("状态"), max_length=10, choices=FeedbackState.choices, default=FeedbackState.NEW)
    reply = models.TextField(_("答复"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_finding = models.ForeignKey(
        "rectification.Finding",
        verbose_name=_("转为问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("职工意见")
        verbose_name_plural = _("职工意见")
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["plan", "state"], name="feedback_plan_state")]

    def __str__(self):
        return self.text[:40]

"""The in-app inbox and the record of every delivery (inbox, e-mail)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    REMINDER = "reminder", _("自动提醒")
    URGE = "urge", _("催办")
    NOTICE = "notice", _("督办单")
    WARNING = "warning", _("告诫提醒")
    INSTRUCTION = "instruction", _("领导批示")
    REVIEW = "review", _("审核结果")
    TASK = "task", _("待办")
    CIRCULAR = "circular", _("通报")
    SYSTEM = "system", _("系统消息")


class Message(models.Model):
    """One message in one person's inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("收件人"), on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=MessageKind.choices, default=MessageKind.SYSTEM)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            # notify.selectors.unread_count and the inbox list: a person's unread messages, newest first.
            models.Index(fields=["recipient", "-created_at"], name="message_recipient_new"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="message_unread"),
        ]

    def __str__(self):
        return self.title


class Channel(models.TextChoices):
    INBOX = "inbox", _("站内消息")
    EMAIL = "email", _("电子邮件")


class Delivery(models.Model):
    """What was sent through which channel, and whether it worked."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    ok = models.BooleanField(_("成功"), default=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    attempted_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-attempted_at"]

    def __str__(self):
        return f"{self.message_id} {self.channel}"

"""The reminder and escalation ladder (configured per plan) and the record of what it sent."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RungTrigger(models.TextChoices):
    BEFORE_DUE = "before_due", _("到期前")
    OVERDUE = "overdue", _("逾期后")
    REPORT_MISSING = "report_missing", _("缺报")
    BEHIND = "behind", _("进度滞后")


class Recipient(models.TextChoices):
    RESPONSIBLE = "responsible", _("责任人")
    UNIT_HEAD = "unit_head", _("牵头单位负责人")
    LIAISON = "liaison", _("牵头单位联络员")
    PATRON = "patron", _("帮包领导")
    OFFICE = "office", _("督查办")


class ReminderRung(models.Model):
    """One rung: when `trigger` holds with `days` (days before due, days overdue, or days a
    report is missing), tell `recipients`; once, or again every `repeat_days`."""

    plan = models.ForeignKey("supervision.Plan", on_delete=models.CASCADE, related_name="rungs")
    trigger = models.CharField(_("触发条件"), max_length=16, choices=RungTrigger.choices)
    days = models.PositiveSmallIntegerField(_("天数"), default=0)
    recipients = models.JSONField(_("提醒对象"), default=list)
    repeat_days = models.PositiveSmallIntegerField(
        _("重复间隔（天）"), default=0, help_text=_("0 表示每个完成时限只提醒一次。")
    )
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=1)

    class Meta:
        verbose_name = _("提醒规则")
        verbose_name_plural = _("提醒规则")
        ordering = ["plan_id", "order", "id"]

    def __str__(self):
        return f"{self.get_trigger_display()} {self.days} 天"


class ReminderSent(models.Model):
    """Claim and record of one rung firing for one item on one day. The unique
    constraint makes the claim atomic, so two workers never send the same reminder."""

    item = models.ForeignKey("supervision.Item", on_delete=models.CASCADE, related_name="reminders")
    # Kept when a rung is deleted or the ladder reset, so the history of what was sent survives.
    rung = models.ForeignKey(ReminderRung, null=True, on_delete=models.SET_NULL, related_name="sent")
    on_date = models.DateField(_("日期"))
    due_date = models.DateField(_("当时的完成时限"), null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(_("收件人数"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        ordering = ["-on_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "rung", "on_date"], name="reminder_once_per_day"),
        ]
        indexes = [models.Index(fields=["item", "rung", "-on_date"], name="reminder_item_rung")]

    def __str__(self):
        return f"{self.item_id}/{self.rung_id}@{self.on_date}"

"""Periodic progress reports (进展填报) and deferral requests (延期申请)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    OPEN = "open", _("待填报")
    DRAFT = "draft", _("待提交")
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已采纳")
    RETURNED = "returned", _("已退回")


# Reports still waiting for the unit: past their due date plus the plan's grace they count as missing.
UNFINISHED = (ReportStatus.OPEN, ReportStatus.DRAFT, ReportStatus.RETURNED)


class ProgressReport(models.Model):
    """One report slot of an item for one period. Slots are opened on schedule, so a
    report never filed is a visible row, not an absence."""

    item = models.ForeignKey("supervision.Item", on_delete=models.CASCADE, related_name="reports")
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"))
    due_date = models.DateField(_("填报截止"))
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    progress_text = models.TextField(_("工作进展"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下一步计划"), blank=True)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), null=True, blank=True)
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filled_at = models.DateTimeField(_("填写时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # The local date of submitted_at (kept by save()): punctuality is counted by date, in SQL.
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.CharField(_("审核意见"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["item_id", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["item", "period_start"], name="report_one_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="report_period_ordered"),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100), name="report_percent_le_100"
            ),
        ]
        indexes = [
            # The office's review queue and the league table's punctuality: reports by status and due date.
            models.Index(fields=["status", "due_date"], name="report_status_due"),
            models.Index(fields=["item", "status", "-period_start"], name="report_item_status"),
            # The review queue (我的工作, 待审核): submitted reports, oldest first. Partial, so that it
            # is never a candidate for "this item's reports of a status" (report_item_status is).
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status=ReportStatus.SUBMITTED),
                name="report_review_queue",
            ),
            # The reports covering a week (weekly summary): per item, those ending from the week on.
            models.Index(fields=["item", "period_end", "period_start"], name="report_item_period_end"),
        ]

    def __str__(self):
        return f"{self.item_id} {self.period_start:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        self.submitted_on = timezone.localdate(self.submitted_at) if self.submitted_at else None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "submitted_at" in update_fields:
            kwargs["update_fields"] = {*update_fields, "submitted_on"}
        super().save(*args, **kwargs)

    def is_missing(self, today, grace_days: int) -> bool:
        return self.status in UNFINISHED and (today - self.due_date).days > grace_days

    @staticmethod
    def missing_filter(today, grace_days: int) -> Q:
        """is_missing as a filter of reports."""
        return Q(status__in=UNFINISHED, due_date__lt=today - datetime.timedelta(days=grace_days))

    @property
    def is_late(self) -> bool:
        return bool(self.submitted_at and timezone.localdate(self.submitted_at) > self.due_date)

    @staticmethod
    def punctual_filter() -> Q:
        """Handed in (awaiting review or accepted) on or before its due date."""
        return Q(status__in=(ReportStatus.SUBMITTED, ReportStatus.ACCEPTED), submitted_on__lte=models.F("due_date"))


class DeferralStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class Deferral(models.Model):
    """A request to move an item's due date. The original date stays on the item."""

    item = models.ForeignKey("supervision.Item", on_delete=models.CASCADE, related_name="deferrals")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    reason = models.TextField(_("延期理由"))
    old_due_date = models.DateField(_("原完成时限"))
    new_due_date = models.DateField(_("申请延至"))
    status = models.CharField(_("状态"), max_length=10, choices=DeferralStatus.choices, default=DeferralStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            # One open request per item at a time (supervision.services.deferral_request relies on it).
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="pending"), name="deferral_one_pending_per_item"
            ),
            models.CheckConstraint(condition=Q(new_due_date__gt=models.F("old_due_date")), name="deferral_moves_later"),
        ]
        indexes = [
            # 我的工作's review panel: the pending requests, newest first.
            models.Index(fields=["status", "-requested_at"], name="deferral_status_requested"),
        ]

    def __str__(self):
        return f"{self.item_id}: {self.old_due_date} → {self.new_due_date}"

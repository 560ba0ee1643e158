"""Closure against the ledger (对账销号): the evidence checklist per measure type, the
unit's request, the liaison group's review and the office's approval."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.rectification.models.findings import MeasureType


class EvidenceKind(models.TextChoices):
    TEXT = "text", _("文字说明")
    FILE = "file", _("佐证文件")
    DOCUMENT = "document", _("制度文件（标题、文号、日期、文件）")


class EvidenceRequirement(models.Model):
    """One line of the evidence checklist of a measure type. When the office has not
    configured a type, the defaults in rectification.checklist apply."""

    measure_type = models.CharField(_("措施类型"), max_length=12, choices=MeasureType.choices)
    key = models.SlugField(_("代码"), max_length=40)
    label = models.CharField(_("要求"), max_length=100)
    kind = models.CharField(_("形式"), max_length=10, choices=EvidenceKind.choices, default=EvidenceKind.TEXT)
    required = models.BooleanField(_("必须提供"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=1)

    class Meta:
        verbose_name = _("销号材料要求")
        verbose_name_plural = _("销号材料要求")
        ordering = ["measure_type", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["measure_type", "key"], name="evidence_key_unique")]

    def __str__(self):
        return self.label


class ClosureStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", _("待联络组审核")
    PENDING_APPROVAL = "pending_approval", _("待督查办审批")
    APPROVED = "approved", _("已销号")
    RETURNED = "returned", _("已退回")


class ClosureRequest(models.Model):
    """A unit's request to close a measure, and what became of it."""

    measure = models.ForeignKey("rectification.Measure", on_delete=models.CASCADE, related_name="closures")
    status = models.CharField(
        _("状态"), max_length=16, choices=ClosureStatus.choices, default=ClosureStatus.PENDING_REVIEW
    )
    statement = models.TextField(_("完成情况"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    review_skipped = models.BooleanField(_("无联络组，直接报督查办"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联络组审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_remark = models.CharField(_("审核意见"), max_length=300, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approve_remark = models.CharField(_("审批意见"), max_length=300, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("退回人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("销号申请")
        verbose_name_plural = _("销号申请")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "requested_at"], name="closure_status")]

    def __str__(self):
        return f"{self.measure_id}: {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status in (ClosureStatus.PENDING_REVIEW, ClosureStatus.PENDING_APPROVAL)


class ClosureEvidence(models.Model):
    """What the unit supplied for one checklist line (the label is kept as it was then)."""

    request = models.ForeignKey(ClosureRequest, on_delete=models.CASCADE, related_name="evidence")
    key = models.CharField(max_length=40)
    label = models.CharField(_("要求"), max_length=100)
    kind = models.CharField(_("形式"), max_length=10, choices=EvidenceKind.choices)
    text = models.TextField(_("说明"), blank=True)
    attachment = models.ForeignKey(
        "supervision.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("销号材料")
        verbose_name_plural = _("销号材料")
        ordering = ["request_id", "id"]

    def __str__(self):
        return self.label

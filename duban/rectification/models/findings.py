"""Findings (问题) and the measures (整改措施) that rectify them. A measure *is* a
supervision Item (same primary key): it reuses reports, status rules, reminders and
notices, and adds its type, the document a 建章立制 measure produces, and closure."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("较重")
    GRAVE = "grave", _("严重")


class Finding(models.Model):
    """A problem found by an inspection, an audit, a look-back round or raised by staff."""

    plan = models.ForeignKey("supervision.Plan", on_delete=models.CASCADE, related_name="findings")
    ordinal = models.PositiveIntegerField(_("序号"))
    reference = models.CharField(_("出处"), max_length=100, blank=True, help_text=_("例如：反馈意见第3条"))
    category = models.CharField(_("问题类别"), max_length=40, help_text=_("例如：党的建设、选人用人、作风建设"))
    severity = models.CharField(_("严重程度"), max_length=8, choices=Severity.choices, default=Severity.GENERAL)
    description = models.TextField(_("问题描述"))
    units = models.ManyToManyField("org.Unit", verbose_name=_("涉及单位"), blank=True, related_name="findings")
    public_summary = models.CharField(
        _("公开摘要"),
        max_length=300,
        blank=True,
        help_text=_("向职工公开时显示的内容；不要写人名。留空则只公开类别和状态。"),
    )
    disclosed = models.BooleanField(_("可向职工公开"), default=True)
    internal_note = models.TextField(
        _("内部备注"), blank=True, help_text=_("仅督查办和相关单位可见，任何时候都不公开。")
    )
    origin_round = models.ForeignKey(
        "rectification.LookbackRound",
        verbose_name=_("发现于回头看"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="new_findings",
    )
    origin_feedback = models.ForeignKey(
        "rectification.Feedback",
        verbose_name=_("来自职工意见"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["plan_id", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["plan", "ordinal"], name="finding_ordinal_unique")]

    def __str__(self):
        return f"{self.ordinal}. {self.description[:40]}"

    def get_absolute_url(self):
        return reverse("rectification:finding_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


class MeasureType(models.TextChoices):
    IMMEDIATE = "immediate", _("立行立改")
    DEADLINE = "deadline", _("限期整改")
    ONGOING = "ongoing", _("长期坚持")
    INSTITUTION = "institution", _("建章立制")


class ClosureState(models.TextChoices):
    OPEN = "open", _("整改中")
    REQUESTED = "requested", _("待联络组审核")
    REVIEWED = "reviewed", _("待督查办审批")
    CLOSED = "closed", _("已销号")


class Measure(models.Model):
    """整改措施: the rectification side of an Item."""

    item = models.OneToOneField("supervision.Item", primary_key=True, on_delete=models.CASCADE, related_name="measure")
    finding = models.ForeignKey(Finding, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="measures")
    type = models.CharField(_("措施类型"), max_length=12, choices=MeasureType.choices, default=MeasureType.DEADLINE)
    closure = models.CharField(_("销号状态"), max_length=10, choices=ClosureState.choices, default=ClosureState.OPEN)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    relapse_count = models.PositiveSmallIntegerField(_("反弹次数"), default=0)
    # What a 建章立制 measure produced.
    doc_title = models.CharField(_("制度文件标题"), max_length=200, blank=True)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    doc_date = models.DateField(_("印发日期"), null=True, blank=True)
    doc_file = models.ForeignKey(
        "supervision.Attachment",
        verbose_name=_("制度文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        indexes = [models.Index(fields=["finding", "closure"], name="measure_finding_closure")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closure="closed", closed_on__isnull=False)
                | (~Q(closure="closed") & Q(closed_on__isnull=True)),
                name="measure_closed_has_date",
            ),
        ]

    def __str__(self):
        return str(self.item)

    def get_absolute_url(self):
        return reverse("rectification:measure_detail", args=[self.pk])

    @property
    def has_document(self) -> bool:
        return bool(self.doc_title and self.doc_number and self.doc_date and self.doc_file_id)

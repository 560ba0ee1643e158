"""A pasted meeting report, what was extracted from it, and the items created from it."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    CREATED = "created", _("已创建事项")


class MinutesDraft(models.Model):
    """One report read by the office: the original text, the proposed requirements
    (the extraction result), the clerk's edits, and once confirmed the items made from it."""

    title = models.CharField(_("标题"), max_length=200, blank=True)
    source_name = models.CharField(_("来源文件"), max_length=200, blank=True)
    original = models.TextField(_("原文"))
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    meeting_date = models.DateField(_("会议日期"), null=True, blank=True)
    # The clerk's words for the meeting; `meeting` links it when the meeting is in duban.
    meeting_title = models.CharField(_("会议"), max_length=200, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("会议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="minutes_drafts",
    )
    # extract() as returned (with the "_span" offsets into `original`).
    result = models.JSONField(_("提取结果"), default=dict)
    # The clerk's edits saved from the review page (empty until saved once).
    rows = models.JSONField(_("审核内容"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=DraftStatus.choices, default=DraftStatus.DRAFT)
    plan = models.ForeignKey(
        "supervision.Plan",
        verbose_name=_("加入计划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="minutes_drafts",
    )
    items = models.ManyToManyField(
        "supervision.Item", verbose_name=_("已创建事项"), blank=True, related_name="minutes_drafts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    items_created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    items_created_at = models.DateTimeField(_("创建事项时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")
        ordering = ["-created_at", "-id"]
        constraints = [
            # minutes.services.items_from_draft stamps both together.
            models.CheckConstraint(
                condition=models.Q(status=DraftStatus.DRAFT) | models.Q(items_created_at__isnull=False),
                name="minutes_created_stamped",
            ),
        ]

    def __str__(self):
        return self.title or _("未命名纪要")

    def get_absolute_url(self):
        return reverse("minutes:review", args=[self.pk])

    @property
    def proposed(self) -> list[dict]:
        return list((self.result or {}).get("items", []))

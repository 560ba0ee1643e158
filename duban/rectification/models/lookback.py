"""Look-back rounds (回头看): the ledger snapshotted, a checklist applied to every
measure, a verdict per measure, new findings, and a comparison report at close."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Seed 003's 四看, the default checklist (the office edits it per template and per round).
FOUR_LOOKS = [
    {"key": "belief", "label": "一看理想信念是否更加坚定，推进发展的决心是否更加明确"},
    {"key": "measures", "label": "二看整改方案确定的具体举措是否已经或正在得到落实"},
    {"key": "problems", "label": "三看突出问题、群众反映强烈的问题是否已经或正在得到解决"},
    {"key": "mechanism", "label": "四看体制机制创新是否已经或正在取得新的成果"},
]


class LookbackTemplate(models.Model):
    """A reusable checklist for look-back rounds."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    points = models.JSONField(_("检查要点"), default=list)
    is_default = models.BooleanField(_("默认模板"), default=False)

    class Meta:
        verbose_name = _("回头看模板")
        verbose_name_plural = _("回头看模板")
        ordering = ["-is_default", "name"]

    def __str__(self):
        return self.name


class RoundState(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class LookbackRound(models.Model):
    plan = models.ForeignKey("supervision.Plan", on_delete=models.CASCADE, related_name="lookback_rounds")
    number = models.PositiveSmallIntegerField(_("轮次"))
    title = models.CharField(_("名称"), max_length=120)
    checklist = models.JSONField(_("检查要点"), default=list)
    state = models.CharField(_("状态"), max_length=8, choices=RoundState.choices, default=RoundState.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    snapshot = models.JSONField(_("开始时台账快照"), default=dict)
    closing_snapshot = models.JSONField(_("结束时台账快照"), default=dict)
    report = models.JSONField(_("对比报告"), default=dict)
    summary = models.TextField(_("总结"), blank=True)

    class Meta:
        verbose_name = _("回头看")
        verbose_name_plural = _("回头看")
        ordering = ["plan_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="round_number_unique"),
            models.UniqueConstraint(fields=["plan"], condition=models.Q(state="open"), name="round_one_open_per_plan"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("rectification:round_detail", args=[self.pk])


class ReviewVerdict(models.TextChoices):
    HOLDS = "holds", _("整改到位")
    PROGRESSING = "progressing", _("正在推进")
    LAGGING = "lagging", _("进展滞后")
    RELAPSED = "relapsed", _("出现反弹")


class LookbackReview(models.Model):
    """The verdict of a round on one measure, with answers to the checklist."""

    round = models.ForeignKey(LookbackRound, on_delete=models.CASCADE, related_name="reviews")
    measure = models.ForeignKey("rectification.Measure", on_delete=models.CASCADE, related_name="lookback_reviews")
    answers = models.JSONField(_("逐项检查"), default=dict)
    verdict = models.CharField(_("结论"), max_length=12, choices=ReviewVerdict.choices)
    remarks = models.TextField(_("检查意见"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("检查时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回头看检查")
        verbose_name_plural = _("回头看检查")
        ordering = ["round_id", "measure_id"]
        constraints = [models.UniqueConstraint(fields=["round", "measure"], name="review_once_per_round")]

    def __str__(self):
        return f"{self.round_id}/{self.measure_id}: {self.verdict}"

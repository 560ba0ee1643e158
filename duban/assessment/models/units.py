"""Unit assessment (考核评价): a period, its published scoring rules, assessors' manual scores and
grade bands. The scores themselves are computed from supervision and rectification data by
duban.assessment.scoring, so anyone can recompute them from the parts shown."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PeriodState(models.TextChoices):
    DRAFT = "draft", _("规则制定中")
    PUBLISHED = "published", _("规则已公布")
    CLOSED = "closed", _("结果已确定")


class AssessmentPeriod(models.Model):
    title = models.CharField(_("名称"), max_length=120, help_text=_("例如：2025年度督查督办工作考核"))
    year = models.PositiveSmallIntegerField(_("年度"))
    start = models.DateField(_("考核期开始"))
    end = models.DateField(_("考核期结束"))
    base_score = models.DecimalField(
        _("基础分"), max_digits=7, decimal_places=2, default=0, help_text=_("各项得分在此基础上加减。")
    )
    plans = models.ManyToManyField(
        "supervision.Plan",
        verbose_name=_("纳入考核的计划"),
        blank=True,
        related_name="+",
        help_text=_("留空则纳入考核期内的全部计划。"),
    )
    units = models.ManyToManyField("org.Unit", verbose_name=_("被考核单位"), related_name="+")
    assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评分人"),
        blank=True,
        related_name="+",
        help_text=_("为人工评分项打分的人员。"),
    )
    state = models.CharField(_("状态"), max_length=10, choices=PeriodState.choices, default=PeriodState.DRAFT)
    note = models.TextField(_("说明"), blank=True)
    result = models.JSONField(_("确定的结果"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("考核期")
        verbose_name_plural = _("考核期")
        ordering = ["-year", "-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="period_end_after_start")
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assessment:period_detail", args=[self.pk])


class Metric(models.TextChoices):
    """What a rule measures. How each is computed is written in duban.assessment.scoring."""

    ON_TIME_RATE = "on_time_rate", _("按期完成率")
    REPORT_PUNCTUALITY = "report_punctuality", _("按时填报率")
    OVERDUE_ITEMS = "overdue_items", _("逾期事项数")
    MISSING_REPORTS = "missing_reports", _("缺报次数")
    DEFERRALS = "deferrals", _("批准延期次数")
    MEASURES_CLOSED = "measures_closed", _("整改措施销号数")
    RELAPSES = "relapses", _("整改反弹次数")
    LOOKBACK_FAILURES = "lookback_failures", _("回头看未通过数")
    ACCOUNTABILITY = "accountability", _("问责记录数")
    GOOD_EXAMPLES = "good_examples", _("正面典型数")
    BAD_EXAMPLES = "bad_examples", _("反面典型数")
    MANUAL = "manual", _("人工评分")


RATE_METRICS = {Metric.ON_TIME_RATE, Metric.REPORT_PUNCTUALITY}


class ScoringRule(models.Model):
    """One published rule: a rate earns up to `points` (points × rate); a count earns `points`
    per occurrence (negative to deduct), limited to `cap` in absolute value; a manual score is
    the assessors' average, from 0 to `points`."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    metric = models.CharField(_("考核指标"), max_length=24, choices=Metric.choices)
    label = models.CharField(_("名称"), max_length=60, blank=True, help_text=_("留空则用指标名称。"))
    points = models.DecimalField(
        _("分值"),
        max_digits=7,
        decimal_places=2,
        help_text=_("比率类：满分；计数类：每次加减的分数（扣分填负数）；人工评分：满分。"),
    )
    cap = models.DecimalField(
        _("上限"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("计数类加分或扣分的累计上限（填正数）；留空不限。"),
    )
    description = models.CharField(_("评分说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("评分规则")
        verbose_name_plural = _("评分规则")
        ordering = ["period_id", "order", "id"]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return self.label or str(self.get_metric_display())

    @property
    def is_rate(self) -> bool:
        return self.metric in RATE_METRICS

    @property
    def is_manual(self) -> bool:
        return self.metric == Metric.MANUAL


class Band(models.Model):
    """A grade band: a total at or above `min_score` earns `label` (the highest band that fits)."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="bands")
    label = models.CharField(_("等次"), max_length=20)
    min_score = models.DecimalField(_("最低分"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("考核等次")
        verbose_name_plural = _("考核等次")
        ordering = ["period_id", "-min_score"]
        constraints = [models.UniqueConstraint(fields=["period", "label"], name="band_label_unique")]

    def __str__(self):
        return f"{self.label} ≥ {self.min_score}"


class ManualScore(models.Model):
    """An assessor's score for one unit on one manual rule."""

    rule = models.ForeignKey(ScoringRule, on_delete=models.CASCADE, related_name="manual_scores")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)
    note = models.CharField(_("评分理由"), max_length=200, blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        constraints = [models.UniqueConstraint(fields=["rule", "unit", "assessor"], name="manual_score_once")]

    def __str__(self):
        return f"{self.rule_id}/{self.unit_id}: {self.score}"

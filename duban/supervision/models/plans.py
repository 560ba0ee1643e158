"""Plans (计划/方案): containers of items with a kind, dates, phases and the thresholds
that decide their items' colours."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.supervision.status import DEFAULT_COLOURS, Policy


class PlanKind(models.TextChoices):
    ANNUAL = "annual", _("年度重点工作")
    BREAKTHROUGH = "breakthrough", _("攻坚突破项目")
    CAMPAIGN = "campaign", _("专项行动")
    MEETING = "meeting", _("会议决定事项")
    INSTRUCTION = "instruction", _("领导批示交办")
    RECTIFICATION = "rectification", _("整改方案")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("推进中")
    CLOSED = "closed", _("已结束")


def default_colours() -> dict:
    return {str(k): str(v) for k, v in DEFAULT_COLOURS.items()}


class Plan(models.Model):
    """A plan holding a tree of supervised items."""

    title = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=PlanKind.choices, default=PlanKind.ANNUAL)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    owner_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("牵头督办单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    # Thresholds (data an administrator sets per plan; status.evaluate reads them).
    due_soon_days = models.PositiveSmallIntegerField(_("临期提前天数"), default=10)
    pace_tolerance = models.PositiveSmallIntegerField(
        _("滞后容差（百分点）"), default=10, help_text=_("已报进度低于应有进度超过此百分点即为滞后。")
    )
    report_grace_days = models.PositiveSmallIntegerField(
        _("缺报宽限天数"), default=2, help_text=_("填报截止后超过此天数仍未提交，即记为缺报。")
    )
    colours = models.JSONField(_("状态颜色"), default=default_colours, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办计划")
        verbose_name_plural = _("督办计划")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="plan_dates_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("supervision:plan_detail", args=[self.pk])

    def policy(self) -> Policy:
        colours = dict(default_colours())
        colours.update(self.colours or {})
        return Policy(due_soon_days=self.due_soon_days, pace_tolerance=self.pace_tolerance, colours=colours)


class PlanPhase(models.Model):
    """A phase of a campaign (专项行动), e.g. 学习动员、查摆整改、总结提升."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("阶段名称"), max_length=60)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    order = models.PositiveSmallIntegerField(_("排序"), default=1)

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["plan_id", "order", "start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="phase_dates_ordered"),
        ]

    def __str__(self):
        return self.name

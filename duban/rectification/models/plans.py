"""A rectification plan: a supervision Plan (kind 整改方案) with where its problems came
from, the relapse-watch schedule, and what is disclosed to staff."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_RECHECK_DAYS = [30, 90, 180]


class Source(models.TextChoices):
    INSPECTION = "inspection", _("巡视")
    CIRCUIT = "circuit", _("巡察")
    AUDIT = "audit", _("审计")
    SUPERVISION = "supervision", _("督查")
    EDUCATION = "education", _("主题教育")
    SELF = "self", _("自查")
    STAFF = "staff", _("职工反映")
    LOOKBACK = "lookback", _("回头看")


def default_recheck_days() -> list[int]:
    return list(DEFAULT_RECHECK_DAYS)


def new_public_token() -> str:
    return secrets.token_urlsafe(18)


class RectificationPlan(models.Model):
    """The rectification side of a Plan (same primary key)."""

    plan = models.OneToOneField(
        "supervision.Plan", primary_key=True, on_delete=models.CASCADE, related_name="rectification"
    )
    source = models.CharField(_("问题来源"), max_length=12, choices=Source.choices, default=Source.INSPECTION)
    reference = models.CharField(_("来源文件"), max_length=200, blank=True, help_text=_("例如：巡视反馈意见"))
    recheck_days = models.JSONField(
        _("销号后复查（天）"),
        default=default_recheck_days,
        help_text=_("销号后第几天由联络组复查，防止反弹回潮。默认 30、90、180 天。"),
    )
    # Disclosure to staff (向职工公开).
    disclosed = models.BooleanField(_("向职工公开"), default=False)
    show_counts = models.BooleanField(_("公开问题和措施数量"), default=True)
    show_percent = models.BooleanField(_("公开销号比例"), default=True)
    show_findings = models.BooleanField(_("逐条公开问题摘要和状态"), default=True)
    show_units = models.BooleanField(_("公开责任单位名称"), default=True)
    show_monthly = models.BooleanField(_("公开逐月销号情况"), default=True)
    public_page = models.BooleanField(
        _("开放免登录公开页"), default=False, help_text=_("开启后，持有链接的任何人无需登录即可查看公开内容。")
    )
    public_token = models.CharField(max_length=40, default=new_public_token, unique=True, editable=False)
    # Staff feedback (接受职工监督).
    feedback_open = models.BooleanField(_("接受职工意见"), default=True)
    feedback_anonymous = models.BooleanField(_("允许匿名提意见"), default=True)
    feedback_daily_limit = models.PositiveSmallIntegerField(_("每人每天意见上限"), default=5)

    class Meta:
        verbose_name = _("整改方案")
        verbose_name_plural = _("整改方案")

    def __str__(self):
        return str(self.plan)

    def schedule(self) -> list[int]:
        """The re-check offsets in days, sorted, positive and unique."""
        days = sorted({int(d) for d in (self.recheck_days or []) if str(d).strip().lstrip("-").isdecimal()})
        return [d for d in days if d > 0]

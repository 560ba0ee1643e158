"""Relapse watch (防止反弹回潮): re-checks scheduled after a closure, and relapses."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecheckState(models.TextChoices):
    SCHEDULED = "scheduled", _("待复查")
    HELD = "held", _("巩固良好")
    RELAPSED = "relapsed", _("出现反弹")
    CANCELLED = "cancelled", _("已取消")


class Recheck(models.Model):
    """A re-check of a closed measure, due `offset_days` after its closure."""

    measure = models.ForeignKey("rectification.Measure", on_delete=models.CASCADE, related_name="rechecks")
    closure = models.ForeignKey("rectification.ClosureRequest", on_delete=models.CASCADE, related_name="rechecks")
    offset_days = models.PositiveSmallIntegerField(_("销号后天数"))
    due_on = models.DateField(_("复查日期"))
    state = models.CharField(_("状态"), max_length=10, choices=RecheckState.choices, default=RecheckState.SCHEDULED)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复查人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("复查时间"), null=True, blank=True)
    remark = models.TextField(_("复查情况"), blank=True)
    notified_on = models.DateField(_("提醒日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("复查")
        verbose_name_plural = _("复查")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["closure", "offset_days"], name="recheck_once_per_offset")]
        indexes = [models.Index(fields=["state", "due_on"], name="recheck_state_due")]

    def __str__(self):
        return f"{self.measure_id} +{self.offset_days}"


class Relapse(models.Model):
    """A closed measure found to have relapsed, by a re-check or a look-back review.
    It reopens the measure and counts against the unit that led it."""

    measure = models.ForeignKey("rectification.Measure", on_delete=models.CASCADE, related_name="relapses")
    unit = models.ForeignKey("org.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    closure = models.ForeignKey(
        "rectification.ClosureRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recheck = models.OneToOneField(Recheck, null=True, blank=True, on_delete=models.SET_NULL, related_name="relapse")
    review = models.OneToOneField(
        "rectification.LookbackReview", null=True, blank=True, on_delete=models.SET_NULL, related_name="relapse"
    )
    found_on = models.DateField(_("发现日期"), default=timezone.localdate)
    description = models.TextField(_("反弹情况"))
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发现人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("反弹记录")
        verbose_name_plural = _("反弹记录")
        ordering = ["-found_on", "-id"]

    def __str__(self):
        return f"{self.measure_id} @ {self.found_on}"

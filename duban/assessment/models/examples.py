"""Typical examples (正反面典型): good practice to learn from and bad cases to warn with, linked to
units, people, items and evidence, publishable to staff and counted in the assessment."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExampleKind(models.TextChoices):
    GOOD = "good", _("正面典型")
    BAD = "bad", _("反面典型")


class Example(models.Model):
    kind = models.CharField(_("类型"), max_length=4, choices=ExampleKind.choices)
    title = models.CharField(_("标题"), max_length=120)
    summary = models.TextField(_("事迹或问题简介"))
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("相关人员"), blank=True, related_name="+")
    items = models.ManyToManyField("supervision.Item", verbose_name=_("相关督办事项"), blank=True, related_name="+")
    recognised_on = models.DateField(_("认定日期"), default=timezone.localdate)
    source = models.CharField(_("认定依据"), max_length=200, blank=True, help_text=_("例如：督查通报、阶段总结。"))
    evidence = models.FileField(_("佐证材料"), upload_to="examples/%Y/", blank=True)
    evidence_name = models.CharField(_("材料文件名"), max_length=200, blank=True)
    published = models.BooleanField(_("向职工公开"), default=False)
    published_summary = models.TextField(
        _("公开内容"), blank=True, help_text=_("向职工公开的文字；反面典型可隐去人名。留空则公开简介。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("典型")
        verbose_name_plural = _("正反面典型")
        ordering = ["-recognised_on", "-id"]
        indexes = [models.Index(fields=["unit", "kind", "recognised_on"], name="example_unit_kind_date")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assessment:example_detail", args=[self.pk])

    @property
    def public_text(self) -> str:
        return self.published_summary or self.summary

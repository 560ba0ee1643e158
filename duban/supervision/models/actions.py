"""Supervision actions on items: notices (督办单), warnings (告诫提醒), accountability
(问责), leader instructions (批示) and circulars (通报)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("待回复")
    ANSWERED = "answered", _("已回复")
    CLOSED = "closed", _("已办结")


class Notice(models.Model):
    """A formal supervision notice with a document number, answered in the system."""

    item = models.ForeignKey("supervision.Item", on_delete=models.CASCADE, related_name="notices")
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    addressee_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("主送单位"), on_delete=models.PROTECT, related_name="+"
    )
    requirement = models.TextField(_("督办要求"))
    respond_by = models.DateField(_("回复时限"))
    status = models.CharField(_("状态"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("下发时间"), default=timezone.now)
    response = models.TextField(_("回复内容"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-issued_at"]
        constraints = [models.UniqueConstraint(fields=["year", "serial"], name="notice_number_unique")]

    def __str__(self):
        return self.number


class Warning(models.Model):  # noqa: A001  (the domain word; shadows the builtin only in this module)
    """A warning (告诫提醒) to a unit, and optionally a person, about an item."""

    item = models.ForeignKey("supervision.Item", on_delete=models.CASCADE, related_name="warnings")
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("告诫内容"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("告诫提醒")
        verbose_name_plural = _("告诫提醒")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.unit_id} {self.issued_at:%Y-%m-%d}"


class AccountabilityKind(models.TextChoices):
    TALK = "talk", _("约谈")
    CRITICISM = "criticism", _("通报批评")
    ADMONITION = "admonition", _("诫勉谈话")
    ORGANISATIONAL = "organisational", _("组织处理")
    DISCIPLINARY = "disciplinary", _("纪律处分")
    OTHER = "other", _("其他")


class Accountability(models.Model):
    """An accountability record (问责) with its decision document."""

    item = models.ForeignKey("supervision.Item", on_delete=models.CASCADE, related_name="accountabilities")
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("问责方式"), max_length=16, choices=AccountabilityKind.choices)
    reason = models.TextField(_("问责事由"))
    decision_title = models.CharField(_("决定文件"), max_length=200, blank=True)
    decision_number = models.CharField(_("决定文号"), max_length=60, blank=True)
    decision_file = models.FileField(_("决定文件附件"), upload_to="accountability/%Y/", blank=True)
    decided_on = models.DateField(_("决定日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("问责记录")
        verbose_name_plural = _("问责记录")
        ordering = ["-decided_on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.decided_on}"


class Instruction(models.Model):
    """A leader's instruction (批示) on an item."""

    item = models.ForeignKey("supervision.Item", on_delete=models.CASCADE, related_name="instructions")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("批示内容"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.leader_id} {self.created_at:%Y-%m-%d}"


class Circular(models.Model):
    """A circular (通报) about a plan, naming lagging (or exemplary) units."""

    plan = models.ForeignKey("supervision.Plan", on_delete=models.CASCADE, related_name="circulars")
    number = models.CharField(_("文号"), max_length=40, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    units = models.ManyToManyField("org.Unit", verbose_name=_("通报单位"), blank=True, related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-issued_at"]

    def __str__(self):
        return self.title

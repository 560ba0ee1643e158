"""Review sessions (述职评议 + 民主测评): who is rated, on what scale, by which voter groups."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SessionState(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("测评进行中")
    CLOSED = "closed", _("已结束")


class ReportMode(models.TextChoices):
    ONSITE = "onsite", _("现场述职")
    WRITTEN = "written", _("书面述职")


# The default scale of seed 004 and the common alternative; scores are what the weighted
# score averages, "positive" grades make the 好+较好 rate.
SCALE_PRESETS = {
    "hao": [("好", 100, True), ("较好", 80, True), ("一般", 60, False), ("差", 0, False)],
    "youxiu": [("优秀", 100, True), ("称职", 80, True), ("基本称职", 60, False), ("不称职", 0, False)],
}


class ReviewSession(models.Model):
    title = models.CharField(_("名称"), max_length=120, help_text=_("例如：2025年度党支部书记抓党建工作述职评议"))
    year = models.PositiveSmallIntegerField(_("年度"))
    organiser = models.ForeignKey(
        "org.Unit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="review_sessions"
    )
    held_on = models.DateField(_("会议日期"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("述职评议会"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_sessions",
    )
    instructions = models.TextField(_("测评说明"), blank=True, help_text=_("显示在选票顶部。"))
    state = models.CharField(_("状态"), max_length=10, choices=SessionState.choices, default=SessionState.DRAFT)
    top_quota_percent = models.PositiveSmallIntegerField(
        _("最高等次比例上限（%）"),
        null=True,
        blank=True,
        help_text=_("一张选票中评为最高等次的人数不得超过被测评人数的该比例；留空不限。"),
    )
    require_all = models.BooleanField(_("须对每位被测评人评价"), default=True)
    min_rated = models.PositiveSmallIntegerField(
        _("最少评价人数"), null=True, blank=True, help_text=_("不要求全部评价时，一张有效选票至少评价的人数。")
    )
    show_receipts = models.BooleanField(_("投票后发放回执码"), default=True)
    result = models.JSONField(_("计票结果"), null=True, blank=True, editable=False)
    closed_at = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("述职评议")
        verbose_name_plural = _("述职评议")
        ordering = ["-year", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assessment:session_detail", args=[self.pk])

    @property
    def is_draft(self):
        return self.state == SessionState.DRAFT

    @property
    def is_open(self):
        return self.state == SessionState.OPEN

    @property
    def is_closed(self):
        return self.state == SessionState.CLOSED


class Grade(models.Model):
    """One step of the rating scale, best first."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="grades")
    order = models.PositiveSmallIntegerField(_("顺序"))
    label = models.CharField(_("等次"), max_length=10)
    score = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    positive = models.BooleanField(_("计入好评率"), default=False, help_text=_("例如“好”和“较好”。"))

    class Meta:
        verbose_name = _("评价等次")
        verbose_name_plural = _("评价等次")
        ordering = ["session_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["session", "order"], name="grade_order_unique"),
            models.UniqueConstraint(fields=["session", "label"], name="grade_label_unique"),
        ]

    def __str__(self):
        return self.label


class Dimension(models.Model):
    """An optional aspect rated separately (e.g. 政治建设, 履职尽责), with a weight."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="dimensions")
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    name = models.CharField(_("测评维度"), max_length=40)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=1)

    class Meta:
        verbose_name = _("测评维度")
        verbose_name_plural = _("测评维度")
        ordering = ["session_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "name"], name="dimension_name_unique")]

    def __str__(self):
        return self.name


class Subject(models.Model):
    """A person reporting on the year and being rated (被测评人)."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="subjects")
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_subjects",
    )
    name = models.CharField(_("姓名"), max_length=40)
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.SET_NULL)
    position = models.CharField(_("职务"), max_length=60, blank=True)
    report_mode = models.CharField(_("述职方式"), max_length=10, choices=ReportMode.choices, default=ReportMode.WRITTEN)
    report = models.FileField(_("述职报告"), upload_to="assessment/reports/%Y/", blank=True)
    report_name = models.CharField(_("报告文件名"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("被测评人")
        verbose_name_plural = _("被测评人")
        ordering = ["session_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], condition=Q(person__isnull=False), name="subject_person_unique"
            )
        ]

    def __str__(self):
        return self.name


class VoterGroup(models.Model):
    """A group of voters (委员, 代表, 群众代表) with its weight and its number of ballots."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="groups")
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    name = models.CharField(_("测评人类别"), max_length=40)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=1)
    ballots = models.PositiveIntegerField(_("选票数"), help_text=_("本类别参加测评的人数，即可发放的选票数。"))

    class Meta:
        verbose_name = _("测评人类别")
        verbose_name_plural = _("测评人类别")
        ordering = ["session_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "name"], name="group_name_unique")]

    def __str__(self):
        return self.name


class SessionLogKind(models.TextChoices):
    CREATED = "created", _("创建")
    OPENED = "opened", _("开始测评")
    CODES = "codes", _("生成投票码")
    VOIDED = "voided", _("作废投票码")
    CLOSED = "closed", _("结束测评并计票")
    REOPENED = "reopened", _("重新开放")
    PAPER = "paper", _("纸质选票核对")


class SessionLog(models.Model):
    """What the office did to a session. Never anything about a single ballot."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="logs")
    kind = models.CharField(_("操作"), max_length=12, choices=SessionLogKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("评议记录")
        verbose_name_plural = _("评议记录")
        ordering = ["session_id", "at", "id"]

    def __str__(self):
        return f"{self.session_id} {self.kind}"

"""Leave and travel (请销假与出差报备): the types, the approval chains as data, the requests
with their steps, delegation while an approver is away, and the annual-leave balance."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AbsenceType(models.Model):
    """出差, 年休假, 事假, 病假, 外出报备 … (configurable)."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    uses_balance = models.BooleanField(_("扣减年休假天数"), default=False)
    needs_destination = models.BooleanField(_("须填写目的地"), default=False)
    report_only = models.BooleanField(
        _("仅报备"), default=False, help_text=_("报备类不需审批：提交即生效，流程中的人员收到告知。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=1)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("请假类型")
        verbose_name_plural = _("请假类型")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class ChainRule(models.Model):
    """Which steps a request of a type goes through, for requesters of some ranks.
    The first rule (by order) whose ranks include the requester's rank applies;
    a rule with no ranks applies to everyone."""

    absence_type = models.ForeignKey(
        AbsenceType, verbose_name=_("请假类型"), on_delete=models.CASCADE, related_name="rules"
    )
    ranks = models.JSONField(_("适用职级"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=1)
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("审批规则")
        verbose_name_plural = _("审批规则")
        ordering = ["absence_type_id", "order", "id"]

    def __str__(self):
        return f"{self.absence_type_id} {self.ranks}"


class Approver(models.TextChoices):
    UNIT_HEAD = "unit_head", _("本单位负责人")
    SUPERVISING_LEADER = "leader", _("主管领导")
    OFFICE = "office", _("办公室")
    HR = "hr", _("人事部门")
    POLITICAL = "political", _("政工部门")
    UNIT = "unit", _("指定部门")


# Approvers that stand for a department named in LeaveSettings.
DEPARTMENT_APPROVERS = {"office": "office_unit", "hr": "hr_unit", "political": "political_unit"}


class LeaveSettings(models.Model):
    """Which units are the institution's 办公室, 人事部门 and 政工部门 (one row), and the
    default annual-leave entitlement. A department step goes to that unit's head and liaisons."""

    office_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("办公室"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hr_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("人事部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    political_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("政工部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    default_annual_days = models.DecimalField(_("默认年休假天数"), max_digits=4, decimal_places=1, default=5)

    class Meta:
        verbose_name = _("请销假设置")
        verbose_name_plural = _("请销假设置")

    def __str__(self):
        return "请销假设置"

    @classmethod
    def current(cls) -> "LeaveSettings":
        """The settings row, or unsaved defaults (reading never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class StepAction(models.TextChoices):
    APPROVE = "approve", _("审批")
    HANDLE = "handle", _("办理")
    FILE = "file", _("备案")
    NOTIFY = "notify", _("告知")


# Steps that wait for someone to act; the others are done when reached (a message is sent).
BLOCKING = (StepAction.APPROVE, StepAction.HANDLE)


def is_blocking(action: str, absence_type) -> bool:
    """Whether a step waits for someone to act: 审批/办理 steps, except on a report-only type
    (报备类), whose requests take effect at once and only inform the people of the chain."""
    return action in BLOCKING and not absence_type.report_only


class ChainStep(models.Model):
    rule = models.ForeignKey(ChainRule, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    approver = models.CharField(_("办理人"), max_length=12, choices=Approver.choices)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("指定部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("办理人为部门时：该部门的负责人和联络员。"),
    )
    action = models.CharField(_("动作"), max_length=10, choices=StepAction.choices, default=StepAction.APPROVE)

    class Meta:
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        ordering = ["rule_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(approver="unit") | Q(unit__isnull=False), name="chain_step_unit_when_unit"
            )
        ]

    def __str__(self):
        return f"{self.rule_id}.{self.order} {self.approver} {self.action}"


class AbsenceStatus(models.TextChoices):
    PENDING = "pending", _("审批中")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")


# Requests that count as "away" and block an overlapping request of the same person.
LIVE = (AbsenceStatus.PENDING, AbsenceStatus.APPROVED)

# The tag colour (db-tag-<colour>) of each status, one map for every page; others are grey.
STATUS_COLOURS = {
    AbsenceStatus.APPROVED: "green",
    AbsenceStatus.PENDING: "yellow",
    AbsenceStatus.REFUSED: "red",
    "done": "green",
    "refused": "red",
    "pending": "yellow",
}


class AbsenceRequest(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="absences"
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("所在单位"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("申请时所在单位（日历按此显示）。"),
    )
    absence_type = models.ForeignKey(AbsenceType, verbose_name=_("类型"), on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    days = models.DecimalField(_("天数"), max_digits=5, decimal_places=1, help_text=_("工作日天数。"))
    destination = models.CharField(_("目的地"), max_length=100, blank=True)
    reason = models.CharField(_("事由"), max_length=300)
    contact = models.CharField(_("联系方式"), max_length=60, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=AbsenceStatus.choices, default=AbsenceStatus.PENDING)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    returned_on = models.DateField(_("销假日期"), null=True, blank=True)
    returned_at = models.DateTimeField(_("销假登记时间"), null=True, blank=True)
    actual_days = models.DecimalField(_("实际天数"), max_digits=5, decimal_places=1, null=True, blank=True)
    return_note = models.CharField(_("销假说明"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("请假/出差申请")
        verbose_name_plural = _("请假/出差申请")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["person", "starts_on"], name="absence_person_start"),
            models.Index(fields=["unit", "starts_on"], name="absence_unit_start"),
            models.Index(fields=["status", "starts_on"], name="absence_status_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start")
        ]

    def __str__(self):
        return f"{self.person_id} {self.absence_type_id} {self.starts_on}"

    def get_absolute_url(self):
        return reverse("leave:request_detail", args=[self.pk])

    @property
    def last_day(self) -> datetime.date:
        """The last day the person is away: the day before an early return (销假), else the end
        date. Before the start day when they came back on it (never away)."""
        if self.returned_on is not None:
            return min(self.ends_on, self.returned_on - datetime.timedelta(days=1))
        return self.ends_on

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "grey")


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("未到")
    PENDING = "pending", _("待办理")
    DONE = "done", _("已办理")
    REFUSED = "refused", _("不同意")
    CANCELLED = "cancelled", _("已取消")


DONE_LABELS = {
    StepAction.APPROVE: _("同意"),
    StepAction.HANDLE: _("已办理"),
    StepAction.FILE: _("已送备案"),
    StepAction.NOTIFY: _("已告知"),
}


class RequestStep(models.Model):
    """One step of one request, with the people who may act on it (resolved at submission)."""

    request = models.ForeignKey(AbsenceRequest, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("顺序"))
    approver = models.CharField(_("办理人"), max_length=12, choices=Approver.choices)
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("动作"), max_length=10, choices=StepAction.choices)
    label = models.CharField(_("环节"), max_length=60)
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("办理人"), related_name="leave_steps")
    status = models.CharField(_("状态"), max_length=10, choices=StepStatus.choices, default=StepStatus.WAITING)
    reached_at = models.DateTimeField(_("到达时间"), null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代理谁办理"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acted_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    note = models.CharField(_("意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("审批环节")
        verbose_name_plural = _("审批环节")
        ordering = ["request_id", "order", "id"]
        indexes = [models.Index(fields=["status"], name="request_step_status")]
        constraints = [models.UniqueConstraint(fields=["request", "order"], name="request_step_order_once")]

    def __str__(self):
        return f"{self.request_id}.{self.order} {self.label}"

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "grey")

    @property
    def done_label(self) -> str:
        """What a done step shows: 同意 / 已办理 / 已送备案 / 已告知."""
        return DONE_LABELS.get(self.action, str(self.get_status_display()))


# state -> (label, tag colour)
DELEGATION_STATES = {
    "revoked": (_("已撤销"), "grey"),
    "ended": (_("已到期"), "grey"),
    "future": (_("未开始"), "blue"),
    "live": (_("生效中"), "green"),
}


class Delegation(models.Model):
    """While away, an approver lets a colleague act on their steps (dates inclusive)."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("委托人"), on_delete=models.CASCADE, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("受托人"), on_delete=models.CASCADE, related_name="delegations_taken"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审批委托")
        verbose_name_plural = _("审批委托")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(delegate=models.F("delegator")), name="delegation_not_self"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.delegator_id}→{self.delegate_id}"

    def state(self, today: datetime.date) -> str:
        """One of DELEGATION_STATES: revoked, ended, future or live on `today`."""
        if self.revoked_at is not None:
            return "revoked"
        if self.ends_on < today:
            return "ended"
        if self.starts_on > today:
            return "future"
        return "live"

    def revocable(self, today: datetime.date) -> bool:
        """Only a delegation not yet revoked nor ended may be revoked."""
        return self.state(today) in ("future", "live")


class LeaveBalance(models.Model):
    """Annual leave a person is entitled to in a year (年休假天数)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="leave_balances"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    entitled_days = models.DecimalField(_("应休天数"), max_digits=4, decimal_places=1)
    carried_days = models.DecimalField(_("上年结转"), max_digits=4, decimal_places=1, default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("年休假额度")
        verbose_name_plural = _("年休假额度")
        ordering = ["year", "person_id"]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="leave_balance_once")]

    def __str__(self):
        return f"{self.person_id} {self.year}"


class CalendarDay(models.Model):
    """Exceptions to Monday–Friday: public holidays (not working days) and weekend
    make-up days (调休上班, working days)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("上班"), default=False)
    name = models.CharField(_("名称"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class FeedToken(models.Model):
    """The secret of a person's iCalendar feed; only its digest is kept."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self):
        return str(self.person_id)

"""Items (督办事项) and what hangs off them: time nodes, indicators and their readings,
attachments, the cached status, and the item's timeline."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.supervision.status import Colour, Status


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    CUSTOM = "custom", _("自定义间隔")
    NONE = "none", _("不定期")


class Item(models.Model):
    """Something someone must get done by a date: a project, a measure, a decision."""

    plan = models.ForeignKey(
        "supervision.Plan", verbose_name=_("所属计划"), on_delete=models.CASCADE, related_name="items"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级事项"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    ordinal = models.PositiveIntegerField(_("序号"), default=1)
    title = models.CharField(_("事项名称"), max_length=200)
    description = models.TextField(_("工作内容与要求"), blank=True)
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="led_items"
    )
    co_units = models.ManyToManyField("org.Unit", verbose_name=_("责任单位"), blank=True, related_name="co_items")
    patron_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮包领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patron_items",
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_items",
    )
    phase = models.ForeignKey(
        "supervision.PlanPhase", verbose_name=_("阶段"), null=True, blank=True, on_delete=models.SET_NULL
    )
    start_date = models.DateField(_("开始日期"))
    due_date = models.DateField(_("完成时限"), null=True, blank=True, help_text=_("长期坚持的事项可不填。"))
    original_due_date = models.DateField(_("原定完成时限"), null=True, blank=True)
    cadence = models.CharField(_("填报周期"), max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)
    cadence_day = models.PositiveSmallIntegerField(
        _("填报日"), default=5, help_text=_("每周：周几（1–7）；每月：几号（1–28）；自定义：间隔天数。")
    )
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    remarks = models.CharField(_("备注"), max_length=300, blank=True)
    source_text = models.TextField(_("来源原文"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["plan_id", "ordinal", "id"]
        indexes = [
            # supervision.selectors.items_for_plan: a plan's items in ledger order.
            models.Index(fields=["plan", "ordinal"], name="item_plan_ordinal"),
            # supervision.selectors.battlemap: a plan's projects (parent null) in order, a page at a time,
            # and the measures of those projects.
            models.Index(fields=["plan", "parent", "ordinal"], name="item_plan_parent"),
            # Unit pages and the league table: items a unit leads.
            models.Index(fields=["lead_unit", "plan"], name="item_lead_unit"),
            # The reminder sweep: open items by due date.
            models.Index(fields=["due_date"], condition=Q(completed_on__isnull=True), name="item_open_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=models.F("start_date")),
                name="item_due_after_start",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="item_not_own_parent"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("supervision:item_detail", args=[self.pk])

    @property
    def reports_from(self) -> datetime.date:
        """The first day a report can be owed: the start, or the day the item entered the
        system if it started earlier (an imported or backdated item owes no reports for
        the weeks before anyone could file them)."""
        return max(self.start_date, timezone.localdate(self.created_at))

    @property
    def is_deferred(self) -> bool:
        return bool(self.original_due_date and self.due_date and self.due_date != self.original_due_date)

    # The league table's item rules (selectors/league.py), as filters: the league counts with
    # them and states_refresh stores them per item on ItemState.

    @staticmethod
    def fallen_due_filter(today) -> Q:
        """Completed, or not completed with an original due date (lacking one, a due date) before today."""
        deadline = Q(original_due_date__lt=today) | Q(original_due_date__isnull=True, due_date__lt=today)
        return Q(completed_on__isnull=False) | (Q(completed_on__isnull=True) & deadline)

    @staticmethod
    def on_time_filter() -> Q:
        """Completed on or before the original due date; with no due date, once completed.
        A deferral does not make a late item on time."""
        deadline = Coalesce("original_due_date", "due_date")
        return Q(completed_on__isnull=False) & (Q(due_date__isnull=True) | Q(completed_on__lte=deadline))


class ItemState(models.Model):
    """The cached result of status.evaluate() for an item, refreshed by the services
    whenever a fact changes and by the periodic sweep as days pass. Lists and
    dashboards read it instead of evaluating thousands of items per request."""

    item = models.OneToOneField(Item, primary_key=True, on_delete=models.CASCADE, related_name="state")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    colour = models.CharField(_("颜色"), max_length=8, choices=Colour.choices, default=Colour.GREY)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    expected = models.PositiveSmallIntegerField(_("应有进度"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=120, blank=True)
    days_left = models.IntegerField(_("剩余天数"), null=True, blank=True)
    computed_on = models.DateField(_("计算日期"), null=True, blank=True)
    last_report_on = models.DateField(_("最近采纳报告"), null=True, blank=True)
    missing_reports = models.PositiveSmallIntegerField(_("缺报次数"), default=0)
    # Copies of the item's plan and lead unit, so that dashboards and the league table count a
    # plan's states by unit without joining every item (kept by states_refresh).
    # (No indexes of their own: itemstate_plan_tally starts with plan; the next refresh mends a copy.)
    plan = models.ForeignKey("supervision.Plan", null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    lead_unit = models.ForeignKey("org.Unit", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    # The league table's per-item facts as of computed_on (see selectors/league.py for the rules).
    fallen_due = models.BooleanField(_("已到期"), default=False)
    on_time = models.BooleanField(_("按期完成"), default=False)
    reports_due = models.PositiveIntegerField(_("应报次数"), default=0)
    reports_punctual = models.PositiveIntegerField(_("按时报送次数"), default=0)
    reports_awaiting = models.PositiveIntegerField(_("待审核报告"), default=0)
    # The weekly summary's verdict on the item's report for the last week that is over as of
    # computed_on (summaries.filing_of: on_time, late, missing, pending or none), so that the
    # summary of that week counts states instead of probing 1.5 million reports.
    week_start = models.DateField(_("周报周次"), null=True, blank=True)
    week_filing = models.CharField(_("本周报送"), max_length=8, default="none")
    # The item's place in ledger order ("2" < "2.1" < "2.3" < "3"), so that the weekly summary
    # pages a 30,000-item plan's lists along an index instead of sorting them through the
    # parent: the project's ordinal for a project and its measures; 0 for a project, the
    # measure's ordinal + 1 for a measure (kept by states_refresh, and by items.item_save
    # for the measures of a project renumbered).
    ledger_top = models.PositiveIntegerField(default=0)
    ledger_sub = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("事项状态")
        verbose_name_plural = _("事项状态")
        indexes = [
            # Dashboards count items by status; 我的工作's attention panel and a plan dashboard's
            # choose their first overdue and behind items in it (covering: a sort of a few index
            # entries, not of the rows joined to their items).
            models.Index(
                fields=["status", "plan", "days_left", "ledger_top", "ledger_sub", "item"], name="itemstate_status"
            ),
            # A plan's dashboard, ledger, weekly summary and league table count its states by unit,
            # status and colour and sum their tallies: every column they read is in this index.
            models.Index(
                fields=[
                    "plan",
                    "lead_unit",
                    "status",
                    "colour",
                    "missing_reports",
                    "reports_awaiting",
                    "fallen_due",
                    "on_time",
                    "reports_due",
                    "reports_punctual",
                ],
                name="itemstate_plan_tally",
            ),
            # The weekly summary counts a plan's states by week verdict, status and unit, and
            # lists its lagging ones in ledger order: every column it reads is in this index.
            # (item_id is the primary key but not SQLite's rowid, so it is named here.)
            models.Index(
                fields=["plan", "week_start", "week_filing", "status", "lead_unit", "ledger_top", "ledger_sub", "item"],
                name="itemstate_plan_week",
            ),
            # The weekly summary's list of all items, a page at a time in ledger order.
            models.Index(fields=["plan", "ledger_top", "ledger_sub", "item"], name="itemstate_plan_ledger"),
        ]

    def __str__(self):
        return f"{self.item_id}: {self.status}"


class StateTally(models.Model):
    """A plan's item states counted by lead unit, status, colour and the kept week verdict,
    with their tallies summed: what the plan dashboard, the league table and the weekly summary
    count, for those who see every item, in a few hundred rows instead of every state.
    A cache of the cache: supervision.tallies keeps it (states_refresh refreshes the groups
    whose states changed; the periodic sweep rebuilds the active plans' tallies)."""

    plan = models.ForeignKey("supervision.Plan", on_delete=models.CASCADE, related_name="+", db_index=False)
    lead_unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    colour = models.CharField(_("颜色"), max_length=8, choices=Colour.choices)
    week_start = models.DateField(_("周报周次"), null=True, blank=True)
    week_filing = models.CharField(_("本周报送"), max_length=8)
    item_count = models.PositiveIntegerField(_("事项数"), default=0)
    fallen_due = models.PositiveIntegerField(_("已到期"), default=0)
    on_time = models.PositiveIntegerField(_("按期完成"), default=0)
    missing_reports = models.PositiveIntegerField(_("缺报次数"), default=0)
    reports_due = models.PositiveIntegerField(_("应报次数"), default=0)
    reports_punctual = models.PositiveIntegerField(_("按时报送次数"), default=0)
    reports_awaiting = models.PositiveIntegerField(_("待审核报告"), default=0)

    class Meta:
        verbose_name = _("事项状态计数")
        verbose_name_plural = _("事项状态计数")
        indexes = [
            models.Index(
                fields=["plan", "lead_unit", "status", "colour", "week_start", "week_filing"], name="statetally_key"
            )
        ]

    def __str__(self):
        return f"{self.plan_id}/{self.lead_unit_id}/{self.status}: {self.item_count}"


class TimeNode(models.Model):
    """A milestone (时间节点) with its own due date."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="nodes")
    title = models.CharField(_("节点内容"), max_length=200)
    due_date = models.DateField(_("节点时限"))
    target_percent = models.PositiveSmallIntegerField(
        _("节点应达进度（%）"), null=True, blank=True, help_text=_("留空则只检查是否按时完成。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=1)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("时间节点")
        verbose_name_plural = _("时间节点")
        ordering = ["item_id", "due_date", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_percent__isnull=True) | Q(target_percent__lte=100), name="node_target_le_100"
            ),
        ]

    def __str__(self):
        return self.title

    def is_late(self, today) -> bool:
        """Past its date and not done (status.evaluate treats such a node as making the item behind)."""
        return self.done_on is None and self.due_date < today


class Direction(models.TextChoices):
    UP = "up", _("越大越好")
    DOWN = "down", _("越小越好")


class Indicator(models.Model):
    """A measurable target of an item, read at each report."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("指标名称"), max_length=100)
    unit_of_measure = models.CharField(_("计量单位"), max_length=20, blank=True)
    baseline = models.DecimalField(_("基数"), max_digits=14, decimal_places=2, default=0)
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)
    direction = models.CharField(_("方向"), max_length=4, choices=Direction.choices, default=Direction.UP)
    order = models.PositiveSmallIntegerField(_("排序"), default=1)
    # The latest accepted reading as of the end of the last week that is over, and as of a week
    # before (kept by supervision.state with the item's state), for the weekly summary's totals.
    week_start = models.DateField(_("周报周次"), null=True, blank=True)
    week_value = models.DecimalField(_("本周读数"), max_digits=14, decimal_places=2, null=True, blank=True)
    week_previous = models.DecimalField(_("上周读数"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["item_id", "order", "id"]
        indexes = [
            # The weekly summary sums the kept readings by name and unit: read in this order, with
            # every column it needs, the sums need neither the table nor a sort.
            models.Index(
                fields=["name", "unit_of_measure", "item", "target", "week_start", "week_value", "week_previous"],
                name="indicator_week_totals",
            ),
        ]

    def __str__(self):
        return self.name


class IndicatorReading(models.Model):
    """The value of an indicator as of a report's period end."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="readings")
    report = models.ForeignKey(
        "supervision.ProgressReport", null=True, blank=True, on_delete=models.CASCADE, related_name="readings"
    )
    period_end = models.DateField(_("截至日期"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("指标读数")
        verbose_name_plural = _("指标读数")
        ordering = ["indicator_id", "period_end"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "report"], name="reading_once_per_report"),
        ]
        indexes = [models.Index(fields=["indicator", "period_end"], name="reading_indicator_period")]

    def __str__(self):
        return f"{self.indicator_id}@{self.period_end}: {self.value}"


class Attachment(models.Model):
    """A file attached to an item, one of its reports, or a notice's response."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="attachments")
    report = models.ForeignKey(
        "supervision.ProgressReport", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"), default=0)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class LogKind(models.TextChoices):
    CREATED = "created", _("创建事项")
    UPDATED = "updated", _("修改事项")
    REPORT_FILLED = "report_filled", _("填报进展")
    REPORT_SUBMITTED = "report_submitted", _("提交报告")
    REPORT_ACCEPTED = "report_accepted", _("采纳报告")
    REPORT_RETURNED = "report_returned", _("退回报告")
    NODE_DONE = "node_done", _("完成节点")
    DEFERRAL_REQUESTED = "deferral_requested", _("申请延期")
    DEFERRAL_APPROVED = "deferral_approved", _("批准延期")
    DEFERRAL_REFUSED = "deferral_refused", _("不同意延期")
    REMINDER = "reminder", _("自动提醒")
    URGED = "urged", _("催办")
    NOTICE_ISSUED = "notice_issued", _("下发督办单")
    NOTICE_ANSWERED = "notice_answered", _("回复督办单")
    WARNING = "warning", _("告诫提醒")
    ACCOUNTABILITY = "accountability", _("问责")
    INSTRUCTION = "instruction", _("领导批示")
    COMPLETED = "completed", _("办结")
    REOPENED = "reopened", _("重新打开")


class ItemLog(models.Model):
    """The item's timeline: every state change and supervision action, with who and when."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="log")
    kind = models.CharField(_("动作"), max_length=24, choices=LogKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    text = models.TextField(_("内容"), blank=True)
    report = models.ForeignKey(
        "supervision.ProgressReport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("事项记录")
        verbose_name_plural = _("事项记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["item", "-at"], name="itemlog_item_at")]

    def __str__(self):
        return f"{self.item_id} {self.kind}"

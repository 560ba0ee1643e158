"""Meetings (调度会, 推进会 …): who is invited, the agenda each unit files, who came, who
asked for leave, and what was decided."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(24)


class MeetingKind(models.TextChoices):
    SCHEDULING = "scheduling", _("调度会")
    MOBILISATION = "mobilisation", _("动员部署会")
    PROGRESS = "progress", _("推进会")
    REVIEW = "review", _("述职评议会")
    PARTY_LIFE = "party_life", _("组织生活会")
    OFFICE = "office", _("办公会")
    OTHER = "other", _("其他会议")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    ANNOUNCED = "announced", _("已通知")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class Meeting(models.Model):
    """A meeting. A scheduling meeting (调度会) names the plan whose lead units report."""

    title = models.CharField(_("会议名称"), max_length=200)
    kind = models.CharField(_("会议类型"), max_length=16, choices=MeetingKind.choices, default=MeetingKind.OTHER)
    status = models.CharField(_("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200)
    host_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="hosted_meetings"
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("会务联系人"),
        on_delete=models.PROTECT,
        related_name="organised_meetings",
        help_text=_("审批会议请假、负责签到的人。"),
    )
    chair = models.CharField(_("主持人"), max_length=60, blank=True)
    plan = models.ForeignKey(
        "supervision.Plan",
        verbose_name=_("调度计划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
        help_text=_("调度会：各牵头单位按此计划汇报进展。"),
    )
    agenda = models.TextField(_("会议议程"), blank=True, help_text=_("每行一项。"))
    reports_due_at = models.DateTimeField(_("材料报送截止"), null=True, blank=True)
    allows_substitute = models.BooleanField(_("允许委托他人参会"), default=False)
    late_after_minutes = models.PositiveSmallIntegerField(
        _("迟到判定（分钟）"), default=0, help_text=_("开始后超过该分钟数签到记为迟到。")
    )
    sign_in_token = models.CharField(max_length=40, default=new_token, editable=False)
    minutes = models.TextField(_("会议纪要"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    announced_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["starts_at"], name="meeting_starts")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start")
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:meeting_detail", args=[self.pk])

    @property
    def agenda_lines(self) -> list[str]:
        """The agenda, one entry a line, blank lines left out."""
        return [line.strip() for line in (self.agenda or "").splitlines() if line.strip()]


class InviteScope(models.TextChoices):
    HEADS = "heads", _("单位负责人")
    HEADS_LIAISONS = "heads_liaisons", _("负责人和联络员")
    ALL = "all", _("全体人员")


class UnitInvite(models.Model):
    """A whole unit invited; expanded into one Invitation per person when the meeting is announced."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="unit_invites")
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("参会范围"), max_length=16, choices=InviteScope.choices, default=InviteScope.HEADS)

    class Meta:
        verbose_name = _("参会单位")
        verbose_name_plural = _("参会单位")
        ordering = ["unit__order", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "unit"], name="unit_invite_once")]

    def __str__(self):
        return f"{self.meeting_id} {self.unit_id}"


class Response(models.TextChoices):
    PENDING = "pending", _("待回复")
    ACCEPTED = "accepted", _("参加")
    DECLINED = "declined", _("不参加")


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("未签到")
    PRESENT = "present", _("出席")
    LATE = "late", _("迟到")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")


class Invitation(models.Model):
    """One person invited to one meeting, their answer and their attendance record."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("参会人"), on_delete=models.PROTECT, related_name="invitations"
    )
    via_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("通知单位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.CharField(_("回复"), max_length=10, choices=Response.choices, default=Response.PENDING)
    response_note = models.CharField(_("回复说明"), max_length=200, blank=True)
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    attendance = models.CharField(_("出勤"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN)
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代为参会人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")
        ordering = ["meeting_id", "id"]
        indexes = [models.Index(fields=["person", "meeting"], name="invitation_person")]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="invitation_once")]

    def __str__(self):
        return f"{self.meeting_id} {self.person_id}"

    @property
    def unit(self):
        """The unit one was invited through, else one's own unit (None if neither)."""
        return self.via_unit or self.person.unit


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已准假")
    REFUSED = "refused", _("不准假")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_LEAVE = (LeaveStatus.PENDING, LeaveStatus.APPROVED)


class MeetingLeave(models.Model):
    """会议请假: asked by the invitee (or proposed from their approved travel or leave),
    decided by the organiser. Asked after the start, it is marked late."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="leaves")
    reason = models.CharField(_("请假事由"), max_length=300)
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代为参会人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING)
    is_late = models.BooleanField(_("会后补假"), default=False)
    proposed = models.BooleanField(_("系统建议"), default=False)
    absence = models.ForeignKey(
        "leave.AbsenceRequest",
        verbose_name=_("对应请假/出差"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_leaves",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("会议请假")
        verbose_name_plural = _("会议请假")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # At most one open (pending or approved) request per invitation.
            models.UniqueConstraint(
                fields=["invitation"], condition=Q(status__in=["pending", "approved"]), name="meeting_leave_one_open"
            )
        ]

    def __str__(self):
        return f"{self.invitation_id} {self.status}"


class AgendaSlot(models.Model):
    """One agenda entry. On a scheduling meeting, one slot per lead unit: the unit files its
    progress, problems and next steps (pre-filled from its items' latest reports)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="slots")
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    title = models.CharField(_("议题"), max_length=200)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("汇报单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    progress = models.TextField(_("工作进展"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下一步计划"), blank=True)
    prefilled_at = models.DateTimeField(_("预填时间"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("会议议题")
        verbose_name_plural = _("会议议题")
        ordering = ["meeting_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "unit"], condition=Q(unit__isnull=False), name="agenda_slot_unit_once"
            )
        ]

    def __str__(self):
        return self.title


class Decision(models.Model):
    """会议决定事项: one decision; it can become a supervision item, linked back here."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    text = models.TextField(_("决定事项"))
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("牵头单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    item = models.OneToOneField(
        "supervision.Item",
        verbose_name=_("督办事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decision",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("会议决定事项")
        verbose_name_plural = _("会议决定事项")
        ordering = ["meeting_id", "order", "id"]

    def __str__(self):
        return self.text[:40]

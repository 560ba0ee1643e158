"""The security-event log: append-only, each entry chained to the one before by a keyed hash."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    LOGIN_SUCCESS = "login_success", _("登录成功")
    LOGIN_FAILURE = "login_failure", _("登录失败")
    LOCKOUT = "lockout", _("账号锁定")
    ADDRESS_THROTTLED = "address_throttled", _("登录地址限流")
    OTP_ENABLED = "otp_enabled", _("启用两步验证")
    OTP_DISABLED = "otp_disabled", _("关闭两步验证")
    OTP_FAILED = "otp_failed", _("两步验证失败")
    OTP_RESET = "otp_reset", _("重置两步验证")
    LOGOUT = "logout", _("退出登录")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    PASSWORD_RESET = "password_reset", _("重置密码")
    ACCOUNT_UNLOCKED = "account_unlocked", _("解除锁定")
    ROLE_GRANTED = "role_granted", _("授予角色")
    ROLE_REVOKED = "role_revoked", _("撤销角色")
    EXPORT = "export", _("导出数据")
    IMPORT = "import", _("导入数据")
    SETTINGS_CHANGED = "settings_changed", _("修改系统设置")
    TOKEN_CREATED = "token_created", _("创建 API 令牌")
    TOKEN_REVOKED = "token_revoked", _("吊销 API 令牌")
    ACCOUNT_CHANGED = "account_changed", _("账号变更")
    BACKUP = "backup", _("数据备份")
    RESTORE = "restore", _("数据恢复")
    AUDIT_VIEWED = "audit_viewed", _("查阅审计记录")
    AUDIT_VERIFIED = "audit_verified", _("校验审计链")
    AUDIT_PRUNED = "audit_pruned", _("清理过期日志")


class SecurityEvent(models.Model):
    """One security event. Never updated or deleted: database triggers refuse both,
    and `verify_audit` detects any change made around them."""

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    kind = models.CharField(_("事件"), max_length=30, choices=EventKind.choices)
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True)
    actor_username = models.CharField(_("操作人"), max_length=150, blank=True)
    target = models.CharField(_("对象"), max_length=200, blank=True)
    ip = models.CharField(_("IP 地址"), max_length=45, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("安全事件")
        verbose_name_plural = _("安全事件")
        ordering = ["-seq"]
        indexes = [
            # audit.views.security_events filters by kind and shows newest first.
            models.Index(fields=["kind", "-seq"], name="secevent_kind_seq"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.get_kind_display()}"


class ChainHead(models.Model):
    """A single row naming the newest entry. Appending locks it, so concurrent
    writers on PostgreSQL cannot fork the chain; `verify_audit` compares the
    tail with it, so deleting the newest entries is detected too."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    head_mac = models.CharField(max_length=64, default="")
    # Entries up to `pruned_through_seq` were removed after the retention period; the
    # chain now starts after them, linked to `pruned_through_hash`. The database's
    # append-only guard lets a DELETE through only for rows at or below this anchor,
    # and `anchor_mac` (keyed, key outside the database) proves the anchor was set by
    # the application, not moved forward by hand to hide entries.
    pruned_through_seq = models.PositiveBigIntegerField(default=0)
    pruned_through_hash = models.CharField(max_length=64, default="")
    anchor_mac = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("审计链头")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="chainhead_singleton")]

    def __str__(self):
        return f"head #{self.last_seq}"

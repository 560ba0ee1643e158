"""Settings the system administrator changes at run time."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from duban.lib.crypto import EncryptedTextField


class PasswordPolicy(models.TextChoices):
    CLASSES = "classes", _("至少 8 位，且包含大写、小写、数字、符号中的三类（等保要求）")
    LENGTH = "length", _("仅要求至少 8 位")


class SiteSettings(models.Model):
    """The single row of institution-wide settings."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    institution_name = models.CharField(_("单位名称"), max_length=100, default="督办示范学校")
    system_name = models.CharField(_("系统名称"), max_length=60, default="督查督办平台")
    password_policy = models.CharField(
        _("密码规则"), max_length=10, choices=PasswordPolicy.choices, default=PasswordPolicy.CLASSES
    )

    class Meta:
        verbose_name = _("系统设置")
        verbose_name_plural = _("系统设置")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="sitesettings_singleton")]

    def __str__(self):
        return str(self.system_name)

    @classmethod
    def current(cls) -> "SiteSettings":
        obj = cls.objects.filter(id=1).first()
        return obj if obj is not None else cls(id=1)


class MailSecurity(models.TextChoices):
    NONE = "none", _("不加密（端口 25）")
    STARTTLS = "starttls", _("STARTTLS（端口 587）")
    SSL = "ssl", _("SSL/TLS（端口 465）")


class MailSettings(models.Model):
    """The outgoing mail server, set by the system administrator on the settings page.
    When not enabled, mail goes as the EMAIL_* environment settings say. The password
    is encrypted at rest (duban.lib.crypto) and never shown again once saved."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    enabled = models.BooleanField(_("启用此邮件服务器"), default=False)
    host = models.CharField(_("SMTP 服务器"), max_length=200, blank=True)
    port = models.PositiveIntegerField(_("端口"), default=465)
    security = models.CharField(_("加密方式"), max_length=10, choices=MailSecurity.choices, default=MailSecurity.SSL)
    username = models.CharField(_("账号"), max_length=200, blank=True)
    password = EncryptedTextField(_("口令"), blank=True, default="")
    from_email = models.EmailField(_("发件人地址"), blank=True)
    changed_at = models.DateTimeField(_("修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邮件服务器")
        verbose_name_plural = _("邮件服务器")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="mailsettings_singleton")]

    def __str__(self):
        return self.host or str(_("未设置"))

    @classmethod
    def current(cls) -> "MailSettings":
        obj = cls.objects.filter(id=1).first()
        return obj if obj is not None else cls(id=1)

"""Settings the system administrator changes at run time."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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

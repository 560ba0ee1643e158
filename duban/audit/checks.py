"""`manage.py check` refuses a retention period shorter than 等保 2.0 allows."""

from django.conf import settings
from django.core.checks import Error, register

from duban.audit.retention import MINIMUM_DAYS


@register()
def retention_check(app_configs, **kwargs):
    errors = []
    if settings.AUDIT_RETENTION_DAYS < MINIMUM_DAYS:
        errors.append(
            Error(
                f"AUDIT_RETENTION_DAYS={settings.AUDIT_RETENTION_DAYS}："
                f"安全审计日志至少保留 {MINIMUM_DAYS} 天（等保 2.0）。",
                id="duban.E001",
            )
        )
    history = settings.RECORD_HISTORY_RETENTION_DAYS
    if history and history < MINIMUM_DAYS:
        errors.append(
            Error(
                f"RECORD_HISTORY_RETENTION_DAYS={history}：记录历史要么永久保留（0），要么至少保留 {MINIMUM_DAYS} 天。",
                id="duban.E002",
            )
        )
    return errors

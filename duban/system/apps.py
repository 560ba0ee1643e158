from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "duban.system"
    label = "system"
    verbose_name = "系统设置"

    def ready(self):
        from auditlog.registry import auditlog

        from duban.system.models import SiteSettings

        auditlog.register(SiteSettings)

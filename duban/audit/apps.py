from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "duban.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self):
        from duban.audit import checks, receivers  # noqa: F401  (retention check; login/logout/lockout events)

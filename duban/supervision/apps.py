from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "duban.supervision"
    label = "supervision"
    verbose_name = "督查督办"

    def ready(self):
        from auditlog.registry import auditlog

        from duban.supervision import models as m

        # Record history of the supervision ledger; report texts are kept by their own log too.
        auditlog.register(m.Plan)
        auditlog.register(m.Item, m2m_fields={"co_units"}, exclude_fields=["status", "colour", "status_on", "progress"])
        auditlog.register(m.TimeNode)
        auditlog.register(m.Indicator)
        auditlog.register(m.ProgressReport)
        auditlog.register(m.Deferral)
        auditlog.register(m.Notice)
        auditlog.register(m.Accountability)
        auditlog.register(m.ReminderRung)

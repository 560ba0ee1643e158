from django.apps import AppConfig


class LeaveConfig(AppConfig):
    name = "duban.leave"
    label = "leave"
    verbose_name = "请销假"

    def ready(self):
        from auditlog.registry import auditlog

        from duban.leave import models as m

        auditlog.register(m.AbsenceType)
        auditlog.register(m.ChainRule)
        auditlog.register(m.ChainStep)
        auditlog.register(m.AbsenceRequest)
        auditlog.register(m.RequestStep, m2m_fields={"assignees"})
        auditlog.register(m.Delegation)
        auditlog.register(m.LeaveBalance)
        auditlog.register(m.CalendarDay)
        auditlog.register(m.LeaveSettings)

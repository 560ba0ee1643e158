from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "duban.meetings"
    label = "meetings"
    verbose_name = "会议"

    def ready(self):
        from auditlog.registry import auditlog

        from duban.meetings import models as m
        from duban.meetings import receivers  # noqa: F401  (approved leave proposes meeting leave)

        auditlog.register(m.Meeting, exclude_fields=["sign_in_token"])
        auditlog.register(m.Invitation)
        auditlog.register(m.MeetingLeave)
        auditlog.register(m.AgendaSlot)
        auditlog.register(m.Decision)

from django.apps import AppConfig


class MinutesConfig(AppConfig):
    name = "duban.minutes"
    label = "minutes"
    verbose_name = "会议纪要转督办事项"

    def ready(self):
        from auditlog.registry import auditlog

        from duban.minutes.models import MinutesDraft

        # The pasted text never changes; the extraction result and the edits are bulky JSON.
        auditlog.register(MinutesDraft, m2m_fields={"items"}, exclude_fields=["original", "result", "rows"])

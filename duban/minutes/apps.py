from django.apps import AppConfig


class MinutesConfig(AppConfig):
    name = "duban.minutes"
    label = "minutes"
    verbose_name = "会议纪要转督办事项"

from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "duban.workbench"
    label = "workbench"
    verbose_name = "我的工作"

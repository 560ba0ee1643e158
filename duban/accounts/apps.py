from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "duban.accounts"
    label = "accounts"
    verbose_name = "账号"

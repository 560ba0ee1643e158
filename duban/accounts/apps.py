from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "duban.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self):
        from duban.accounts import receivers  # noqa: F401  (login time for the session lifetime)

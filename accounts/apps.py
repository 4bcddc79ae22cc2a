from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "账号与安全审计"

    def ready(self) -> None:
        from . import checks, guards, signals  # noqa: F401  (checks registers itself)

        signals.connect()
        guards.connect()

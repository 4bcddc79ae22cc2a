"""App configurations the project adjusts."""

from axes.apps import AppConfig as AxesAppConfig


class AxesConfig(AxesAppConfig):
    """django-axes under a Chinese name in the admin. Its models' and fields' names come from
    minhang_plans/locale, since axes ships no Chinese translation; two changelist columns are
    computed and have no translatable name, so they are named here."""

    verbose_name = "登录保护"

    def ready(self) -> None:
        super().ready()
        from axes.admin import AccessAttemptAdmin

        AccessAttemptAdmin.status.short_description = "状态"
        AccessAttemptAdmin.expiration.short_description = "到期时间"

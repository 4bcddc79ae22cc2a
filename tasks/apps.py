from django.apps import AppConfig


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"
    verbose_name = "规划任务"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_roles_after_migrate, sender=self, dispatch_uid="tasks.roles_after_migrate")


def _roles_after_migrate(sender, using="default", **kwargs) -> None:
    """Give the role groups their permissions once migrate (or a test's flush) has created them.
    Apps after this one get their permissions later in the same post_migrate, so create those the
    系统管理员 group is given first; only those: every app's took a tenth of a second per flush."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from .services import roles_ensure
    from .services.roles import ADMIN_ROLE_APPS, ADMIN_ROLE_MODELS

    wanted = set(ADMIN_ROLE_APPS) | {app_label for app_label, _ in ADMIN_ROLE_MODELS}
    for app_config in apps.get_app_configs():
        if app_config.label in wanted:
            create_permissions(app_config, verbosity=0, using=using)
    roles_ensure()

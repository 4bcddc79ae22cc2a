from django.apps import AppConfig


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"
    verbose_name = "规划任务"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_roles_after_migrate, sender=self, dispatch_uid="tasks.roles_after_migrate")


def _roles_after_migrate(sender, using="default", **kwargs) -> None:
    """Give the role groups their permissions once migrate has created them. Apps after this one
    get their permissions later in the same post_migrate, so create them all first."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from .services import roles_ensure

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    roles_ensure()

from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class JobsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_schedules_after_migrate, sender=self, dispatch_uid="jobs.schedules_after_migrate")


def _schedules_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    """Every deployment runs migrate: the worker's schedules are then those of the code and settings."""
    from .schedules import schedules_ensure

    schedules_ensure()

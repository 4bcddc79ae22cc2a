from django.apps import AppConfig


class YearendConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yearend"
    verbose_name = "年终办结"

from django.apps import AppConfig


class TrendsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trends"
    verbose_name = "趋势与领导驾驶舱"

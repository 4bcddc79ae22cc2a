from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs are started from the pages and run by the worker."""

    list_display = ("pk", "kind", "owner", "state", "done", "total", "created_at", "finished_at")
    list_filter = ("kind", "state")
    raw_id_fields = ("owner",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

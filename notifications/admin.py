from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: messages are written by message_send only (so each event is sent once)."""

    list_display = ("created_at", "recipient", "kind", "title", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient__username", "event_key")
    raw_id_fields = ("recipient", "task")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

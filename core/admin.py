from django.contrib import admin

from .models import AuditEvent, Closure, Notification, PeriodicJobRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only business operations may write: visible here, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "action", "category", "actor", "household_id", "effective_on"]
    list_filter = ["category", "action"]
    search_fields = ["=household_id", "=object_id", "actor__username"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor"]


@admin.register(PeriodicJobRun)
class PeriodicJobRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_status", "last_started_at", "last_finished_at"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "every_year"]
    list_filter = ["every_year"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "channel", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    date_hierarchy = "created_at"

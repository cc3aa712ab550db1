from django.contrib import admin

from prodcoord.core.admin import ReadOnlyAdmin

from .models import Digest, Notification, NotificationSettings, Subscription
from .services import notification_settings_update


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    """An administrator sets a person's department here (as the person can on their settings page), through
    the same service: a new department is followed the way the person's role follows its own."""

    list_display = ("user", "department", "activity_seen_event", "updated_at")
    list_select_related = ("user", "department")
    search_fields = ("user__username",)
    fields = ("user", "department")
    readonly_fields = ("user",)

    def has_add_permission(self, request):
        return False  # made for each person with their role's defaults (notification_defaults_apply)

    def save_model(self, request, obj, form, change):
        notification_settings_update(user=obj.user, department=form.cleaned_data["department"])


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "department", "work_center", "work_order", "verb", "email")
    list_filter = ("kind", "email")
    list_select_related = ("user", "department", "work_center", "work_order")
    search_fields = ("user__username", "verb")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "verb", "subject", "read_at", "email", "emailed_at")
    list_filter = ("verb", "email")
    list_select_related = ("user",)
    search_fields = ("user__username", "subject", "message")
    show_full_result_count = False


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ("period_end", "user", "created_at", "sent_at")
    list_select_related = ("user",)

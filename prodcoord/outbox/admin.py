from django.contrib import admin, messages

from prodcoord.core.admin import ReadOnlyAdmin, short_text

from .models import OutboxMessage
from .services import outbox_messages_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Follow-up work and how its delivery went. Read only; a failed message can be put back to pending."""

    list_display = ("id", "created_at", "task", "state", "attempts", "next_attempt_at", "done_at", "short_error")
    list_filter = ("state", "task")
    search_fields = ("task", "dedupe_key", "last_error")
    date_hierarchy = "created_at"
    fields = (
        "task",
        "args",
        "kwargs",
        "dedupe_key",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "done_at",
        "created_at",
        "last_error",
    )
    readonly_fields = fields
    show_full_result_count = False
    actions = ["retry_selected"]

    @admin.display(description="last error")
    def short_error(self, obj):
        lines = obj.last_error.strip().splitlines()
        return short_text(lines[-1]) if lines else ""

    def has_retry_permission(self, request):
        return request.user.has_perm("outbox.change_outboxmessage")

    @admin.action(description="Retry selected failed or waiting messages now", permissions=["retry"])
    def retry_selected(self, request, queryset):
        count = outbox_messages_retry(ids=list(queryset.values_list("pk", flat=True)))
        level = messages.SUCCESS if count else messages.WARNING
        self.message_user(request, f"{count} message(s) pending again; done and sent ones are left alone.", level)

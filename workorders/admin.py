"""Admin for production. Master data is edited through its services; production
records are read-only, and their state changes are actions calling the services."""

from django.contrib import admin

from prodcoord.core.admin import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    RevisionAdmin,
    ServiceSaveAdmin,
    qty,
    run_service_action,
    short_text,
)

from . import services
from .models import (
    Hold,
    Operation,
    ProductionReport,
    Routing,
    RoutingStep,
    SavedBoardView,
    ScrapReason,
    WorkOrder,
)
from .permissions import HOLD_RELEASE_PERMISSIONS, TRANSITION_PERMISSIONS, roles_allowed

# --- routings -------------------------------------------------------------------


class RoutingStepInline(ReadOnlyInline):
    model = RoutingStep
    fields = readonly_fields = ("sequence", "work_center", "description", "setup_minutes", "run_minutes_per_unit")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("work_center")


@admin.register(Routing)
class RoutingAdmin(RevisionAdmin):
    """Routing revisions are written through the API (draft edits, release); here they can be read and released."""

    list_display = ("item", "revision", "status", "released_at", "updated_at")
    list_filter = ("status",)
    search_fields = ("item__sku", "item__name", "revision")
    list_select_related = ("item",)
    fields = readonly_fields = ("item", "revision", "status", "released_at", "created_at", "updated_at")
    inlines = [RoutingStepInline]
    release_permission = "workorders.change_routing"

    def release_service(self, routing, *, actor):
        return services.routing_release(actor=actor, routing=routing, reason="Released in admin.")


@admin.register(RoutingStep)
class RoutingStepAdmin(ReadOnlyAdmin):
    list_display = ("routing", "sequence", "work_center", "description", "setup_minutes", "run_minutes_per_unit")
    list_filter = ("work_center",)
    search_fields = ("routing__item__sku", "work_center__code", "description")
    list_select_related = ("routing__item", "work_center")


@admin.register(ScrapReason)
class ScrapReasonAdmin(ServiceSaveAdmin):
    service_fields = services.SCRAP_REASON_FIELDS
    list_display = ("code", "name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")

    def create_service(self, *, actor, **data):
        return services.scrap_reason_create(actor=actor, **data)

    def update_service(self, obj, *, actor, **data):
        return services.scrap_reason_update(actor=actor, scrap_reason=obj, **data)


# --- production records: read-only, changed only through the services ---------------


class OnHoldFilter(admin.SimpleListFilter):
    title = "on hold"
    parameter_name = "on_hold"

    def lookups(self, request, model_admin):
        return [("yes", "On hold"), ("no", "Not on hold")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(active_hold_count__gt=0)
        if self.value() == "no":
            return queryset.filter(active_hold_count=0)
        return queryset


class OperationInline(ReadOnlyInline):
    model = Operation
    fields = readonly_fields = (
        "sequence",
        "work_center",
        "description",
        "status",
        "quantity_good",
        "quantity_scrap",
        "planned_setup_minutes",
        "planned_run_minutes",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("work_center")


class HoldInline(ReadOnlyInline):
    model = Hold
    fields = readonly_fields = (
        "kind",
        "reason",
        "operation",
        "work_center",
        "placed_by",
        "placed_at",
        "released_by",
        "released_at",
        "release_note",
        "disposition",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("placed_by", "released_by", "operation", "work_center")


def _transition_action(action, description):
    def run(modeladmin, request, queryset):
        run_service_action(
            modeladmin,
            request,
            queryset,
            service=lambda wo, actor: services.work_order_transition(action=action, work_order=wo, actor=actor),
            label=services.VERBS[action].capitalize(),
        )

    run.__name__ = f"{action}_selected"
    kind = "release" if TRANSITION_PERMISSIONS[action].endswith(".release_workorder") else "transition"
    return admin.action(description=description, permissions=[kind])(run)


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    """Read-only: a work order changes through its services, so every change is checked and recorded.

    Cancelling (which needs a reason) and short completion are done on the
    pages or through the API, where the reason is given.
    """

    list_display = (
        "number",
        "item",
        qty("quantity"),
        qty("quantity_completed"),
        qty("quantity_scrapped"),
        "status",
        "on_hold",
        "priority",
        "due_date",
        "is_overdue",
        "planned_start",
    )
    list_filter = ("status", OnHoldFilter, "is_overdue", "priority", "item__kind")
    search_fields = ("number", "item__sku", "item__name", "customer_ref")
    list_select_related = ("item",)
    date_hierarchy = "due_date"
    ordering = ("number",)
    readonly_fields = fields = (
        "number",
        "item",
        "quantity",
        "quantity_completed",
        "quantity_scrapped",
        "status",
        "active_hold_count",
        "priority",
        "due_date",
        "planned_start",
        "planned_end",
        "customer_ref",
        "bom",
        "routing",
        "is_overdue",
        "version",
        "released_at",
        "started_at",
        "completed_at",
        "closed_at",
        "created_at",
        "updated_at",
    )
    inlines = [OperationInline, HoldInline]
    actions = [
        _transition_action("release", "Release selected work orders"),
        _transition_action("start", "Start selected work orders"),
        _transition_action("complete", "Complete selected work orders (full quantity made)"),
        _transition_action("close", "Close selected work orders"),
    ]

    @admin.display(boolean=True, description="on hold", ordering="active_hold_count")
    def on_hold(self, obj):
        return obj.on_hold

    def has_transition_permission(self, request):
        return request.user.has_perm(TRANSITION_PERMISSIONS["start"])

    def has_release_permission(self, request):
        return request.user.has_perm(TRANSITION_PERMISSIONS["release"])


@admin.register(Operation)
class OperationAdmin(ReadOnlyAdmin):
    list_display = ("work_order", "sequence", "work_center", "status", qty("quantity_good"), qty("quantity_scrap"))
    list_filter = ("status", "work_center")
    search_fields = ("work_order__number", "work_center__code", "description")
    list_select_related = ("work_order", "work_center")


@admin.register(ProductionReport)
class ProductionReportAdmin(ReadOnlyAdmin):
    """Reports are never edited or deleted; a wrong one is reversed on the work order's page or
    through the API (``production-reports/{id}/reverse/``), with a reason."""

    list_display = (
        "id",
        "reported_at",
        "work_order",
        "operation_sequence",
        "work_center",
        qty("quantity_good"),
        qty("quantity_scrap"),
        "scrap_reason",
        "shift",
        "shift_date",
        "reported_by",
        "reverses_report",
    )
    list_filter = (
        "shift",
        "work_center",
        "scrap_reason",
        ("reverses", admin.EmptyFieldListFilter),
        ("shift_date", admin.DateFieldListFilter),
    )
    search_fields = ("work_order__number", "work_center__code", "note", "reported_by__username", "scrap_reason__code")
    list_select_related = ("work_order", "work_center", "shift", "reported_by", "operation", "scrap_reason")
    date_hierarchy = "reported_at"

    @admin.display(description="operation", ordering="operation__sequence")
    def operation_sequence(self, obj):
        return obj.operation.sequence

    @admin.display(description="reverses report", ordering="reverses")
    def reverses_report(self, obj):
        return obj.reverses_id


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    """Holds are placed and released on the pages or through the API, with a reason and a release note
    (and a quality hold's disposition). Who may release each kind is the one map in
    ``workorders/permissions.py``, shown here as "released by"."""

    list_display = (
        "work_order",
        "kind",
        "concerns",
        "short_reason",
        "placed_by",
        "placed_at",
        "released_by",
        "released_at",
        "disposition",
        "who_may_release",
    )
    list_filter = ("kind", "disposition", ("released_at", admin.EmptyFieldListFilter))
    search_fields = ("work_order__number", "reason", "release_note")
    list_select_related = ("work_order", "placed_by", "released_by", "operation", "work_center")

    @admin.display(description="concerns")
    def concerns(self, obj):
        return obj.concerns or "—"

    @admin.display(description="released by")
    def who_may_release(self, obj):
        return roles_allowed(HOLD_RELEASE_PERMISSIONS[obj.kind])

    date_hierarchy = "placed_at"

    @admin.display(description="reason")
    def short_reason(self, obj):
        return short_text(obj.reason)


# --- the board's saved views ----------------------------------------------------------


@admin.register(SavedBoardView)
class SavedBoardViewAdmin(ReadOnlyAdmin):
    """People's saved board views: kept by each person on the board; read here."""

    list_display = ("name", "user", "query", "updated_at")
    search_fields = ("name", "user__username")
    list_select_related = ("user",)
    fields = readonly_fields = ("user", "name", "query", "created_at", "updated_at")

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from materials.models import BOM, QTY, Item, ItemRevision
from plant.models import Shift, WorkCenter
from prodcoord.core.models import TimeStampedModel
from prodcoord.core.naturalkeys import natural_key_validator, unique_regardless_of_case
from prodcoord.core.quantities import fmt_qty


class Routing(ItemRevision):
    """A revision of an item's routing: the steps at work centers that make it."""

    def __str__(self):
        return f"{self.item.sku} routing rev {self.revision}"


class RoutingStep(models.Model):
    routing = models.ForeignKey(Routing, on_delete=models.CASCADE, related_name="steps")
    sequence = models.PositiveIntegerField()
    work_center = models.ForeignKey(WorkCenter, on_delete=models.PROTECT, related_name="routing_steps")
    description = models.CharField(max_length=200, blank=True)
    setup_minutes = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    run_minutes_per_unit = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("0"))

    class Meta:
        ordering = ["routing", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["routing", "sequence"], name="%(app_label)s_%(class)s_unique_sequence"),
            models.CheckConstraint(condition=Q(sequence__gt=0), name="%(app_label)s_%(class)s_sequence_gt_0"),
            models.CheckConstraint(
                condition=Q(setup_minutes__gte=0) & Q(run_minutes_per_unit__gte=0),
                name="%(app_label)s_%(class)s_times_gte_0",
            ),
        ]

    def __str__(self):
        return f"{self.sequence} @ {self.work_center_id}"


class WorkOrder(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RELEASED = "released", "Released"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.DRAFT, Status.RELEASED, Status.IN_PROGRESS)

    number = models.CharField(max_length=30, db_index=True, validators=[natural_key_validator])
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="work_orders")
    quantity = models.DecimalField(**QTY)
    quantity_completed = models.DecimalField(**QTY, default=Decimal("0"))
    quantity_scrapped = models.DecimalField(**QTY, default=Decimal("0"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    priority = models.PositiveSmallIntegerField(default=3, help_text="1 = most urgent … 5")
    due_date = models.DateField(null=True, blank=True)
    planned_start = models.DateTimeField(null=True, blank=True)
    planned_end = models.DateTimeField(null=True, blank=True)
    customer_ref = models.CharField(max_length=60, blank=True)
    bom = models.ForeignKey(BOM, null=True, blank=True, on_delete=models.PROTECT, related_name="work_orders")
    routing = models.ForeignKey(Routing, null=True, blank=True, on_delete=models.PROTECT, related_name="work_orders")
    # Denormalised from the holds table by the hold services, so the board can
    # filter on it without a subquery. Always changed in the same transaction.
    active_hold_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    released_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Where the order is on the floor: its first operation not yet done while it is open
    # (draft, released, in progress), none once it is completed, closed or cancelled; and the
    # work center of the operation after that one, where it goes next. Kept by the services in
    # the write that changes them (services/common.py, ``current_operation_follow``); the work
    # centers are copied from the operations so the floor's lists filter on one column each.
    current_operation = models.ForeignKey("Operation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    current_work_center = models.ForeignKey(WorkCenter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    next_work_center = models.ForeignKey(WorkCenter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_overdue = models.BooleanField(default=False, help_text="Open and past its due date (set by the periodic scan).")
    # Open, and its planned end falls (on the plant's calendar) after its due date: the plan
    # itself is late. Written by the services with every change (services/common.py).
    plan_late = models.BooleanField(default=False, help_text="Open and planned to end after its due date.")
    shortage_count = models.PositiveIntegerField(
        default=0, help_text="Components it will run short of (kept by shortage netting in planning)."
    )

    class Meta:
        ordering = ["number"]
        permissions = [
            ("release_workorder", "Can release and cancel work orders"),
            ("transition_workorder", "Can start, complete and close work orders"),
            ("report_progress", "Can report production progress"),
            ("place_hold", "Can place holds of any kind on work orders"),
            ("release_hold", "Can release holds on work orders, except quality holds"),
            ("place_quality_hold", "Can place quality holds on work orders"),
            ("release_quality_hold", "Can release quality holds, with their disposition"),
            ("change_priority", "Can change work-order priority"),
            ("reschedule_workorder", "Can reschedule work orders"),
        ]
        constraints = [
            unique_regardless_of_case("number"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="%(app_label)s_%(class)s_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(quantity_completed__gte=0) & Q(quantity_scrapped__gte=0),
                name="%(app_label)s_%(class)s_done_quantities_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1) & Q(priority__lte=5), name="%(app_label)s_%(class)s_priority_range"
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True) | Q(planned_end__isnull=True) | Q(planned_end__gte=F("planned_start")),
                name="%(app_label)s_%(class)s_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "released", "in_progress", "completed", "closed", "cancelled"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "priority", "due_date"], name="wo_status_prio_due_idx"),
            models.Index(fields=["due_date"], name="wo_due_idx"),
            models.Index(fields=["planned_start"], name="wo_planned_start_idx"),
            models.Index(fields=["item", "status"], name="wo_item_status_idx"),
            # "What is at my work center now": only open orders have a current work center.
            models.Index(
                fields=["current_work_center", "priority", "due_date"],
                name="wo_current_wc_idx",
                condition=Q(current_work_center__isnull=False),
            ),
            # "What comes to my work center next".
            models.Index(
                fields=["next_work_center", "priority", "due_date"],
                name="wo_next_wc_idx",
                condition=Q(next_work_center__isnull=False),
            ),
            # Completed orders waiting to be closed, the longest waiting first.
            models.Index(fields=["completed_at"], name="wo_completed_idx", condition=Q(status="completed")),
            # The history, most recently ended first.
            models.Index(
                Coalesce("closed_at", "cancelled_at").desc(),
                name="wo_ended_idx",
                condition=Q(status__in=["closed", "cancelled"]),
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def on_hold(self):
        return self.active_hold_count > 0

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES


class Operation(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="operations")
    sequence = models.PositiveIntegerField()
    work_center = models.ForeignKey(WorkCenter, on_delete=models.PROTECT, related_name="operations")
    description = models.CharField(max_length=200, blank=True)
    planned_setup_minutes = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    planned_run_minutes = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    quantity_good = models.DecimalField(**QTY, default=Decimal("0"))
    quantity_scrap = models.DecimalField(**QTY, default=Decimal("0"))

    class Meta:
        ordering = ["work_order", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "sequence"], name="%(app_label)s_%(class)s_unique_sequence"),
            models.CheckConstraint(
                condition=Q(quantity_good__gte=0) & Q(quantity_scrap__gte=0),
                name="%(app_label)s_%(class)s_quantities_gte_0",
            ),
        ]
        indexes = [models.Index(fields=["work_center", "status"], name="op_wc_status_idx")]

    def __str__(self):
        return f"{self.work_order_id}/{self.sequence}"


class ScrapReason(TimeStampedModel):
    """Why parts were scrapped: a code from the list the plant keeps, so scrap can be counted by reason."""

    code = models.CharField(max_length=20, db_index=True, validators=[natural_key_validator])
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [unique_regardless_of_case("code")]

    def __str__(self):
        return self.code

    @property
    def label(self):
        return f"{self.code} · {self.name}"


class ProductionReport(models.Model):
    """One report of good/scrap quantity on an operation — the source of "actual".

    A wrong report is never edited or deleted: it is reversed by a report with the
    opposite quantities that points at it (``reverses``), in the original's shift and
    shift date. A report is reversed at most once, and a reversal is not reversed."""

    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="reports")
    # Denormalised for reporting: the operation's work order and work center at report time.
    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="production_reports")
    work_center = models.ForeignKey(WorkCenter, on_delete=models.PROTECT, related_name="production_reports")
    quantity_good = models.DecimalField(**QTY, default=Decimal("0"))
    quantity_scrap = models.DecimalField(**QTY, default=Decimal("0"))
    scrap_reason = models.ForeignKey(
        ScrapReason, null=True, blank=True, on_delete=models.PROTECT, related_name="production_reports"
    )
    reported_at = models.DateTimeField()
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="production_reports")
    shift_date = models.DateField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # A reversal's note is the reason it was reversed.
    note = models.CharField(max_length=500, blank=True)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
        help_text="The report this one reverses (with the opposite quantities).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        permissions = [("reverse_productionreport", "Can reverse production reports")]
        constraints = [
            # A report adds good and/or scrap; a reversal takes away exactly what its original added.
            models.CheckConstraint(
                condition=(
                    Q(reverses__isnull=True)
                    & Q(quantity_good__gte=0)
                    & Q(quantity_scrap__gte=0)
                    & (Q(quantity_good__gt=0) | Q(quantity_scrap__gt=0))
                )
                | (
                    Q(reverses__isnull=False)
                    & Q(quantity_good__lte=0)
                    & Q(quantity_scrap__lte=0)
                    & (Q(quantity_good__lt=0) | Q(quantity_scrap__lt=0))
                ),
                name="%(app_label)s_%(class)s_quantities_signed",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(note=""),
                name="%(app_label)s_%(class)s_reversal_has_reason",
            ),
            # Scrap is counted by reason: a reason exactly when there is scrap.
            models.CheckConstraint(
                condition=(Q(quantity_scrap=0) & Q(scrap_reason__isnull=True))
                | (~Q(quantity_scrap=0) & Q(scrap_reason__isnull=False)),
                name="%(app_label)s_%(class)s_scrap_reason_with_scrap",
            ),
        ]
        indexes = [
            models.Index(fields=["shift_date", "shift", "work_center"], name="pr_shift_wc_idx"),
            models.Index(fields=["work_order", "work_center", "shift_date"], name="pr_wo_wc_date_idx"),
            # the API's list, newest first: read in index order and cut at the page
            models.Index(fields=["reported_at", "id"], name="pr_reported_idx"),
        ]

    def __str__(self):
        return (
            f"{self.work_order.number} operation {self.operation.sequence}: "
            f"{fmt_qty(self.quantity_good)} good, {fmt_qty(self.quantity_scrap)} scrap"
        )

    @property
    def is_reversal(self):
        return self.reverses_id is not None


class Hold(TimeStampedModel):
    class Kind(models.TextChoices):
        QUALITY = "quality", "Quality"
        MATERIAL = "material", "Material"
        ENGINEERING = "engineering", "Engineering"
        EQUIPMENT = "equipment", "Equipment"
        CUSTOMER = "customer", "Customer"

    class Disposition(models.TextChoices):
        """What becomes of the held parts when a quality hold is released."""

        USE_AS_IS = "use_as_is", "Use as is"
        REWORK = "rework", "Rework"
        SCRAP = "scrap", "Scrap"
        RETURN_TO_SUPPLIER = "return_to_supplier", "Return to supplier"

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="holds")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField()
    # What the hold concerns, when narrower than the order (an equipment hold on the press brake):
    # one of its operations and/or a work center its operations pass through. It still holds the
    # whole order.
    operation = models.ForeignKey(Operation, null=True, blank=True, on_delete=models.PROTECT, related_name="holds")
    work_center = models.ForeignKey(WorkCenter, null=True, blank=True, on_delete=models.PROTECT, related_name="holds")
    disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)
    release_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="%(app_label)s_%(class)s_reason_required"),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(released_at__gte=F("placed_at")),
                name="%(app_label)s_%(class)s_released_after_placed",
            ),
            # A disposition says what became of the parts of a released quality hold, and only that.
            models.CheckConstraint(
                condition=Q(disposition="") | (Q(kind="quality") & Q(released_at__isnull=False)),
                name="%(app_label)s_%(class)s_disposition_quality_released",
            ),
        ]
        indexes = [
            models.Index(fields=["work_order", "released_at"], name="hold_wo_active_idx"),
            # the API's list, newest first: read in index order and cut at the page
            models.Index(fields=["placed_at", "id"], name="hold_placed_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} hold on {self.work_order}"

    @property
    def concerns(self):
        """What the hold names besides the order: "operation 20 · PRESS-01", "PRESS-01" or ""."""
        parts = []
        if self.operation_id is not None:
            parts.append(f"operation {self.operation.sequence}")
        if self.work_center_id is not None:
            parts.append(self.work_center.code)
        return " · ".join(parts)

    @property
    def is_active(self):
        return self.released_at is None


class SavedBoardView(TimeStampedModel):
    """A named view of the open-orders board that one person keeps ("my line", "late in
    machining"): the board's query string (filters, sorting, grouping), one click away.
    Personal, so not part of the plant's event log; written by ``services.board``."""

    NAME_MAX_LENGTH = 60

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_board_views")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    query = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["user", "name"]
        constraints = [
            models.UniqueConstraint("user", models.functions.Lower("name"), name="%(app_label)s_%(class)s_name_ci_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="%(app_label)s_%(class)s_name_required"),
        ]

    def __str__(self):
        return f"{self.name} ({self.user_id})"

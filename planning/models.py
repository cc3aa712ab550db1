"""The plan that attainment is measured against."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from materials.models import QTY
from plant.models import Shift, WorkCenter
from prodcoord.core.models import TimeStampedModel
from prodcoord.core.quantities import fmt_qty
from workorders.models import WorkOrder


class ScheduleEntry(TimeStampedModel):
    """The plan: how much of a work order a work center should make in a shift."""

    date = models.DateField()
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="schedule_entries")
    work_center = models.ForeignKey(WorkCenter, on_delete=models.PROTECT, related_name="schedule_entries")
    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="schedule_entries")
    planned_quantity = models.DecimalField(**QTY)
    sequence = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "schedule entries"
        ordering = ["date", "shift__start_time", "work_center__code", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "shift", "work_center", "work_order"], name="%(app_label)s_%(class)s_unique_slot"
            ),
            models.CheckConstraint(condition=Q(planned_quantity__gt=0), name="%(app_label)s_%(class)s_planned_gt_0"),
        ]
        indexes = [models.Index(fields=["date", "shift", "work_center"], name="sched_date_shift_wc_idx")]

    def __str__(self):
        return (
            f"{self.date} {self.shift.code} {self.work_center.code}: {self.work_order.number} × {fmt_qty(self.planned_quantity)}"
        )


class Shortage(models.Model):
    """A work order that will run short of a component: stored by shortage netting
    (``planning.shortages``), one row per work order and item while it lasts.

    ``required`` is what the order still needs (its requirement less what is issued to it),
    ``available`` what the projected balance holds for it on ``needed_by``, ``shortfall`` the
    difference. A shortage that netting no longer finds is resolved (``resolved_at``, the
    reason), never deleted; coordinators and planners acknowledge, escalate or resolve it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ESCALATED = "escalated", "Escalated"
        RESOLVED = "resolved", "Resolved"

    UNRESOLVED = (Status.OPEN, Status.ACKNOWLEDGED, Status.ESCALATED)

    item = models.ForeignKey("materials.Item", on_delete=models.PROTECT, related_name="shortages")
    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="shortages")
    required = models.DecimalField(**QTY)
    available = models.DecimalField(**QTY)
    shortfall = models.DecimalField(**QTY)
    needed_by = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_note = models.CharField(max_length=500, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolution = models.CharField(max_length=500, blank=True, help_text="Why it was resolved")

    class Meta:
        ordering = ["needed_by", "work_order__priority", "pk"]
        permissions = [("act_on_shortage", "Can acknowledge, escalate and resolve shortages")]
        constraints = [
            models.UniqueConstraint(
                fields=["work_order", "item"],
                condition=~Q(status="resolved"),
                name="%(app_label)s_%(class)s_one_unresolved",
            ),
            models.CheckConstraint(condition=Q(shortfall__gt=0), name="%(app_label)s_%(class)s_shortfall_gt_0"),
            models.CheckConstraint(
                condition=Q(status="resolved", resolved_at__isnull=False) | (~Q(status="resolved") & Q(resolved_at__isnull=True)),
                name="%(app_label)s_%(class)s_resolved_at_iff_resolved",
            ),
        ]
        indexes = [
            models.Index(fields=["needed_by"], condition=~Q(status="resolved"), name="shortage_unresolved_need_idx"),
            # The API's list, every status, by need date: read in index order and cut at the page
            # (without it, all of a plant's shortages were joined and sorted for each page).
            models.Index(fields=["needed_by"], name="shortage_need_idx"),
            models.Index(fields=["item", "status"], name="shortage_item_status_idx"),
        ]

    def __str__(self):
        return f"{self.item.sku} short {fmt_qty(self.shortfall)} for {self.work_order.number}"


class ShortageDirtyItem(models.Model):
    """An item whose shortages a change may have moved, waiting for the debounced netting run
    (``item_id`` 0: everything). Marked from the event log by a task; taken by the run."""

    item_id = models.BigIntegerField(unique=True)
    marked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"item {self.item_id}" if self.item_id else "every item"

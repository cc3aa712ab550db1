"""The plan that attainment is measured against."""

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

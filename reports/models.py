"""The read side's stored results: pages and the API read these rows, never compute them per request."""

from django.db import models

from materials.models import QTY


class AttainmentSnapshot(models.Model):
    """Plan against actual for one work center in one shift on one date, once that shift has
    ended (``reports.services``): over the slot's schedule entries,

    - ``planned`` = Σ planned_i, ``actual`` = Σ actual_i,
    - ``capped_actual`` = Σ min(actual_i, planned_i) — so over-production on one order does
      not hide a miss on another.

    actual_i is the good quantity reported for the entry's work order at that work center in
    that shift on that date (reversals included)."""

    date = models.DateField()
    shift = models.ForeignKey("plant.Shift", on_delete=models.PROTECT, related_name="+")
    work_center = models.ForeignKey("plant.WorkCenter", on_delete=models.PROTECT, related_name="+")
    planned = models.DecimalField(**QTY)
    actual = models.DecimalField(**QTY)
    capped_actual = models.DecimalField(**QTY)
    entries = models.PositiveIntegerField(help_text="Schedule entries in the slot")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["date", "shift", "work_center"]
        constraints = [
            models.UniqueConstraint(fields=["date", "shift", "work_center"], name="%(app_label)s_%(class)s_unique_slot"),
        ]
        indexes = [models.Index(fields=["date", "work_center"], name="attain_date_wc_idx")]

    def __str__(self):
        return f"{self.date} {self.shift_id} {self.work_center_id}"


class AttainmentRun(models.Model):
    """Where the last attainment refresh stopped reading the event log (one row)."""

    last_event_id = models.BigIntegerField(default=0)
    ran_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"attainment refreshed up to event {self.last_event_id}"

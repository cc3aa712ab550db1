"""The append-only event log: the audit trail and the activity feed in one table.

Every state change a service makes writes one ``Event`` in the same
transaction: who, when, what (verb + subject), old → new values with their
types, why, and the departments and work centers it concerns. Rows are never
updated or deleted.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The event log is append-only.")

    def delete(self):
        raise AppendOnlyError("The event log is append-only.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("The event log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The event log is append-only.")


class Event(AppendOnlyModel):
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verb = models.CharField(max_length=60, db_index=True)
    # The subject: any record (a work order, a hold, a work center, an item, a schedule entry, …).
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    # The work order an event concerns (its own or its operation's/hold's/schedule
    # entry's), so a work order's history is one indexed lookup. A string
    # reference: this layer never imports workorders. No database constraint and
    # no cascade: the trail of a deleted draft work order stays in the log untouched.
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="events",
        db_constraint=False,
    )
    # The work order's ``version`` once the change this event records was written (null for an
    # event about no work order, and for events recorded before versions were kept here): a
    # caller that read version N finds what changed since in the events with a higher one.
    work_order_version = models.PositiveIntegerField(null=True, blank=True)
    # {field: [old, new]}, values as JSON (decimals, dates and times as strings) …
    changes = models.JSONField(default=dict, blank=True)
    # … and each field's type ({field: "decimal"}), so the presenter never guesses it (see ``values``).
    change_types = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="events_event_object_idx"),
            models.Index(fields=["work_order", "-at"], name="events_event_work_order_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.object_repr}"


class EventScope(AppendOnlyModel):
    """One department (and, when it is that narrow, one work center) an event concerns:
    what the activity feed and the notifications filter on.

    String references with no database constraint, like ``Event.work_order``:
    this layer never imports ``plant``, and the log outlives what it names.
    """

    event = models.ForeignKey(Event, on_delete=models.DO_NOTHING, related_name="scopes", db_constraint=False)
    department = models.ForeignKey(
        "plant.Department", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    work_center = models.ForeignKey(
        "plant.WorkCenter", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["department", "event"], name="events_scope_department_idx"),
            models.Index(fields=["work_center", "event"], name="events_scope_work_center_idx"),
        ]

    def __str__(self):
        return f"event {self.event_id}: department {self.department_id}, work center {self.work_center_id}"

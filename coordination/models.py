"""The coordination of a plant's shifts: who is on which shift of which department (the roster),
the action items people promise each other, and the shift handover between one shift's coordinator
and the next's.

This app sits above ``planning``: it reads schedule entries, production reports, holds and downtime
(``selectors``) and writes only its own records (``services``).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from prodcoord.core.models import TimeStampedModel


class RosterEntry(TimeStampedModel):
    """The department and shift a person works: what makes "the incoming coordinator of that
    department and shift" a definite person. One per person; edited by an administrator."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="roster")
    department = models.ForeignKey("plant.Department", on_delete=models.PROTECT, related_name="roster_entries")
    shift = models.ForeignKey("plant.Shift", on_delete=models.PROTECT, related_name="roster_entries")

    class Meta:
        verbose_name = "roster entry"
        verbose_name_plural = "roster"
        ordering = ["department__code", "shift__start_time", "user__username"]
        indexes = [models.Index(fields=["department", "shift"], name="roster_dept_shift_idx")]

    def __str__(self):
        return f"{self.user} · {self.department_id and self.department.code} · {self.shift_id and self.shift.code}"


class ActionItem(TimeStampedModel):
    """Something a person promised to do by a date: from the morning meeting, a hold, downtime, a
    handover, a shortage or a brief line. Open until its owner (or a coordinator) marks it done or
    cancels it; an open one past its due date is overdue."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class Source(models.TextChoices):
        MEETING = "meeting", "Meeting"
        HOLD = "hold", "Hold"
        DOWNTIME = "downtime", "Downtime"
        HANDOVER = "handover", "Shift handover"
        SHORTAGE = "shortage", "Shortage"
        BRIEF = "brief", "Morning brief"
        OTHER = "other", "Other"

    title = models.CharField(max_length=200)
    note = models.TextField(blank=True, max_length=4000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    is_critical = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.OTHER)
    # The department it concerns: whose shift handovers carry it while it is open.
    department = models.ForeignKey(
        "plant.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="action_items"
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder", null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    hold = models.ForeignKey("workorders.Hold", null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items")
    downtime_event = models.ForeignKey(
        "plant.DowntimeEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    # What it came from when that has no foreign key here (yet): a shortage's id, a brief line
    # ("brief:2026-12-07:holds"), a meeting's name.
    source_reference = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    closing_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="%(app_label)s_%(class)s_title_required"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "done", "cancelled"]), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["meeting", "hold", "downtime", "handover", "shortage", "brief", "other"]),
                name="%(app_label)s_%(class)s_source_valid",
            ),
            # Closed means closed at a time; open means not.
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_at__isnull=True)) | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="%(app_label)s_%(class)s_closed_at_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "due_date"], name="action_owner_status_due_idx"),
            models.Index(fields=["department", "due_date"], condition=Q(status="open"), name="action_open_dept_idx"),
            models.Index(fields=["due_date"], condition=Q(status="open"), name="action_open_due_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    def is_overdue_on(self, day):
        return self.status == self.Status.OPEN and self.due_date < day


class ActionItemDigest(models.Model):
    """The one daily e-mail to one owner of their open action items: at most one per person and
    plant date (a unique constraint), sent once (``sent_at``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    item_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="%(app_label)s_%(class)s_one_per_user_and_day")]

    def __str__(self):
        return f"action items of {self.user} on {self.date}"


class ShiftHandover(TimeStampedModel):
    """What one shift of one department hands the next: the shift's figures (compiled from its own
    data), the outgoing coordinator's notes, and the open action items (``HandoverItem``), each
    marked critical or not. A draft until the outgoing coordinator submits it (the figures are
    frozen then); acknowledged by a coordinator rostered on the incoming shift of that department.
    Until then, that shift sees it first on every page."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"

    department = models.ForeignKey("plant.Department", on_delete=models.PROTECT, related_name="shift_handovers")
    date = models.DateField(help_text="The shift date: a night shift belongs to the date it started.")
    shift = models.ForeignKey("plant.Shift", on_delete=models.PROTECT, related_name="shift_handovers")
    # The shift that takes over (the one running when this one ends), fixed when the handover is made.
    incoming_date = models.DateField()
    incoming_shift = models.ForeignKey("plant.Shift", on_delete=models.PROTECT, related_name="incoming_handovers")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(blank=True, max_length=8000)
    figures = models.JSONField(default=dict, blank=True)
    compiled_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-date", "-pk"]
        permissions = [("acknowledge_shifthandover", "Can acknowledge a shift handover (rostered on the incoming shift)")]
        constraints = [
            models.UniqueConstraint(fields=["department", "date", "shift"], name="%(app_label)s_%(class)s_one_per_shift"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "acknowledged"]), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="%(app_label)s_%(class)s_submitted_at_set"
            ),
            models.CheckConstraint(
                condition=~Q(status="acknowledged") | Q(acknowledged_at__isnull=False, acknowledged_at__gte=F("submitted_at")),
                name="%(app_label)s_%(class)s_acknowledged_after_submitted",
            ),
        ]
        indexes = [
            # The banner: submitted, not yet acknowledged, for a department's incoming shift.
            models.Index(
                fields=["department", "incoming_shift"],
                condition=Q(status="submitted"),
                name="handover_unacknowledged_idx",
            ),
        ]

    def __str__(self):
        return f"Handover {self.department_id and self.department.code} {self.date} {self.shift_id and self.shift.code}"


class HandoverItem(TimeStampedModel):
    """An open action item as one handover carries it: once per handover (a refresh adds none twice),
    marked critical one by one. ``carried_from`` is the previous handover's line for the same item."""

    handover = models.ForeignKey(ShiftHandover, on_delete=models.CASCADE, related_name="items")
    action_item = models.ForeignKey(ActionItem, on_delete=models.PROTECT, related_name="handover_items")
    is_critical = models.BooleanField(default=False)
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-is_critical", "action_item__due_date", "action_item_id"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "action_item"], name="%(app_label)s_%(class)s_once_per_handover"),
        ]

    def __str__(self):
        return f"{self.action_item} in {self.handover}"

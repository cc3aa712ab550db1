"""The plant itself: departments, the work centers in them, and the shifts the
plant runs (the shift calendar is in ``shift_calendar``), and the downtime of
work centers. Non-working days will live here too."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from prodcoord.core.models import TimeStampedModel
from prodcoord.core.naturalkeys import natural_key_validator, unique_regardless_of_case
from prodcoord.core.plant_time import to_plant


class Department(TimeStampedModel):
    code = models.CharField(max_length=20, db_index=True, validators=[natural_key_validator])
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [unique_regardless_of_case("code")]

    def __str__(self):
        return self.code


class WorkCenter(TimeStampedModel):
    code = models.CharField(max_length=20, db_index=True, validators=[natural_key_validator])
    name = models.CharField(max_length=100)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="work_centers")
    capacity_hours_per_shift = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("8"))
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            unique_regardless_of_case("code"),
            models.CheckConstraint(
                condition=Q(capacity_hours_per_shift__gte=0) & Q(capacity_hours_per_shift__lte=24),
                name="%(app_label)s_%(class)s_capacity_range",
            ),
        ]

    def __str__(self):
        return self.code


class Shift(TimeStampedModel):
    """A shift on the plant's wall clock. ``end_time`` earlier than ``start_time``
    means the shift crosses midnight; its date is the date it started."""

    code = models.CharField(max_length=20, db_index=True, validators=[natural_key_validator])
    name = models.CharField(max_length=100)
    start_time = models.TimeField()
    end_time = models.TimeField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["start_time"]
        constraints = [
            unique_regardless_of_case("code"),
            models.CheckConstraint(condition=~Q(start_time=F("end_time")), name="%(app_label)s_%(class)s_nonzero_length"),
        ]

    def __str__(self):
        return self.code

    @property
    def crosses_midnight(self):
        return self.end_time < self.start_time


class UserWorkCenter(TimeStampedModel):
    """The work center a person works at: the one "My work center" opens for them, on any
    tablet they log in on. Chosen by the person (plant/services.py ``user_work_centers_set``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="work_center_choice"
    )
    work_center = models.ForeignKey(WorkCenter, on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return f"{self.user} at {self.work_center}"


class WallDisplay(TimeStampedModel):
    """A TV on the floor showing one department's work centers (``/display/<department>/``),
    opened with its own token instead of a login: it reads that department and nothing else, and
    writes nothing. Only a SHA-256 hash of the token is stored (``token_hash``); the token itself
    is shown once, when it is created. Revoked, it stops working at its next refresh.
    Created and revoked by a supervisor or an administrator (``plant.services.wall_displays_*``)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="wall_displays")
    name = models.CharField(max_length=100, help_text="Where the screen hangs, e.g. “Machining, north wall”.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(max_length=8, editable=False, help_text="The token's first characters, to tell displays apart.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["department__code", "name"]

    def __str__(self):
        return f"{self.name} ({self.department.code})" if self.department_id else self.name

    @property
    def is_active(self):
        return self.revoked_at is None


class DowntimeReason(TimeStampedModel):
    """Why a work center stood still: a code from the list the plant keeps (breakdown,
    changeover, no material…), so downtime can be counted by reason. ``is_planned`` marks
    stops the plan allows for (planned maintenance), which availability does not count."""

    code = models.CharField(max_length=20, db_index=True, validators=[natural_key_validator])
    name = models.CharField(max_length=100)
    is_planned = models.BooleanField(default=False, help_text="A stop the plan allows for, such as planned maintenance.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [unique_regardless_of_case("code")]

    def __str__(self):
        return self.code

    @property
    def label(self):
        return f"{self.code} · {self.name}"


class DowntimeEvent(TimeStampedModel):
    """A stretch of time a work center stood still: open (``ended_at`` empty) while it lasts.

    The events of one work center never overlap, and at most one is open
    (``plant.services``; the open one also by a unique constraint)."""

    work_center = models.ForeignKey(WorkCenter, on_delete=models.PROTECT, related_name="downtime_events")
    reason = models.ForeignKey(DowntimeReason, on_delete=models.PROTECT, related_name="downtime_events")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message="Downtime must end after it starts.",
            ),
            models.UniqueConstraint(
                fields=["work_center"],
                condition=Q(ended_at__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_work_center",
                violation_error_message="This work center is already down: stop that downtime first.",
            ),
        ]
        indexes = [
            models.Index(fields=["work_center", "started_at"], name="downtime_wc_started_idx"),
            models.Index(fields=["started_at"], name="downtime_started_idx"),
        ]

    def __str__(self):
        # How the event log names it: the work center's code and when it went down, in plant time.
        return f"{self.work_center.code} down from {to_plant(self.started_at):%a %b %-d, %H:%M}"

    @property
    def is_open(self):
        return self.ended_at is None

    def minutes(self, now=None):
        """How long it lasted, or has lasted so far (an open one), in whole minutes."""
        from django.utils import timezone

        end = self.ended_at or now or timezone.now()
        return max(0, int((end - self.started_at).total_seconds() // 60))
